"""The service under hostile input (#17 part 4): a zip bomb, a file that would take too long or
too much memory to read, a client that leaves mid-import, a 15 MiB description, a writer that
holds the index. Each gets a 4xx (or 503) from the limit meant for it, never a 500, and memory
stays flat. Each limit is shown by what answers (the limit's own message, a worker killed), never
by the wall time: the loaders sleep or hog past the limits, so a limit that failed to act would
give a different answer, not just a slower one."""

from __future__ import annotations

import asyncio
import contextlib
import io
import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from openpyxl import Workbook

from api.config import ApiSettings
from api.uploads import ClientGone, UploadLimits, parse_bounded
from matcher.errors import InputDataError
from matcher.services import write_gate
from matcher.store import Workspace
from tests.conftest import DATA
from tests.support import Service, served, wait_until_ready

if TYPE_CHECKING:
    import psutil

ROOT = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024
HEADER = ("supplier_id", "name", "description")
ROW = (
    '<row><c t="inlineStr"><is><t>S9</t></is></c><c t="inlineStr"><is><t>Bomb Co</t></is></c>'
    '<c t="inlineStr"><is><t>stamping stamping stamping</t></is></c></row>'
)


class _Repeated:
    """A deflate compressor for a stream of identical blocks: after a full flush zlib starts
    afresh, so every block compresses to the same bytes, computed once (the bomb is built in a
    second instead of deflating 1.5 GB). zipfile still computes the CRC over the real bytes."""

    def __init__(self, head: bytes, block: bytes, tail: bytes) -> None:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        self.parts = {
            head: c.compress(head) + c.flush(zlib.Z_FULL_FLUSH),
            block: c.compress(block) + c.flush(zlib.Z_FULL_FLUSH),
        }
        again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
        assert again == self.parts[block], "zlib did not restart at the full flush"
        self.parts[tail] = c.compress(tail) + c.flush()

    def compress(self, data: bytes) -> bytes:
        return self.parts[data]

    def flush(self) -> bytes:
        return b""


