"""Live index: the service's search index, edited in place and swapped atomically.

Design (Lucene's, in miniature). A search reads one immutable ``Snapshot``; writers build the next
snapshot beside it and publish it with a single reference assignment, so readers never take a
lock, never wait, and never see half an edit. A snapshot has two segments:

- **main**: the register as of the last full build, saved as an index version
  (matcher/artifacts.py) in the Engine's own format, so `matcher search` reads it too;
- **delta**: the suppliers added or edited since, with a small exact FAISS index of their own;

plus **tombstones**: main rows replaced or deleted since the build, masked out of every search.
An edit embeds only the edited profiles and rebuilds only the delta (its size is bounded), so it
is visible to the next search within milliseconds with the hashing encoder and one encoding with
e5. When delta + tombstones reach ``compact_above`` a background thread rebuilds the whole register
from the database (cached embeddings make that re-embed nothing), saves it as a new version and
swaps it in, replaying the edits that arrived while it ran.

Ranking equals a from-scratch build of the same register, not an approximation of it:

- dense: each segment returns its exact top-N (tombstones excluded by a FAISS selector) and the
  merge keeps the best N, which is the top-N of the union;
- lexical: BM25 depends on corpus statistics (document count, document frequencies, mean length)
  that every edit changes. Per-segment BM25 would score the delta with its own tiny IDF, and
  per-segment normalisation would still rank a rare term in a small delta above the same term in
  the main. Instead both segments keep raw term frequencies (``TermCounts``) and are scored at
  query time under the statistics of the live register (main − tombstones + delta), maintained
  incrementally: bm25s's own formula, to the same float32 values;
- ties between equal scores are broken by supplier id, as they fall in a register built from the
  database (ordered by id) at once, not by the order in which edits arrived.

Encoders fitted on the register (tfidf) cannot embed an edit without refitting everything, so the
live index refuses them; use a pretrained one (e5, minilm, hashing, a local model).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from matcher.artifacts import current_version, versions
from matcher.config import Settings
from matcher.encoders import CachedEncoder, EmbeddingCache, Encoder, Vectors, get_encoder
from matcher.engine import Engine, open_engine, search_requirement
from matcher.errors import ConfigError, IndexArtifactError, WorkspaceError
from matcher.index import DenseIndex, Mask
from matcher.lexical import TermCounts, bm25_idf, tokenize
from matcher.normalise import (
    NormalisedRequirement,
    NormalisedSupplier,
    normalise_requirement,
    normalise_supplier,
)
from matcher.retrieve import FilterMasks, Filters, HybridRetriever, describe_empty
from matcher.schemas import Match, Requirement, Supplier
from matcher.store import Workspace

log = logging.getLogger(__name__)

DEFAULT_COMPACT_ABOVE = 1000  # delta rows + tombstones that trigger a background full rebuild

Order = npt.NDArray[np.float64]


def _bare(encoder: Encoder) -> Encoder:
    # The embedding cache is a sqlite3 connection usable only in the thread that opened it: writers
    # open their own, and searches (from any thread) use the encoder without it.
    return encoder.inner if isinstance(encoder, CachedEncoder) else encoder


def _lexical_tokens(s: NormalisedSupplier) -> list[str]:
    return tokenize(s.lexical_text)


def _translated_tokens(s: NormalisedSupplier) -> list[str]:
    # The text Engine._translated_index gives BM25 for the bilingual field.
    return tokenize(f"{s.text} {s.translated_text}")


# -- segments --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    """An immutable run of suppliers with their own dense index, term counts and filter masks."""

    suppliers: list[NormalisedSupplier]
    dense: DenseIndex
    lexical: TermCounts
    translated: TermCounts | None
    masks: FilterMasks
    position: dict[str, int]  # supplier id → row in this segment
    # Delta only: each supplier's token lists, so that an edit re-tokenises only what it adds.
    tokens: list[tuple[list[str], list[str] | None]] | None = None

    def __len__(self) -> int:
        return len(self.suppliers)

    def vectors_of(self, position: int) -> Vectors:
        starts = self.dense.starts_
        return self.dense.vectors_[starts[position] : starts[position + 1]]


def _main_segment(engine: Engine) -> Segment:
    suppliers = engine.suppliers_
    bilingual = engine.lexicon is not None
    return Segment(
        suppliers=suppliers,
        dense=engine.dense_,
        lexical=TermCounts([_lexical_tokens(s) for s in suppliers]),
        translated=TermCounts([_translated_tokens(s) for s in suppliers]) if bilingual else None,
        masks=FilterMasks(suppliers),
        position={s.supplier.supplier_id: p for p, s in enumerate(suppliers)},
    )


def _delta_segment(
    suppliers: list[NormalisedSupplier],
    blocks: list[Vectors],
    tokens: list[tuple[list[str], list[str] | None]],
    dim: int,
    bilingual: bool,
) -> Segment | None:
    if not suppliers:
        return None
    owners = np.repeat(np.arange(len(blocks), dtype=np.int64), [len(b) for b in blocks])
    vectors = np.vstack(blocks) if blocks else np.zeros((0, dim), dtype=np.float32)
    ids = [s.supplier.supplier_id for s in suppliers]
    dense = DenseIndex(exact_below=np.iinfo(np.int64).max).build(vectors, ids, owners)
    return Segment(
        suppliers=suppliers,
        dense=dense,
        lexical=TermCounts([lex for lex, _ in tokens]),
        translated=TermCounts([tr or [] for _, tr in tokens]) if bilingual else None,
        masks=FilterMasks(suppliers),
        position={sid: p for p, sid in enumerate(ids)},
        tokens=tokens,
    )


@dataclass(frozen=True)
class DeadStats:
    """What the tombstoned main rows contribute to one BM25 field's statistics (to subtract)."""

    doc_freq: dict[str, int]
    length: int

    def plus(self, token_lists: Sequence[list[str]]) -> DeadStats:
        doc_freq = dict(self.doc_freq)
        for tokens in token_lists:
            for term in set(tokens):
                doc_freq[term] = doc_freq.get(term, 0) + 1
        return DeadStats(doc_freq, self.length + sum(len(t) for t in token_lists))


