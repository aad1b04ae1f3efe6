"""``LiveIndex``: the workspace's supplier index for the service — edits applied to the next
snapshot and published by one reference assignment; background compaction; health."""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matcher.artifacts import current_version, versions
from matcher.config import Settings
from matcher.encoders import (
    CachedEncoder,
    EmbeddingCache,
    Encoder,
    QueryEncoder,
    Vectors,
    configure_threads,
    get_encoder,
)
from matcher.engine import Engine, cache_file, open_engine, search_requirement
from matcher.errors import ConfigError, IndexArtifactError, WorkspaceError
from matcher.live.memory import release_memory
from matcher.live.segments import (
    bare_encoder,
    delta_segment,
    lexical_tokens,
    main_segment,
    translated_tokens,
)
from matcher.live.snapshot import Snapshot
from matcher.live.view import EngineView
from matcher.normalise import (
    NormalisedSupplier,
    normalise_requirement,
    normalise_supplier,
)
from matcher.retrieve import Filters, describe_empty
from matcher.schemas import Match, Requirement, Supplier
from matcher.store import Workspace

log = logging.getLogger(__name__)

DEFAULT_COMPACT_ABOVE = 1000  # delta rows + tombstones that trigger a background full rebuild


@dataclass(frozen=True)
class IndexHealth:
    """What /readyz and /metrics report about the index."""

    ready: bool  # False: no usable version, searches raise IndexArtifactError
    version: str | None  # the version serving
    fault: str | None  # the last load failure, while no good version has replaced it
    load_failures: int  # versions that failed to load since the process started


def _load(folder: Path, settings: Settings, encoder: Encoder | None = None) -> Engine:
    with open_engine(
        settings, cache_path=cache_file(settings), index_version=folder, encoder=encoder
    ) as engine:
        return engine


# -- edits -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Upsert:
    suppliers: list[Supplier]


@dataclass(frozen=True)
class Delete:
    supplier_ids: list[str]


Edit = Upsert | Delete