def zip_bomb(path: Path, unpacked_bytes: int) -> Path:
    """A valid XLSX whose one sheet unpacks to ``unpacked_bytes`` of identical rows."""
    book = Workbook()
    book.active.append(HEADER)
    plain = io.BytesIO()
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as bomb:
        for member in source.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(member, source.read(member))
                continue
            sheet = source.read(member).decode()
            head, tail = (part.encode() for part in sheet.split("</row>", 1))
            head += b"</row>"
            block = (ROW * (MiB // len(ROW))).encode()
            info = zipfile.ZipInfo(member.filename)
            info.compress_type = zipfile.ZIP_DEFLATED
            with bomb.open(info, "w", force_zip64=True) as out:
                out._compressor = _Repeated(head, block, tail)  # type: ignore[attr-defined]
                out.write(head)
                for _ in range(unpacked_bytes // len(block)):
                    out.write(block)
                out.write(tail)
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return zip_bomb(tmp_path_factory.mktemp("bomb") / "register.xlsx", 1536 * MiB)


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    api = ApiSettings(rate_per_minute=1e9, rate_burst=10**9, write_wait_seconds=0.5)
    with served(tmp_path_factory, "faults-ws", api) as svc:
        yield svc


def limits(**changes: float) -> UploadLimits:
    base = UploadLimits.of(ApiSettings())
    return UploadLimits(**{**base.__dict__, **changes})


# Loaders the worker process imports by name (they must live at module level).
def sleepy_load(path: Path) -> None:
    time.sleep(60)


def hungry_load(path: Path) -> None:
    hog = []
    while True:
        hog.append(bytearray(64 * MiB))


def broken_load(path: Path) -> None:
    raise RuntimeError("a reader's own bug")


# -- before parsing ----------------------------------------------------------------------------
def test_zip_bomb_is_refused_from_its_directory(faults: Service, bomb: Path) -> None:
    assert bomb.stat().st_size < 8 * MiB  # 1.5 GB of rows in a few MB
    with open(bomb, "rb") as handle:
        r = faults.client.post(
            "/v1/suppliers/import",
            files={"file": ("register.xlsx", handle)},
            headers=faults.as_("organiser"),
        )
    assert r.status_code == 413, r.text
    # Refused from the zip directory, before a byte is unpacked: the directory check's message.
    assert "unpacks to" in r.json()["detail"] and "register.xlsx" in r.json()["detail"]
    assert faults.client.get("/v1/suppliers/S9", headers=faults.as_("organiser")).status_code == 404


def test_a_small_bomb_is_refused_by_its_ratio(faults: Service, tmp_path: Path) -> None:
    small = zip_bomb(tmp_path / "small.xlsx", 20 * MiB)  # under the 64 MiB total, 1000× packed
    with open(small, "rb") as handle:
        r = faults.client.post(
            "/v1/suppliers/import",
            files={"file": ("small.xlsx", handle)},
            headers=faults.as_("organiser"),
        )
    assert r.status_code == 413 and "times its packed size" in r.json()["detail"]


def test_not_a_zip_is_422_naming_the_file(faults: Service) -> None:
    r = faults.client.post(
        "/v1/suppliers/import",
        files={"file": ("register.xlsx", b"PK not really a zip")},
        headers=faults.as_("organiser"),
    )
    assert r.status_code == 422 and r.json()["problems"][0]["file"] == "register.xlsx"


def test_an_upload_past_its_size_is_413() -> None:
    svc_limits = limits(max_bytes=2048)
    from api.uploads import check_upload

    with pytest.raises(Exception) as info:
        path = Path(DATA / "suppliers_3.csv")
        check_upload(path, "s.csv", UploadLimits(**{**svc_limits.__dict__, "max_bytes": 10}))
    assert getattr(info.value, "status_code", None) == 413


# -- the bounded worker ------------------------------------------------------------------------
def test_a_parse_past_its_time_is_stopped(tmp_path: Path) -> None:
    path = tmp_path / "slow.csv"
    path.write_text("supplier_id,name,description\n", encoding="utf-8")
    # sleepy_load would return (no error) after 60 s: the error is the 1 s limit acting.
    with pytest.raises(InputDataError) as info:
        asyncio.run(parse_bounded(path, "slow.csv", sleepy_load, limits(seconds=1.0)))
    assert "longer than the 1 s" in info.value.problems[0].message
    assert not multiprocessing.active_children()  # the worker was killed, not left running


def test_a_parse_is_abandoned_when_the_client_leaves(tmp_path: Path) -> None:
    path = tmp_path / "slow.csv"
    path.write_text("supplier_id,name,description\n", encoding="utf-8")
    calls = 0

    async def gone() -> bool:
        nonlocal calls
        calls += 1
        return calls > 3

    # Left to run, the parse would end with the 60 s limit's error, not ClientGone.
    with pytest.raises(ClientGone):
        asyncio.run(parse_bounded(path, "slow.csv", sleepy_load, limits(seconds=60.0), gone))
    assert calls == 4  # abandoned at the first poll that found the client gone
    assert not multiprocessing.active_children()


def test_a_parse_past_its_memory_is_413(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("supplier_id,name,description\n", encoding="utf-8")
    with pytest.raises(Exception) as info:
        asyncio.run(
            parse_bounded(path, "big.csv", hungry_load, limits(memory_bytes=256 * MiB, seconds=30))
        )
    assert getattr(info.value, "status_code", None) == 413
    assert "256 MiB" in str(getattr(info.value, "detail", ""))


def test_a_reader_bug_is_422_not_500(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("supplier_id,name,description\n", encoding="utf-8")
    with pytest.raises(InputDataError) as info:
        asyncio.run(parse_bounded(path, "x.csv", broken_load, limits()))
    assert "a reader's own bug" in info.value.problems[0].message


def test_a_good_import_still_works(faults: Service) -> None:
    with open(DATA / "suppliers_3.csv", "rb") as handle:
        r = faults.client.post(
            "/v1/suppliers/import",
            files={"file": ("suppliers.csv", handle)},
            headers=faults.as_("organiser"),
        )
    assert r.status_code == 200 and r.json()["updated"] + r.json()["inserted"] >= 0


# -- one supplier write ------------------------------------------------------------------------
def test_a_15_mib_description_is_422_at_once_and_later_writes_go_through(faults: Service) -> None:
    c, h = faults.client, faults.as_("organiser")
    huge = {"supplier_id": "BIG", "name": "Big Co", "description": "stamping " * (15 * MiB // 9)}
    r = c.post("/v1/suppliers", json=huge, headers=h)
    # Refused by the size check, before the write gate, the database or the index see it.
    assert r.status_code == 422, r.text[:300]
    assert r.json()["problems"][0]["column"] == "description"
    assert "at most 10,000" in r.json()["problems"][0]["message"]
    assert c.get("/v1/suppliers/BIG", headers=h).status_code == 404
    # The gate was not left held: with a 0.5 s wait the next write would be a 503.
    small = {"supplier_id": "SMALL", "name": "Small Co", "description": "laser cutting"}
    assert c.post("/v1/suppliers", json=small, headers=h).status_code == 201


def test_long_lists_and_extra_values_are_bounded(faults: Service) -> None:
    c, h = faults.client, faults.as_("organiser")
    body = {
        "supplier_id": "LISTS",
        "name": "Lists Co",
        "description": "welding",
        "processes": ["welding"] * 500,
    }
    r = c.post("/v1/suppliers", json=body, headers=h)
    assert r.status_code == 422 and r.json()["problems"][0]["column"] == "processes"


def test_a_lone_surrogate_is_422_not_500(faults: Service) -> None:
    body = '{"supplier_id": "SUR", "name": "Bad \\ud800 Co", "description": "welding"}'
    r = faults.client.post(
        "/v1/suppliers",
        content=body,
        headers={**faults.as_("organiser"), "Content-Type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["problems"][0]["column"].endswith("name")


def test_a_write_waiting_past_its_limit_is_503(faults: Service) -> None:
    c, h = faults.client, faults.as_("organiser")
    index = c.app.state.context.index  # type: ignore[attr-defined]
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with write_gate(index).held(60):
            held.set()
            release.wait(300)  # set in the finally below; the bound only guards against a hang

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(60), "the holder never took the gate"
    try:
        body = {"supplier_id": "WAIT", "name": "Wait Co", "description": "anodising"}
        # The holder keeps the gate until release is set below: without the 0.5 s bound on the
        # wait this write would block until then and succeed, never answer 503.
        r = c.post("/v1/suppliers", json=body, headers=h)
        assert r.status_code == 503 and r.headers["Retry-After"]
        assert c.get("/v1/suppliers/WAIT", headers=h).status_code == 404
    finally:
        release.set()
        holder.join()
    assert c.post("/v1/suppliers", json=body, headers=h).status_code == 201


# -- memory of a real server ---------------------------------------------------------------------
SERVER = """
import sys, uvicorn
from api.app import create_app
from api.config import ApiSettings
from matcher.config import Settings
settings = Settings()
settings.embed.encoder = "hashing"
api = ApiSettings(rate_per_minute=1e9, rate_burst=10**9)
app = create_app(sys.argv[1], settings, api)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def _tree_rss(process: psutil.Process) -> int:
    import psutil

    total = 0
    for p in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # a worker may exit between the two calls
            total += p.memory_info().rss
    return total


@pytest.mark.slow  # ~8 s: a uvicorn process and a 1.5 GB zip bomb
def test_a_real_server_refuses_a_zip_bomb_in_bounded_memory(tmp_path: Path, bomb: Path) -> None:
    # psutil comes with the dev extras (through ipykernel), not the product: imported where used.
    import psutil

    from matcher.jobs import ingest_file

    ingest_file(tmp_path / "ws", "suppliers", DATA / "suppliers_3.csv")
    _, key = Workspace(tmp_path / "ws").create_api_key("organiser")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MATCHER_CACHE_DIR": str(tmp_path / "cache")}
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(tmp_path / "ws"), str(port)], env=env, cwd=ROOT
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(base, server)
        watched = psutil.Process(server.pid)
        peak = _tree_rss(watched)
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, _tree_rss(watched))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            with open(bomb, "rb") as handle:
                r = httpx.post(
                    f"{base}/v1/suppliers/import",
                    files={"file": ("register.xlsx", handle)},
                    headers={"X-API-Key": key},
                    timeout=300,  # a guard against a hang, not a speed test
                )
        finally:
            stop.set()
            sampler.join()
        print(f"zip bomb: {r.status_code}, server peak RSS {peak / MiB:.0f} MiB")
        assert r.status_code in (413, 422), r.text
        assert peak < 1024 * MiB  # 1.5 GB of rows were never unpacked into memory
        assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200  # still serving
    finally:
        server.terminate()
        server.wait(timeout=120)