NO_DEAD = DeadStats({}, 0)


# -- the segmented views that HybridRetriever searches (positions: main rows, then delta rows) ----
class SegmentedDense:
    """Exact top-k over main (tombstones denied) and delta, merged; ties decided by supplier id."""

    def __init__(
        self, main: DenseIndex | None, delta: DenseIndex | None, dead: Mask, order: Order
    ) -> None:
        self.main, self.delta, self.dead, self.order = main, delta, dead, order
        self.n_main = len(dead)

    def search(
        self, queries: Vectors, k: int, allowed: Mask | None = None
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        queries = queries.reshape(len(queries), -1)
        parts: list[tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]] = []
        if self.main is not None:
            main_allowed = allowed[: self.n_main] if allowed is not None else None
            parts.append(self.main.search(queries, k, main_allowed, denied=self.dead))
        if self.delta is not None:
            delta_allowed = allowed[self.n_main :] if allowed is not None else None
            scores, positions = self.delta.search(queries, k, delta_allowed)
            parts.append((scores, np.where(positions >= 0, positions + self.n_main, -1)))
        out_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        out_positions = np.full((len(queries), k), -1, dtype=np.int64)
        if not parts:
            return out_scores, out_positions
        scores = np.hstack([s for s, _ in parts])
        positions = np.hstack([p for _, p in parts])
        for q in range(len(queries)):
            valid = positions[q] >= 0
            s, p = scores[q][valid], positions[q][valid]
            # Ties fall as IndexFlatIP lets them fall in a register built at once (its rows
            # follow the ids there): the lowest ids are kept at the cut, listed highest id first.
            kept = np.lexsort((self.order[p], -s))[:k]
            best = kept[np.lexsort((-self.order[p][kept], -s[kept]))]
            out_scores[q, : len(best)] = s[best]
            out_positions[q, : len(best)] = p[best]
        return out_scores, out_positions

    def max_sim(self, query: Vectors, positions: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        out = np.empty(len(positions), dtype=np.float32)
        in_main = positions < self.n_main
        if in_main.any() and self.main is not None:
            out[in_main] = self.main.max_sim(query, positions[in_main])
        if (~in_main).any() and self.delta is not None:
            out[~in_main] = self.delta.max_sim(query, positions[~in_main] - self.n_main)
        return out


class SegmentedBM25:
    """One BM25 field over main and delta, scored under the live register's statistics."""

    def __init__(
        self, main: TermCounts | None, delta: TermCounts | None, dead: Mask, dead_stats: DeadStats
    ) -> None:
        self.main, self.delta, self.dead, self.dead_stats = main, delta, dead, dead_stats
        n_dead = int(dead.sum())
        main_docs = len(main) - n_dead if main is not None else 0
        main_length = int(main.lengths.sum()) - dead_stats.length if main is not None else 0
        self.n_docs = main_docs + (len(delta) if delta is not None else 0)
        self.total_length = main_length + (int(delta.lengths.sum()) if delta is not None else 0)
        self.size = len(dead) + (len(delta) if delta is not None else 0)

    def doc_freq(self, term: str) -> int:
        df = 0
        if self.main is not None:
            df += self.main.doc_freq(term) - self.dead_stats.doc_freq.get(term, 0)
        if self.delta is not None:
            df += self.delta.doc_freq(term)
        return df

    def scores(self, query: str) -> npt.NDArray[np.float32]:
        words = tokenize(query)
        freqs = {t: self.doc_freq(t) for t in set(words)}
        tokens = [t for t in words if freqs[t] > 0]
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        idf = {t: bm25_idf(freqs[t], self.n_docs) for t in set(tokens)}
        # bm25s's mean document length: an exact integer sum divided once.
        avg_length = self.total_length / self.n_docs
        parts = []
        if self.main is not None:
            main = self.main.scores(tokens, idf, avg_length)
            main[self.dead] = 0.0
            parts.append(main)
        if self.delta is not None:
            parts.append(self.delta.scores(tokens, idf, avg_length))
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


class SegmentedMasks:
    """Filter masks over main and delta; tombstoned rows never pass."""

    def __init__(self, main: FilterMasks | None, delta: FilterMasks | None, live: Mask) -> None:
        self.main, self.delta, self.live = main, delta, live

    def _joined(self, filters: Filters) -> dict[str, Mask]:
        main = self.main.masks(filters) if self.main is not None else {}
        delta = self.delta.masks(filters) if self.delta is not None else {}
        names = list(main or delta)
        empty = np.zeros(0, dtype=bool)
        return {
            name: np.concatenate([main.get(name, empty), delta.get(name, empty)]) & self.live
            for name in names
        }

    def allowed(self, filters: Filters) -> Mask | None:
        if filters.is_empty():
            return None
        mask = self.live.copy()
        for part in self._joined(filters).values():
            mask &= part
        return mask

    def counts(self, filters: Filters) -> dict[str, int]:
        return {name: int(mask.sum()) for name, mask in self._joined(filters).items()}


# -- snapshot --------------------------------------------------------------------------------------
def _id_order(ids: Sequence[str]) -> tuple[npt.NDArray[np.str_], Order]:
    """Sorted ids, and each row's sort key 2·rank (delta rows slot in at the odd keys)."""
    array = np.asarray(ids, dtype=np.str_)
    ranks = np.empty(len(ids), dtype=np.float64)
    ranks[np.argsort(array, kind="stable")] = np.arange(len(ids), dtype=np.float64)
    return np.sort(array), 2 * ranks


class Snapshot:
    """One immutable state of the index: main segment, delta segment, tombstones.

    Never mutated after construction: readers hold a reference for the length of one search.
    """

    def __init__(
        self,
        engine: Engine,
        version: str | None,
        main: Segment | None,
        delta: Segment | None,
        dead: Mask,
        dead_stats: tuple[DeadStats, DeadStats],
        main_order: tuple[npt.NDArray[np.str_], Order],
    ) -> None:
        self.engine, self.version, self.main, self.delta = engine, version, main, delta
        self.dead, self.dead_stats, self.main_order = dead, dead_stats, main_order
        n_main, n_delta = len(dead), len(delta) if delta is not None else 0
        self.n_main = n_main
        self.size = n_main - int(dead.sum()) + n_delta
        self.edits = int(dead.sum()) + n_delta
        self.suppliers: list[NormalisedSupplier] = [
            *(main.suppliers if main is not None else []),
            *(delta.suppliers if delta is not None else []),
        ]
        order = np.concatenate([main_order[1], self._delta_order()])
        live = np.concatenate([~dead, np.ones(n_delta, dtype=bool)])
        settings = engine.settings.retrieve
        bilingual = engine.lexicon is not None
        self.retriever = HybridRetriever(
            SegmentedDense(
                main.dense if main is not None else None,
                delta.dense if delta is not None else None,
                dead,
                order,
            ),
            SegmentedBM25(
                main.lexical if main is not None else None,
                delta.lexical if delta is not None else None,
                dead,
                dead_stats[0],
            ),
            SegmentedMasks(
                main.masks if main is not None else None,
                delta.masks if delta is not None else None,
                live,
            ),
            candidates=settings.candidates,
            rrf_k=settings.rrf_k,
            translated=SegmentedBM25(
                main.translated if main is not None else None,
                delta.translated if delta is not None else None,
                dead,
                dead_stats[1],
            )
            if bilingual
            else None,
            order=order,
        )

    @classmethod
    def build(cls, engine: Engine, version: str | None, main: Segment | None) -> Snapshot:
        n = len(main) if main is not None else 0
        ids = [s.supplier.supplier_id for s in main.suppliers] if main is not None else []
        return cls(
            engine,
            version,
            main,
            None,
            np.zeros(n, dtype=bool),
            (NO_DEAD, NO_DEAD),
            _id_order(ids),
        )

    def _delta_order(self) -> Order:
        # Key between the main rows' even keys 2·rank: a delta id sorting before main rank i gets
        # a key in (2i − 1, 2i), ordered among such delta ids by the id itself.
        if self.delta is None:
            return np.zeros(0, dtype=np.float64)
        ids = np.asarray([s.supplier.supplier_id for s in self.delta.suppliers], dtype=np.str_)
        by_id = np.argsort(ids, kind="stable")
        slots = np.searchsorted(self.main_order[0], ids[by_id], side="left")
        keys = np.empty(len(ids), dtype=np.float64)
        keys[by_id] = 2 * slots - 1 + (np.arange(len(ids)) + 1) / (len(ids) + 1)
        return keys

    def supplier(self, supplier_id: str) -> Supplier | None:
        """The live profile of a supplier, None if absent or deleted."""
        if self.delta is not None and supplier_id in self.delta.position:
            return self.delta.suppliers[self.delta.position[supplier_id]].supplier
        if self.main is not None:
            p = self.main.position.get(supplier_id)
            if p is not None and not self.dead[p]:
                return self.main.suppliers[p].supplier
        return None

    def rank(
        self, req: NormalisedRequirement, vector: Vectors, filters: Filters, top_k: int
    ) -> list[Match]:
        candidates = self.retriever.retrieve(
            vector, req.lexical_text, filters, top_k, req.translated_text
        )
        return self.engine.ranker.rank(req, self.suppliers, candidates, top_k)


@dataclass(frozen=True)
class IndexHealth:
    """What /readyz and /metrics report about the index."""

    ready: bool  # False: no usable version, searches raise IndexArtifactError
    version: str | None  # the version serving
    fault: str | None  # the last load failure, while no good version has replaced it
    load_failures: int  # versions that failed to load since the process started


def _load(
    ws: Workspace, folder: Path, settings: Settings, encoder: Encoder | None = None
) -> Engine:
    with open_engine(
        settings, cache_path=ws.cache_path, index_version=folder, encoder=encoder
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
        self._encoder = _bare(encoder or get_encoder(settings.embed.encoder))
        if not self._encoder.cacheable:
            raise ConfigError(
                f"encoder {settings.embed.encoder!r} is fitted on the whole register and cannot "
                "embed one edit; the live index needs a pretrained encoder "
                "(e5, e5-onnx, e5-onnx-int8, minilm, hashing or a local model folder)"
            )
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
    ) -> LiveIndex:
        """Load the workspace's current index version (or build one from its database).

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
            index = cls(ws, settings, compact_above)
            index.rebuild()
            return index
        fault: str | None = None
        for folder in [pointer, *(v for v in versions(ws.index_dir) if v != pointer)]:
            try:
                engine = _load(ws, folder, settings)
            except WorkspaceError as exc:
                if folder != pointer:
                    log.warning("older index version %s unusable: %s", folder.name, exc)
                    continue
                log.warning("index version stale (%s): rebuilding from the database", exc)
                index = cls(ws, settings, compact_above)
                index.rebuild()
                return index
            except IndexArtifactError as exc:
                log.error("index version %s unusable: %s", folder.name, exc)
                fault = fault or str(exc)
                continue
            index = cls(ws, engine.settings, compact_above, engine.encoder)
            engine.encoder = index._encoder
            index._snapshot = Snapshot.build(engine, folder.name, _main_segment(engine))
            if fault is not None:
                index._record_fault(pointer.name, fault)
            index._reconcile()
            return index
        index = cls(ws, settings, compact_above)
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
                engine = _load(self.workspace, pointer, self.settings, self._encoder)
            except (IndexArtifactError, WorkspaceError) as exc:
                self._record_fault(pointer.name, str(exc))
                return False
            engine.encoder = self._encoder
            fresh = Snapshot.build(engine, pointer.name, _main_segment(engine))
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
        vector = engine.encoder.encode_requirements([req.text])[0]
        return snapshot.rank(req, vector, filters or Filters(), top_k)

    def why_filtered_out(self, filters: Filters) -> str:
        """Say which of these filters leaves no supplier (as Engine.why_filtered_out)."""
        snapshot = self._snapshot
        return describe_empty(snapshot.retriever.masks.counts(filters), snapshot.size)

    def match(self, requirement: Requirement, top_k: int = 10) -> list[Match]:
        """Ranked suppliers for one requirement, its hard filters applied (as Engine.match)."""
        _check_top_k(top_k)
        self._check_ready()
        snapshot = self._snapshot
        if snapshot.size == 0:
            return []
        engine = snapshot.engine
        req = normalise_requirement(requirement, engine.taxonomy, engine.lexicon)
        vector = engine.encoder.encode_requirements([req.text])[0]
        return snapshot.rank(req, vector, engine._requirement_filters(requirement), top_k)

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
                    dead_stats[0].plus([_lexical_tokens(s) for s in gone]),
                    dead_stats[1].plus([_translated_tokens(s) for s in gone])
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
            (_lexical_tokens(s), _translated_tokens(s) if bilingual else None) for s in added
        ]
        delta = _delta_segment(
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
        cache = EmbeddingCache(self.workspace.cache_path)
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
        with open_engine(self.settings, cache_path=ws.cache_path, encoder=self._encoder) as engine:
            folder = engine.build(suppliers).save(ws.index_dir)
        return Snapshot.build(engine, folder.name, _main_segment(engine))

    def _compact(self) -> None:
        try:
            self.rebuild()
        except Exception:  # a failed compaction leaves the current snapshot serving
            log.exception("background compaction failed; the delta keeps serving edits")

    def close(self) -> None:
        """Wait for a running background compaction (call before the process exits)."""
        compactor = self._compactor
        if compactor is not None:
            compactor.join()


def _check_top_k(top_k: int) -> None:
    if top_k < 1:
        raise ConfigError(f"top_k must be at least 1, got {top_k}")
