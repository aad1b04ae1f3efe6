"""The Ray side of a sharded register: build the shards with Ray Data, serve them from actors.

Build: the validated register goes to Ray Data in blocks; a pool of encoder actors (the model
loaded once per actor, the embedding cache shared) normalises and embeds each block; the rows
are grouped by shard and each group is indexed and written as a checksummed artifact
(shard.Shard.save); a shard-set version names the shard versions and their manifests' sha256,
so a reader never mixes shards of two builds.

Serve: one actor per shard loads its artifact; a requirement batch is scattered to all of them
and merged on the driver (scatter.Scatter). An actor that dies is restarted by Ray, reloads its
artifact and the call is retried (``max_restarts`` / ``max_task_retries``), so a lost worker
costs time, never a partial answer.

Ray is imported inside the functions: the rest of the CLI does not pay for it.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from matcher.artifacts import REBUILD, current_version, read_manifest, sha256_file, write_version
from matcher.config import Settings
from matcher.distributed.scatter import Scatter, Shards
from matcher.distributed.shard import (
    GlobalStats,
    Hits,
    Ints,
    Query,
    Shard,
    aligned_cuts,
    lexicon_for,
    summed_lengths,
)
from matcher.encoders import (
    CachedEncoder,
    EmbeddingCache,
    Encoder,
    configure_threads,
    get_encoder,
)
from matcher.engine import Engine
from matcher.errors import ConfigError, IndexArtifactError, WorkspaceError
from matcher.normalise import NormalisedSupplier, load_taxonomy, normalise_supplier
from matcher.progress import Reporter, SilentReporter
from matcher.retrieve import Filters
from matcher.schemas import Match, Requirement, Supplier

log = logging.getLogger(__name__)

SET_FILE = "shards.json"
RETRIES = 3  # restarts of a dead actor, and retries of the call it was running


def connect(address: str | None = None, num_cpus: int | None = None) -> None:
    """Join the Ray cluster at ``address`` ("auto", "ray://host:10001", …), or start a local
    one (of ``num_cpus``) when None; a Ray already initialised in this process is reused."""
    try:
        import ray
    except ImportError:
        raise ConfigError(
            "--engine ray needs Ray, which is an extra: pip install 'cnht-matcher[ray]'"
        ) from None

    if ray.is_initialized():
        return
    # Ray's own INFO lines (start-up, Ray Data's plans) are not the user's business: --verbose.
    # Importing ray.data configures (resets) its logger: so it is imported first, set after.
    import ray.data

    level = logging.INFO if logging.getLogger().isEnabledFor(logging.INFO) else logging.WARNING
    logging.getLogger("ray.data").setLevel(level)
    kwargs: dict[str, Any] = {
        "include_dashboard": False,
        "log_to_driver": False,
        "logging_level": level,
    }
    if address is None:
        kwargs["num_cpus"] = num_cpus
    try:
        ray.init(address=address, **kwargs)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ConfigError(f"cannot reach the Ray cluster at {address!r}: {exc}") from None


def _cluster_cpus() -> float:
    import ray

    resources: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
    return float(resources.get("CPU", 1.0))


# -- build -------------------------------------------------------------------------------------
class Embedder:
    """A Ray Data actor: normalises and embeds blocks of suppliers, its model loaded once."""

    def __init__(self, settings: Settings, cache_path: str | None) -> None:
        self.settings = settings
        self.encoder: Encoder = get_encoder(settings.embed.encoder)
        self.cache_path = cache_path
        self.taxonomy = load_taxonomy(settings.normalise.taxonomy)
        self.lexicon = lexicon_for(settings, self.taxonomy)

    def __call__(self, batch: dict[str, np.ndarray[Any, Any]]) -> dict[str, Any]:
        texts: list[str] = []
        rows: list[int] = []
        profiles = []
        for raw in batch["supplier"].tolist():
            profile = normalise_supplier(
                Supplier.model_validate_json(raw), self.taxonomy, self.lexicon
            )
            profiles.append(profile)
            chunks = profile.chunks(self.settings.embed.chunk_words)
            texts.extend(chunks)
            rows.append(len(chunks))
        vectors, embedded = self._encode(texts)
        ends = np.cumsum(rows)
        # The block's chunks embedded (not found in the cache), on its first row: the column
        # sums to the build's total.
        fresh = np.zeros(len(rows), dtype=np.int64)
        fresh[:1] = embedded
        blocks = [vectors[e - n : e].tobytes() for e, n in zip(ends.tolist(), rows, strict=True)]
        return {
            "position": batch["position"],
            # Normalised once, here: the profile travels (pickled by Ray) to its shard.
            "profile": _objects(profiles),
            "rows": np.asarray(rows, dtype=np.int64),
            "vectors": _objects(blocks),
            "embedded": fresh,
        }

    def _encode(self, texts: list[str]) -> tuple[np.ndarray[Any, np.dtype[np.float32]], int]:
        """The chunks' vectors, and how many of them were embedded (not in the cache)."""
        batch_size = self.settings.embed.batch_size
        if not self.cache_path:
            found = self.encoder.encode_suppliers(texts, batch_size=batch_size)
            return np.asarray(found, dtype=np.float32), len(texts)
        # Opened per block: Ray Data calls an actor from another thread than its constructor's,
        # and a sqlite3 connection serves only the thread that opened it.
        cache = EmbeddingCache(self.cache_path)
        try:
            cached = CachedEncoder(self.encoder, cache)
            found = cached.encode_suppliers(texts, batch_size=batch_size)
            return np.asarray(found, dtype=np.float32), len(texts) - cached.hits
        finally:
            cache.close()


