"""`matcher index --engine ray`: a workspace's register embedded on Ray, indexed as one.

The shards are built exactly as for `matcher match --engine ray` (cluster.build: Ray Data over
the register, a pool of encoder actors, one checksummed artifact per shard, a shard set naming
each shard's manifest sha256). The driver then reads every shard's vectors back from that set,
every shard checked against it, and builds the workspace's one index from them: the rows in
register order, FAISS and BM25 over the same rows and profiles as `matcher index` in one
process, saved as the same artifact. So `matcher search`, `matcher serve` and the live index
(matcher/live/: upserts, deletes, atomic swaps) read the workspace as ever, and give the same
top-10 as a local index.

Why a merged artifact and not the shards themselves: what costs is embedding (hours for a few
thousand long profiles on two cores), which Ray spreads over its workers; a searchable workspace
is one live index that takes edits between rebuilds, which a set of shards built by a batch run
would not. A register too large for one machine's memory is matched in shards with
`matcher match --engine ray` (docs/scale.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matcher.artifacts import REBUILD, read_manifest
from matcher.distributed.cluster import RayOptions, built_shards, read_set
from matcher.distributed.shard import POSITIONS_FILE, PROFILES_FILE, read_profiles
from matcher.engine import Engine
from matcher.errors import IndexArtifactError
from matcher.index import DenseIndex
from matcher.progress import Reporter, SilentReporter
from matcher.schemas import Supplier


def index_on_ray(
    engine: Engine,
    suppliers: Sequence[Supplier],
    options: RayOptions,
    cache_path: Path | None = None,
    reporter: Reporter | None = None,
) -> dict[str, int]:
    """Embed ``suppliers`` on Ray in ``options.shards`` shards, then index them in ``engine``
    (as ``engine.build`` would); the shards, written in a temporary folder under
    ``options.shard_dir``, are removed. Returns the chunks embedded and reused from the cache."""
    reporter = reporter or SilentReporter()
    with built_shards(engine, suppliers, options, cache_path, reporter) as root:
        vectors, owners, register = merged_vectors(root, suppliers)
    with reporter.stage("Indexing the merged shards", None) as advance:
        engine.build_from_vectors(suppliers, vectors, owners)
        advance(1)
    return {"embedded": int(register["embedded"]), "reused": int(register["reused"])}


def merged_vectors(
    root: Path, suppliers: Sequence[Supplier]
) -> tuple[
    np.ndarray[Any, np.dtype[np.float32]], np.ndarray[Any, np.dtype[np.int64]], dict[str, Any]
]:
    """The chunk vectors of the shard set under ``root`` in register order, each row's supplier
    position, and the set's totals. Every shard is checked against the set (read_set) and its
    own manifest, and must hold the run of ``suppliers`` its positions say, by id."""
    folders, register = read_set(root)
    if int(register["count"]) != len(suppliers):
        raise IndexArtifactError(
            f"{root}: the shard set holds {register['count']} suppliers, the register "
            f"{len(suppliers)}; {REBUILD}"
        )
    dim = int(register["dim"])
    parts: list[tuple[Path, np.ndarray[Any, Any], np.ndarray[Any, Any]]] = []
    rows = 0
    expected = 0  # the next global position: shards are runs of the register, in order
    for folder in folders:
        manifest = read_manifest(folder, required=[*DenseIndex.FILES, POSITIONS_FILE])
        positions = _plain(folder / POSITIONS_FILE, np.int64, 1)
        owners = _plain(folder / "owners.npy", np.int64, 1)
        count = len(positions)
        if count != manifest.get("count") or not np.array_equal(
            positions, np.arange(expected, expected + count)
        ):
            raise IndexArtifactError(
                f"{folder / POSITIONS_FILE}: not the run of suppliers from {expected}; {REBUILD}"
            )
        ids = [p.supplier.supplier_id for p in read_profiles(folder / PROFILES_FILE, count)]
        if ids != [s.supplier_id for s in suppliers[expected : expected + count]]:
            raise IndexArtifactError(
                f"{folder / PROFILES_FILE}: not the register's suppliers {expected}.."
                f"{expected + count - 1}; {REBUILD}"
            )
        if len(owners) and (owners[0] < 0 or owners[-1] >= count or np.any(np.diff(owners) < 0)):
            raise IndexArtifactError(f"{folder / 'owners.npy'}: rows not grouped by owner")
        parts.append((folder, positions[owners], owners))
        rows += len(owners)
        expected += count
    # Filled in place from each shard's mapped file: the driver holds the register's vectors
    # once (then FAISS's copy while the index is built, as Engine.build does).
    vectors = np.empty((rows, dim), dtype=np.float32)
    at = 0
    for folder, _, owners in parts:
        mapped = _plain(folder / "vectors.npy", np.float32, 2, mapped=True)
        if mapped.shape != (len(owners), dim):
            raise IndexArtifactError(
                f"{folder / 'vectors.npy'}: holds {mapped.shape}, expected "
                f"({len(owners)}, {dim}); {REBUILD}"
            )
        vectors[at : at + len(owners)] = mapped
        at += len(owners)
        del mapped
    owners = np.concatenate([g for _, g, _ in parts]) if parts else np.zeros(0, np.int64)
    return vectors, owners.astype(np.int64), register


def _plain(path: Path, dtype: type[np.generic], ndim: int, mapped: bool = False) -> Any:
    try:
        array = np.load(path, allow_pickle=False, mmap_mode="r" if mapped else None)
    except (OSError, ValueError, EOFError) as exc:
        raise IndexArtifactError(f"{path}: not a plain .npy array ({exc}); {REBUILD}") from None
    if array.dtype != dtype or array.ndim != ndim:
        raise IndexArtifactError(
            f"{path}: holds {array.dtype} {array.shape}, expected {np.dtype(dtype)} of "
            f"{ndim} dimension(s); {REBUILD}"
        )
    return array
