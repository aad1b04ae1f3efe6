"""The service under load and faults (#17 part 4), over loopback only (127.0.0.1).

1. A temporary workspace with ``--suppliers`` synthetic firms and an organiser key;
2. the real server in a subprocess (``create_app`` under uvicorn, hashing encoder);
3. for ``--seconds``, closed-loop asyncio httpx clients: searchers (``POST /v1/search``), editors
   (``PUT /v1/suppliers/{id}`` with a fresh description each time, one in twenty of them too long,
   which must be 422), and an importer (``POST /v1/suppliers/import``, a 20-row CSV of new firms);
4. at 35 % of the time a full rebuild beside the service (``matcher index``, picked up through
   ``/readyz``), at 60 % a ``kill -9`` of the server, then a restart on the same workspace;
5. at the end, every write answered 2xx before the kill (and after) is looked up: a PUT must show
   its acknowledged description (or a later one still in flight at the kill), an import's firms
   must exist.

Prints: requests by endpoint, answers by status (``conn`` = no answer: the kill), writes
acknowledged vs found after the restart, the server's RSS at start and end of each life and its
slope. Pass: no 5xx but 503, acknowledged == found, RSS slope small.

Usage: python benchmarks/load_faults.py [--seconds 90] [--suppliers 3000] [--searchers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import collections
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"  # loopback only
WORDS = (  # capability phrases, Vietnamese and English
    "dập kim loại tấm", "stamping", "ép phun nhựa", "injection moulding", "đúc áp lực nhôm",
    "die casting", "mạ kẽm", "plating", "CNC machining", "tiện phay", "turning milling",
    "hàn", "welding", "sơn tĩnh điện", "powder coating", "khuôn mẫu", "mould making",
    "lắp ráp", "assembly", "cao su", "rubber", "bao bì", "packaging",
)  # fmt: skip
PROVINCES = ("Hà Nội", "Bắc Ninh", "Hải Phòng", "Đồng Nai", "Bình Dương")


def description(rng: random.Random, token: str = "") -> str:
    return " ".join(rng.choices(WORDS, k=12)) + (f" ref {token}" if token else "")


def synthetic_suppliers(n: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [
        {
            "supplier_id": f"S{i:05d}",
            "name": f"Công ty TNHH Cơ khí {i:05d}",
            "description": description(rng),
            "province": rng.choice(PROVINCES),
        }
        for i in range(n)
    ]


# -- the server --------------------------------------------------------------------------------
def serve(workspace: Path, port: int) -> None:
    import uvicorn

    from api.app import create_app
    from api.config import ApiSettings
    from matcher.config import Settings

    trace = os.environ.get("LOAD_FAULTS_TRACE")
    if trace:
        _trace_malloc(Path(trace))
    settings = Settings()
    settings.embed.encoder = "hashing"
    api = ApiSettings(rate_per_minute=1e9, rate_burst=10**9, max_concurrency=64)
    app = create_app(workspace, settings, api)
    uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False)


def _trace_malloc(out: Path, every: float = 20.0) -> None:
    """Debug aid (--trace): tracemalloc in the server, the allocations grown since the first
    snapshot written to ``out`` every ``every`` seconds, by where they were made."""
    import tracemalloc

    def loop() -> None:
        # Started once the app is up (tracing the start-up build would slow it many times over).
        time.sleep(every)
        tracemalloc.start(12)
        time.sleep(every)
        first = tracemalloc.take_snapshot()
        n = 0
        while True:
            time.sleep(every)
            n += 1
            grown = tracemalloc.take_snapshot().compare_to(first, "traceback")[:15]
            lines = [f"-- {n * every:.0f} s after the first snapshot"]
            for stat in grown:
                lines.append(str(stat))
                lines += ["    " + x for x in stat.traceback.format()[-8:]]
            out.write_text("\n".join(lines) + "\n")

    threading.Thread(target=loop, daemon=True).start()


class Server:
    """The server subprocess and its RSS, sampled every half second."""

    def __init__(self, workspace: Path, port: int, env: dict[str, str]) -> None:
        import psutil

        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(workspace), "--port", str(port)], env=env
        )
        self.samples: list[tuple[float, float]] = []  # (time, MiB of the process tree)
        self.ready_at = float("inf")  # RSS counts from here: start-up imports are not growth
        self._stop = threading.Event()
        self._watched = psutil.Process(self.process.pid)
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        atexit.register(self._reap)  # never leave a server behind (a failed start, ^C)

    def _reap(self) -> None:
        if self.process.poll() is None:
            self.process.kill()

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                tree = [self._watched, *self._watched.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in tree if p.is_running())
                self.samples.append((time.monotonic(), rss / 2**20))
            except psutil.Error:
                return
            time.sleep(0.5)

    def kill(self) -> None:
        self._stop.set()
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        self._stop.set()
        self.process.terminate()
        self.process.wait(30)


def wait_ready(base: str, seconds: float = 300) -> float:
    import httpx

    start = time.monotonic()
    while time.monotonic() - start < seconds:
        try:
            if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                return time.monotonic() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit("the server did not become ready")


# -- the load ----------------------------------------------------------------------------------
@dataclass
class Tally:
    requests: collections.Counter[str] = field(default_factory=collections.Counter)
    statuses: collections.Counter[str] = field(default_factory=collections.Counter)
    # supplier id → acknowledged description, and descriptions sent but not answered
    acked_edits: dict[str, str] = field(default_factory=dict)
    in_flight: dict[str, set[str]] = field(default_factory=lambda: collections.defaultdict(set))
    acked_imports: set[str] = field(default_factory=set)
    too_long_ok: int = 0
    too_long_sent: int = 0
    server_errors: list[str] = field(default_factory=list)


async def run_load(
    base: str,
    key: str,
    n: int,
    seconds: float,
    searchers: int,
    tally: Tally,
    phase: list[str],
    pool: int | None = None,
) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    headers = {"X-API-Key": key}

    async def call(endpoint: str, method: str, url: str, **kw: Any) -> httpx.Response | None:
        tally.requests[endpoint] += 1
        try:
            answer = await http.request(method, f"{base}{url}", headers=headers, **kw)
        except httpx.HTTPError:
            tally.statuses["conn"] += 1
            await asyncio.sleep(0.2)  # the server is down (the kill): retry shortly
            return None
        tally.statuses[str(answer.status_code)] += 1
        if answer.status_code >= 500 and answer.status_code != 503:
            tally.server_errors.append(f"{endpoint} {answer.status_code} {answer.text[:120]}")
        return answer

    async def searcher(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            query = " ".join(rng.choices(WORDS, k=3))
            await call("POST /v1/search", "POST", "/v1/search", json={"query": query, "top_k": 10})

    async def editor(seed: int, ids: list[str]) -> None:
        rng = random.Random(seed)
        k = 0
        while time.monotonic() < deadline:
            sid = ids[k % len(ids)]
            k += 1
            too_long = k % 20 == 0
            text = "x" * 20_000 if too_long else description(rng, f"{seed}-{k}-{phase[0]}")
            body = {"supplier_id": sid, "name": f"Edited {sid}", "description": text}
            if not too_long:
                tally.in_flight[sid].add(text)
            answer = await call("PUT /v1/suppliers/{id}", "PUT", f"/v1/suppliers/{sid}", json=body)
            if too_long and answer is not None:  # unanswered (the kill) counts for neither
                tally.too_long_sent += 1
                tally.too_long_ok += answer.status_code == 422
            elif answer is not None and answer.status_code // 100 == 2:
                tally.acked_edits[sid] = text
                tally.in_flight[sid] = set()  # older attempts can no longer be the latest

    async def importer(seed: int) -> None:
        rng = random.Random(seed)
        batch = 0
        while time.monotonic() < deadline:
            batch += 1
            # With a pool, imports re-write the same firms (the register keeps its size, so
            # memory should stay flat); without one, every batch adds 20 new firms.
            slot = batch if pool is None else batch % pool
            ids = [f"I{seed}-{slot:04d}-{j:02d}" for j in range(20)]
            lines = ["supplier_id,name,description"]
            lines += [f"{i},Import {i},{description(rng)}" for i in ids]
            data = ("\n".join(lines) + "\n").encode()
            answer = await call(
                "POST /v1/suppliers/import",
                "POST",
                "/v1/suppliers/import",
                files={"file": ("batch.csv", data, "text/csv")},
            )
            if answer is not None and answer.status_code == 200:
                tally.acked_imports.update(ids)
            await asyncio.sleep(0.5)

    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        ids = [f"S{i:05d}" for i in range(n)]
        await asyncio.gather(
            *(searcher(s) for s in range(searchers)),
            editor(100, ids[: n // 2]),
            editor(101, ids[n // 2 :]),
            importer(200),
        )


def verify(base: str, key: str, tally: Tally) -> tuple[int, int, list[str]]:
    import httpx

    acked = len(tally.acked_edits) + len(tally.acked_imports)
    found = 0
    missing: list[str] = []
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30) as http:
        for sid, text in tally.acked_edits.items():
            got = http.get(f"/v1/suppliers/{sid}")
            stored = got.json().get("description") if got.status_code == 200 else None
            if stored == text or stored in tally.in_flight.get(sid, set()):
                found += 1
            else:
                missing.append(sid)
        for sid in sorted(tally.acked_imports):
            if http.get(f"/v1/suppliers/{sid}").status_code == 200:
                found += 1
            else:
                missing.append(sid)
    return acked, found, missing


def slope(samples: list[tuple[float, float]]) -> float:
    """Least-squares MiB per minute."""
    if len(samples) < 3:
        return float("nan")
    t0 = samples[0][0]
    xs = [t - t0 for t, _ in samples]
    ys = [m for _, m in samples]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return 60 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=90.0, help="load time in all")
    parser.add_argument("--suppliers", type=int, default=3000)
    parser.add_argument("--searchers", type=int, default=2)
    parser.add_argument(
        "--steady",
        action="store_true",
        help="imports re-write a fixed pool of 5 batches (100 firms) instead of adding firms, "
        "so the register's size is constant and the RSS slope shows leaks, not growth",
    )
    parser.add_argument(
        "--calm",
        action="store_true",
        help="no rebuild and no kill: one server life under load (a leak hunt)",
    )
    parser.add_argument(
        "--trace",
        type=Path,
        help="debug: run tracemalloc in the server and write its growth by allocation site here",
    )
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve, args.port)
        return
    if not 10 <= args.seconds <= 600:
        raise SystemExit("--seconds: between 10 and 600")

    from matcher.schemas import Supplier
    from matcher.store import Workspace

    work = Path(tempfile.mkdtemp(prefix="cnht-load-faults-"))
    workspace = work / "ws"
    store = Workspace(workspace)
    store.upsert_suppliers(
        [Supplier.model_validate(r) for r in synthetic_suppliers(args.suppliers)]
    )
    _, key = store.create_api_key("organiser", label="load_faults")
    store.close()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "MATCHER_CACHE_DIR": str(work / "cache"),
        "MATCHER_EMBED__ENCODER": "hashing",
        "HF_HUB_OFFLINE": "1",
        **({"LOAD_FAULTS_TRACE": str(args.trace.resolve())} if args.trace else {}),
    }
    with socket.socket() as s:
        s.bind((HOST, 0))
        port = s.getsockname()[1]
    base = f"http://{HOST}:{port}"
    tally = Tally()
    phase = ["a"]
    lives: list[tuple[str, Server]] = []

    server = Server(workspace, port, env)
    lives.append(("first", server))
    print(f"server ready in {wait_ready(base):.1f} s over {args.suppliers} suppliers", flush=True)
    server.ready_at = time.monotonic()

    events: list[str] = []

    def faults() -> None:
        import httpx

        nonlocal server
        if args.calm:
            return
        time.sleep(args.seconds * 0.35)
        start = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "matcher", "index", "--workspace", str(workspace)],
            env=env,
            check=True,
            capture_output=True,
        )
        try:  # the service swaps the new version in (slow on a busy machine: it loads it)
            httpx.get(f"{base}/readyz", timeout=180)
        except httpx.HTTPError as exc:
            events.append(f"/readyz after the rebuild: no answer ({type(exc).__name__})")
        events.append(f"rebuild beside the service: {time.monotonic() - start:.1f} s")
        # The kill comes after the rebuild, and with load still running after the restart.
        time.sleep(max(1.0, args.seconds * 0.60 - (time.monotonic() - begin)))
        server.kill()
        events.append(f"kill -9 at {time.monotonic() - begin:.0f} s")
        phase[0] = "b"
        server = Server(workspace, port, env)
        lives.append(("restarted", server))
        events.append(f"restarted, ready in {wait_ready(base):.1f} s")
        server.ready_at = time.monotonic()

    begin = time.monotonic()
    chaos = threading.Thread(target=faults, daemon=True)
    chaos.start()
    pool = 5 if args.steady else None
    asyncio.run(
        run_load(base, key, args.suppliers, args.seconds, args.searchers, tally, phase, pool)
    )
    chaos.join(120)
    wait_ready(base)
    acked, found, missing = verify(base, key, tally)
    server.stop()

    print("\n".join(events))
    print("\n| endpoint | requests |\n|---|---:|")
    for endpoint, count in sorted(tally.requests.items()):
        print(f"| {endpoint} | {count:,} |")
    print("\n| status | answers |\n|---|---:|")
    for code, count in sorted(tally.statuses.items()):
        print(f"| {code} | {count:,} |")
    print("\n| writes | count |\n|---|---:|")
    print(f"| acknowledged (2xx): edits {len(tally.acked_edits)}, imported firms "
          f"{len(tally.acked_imports)} | {acked:,} |")  # fmt: skip
    print(f"| found after restart | {found:,} |")
    print(f"| too-long descriptions answered 422 | {tally.too_long_ok} / {tally.too_long_sent} |")
    # The whole life's slope includes the warm-up (the first compaction holds two engines, and
    # the heap keeps that high-water mark); the second half's slope is what a leak would show.
    print("\n| server life | RSS start MiB | RSS end MiB | peak MiB | slope MiB/min | "
          "slope, 2nd half | samples |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, life in lives:
        kept = [x for x in life.samples if x[0] >= life.ready_at]
        if kept:
            peak = max(m for _, m in kept)
            print(f"| {name} | {kept[0][1]:.0f} | {kept[-1][1]:.0f} | {peak:.0f} "
                  f"| {slope(kept):+.1f} | {slope(kept[len(kept) // 2 :]):+.1f} "
                  f"| {len(kept)} |")  # fmt: skip
    for name, life in lives:  # the curve's shape: a plateau is not a leak
        kept = [x for x in life.samples if x[0] >= life.ready_at]
        if kept:
            marks = [kept[0], *(x for i, x in enumerate(kept) if i and i % 40 == 0), kept[-1]]
            curve = ", ".join(f"{t - kept[0][0]:.0f} s {m:.0f}" for t, m in marks)
            print(f"{name} life, RSS MiB by time: {curve}")
    bad = [c for c in tally.statuses if c.isdigit() and int(c) >= 500 and c != "503"]
    ok = not bad and acked == found and tally.too_long_ok == tally.too_long_sent
    print(f"\n5xx other than 503: {sum(tally.statuses[c] for c in bad)}; "
          f"missing writes: {missing[:10]}; {'PASS' if ok else 'FAIL'}")  # fmt: skip
    for line in tally.server_errors[:5]:
        print("  ", line)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