def _objects(values: Sequence[Any]) -> np.ndarray[Any, Any]:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _index_part(
    part: Any, number: int, first: int, root: str, settings: Settings, meta: dict[str, Any]
) -> dict[str, Any]:
    """A Ray task: one shard's rows (a split of the embedded dataset) → its artifact."""
    batches = list(part.iter_batches(batch_size=None, batch_format="numpy"))
    batch = {k: np.concatenate([b[k] for b in batches]) for k in batches[0]} if batches else {}
    got = np.asarray(batch.get("position", []), dtype=np.int64)
    if not np.array_equal(got, np.arange(first, first + len(got))):
        # Never index a shard from rows out of order (a lost or repeated block).
        raise IndexArtifactError(f"shard {number}: its rows are not the run from {first}")
    return _index_shard(batch, number, root, settings, meta)


def _index_shard(
    batch: dict[str, np.ndarray[Any, Any]],
    number: int,
    root: str,
    settings: Settings,
    meta: dict[str, Any],
) -> dict[str, Any]:
    """Every row of one shard → the shard's artifact; its version back."""
    order = np.argsort(batch["position"], kind="stable")
    positions = np.asarray(batch["position"], dtype=np.int64)[order]
    counts = np.asarray(batch["rows"], dtype=np.int64)[order]
    dim = int(meta["dim"])
    blocks = [np.frombuffer(batch["vectors"][i], dtype=np.float32) for i in order.tolist()]
    vectors = np.concatenate(blocks).reshape(-1, dim) if blocks else np.zeros((0, dim), "f4")
    owners = np.repeat(np.arange(len(order), dtype=np.int64), counts)
    suppliers = [batch["profile"][i] for i in order.tolist()]
    shard = Shard.build(
        positions,
        suppliers,
        vectors,
        owners,
        settings,
        bool(meta["bilingual"]),
        {**meta, "shard": number},
    )
    folder = shard.save(Path(root) / f"shard-{number:03d}")
    return {
        "shard": number,
        "folder": f"{folder.parent.name}/{folder.name}",
        "sha256": sha256_file(folder / "manifest.json"),
        "count": len(suppliers),
        "lengths": dict(shard.meta["lengths"]),
    }


@dataclass(frozen=True)
class Embedded:
    """A register normalised and embedded on Ray, materialised in Ray's object store: what
    ``write_shards`` cuts into any number of shards."""

    data: Any  # a ray.data.MaterializedDataset: position, profile, rows, vectors, embedded
    rows: Ints  # each supplier's chunk count, in register order
    fresh: int  # chunks the encoder actors embedded; the rest came from the cache
    settings: Settings


