"""Index integrity (#17): every way a saved index version can be broken is refused with one domain
error naming the file, by `matcher search`, by Engine.load and by the live index, which keeps
serving the last good version.

"Re-sealed" corruptions recompute the manifest's sha256 after the damage, so only the loader's
own checks (listed files, counts, shapes, dimensions, no pickles) can catch them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import pytest
from typer.testing import CliRunner

from matcher.artifacts import MANIFEST, POINTER, current_version, sha256_file
from matcher.cli import app
from matcher.config import Settings
from matcher.engine import Engine
from matcher.errors import IndexArtifactError
from matcher.jobs import build_workspace_index
from matcher.live import LiveIndex
from matcher.schemas import Supplier
from matcher.store import Workspace

runner = CliRunner()

SUPPLIERS = [
    Supplier(
        supplier_id="S1", name="Thang Long Stamping", description="dập kim loại tấm, metal stamping"
    ),
    Supplier(
        supplier_id="S2",
        name="Bac Ninh Plastics",
        description="ép phun nhựa ABS, injection moulding",
    ),
    Supplier(
        supplier_id="S3", name="Hai Phong CNC", description="gia công CNC chính xác, CNC machining"
    ),
    Supplier(supplier_id="S4", name="Delta Coating", description="sơn tĩnh điện, powder coating"),
]


def hashing() -> Settings:
    settings = Settings()
    settings.embed.encoder = "hashing"
    return settings


# -- corruptions -----------------------------------------------------------------------------------
def manifest(folder: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
    return loaded


def write_manifest(folder: Path, data: dict[str, Any]) -> None:
    (folder / MANIFEST).write_text(json.dumps(data, indent=2))


def reseal(folder: Path, *also: str) -> None:
    """Recompute every listed file's checksum (and list ``also``), as a careful forger would."""
    data = manifest(folder)
    for name in [*data["files"], *also]:
        path = folder / name
        if path.exists():
            data["files"][name] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}
    write_manifest(folder, data)