class LiveIndex:
    """The workspace's supplier index for the service: incremental edits, atomic swaps.

    Writers (``upsert``, ``delete``, ``rebuild``) are serialised; searches never wait for them.
    The caller writes the suppliers table first (the API does), then tells the index.
    """

    def __init__(
        self,
        workspace: Workspace,
        settings: Settings,
        compact_above: int = DEFAULT_COMPACT_ABOVE,
        encoder: Encoder | None = None,
    ) -> None:
        self.workspace = workspace
        self.settings = settings
        self.compact_above = compact_above
        configure_threads(settings.threads)
        self._encoder = bare_encoder(encoder or get_encoder(settings.embed.encoder))
        if not self._encoder.cacheable:
            raise ConfigError(
                f"encoder {settings.embed.encoder!r} is fitted on the whole register and cannot "
                "embed one edit; the live index needs a pretrained encoder "
                "(e5, e5-onnx, e5-onnx-int8, minilm, hashing or a local model folder)"
            )
        # Search-side vectors: an LRU of recent texts, at most ``query_workers`` encodings at once
        # (each already uses every configured thread), so that concurrent requests queue instead
        # of oversubscribing the cores.
        self.queries = QueryEncoder(self._encoder, workers=settings.query_workers)
        self._lock = threading.Lock()  # one edit or swap at a time
        self._rebuild_lock = threading.Lock()  # one full rebuild at a time
        self._replay: list[Edit] | None = None  # edits made while a rebuild runs
        self._compactor: threading.Thread | None = None
        self.rebuilds = 0  # full builds done by this object (open, rebuild, compaction)
        self.ready = True
        self.fault: str | None = None
        self.load_failures = 0
        self._failed: str | None = None  # the version that failed to load (not retried)
        self._snapshot = Snapshot.build(self._engine(), None, None)

    # -- opening ---------------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        workspace: Path | str,
        settings: Settings | None = None,
        *,
        compact_above: int = DEFAULT_COMPACT_ABOVE,
        encoder: Encoder | None = None,
    ) -> LiveIndex:
        """Load the workspace's current index version (or build one from its database).

        encoder: one already loaded (else the settings' encoder, loaded here).

        Suppliers the database holds differently from the version (ingested since, or edited
        while no server ran) are applied as edits, so the index always answers for the database.
        A corrupt current version is never served: the newest older version that loads is, with
        the fault reported by ``health``; with none, the index opens not ready (searches raise
        IndexArtifactError) until a good version appears (``refresh``) or ``rebuild`` runs.
        A version built with another model is stale, not corrupt: it is rebuilt from the database.
        """
        ws = Workspace(workspace)
        settings = settings or Settings()
        pointer = current_version(ws.index_dir)
        if pointer is None:
            index = cls(ws, settings, compact_above, encoder)
            index.rebuild()
            return index
        fault: str | None = None
        for folder in [pointer, *(v for v in versions(ws.index_dir) if v != pointer)]:
            try:
                engine = _load(folder, settings, encoder)
            except WorkspaceError as exc:
                if folder != pointer:
                    log.warning("older index version %s unusable: %s", folder.name, exc)
                    continue
                log.warning("index version stale (%s): rebuilding from the database", exc)
                index = cls(ws, settings, compact_above, encoder)
                index.rebuild()
                return index
            except IndexArtifactError as exc:
                log.error("index version %s unusable: %s", folder.name, exc)
                fault = fault or str(exc)
                continue
            index = cls(ws, engine.settings, compact_above, engine.encoder)
            engine.encoder = index._encoder
            index._snapshot = Snapshot.build(engine, folder.name, main_segment(engine))
            if fault is not None:
                index._record_fault(pointer.name, fault)
            index._reconcile()
            return index
        index = cls(ws, settings, compact_above, encoder)
        index._record_fault(pointer.name, fault or "no index version loads")
        index.ready = False
        return index

    def refresh(self) -> bool:
        """Swap in the version CURRENT names when it is not the one serving (`matcher index`
        ran beside the service); a version that fails to load is reported and never retried,
        and the one serving keeps serving. True when a version was swapped in."""
        pointer = current_version(self.workspace.index_dir)
        if pointer is None or pointer.name in (self.version, self._failed):
            return False
        if not self._rebuild_lock.acquire(blocking=False):
            return False  # a rebuild is writing a version of its own
        try:
            with self._lock:
                self._replay = []
            try:
                engine = _load(pointer, self.settings, self._encoder)
            except (IndexArtifactError, WorkspaceError) as exc:
                self._record_fault(pointer.name, str(exc))
                return False
            engine.encoder = self._encoder
            fresh = Snapshot.build(engine, pointer.name, main_segment(engine))
            with self._lock:
                for edit in self._replay:
                    fresh = self._apply(fresh, edit)
                self._snapshot = fresh
                self._healthy()
        finally:
            with self._lock:
                self._replay = None
            self._rebuild_lock.release()
        log.info("index version %s swapped in", pointer.name)
        release_memory()  # the old snapshot's pages (matcher/live/memory.py)
        self._reconcile()
        return True

    def health(self) -> IndexHealth:
        """Whether searches can be answered, from which version, and the last load fault."""
        return IndexHealth(self.ready, self.version, self.fault, self.load_failures)

    def _record_fault(self, version: str, reason: str) -> None:
        self.fault = f"index version {version} unusable: {reason}"
        self.load_failures += 1
        self._failed = version
        log.error("%s; serving %s", self.fault, self.version or "nothing")

    def _check_ready(self) -> None:
        if not self.ready:
            raise IndexArtifactError(f"the index is not ready: {self.fault}")

    def _healthy(self) -> None:
        self.ready, self.fault, self._failed = True, None, None

    def _engine(self) -> Engine:
        return Engine(self.settings, encoder=self._encoder)

    def _reconcile(self) -> None:
        stored = self.workspace.suppliers()
        snapshot = self._snapshot
        changed = [s for s in stored if snapshot.supplier(s.supplier_id) != s]
        known = {s.supplier_id for s in stored}
        gone = [
            sid
            for s in snapshot.suppliers
            if (sid := s.supplier.supplier_id) not in known and snapshot.supplier(sid) is not None
        ]
        if changed or gone:
            log.info("index behind the database: %d changed, %d removed", len(changed), len(gone))
            self.delete(gone)
            self.upsert(changed)

    # -- reading ---------------------------------------------------------------------------------
    @property
    def version(self) -> str | None:
        """The index version folder the main segment was loaded from or saved to."""
        return self._snapshot.version

    @property
    def pending_edits(self) -> int:
        """Delta rows plus tombstones: what the next compaction folds into the main segment."""
        return self._snapshot.edits

    def __len__(self) -> int:
        return self._snapshot.size

    def search(self, text: str, top_k: int = 10, filters: Filters | None = None) -> list[Match]:
        """Free text in any language → ranked, explained suppliers (as Engine.search)."""
        if not text.strip():
            raise ConfigError("the search text is empty: type what you need")
        _check_top_k(top_k)
        self._check_ready()
        snapshot = self._snapshot  # one reference for the whole search
        if snapshot.size == 0:
            return []
        engine = snapshot.engine
        req = normalise_requirement(
            search_requirement(text, filters), engine.taxonomy, engine.lexicon
        )
        ranker = self.workspace.learned_ranker(engine.ranker)  # matcher learn's, when active
        return snapshot.rank(
            req, self.queries.vector(req.text), filters or Filters(), top_k, ranker
        )

    def why_filtered_out(self, filters: Filters) -> str:
        """Say which of these filters leaves no supplier (as Engine.why_filtered_out)."""
        snapshot = self._snapshot
        return describe_empty(snapshot.retriever.masks.counts(filters), snapshot.size)

    def engine_view(self, hard_filters: Collection[str]) -> EngineView:
        """The current snapshot seen as a built Engine, ranking under ``hard_filters`` (see
        matcher/live/view.py); later edits are not seen by it."""
        self._check_ready()
        return EngineView(self._snapshot, hard_filters)

    def match(self, requirement: Requirement, top_k: int = 10) -> list[Match]:
        """Ranked suppliers for one requirement, its hard filters applied (as Engine.match)."""
        _check_top_k(top_k)
        self._check_ready()
        snapshot = self._snapshot
        if snapshot.size == 0:
            return []
        engine = snapshot.engine
        req = normalise_requirement(requirement, engine.taxonomy, engine.lexicon)
        vector = self.queries.vector(req.text)
        ranker = self.workspace.learned_ranker(engine.ranker)  # matcher learn's, when active
        return snapshot.rank(req, vector, engine._requirement_filters(requirement), top_k, ranker)

    # -- writing ---------------------------------------------------------------------------------
    def upsert(self, suppliers: Sequence[Supplier]) -> None:
        """Add or replace suppliers; visible to the next search on return, no full rebuild."""
        if suppliers:
            self._write(Upsert(list(suppliers)))

    def delete(self, supplier_ids: Sequence[str]) -> None:
        """Remove suppliers (unknown ids are ignored); they never come back in a search."""
        if supplier_ids:
            self._write(Delete(list(supplier_ids)))

    def _write(self, edit: Edit) -> None:
        with self._lock:
            self._snapshot = self._apply(self._snapshot, edit)
            if self._replay is not None:
                self._replay.append(edit)
            compact = self._snapshot.edits >= self.compact_above and not (
                self._compactor is not None and self._compactor.is_alive()
            )
            if compact:
                self._compactor = threading.Thread(
                    target=self._compact, name="live-index-compaction", daemon=True
                )
                self._compactor.start()

    def _apply(self, snapshot: Snapshot, edit: Edit) -> Snapshot:
        """The snapshot with one edit applied (a new object; ``snapshot`` is left as it was)."""
        engine = snapshot.engine
        added: list[NormalisedSupplier] = []
        blocks: list[Vectors] = []
        if isinstance(edit, Upsert):
            latest = {s.supplier_id: s for s in edit.suppliers}  # the last of a repeated id wins
            changed = [s for sid, s in latest.items() if snapshot.supplier(sid) != s]
            if not changed:
                return snapshot
            added = [normalise_supplier(s, engine.taxonomy, engine.lexicon) for s in changed]
            blocks = self._embed(engine, added)
            removed = {s.supplier_id for s in changed}
        else:
            removed = {sid for sid in edit.supplier_ids if snapshot.supplier(sid) is not None}
            if not removed:
                return snapshot
        dead, dead_stats = snapshot.dead, snapshot.dead_stats
        main = snapshot.main
        if main is not None:
            newly = [
                p for sid in removed if (p := main.position.get(sid)) is not None and not dead[p]
            ]
            if newly:
                dead = dead.copy()
                dead[newly] = True
                gone = [main.suppliers[p] for p in newly]
                dead_stats = (
                    dead_stats[0].plus([lexical_tokens(s) for s in gone]),
                    dead_stats[1].plus([translated_tokens(s) for s in gone])
                    if main.translated is not None
                    else dead_stats[1],
                )
        bilingual = engine.lexicon is not None
        kept_suppliers: list[NormalisedSupplier] = []
        kept_blocks: list[Vectors] = []
        kept_tokens: list[tuple[list[str], list[str] | None]] = []
        old = snapshot.delta
        if old is not None and old.tokens is not None:
            for p, s in enumerate(old.suppliers):
                if s.supplier.supplier_id not in removed:
                    kept_suppliers.append(s)
                    kept_blocks.append(old.vectors_of(p))
                    kept_tokens.append(old.tokens[p])
        new_tokens = [
            (lexical_tokens(s), translated_tokens(s) if bilingual else None) for s in added
        ]
        delta = delta_segment(
            kept_suppliers + added,
            kept_blocks + blocks,
            kept_tokens + new_tokens,
            self._encoder.dim,
            bilingual,
        )
        return Snapshot(
            engine, snapshot.version, main, delta, dead, dead_stats, snapshot.main_order
        )

    def _embed(self, engine: Engine, suppliers: list[NormalisedSupplier]) -> list[Vectors]:
        """Each supplier's block of chunk vectors, through the workspace's embedding cache."""
        texts: list[str] = []
        counts: list[int] = []
        for s in suppliers:
            chunks = s.chunks(self.settings.embed.chunk_words)
            texts.extend(chunks)
            counts.append(len(chunks))
        path = cache_file(self.settings)
        if path is None:
            vectors = self._encoder.encode_suppliers(
                texts, batch_size=self.settings.embed.batch_size
            )
        else:
            cache = EmbeddingCache(path)
            try:
                vectors = CachedEncoder(self._encoder, cache).encode_suppliers(
                    texts, batch_size=self.settings.embed.batch_size
                )
            finally:
                cache.close()
        bounds = np.cumsum([0, *counts])
        return [vectors[bounds[i] : bounds[i + 1]] for i in range(len(suppliers))]

    # -- full rebuilds ---------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Rebuild from the database, save a new index version and swap it in atomically.

        Searches meanwhile read the old snapshot; edits meanwhile go to the old snapshot and are
        replayed onto the new one before the swap, so none is lost.
        """
        with self._rebuild_lock:
            with self._lock:
                self._replay = []  # before reading the database: an edit may be seen twice
            try:
                suppliers = self.workspace.suppliers()
                fresh = self._build(suppliers)
                with self._lock:
                    for edit in self._replay:
                        fresh = self._apply(fresh, edit)
                    self._snapshot = fresh
                    self._healthy()  # a version built from the database replaces a bad one
            finally:
                with self._lock:
                    self._replay = None
            log.info("index rebuilt over %d suppliers (version %s)", len(suppliers), fresh.version)

    def _build(self, suppliers: list[Supplier]) -> Snapshot:
        self.rebuilds += 1
        if not suppliers:
            # Nothing to save; a stale version on disk is reconciled against the database on open.
            return Snapshot.build(self._engine(), None, None)
        ws = self.workspace
        cache = cache_file(self.settings)
        with open_engine(self.settings, cache_path=cache, encoder=self._encoder) as engine:
            folder = engine.build(suppliers).save(ws.index_dir)
        return Snapshot.build(engine, folder.name, main_segment(engine))

    def _compact(self) -> None:
        try:
            self.rebuild()
        except Exception:  # a failed compaction leaves the current snapshot serving
            log.exception("background compaction failed; the delta keeps serving edits")
        release_memory()  # the old snapshot's pages (matcher/live/memory.py)

    def close(self) -> None:
        """Wait for a running background compaction (call before the process exits)."""
        compactor = self._compactor
        if compactor is not None:
            compactor.join()


def _check_top_k(top_k: int) -> None:
    if top_k < 1:
        raise ConfigError(f"top_k must be at least 1, got {top_k}")