def embed(
    suppliers: Sequence[Supplier],
    settings: Settings,
    cache_path: Path | None = None,
    workers: int | None = None,
    embedder: type[Embedder] = Embedder,
) -> Embedded:
    """Ray Data over the register in blocks, a pool of ``workers`` encoder actors."""
    import ray.data

    if settings.embed.encoder == "tfidf":
        raise ConfigError(
            "the tfidf encoder is fitted on the whole register, which no shard sees: "
            "use --engine local, or another encoder"
        )
    if not suppliers:
        raise ConfigError("the supplier register is empty: nothing to index")
    workers = workers or max(1, int(_cluster_cpus()))
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the reporter draws the bar (and Ray warns it is off)
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)
    # A dataset takes the context as it is when created: the blocks keep the input order, so each
    # shard is one run of rows (split in write_shards, no shuffle).
    context.execution_options.preserve_order = True
    items = [{"position": i, "supplier": s.model_dump_json()} for i, s in enumerate(suppliers)]
    block = max(1, min(settings.embed.batch_size * 8, -(-len(items) // (2 * workers))))
    data = ray.data.from_items(items, override_num_blocks=max(1, -(-len(items) // block)))
    embedded = data.map_batches(
        embedder,
        fn_constructor_kwargs={
            "settings": settings,
            "cache_path": str(cache_path) if cache_path else None,
        },
        batch_size=block,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=workers),
        # Ray Data restarts a dead encoder actor and retries its block (max_restarts and
        # max_task_retries default to -1 for actor pools); a failed group task is retried
        # like any Ray task (3 times).
        num_cpus=min(1.0, _cluster_cpus() / workers),
    )
    done = embedded.materialize()
    counted = list(done.select_columns(["rows", "embedded"]).iter_batches(batch_format="numpy"))
    rows = np.concatenate([b["rows"] for b in counted]).astype(np.int64)
    fresh = int(sum(int(b["embedded"].sum()) for b in counted))
    return Embedded(done, rows, fresh, settings)


def write_shards(embedded: Embedded, root: Path, shards: int, model_id: str, dim: int) -> Path:
    """Cut an embedded register into ``shards`` runs, index and write each as an artifact (Ray
    tasks), then the shard set naming them; returns the new shard-set version (its CURRENT is
    swapped last, so a failed build leaves the old one)."""
    import ray

    settings, rows = embedded.settings, embedded.rows
    shards = max(1, min(shards, len(rows)))
    bilingual = settings.normalise.lexicon != "off"  # Engine indexes the translated field then
    meta = {
        "model_id": model_id,
        "encoder": settings.embed.encoder,
        "dim": dim,
        "bilingual": bilingual,
    }
    # Runs of the input order (a shard's positions ascend, as the merge needs), cut on FAISS's
    # grid of rows (shard.aligned_cuts).
    bounds = aligned_cuts(rows, shards)
    done = embedded.data
    parts = done.split_at_indices(bounds[1:-1]) if shards > 1 else [done]
    task = ray.remote(_index_part).options(max_retries=RETRIES)
    refs = [
        task.remote(part, number, int(bounds[number]), str(root), settings, meta)
        for number, part in enumerate(parts)
    ]
    written = sorted(ray.get(refs), key=lambda r: int(r["shard"]))
    if [int(r["shard"]) for r in written] != list(range(shards)):
        raise IndexArtifactError(f"{root}: the build wrote {len(written)} of {shards} shards")
    entries = [{"folder": str(r["folder"]), "sha256": str(r["sha256"])} for r in written]
    register = {
        **meta,
        "count": int(sum(int(r["count"]) for r in written)),
        "lengths": summed_lengths(written),
        "shards": len(written),
        "embedded": embedded.fresh,  # chunks the encoder actors embedded; the rest from cache
        "reused": int(rows.sum()) - embedded.fresh,
    }

    def fill(folder: Path) -> None:
        (folder / SET_FILE).write_text(json.dumps({**register, "entries": entries}, indent=2))

    return write_version(root, fill, register)


def build(
    suppliers: Sequence[Supplier],
    settings: Settings,
    root: Path,
    shards: int,
    model_id: str,
    dim: int,
    cache_path: Path | None = None,
    workers: int | None = None,
    embedder: type[Embedder] = Embedder,
    reporter: Reporter | None = None,
) -> Path:
    """Embed and index the register as ``shards`` artifacts under ``root`` (embed, then
    write_shards); returns the new shard-set version."""
    reporter = reporter or SilentReporter()
    with reporter.stage(f"Embedding and indexing {shards} shards on Ray", None) as advance:
        embedded = embed(suppliers, settings, cache_path, workers, embedder)
        version = write_shards(embedded, root, shards, model_id, dim)
        advance(1)
    return version


def read_set(root: Path) -> tuple[list[Path], dict[str, Any]]:
    """The shard folders of the current shard set under ``root`` and the register's totals;
    every shard's manifest checked against the sha256 the set recorded."""
    version = current_version(root)
    if version is None:
        raise WorkspaceError(f"no shard set in {root}: build it with --engine ray first")
    read_manifest(version, required=[SET_FILE])
    try:
        payload = json.loads((version / SET_FILE).read_text(encoding="utf-8"))
        entries = payload["entries"]
        folders = [root / str(e["folder"]) for e in entries]
        digests = [str(e["sha256"]) for e in entries]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexArtifactError(f"{version / SET_FILE}: unreadable ({exc}); {REBUILD}") from None
    for folder, digest in zip(folders, digests, strict=True):
        manifest = folder / "manifest.json"
        if not manifest.is_file() or sha256_file(manifest) != digest:
            raise IndexArtifactError(
                f"{manifest}: not the shard this set was built with; {REBUILD}"
            )
    return folders, payload


# -- serve -------------------------------------------------------------------------------------
class ShardServer:
    """What each Ray actor runs: one shard, loaded (and verified) from its artifact."""

    def __init__(self, folder: str, settings: Settings) -> None:
        # One thread, as the actor has one CPU: FAISS's multi-threaded scan of one query splits
        # the rows between threads and can give a row other last bits than a single-threaded
        # scan, which reorders exact ties (identical profiles). One process with
        # MATCHER_THREADS=1 scans alike, to the bit (docs/scale.md).
        configure_threads(1)
        self.shard = Shard.load(Path(folder), settings)

    def doc_freqs(self, terms: dict[str, list[str]]) -> dict[str, Ints]:
        return self.shard.doc_freqs(terms)

    def search(self, queries: list[Query], stats: GlobalStats, depth: int) -> list[Hits]:
        return self.shard.search(queries, stats, depth)

    def profiles(self, positions: Ints) -> list[NormalisedSupplier]:
        return self.shard.profiles(positions)

    def counts(self, filters: Filters) -> dict[str, int]:
        return self.shard.counts(filters)


class RayShards(Shards):
    """One actor per shard; every call goes to all of them at once."""

    def __init__(
        self, folders: Sequence[Path], settings: Settings, server: type[ShardServer] = ShardServer
    ) -> None:
        import ray

        cpus = min(1.0, _cluster_cpus() / max(1, len(folders)))
        remote = ray.remote(server).options(
            num_cpus=cpus, max_restarts=RETRIES, max_task_retries=RETRIES
        )
        self.actors: list[Any] = [remote.remote(str(f), settings) for f in folders]

    def __len__(self) -> int:
        return len(self.actors)

    def _all(self, method: str, *args: Any) -> list[Any]:
        import ray

        return list(ray.get([getattr(a, method).remote(*args) for a in self.actors]))

    def doc_freqs(self, terms: dict[str, list[str]]) -> list[dict[str, Ints]]:
        return self._all("doc_freqs", terms)

    def search(self, queries: list[Query], stats: GlobalStats, depth: int) -> list[list[Hits]]:
        return self._all("search", queries, stats, depth)

    def profiles(self, positions: list[Ints]) -> list[list[NormalisedSupplier]]:
        import ray

        calls = [a.profiles.remote(p) for a, p in zip(self.actors, positions, strict=True)]
        return list(ray.get(calls))

    def counts(self, filters: Filters) -> list[dict[str, int]]:
        return self._all("counts", filters)

    def close(self) -> None:
        import ray

        for actor in self.actors:
            ray.kill(actor)


@contextmanager
def serve(root: Path, engine: Engine, server: type[ShardServer] = ShardServer) -> Iterator[Scatter]:
    """A Scatter over the current shard set under ``root``, its actors killed on exit.

    engine: an Engine (not built) whose encoder, normaliser and ranker the driver uses."""
    folders, register = read_set(root)
    if register.get("model_id") != engine.encoder.model_id:
        raise WorkspaceError(
            f"the shards were built with {register.get('model_id')}, the encoder is "
            f"{engine.encoder.model_id}; {REBUILD}"
        )
    shards = RayShards(folders, engine.settings, server)
    try:
        yield Scatter.over(shards, engine, register)
    finally:
        shards.close()


@dataclass(frozen=True)
class RayOptions:
    """How `matcher match --engine ray` runs: the cluster, the shards, the encoder actors."""

    address: str | None = None  # None: a local Ray of this machine's cores
    shards: int = 2
    workers: int | None = None  # encoder actors (default: the cluster's CPUs)
    shard_dir: Path | None = None  # where shards are written: storage every node sees


@contextmanager
def built_shards(
    engine: Engine,
    suppliers: Sequence[Supplier],
    options: RayOptions,
    cache_path: Path | None = None,
    reporter: Reporter | None = None,
) -> Iterator[Path]:
    """Connect to Ray, build the register's shards in a temporary folder, yield the folder."""
    connect(options.address)
    if options.shard_dir is not None:
        options.shard_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cnht-shards-", dir=options.shard_dir) as tmp:
        root = Path(tmp)
        encoder = engine.encoder
        build(suppliers, engine.settings, root, options.shards, encoder.model_id, encoder.dim,
              cache_path, options.workers, reporter=reporter)  # fmt: skip
        yield root


def match_on_ray(
    engine: Engine,
    suppliers: Sequence[Supplier],
    requirements: Sequence[Requirement],
    top_k: int,
    options: RayOptions,
    cache_path: Path | None = None,
    reporter: Reporter | None = None,
) -> tuple[list[Match], dict[str, str]]:
    """Build the register's shards (in a temporary folder), rank every requirement on them;
    returns the matches (as Engine.match) and why each unanswered requirement got none."""
    with (
        built_shards(engine, suppliers, options, cache_path, reporter) as root,
        serve(root, engine) as scatter,
    ):
        matches = scatter.match(requirements, top_k, reporter)
        answered = {m.requirement_id for m in matches}
        unmatched = {
            r.requirement_id: scatter.why_empty(r)
            for r in requirements
            if r.requirement_id not in answered
        }
    return matches, unmatched