def edit_manifest(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def corrupt(folder: Path) -> None:
        data = manifest(folder)
        change(data)
        write_manifest(folder, data)

    return corrupt


def resealed(change: Callable[[Path], None], *also: str) -> Callable[[Path], None]:
    def corrupt(folder: Path) -> None:
        change(folder)
        reseal(folder, *also)

    return corrupt


def write_bytes(name: str, data: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_bytes(data)


def truncate(name: str, keep: float = 0.5) -> Callable[[Path], None]:
    def corrupt(folder: Path) -> None:
        raw = (folder / name).read_bytes()
        (folder / name).write_bytes(raw[: int(len(raw) * keep)])

    return corrupt


def pickled_npy(folder: Path) -> None:
    np.save(folder / "owners.npy", np.array([{"x": 1}] * 4, dtype=object), allow_pickle=True)


def float64_vectors(folder: Path) -> None:
    np.save(folder / "vectors.npy", np.load(folder / "vectors.npy").astype(np.float64))


def owners_out_of_range(folder: Path) -> None:
    owners = np.load(folder / "owners.npy")
    owners[-1] = 99
    np.save(folder / "owners.npy", owners)


def fewer_faiss_vectors(folder: Path) -> None:
    vectors = np.load(folder / "vectors.npy")
    small = faiss.IndexFlatIP(vectors.shape[1])
    small.add(vectors[:2])
    faiss.write_index(small, str(folder / "dense.faiss"))


def drop_supplier_line(folder: Path) -> None:
    lines = (folder / "suppliers.jsonl").read_text().splitlines(keepends=True)
    (folder / "suppliers.jsonl").write_text("".join(lines[:-1]))


def garble_supplier_line(folder: Path) -> None:
    lines = (folder / "suppliers.jsonl").read_text().splitlines(keepends=True)
    (folder / "suppliers.jsonl").write_text("".join([*lines[:-1], '{"supplier_id": 7}\n']))


def bm25_method(method: str) -> Callable[[Path], None]:
    def corrupt(folder: Path) -> None:
        params = json.loads((folder / "params.index.json").read_text())
        params["method"] = method
        (folder / "params.index.json").write_text(json.dumps(params))
        np.save(folder / "nonoccurrence_array.index.npy", np.zeros(3, dtype=np.float32))

    return corrupt


def short_bm25_indices(folder: Path) -> None:
    indices = np.load(folder / "indices.csc.index.npy")
    np.save(folder / "indices.csc.index.npy", indices[:-1])


def pointer_to(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder.parent / POINTER).write_text(name)


def delete(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


def drop_key(*path: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        for part in path[:-1]:
            data = data[part]
        del data[path[-1]]

    return change


def set_key(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: data.__setitem__(key, value)


FAULTS: dict[str, Callable[[Path], None]] = {
    "empty files list": edit_manifest(set_key("files", {})),
    "no files key": edit_manifest(drop_key("files")),
    "vocabulary missing from the list": edit_manifest(drop_key("files", "vocab.index.json")),
    "faiss missing from the list": edit_manifest(drop_key("files", "dense.faiss")),
    "suppliers missing from the list": edit_manifest(drop_key("files", "suppliers.jsonl")),
    "extra unlisted file": lambda f: np.save(f / "nonoccurrence_array.index.npy", np.zeros(3)),
    "bm25l opening an extra file, re-sealed": resealed(
        bm25_method("bm25l"), "nonoccurrence_array.index.npy"
    ),
    "removed file": delete("owners.npy"),
    "bit rot": write_bytes("vectors.npy", b"\x93NUMPY garbage"),
    "truncated faiss": truncate("dense.faiss"),
    "truncated faiss, re-sealed": resealed(truncate("dense.faiss")),
    "garbage faiss, re-sealed": resealed(write_bytes("dense.faiss", b"\x00garbage" * 64)),
    "faiss with fewer vectors, re-sealed": resealed(fewer_faiss_vectors),
    "pickled .npy, re-sealed": resealed(pickled_npy),
    "float64 vectors, re-sealed": resealed(float64_vectors),
    "owners out of range, re-sealed": resealed(owners_out_of_range),
    "truncated .npy, re-sealed": resealed(truncate("vectors.npy", 0.3)),
    "bad vocabulary JSON, re-sealed": resealed(write_bytes("vocab.index.json", b"{not json")),
    "vocabulary not a term map, re-sealed": resealed(write_bytes("vocab.index.json", b"[1, 2]")),
    "truncated BM25 params, re-sealed": resealed(truncate("params.index.json")),
    "BM25 indices cut short, re-sealed": resealed(short_bm25_indices),
    "suppliers.jsonl line dropped, re-sealed": resealed(drop_supplier_line),
    "suppliers.jsonl bad line, re-sealed": resealed(garble_supplier_line),
    "suppliers.jsonl not UTF-8, re-sealed": resealed(write_bytes("suppliers.jsonl", b"\xff\xfe")),
    "manifest without encoder": edit_manifest(drop_key("encoder")),
    "manifest without model_id": edit_manifest(drop_key("model_id")),
    "manifest without dim": edit_manifest(drop_key("dim")),
    "manifest with a wrong dim": edit_manifest(lambda d: d.__setitem__("dim", d["dim"] + 1)),
    "manifest count mismatch": edit_manifest(lambda d: d.__setitem__("count", d["count"] + 1)),
    "manifest count not a number": edit_manifest(set_key("count", "4")),
    "manifest bad JSON": write_bytes(MANIFEST, b'{"files": {'),
    "manifest not an object": write_bytes(MANIFEST, b"[]"),
    "manifest removed": delete(MANIFEST),
    "pointer to a missing version": pointer_to("v-20990101T000000-000000000"),
}


# -- workspaces ------------------------------------------------------------------------------------
@dataclass
class Broken:
    root: Path  # the workspace
    good: str  # the older version, intact
    bad: str  # the newer version, CURRENT, corrupted
    fallback: str  # the newest version that still loads (bad itself when only CURRENT broke)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A workspace with two good versions; the newer one is CURRENT."""
    root = tmp_path_factory.mktemp("faults") / "ws"
    ws = Workspace(root)
    ws.upsert_suppliers(SUPPLIERS)
    ws.close()
    good = build_workspace_index(root, hashing())["version"]
    bad = build_workspace_index(root, hashing())["version"]
    return root, good, bad


@pytest.fixture(params=list(FAULTS), ids=list(FAULTS))
def broken(
    request: pytest.FixtureRequest, pristine: tuple[Path, str, str], tmp_path: Path
) -> Iterator[Broken]:
    source, good, bad = pristine
    root = tmp_path / "ws"
    shutil.copytree(source, root)
    FAULTS[request.param](root / "index" / bad)
    intact = request.param == "pointer to a missing version"
    yield Broken(root, good, bad, bad if intact else good)


def test_the_matrix_is_large_enough() -> None:
    assert len(FAULTS) >= 20


def test_intact_workspace_loads(pristine: tuple[Path, str, str]) -> None:
    root, _, bad = pristine
    engine = Engine.load(Workspace(root).index_dir, hashing())
    assert len(engine.suppliers_) == len(SUPPLIERS)
    assert current_version(Workspace(root).index_dir).name == bad  # type: ignore[union-attr]


def test_engine_load_raises_the_domain_error(broken: Broken) -> None:
    with pytest.raises(IndexArtifactError, match="rebuild with `matcher index`") as caught:
        Engine.load(Workspace(broken.root).index_dir, hashing())
    assert str(Workspace(broken.root).index_dir) in str(caught.value)


def test_cli_search_refuses_with_one_line(broken: Broken) -> None:
    result = runner.invoke(app, ["search", "metal stamping", "-w", str(broken.root)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    assert "rebuild with `matcher index`" in lines[0]


def test_live_index_keeps_the_last_good_version(broken: Broken) -> None:
    index_dir = Workspace(broken.root).index_dir
    pointer = (index_dir / POINTER).read_text()
    # A service started on the good version; then the corrupt one becomes CURRENT.
    (index_dir / POINTER).write_text(broken.good)
    live = LiveIndex.open(broken.root, hashing())
    assert live.version == broken.good and live.health().fault is None
    before = [m.supplier_id for m in live.search("metal stamping")]
    assert before[0] == "S1"
    (index_dir / POINTER).write_text(pointer)
    assert live.refresh() is False
    health = live.health()
    assert health.ready and health.version == broken.good and health.load_failures == 1
    assert health.fault is not None and "rebuild with `matcher index`" in health.fault
    assert [m.supplier_id for m in live.search("metal stamping")] == before
    assert live.refresh() is False and live.health().load_failures == 1  # not retried

    # A service starting now skips the corrupt version for the good one, and says so.
    restarted = LiveIndex.open(broken.root, hashing())
    assert restarted.version == broken.fallback and restarted.rebuilds == 0
    assert restarted.health().fault is not None
    assert [m.supplier_id for m in restarted.search("metal stamping")] == before


def test_live_index_with_only_a_corrupt_version_is_not_ready(broken: Broken) -> None:
    index_dir = Workspace(broken.root).index_dir
    shutil.rmtree(index_dir / broken.good)
    if broken.fallback != broken.good:
        shutil.rmtree(index_dir / broken.fallback)
    live = LiveIndex.open(broken.root, hashing())
    health = live.health()
    assert not health.ready and health.version is None and health.load_failures == 1
    with pytest.raises(IndexArtifactError, match="not ready"):
        live.search("metal stamping")
    # `matcher index` writes a good version: the next refresh serves it.
    build_workspace_index(broken.root, hashing())
    assert live.refresh() is True
    assert live.health().ready and live.health().fault is None
    assert live.search("metal stamping")[0].supplier_id == "S1"
