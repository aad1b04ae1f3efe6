"""Retrieve: hybrid dense + lexical candidates, fused with reciprocal rank fusion, hard filters
applied inside both searches (so k results come back whenever k suppliers qualify)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from matcher.encoders import Vectors
from matcher.encoders.threads import thread_count
from matcher.index import Mask
from matcher.normalise import NormalisedSupplier, canonical_certifications, fold


@dataclass(frozen=True)
class Filters:
    """Hard filters: a supplier qualifies only if it passes all of them."""

    required_certifications: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()  # any of
    provinces: frozenset[str] = frozenset()  # any of, compared accent-folded

    @classmethod
    def build(
        cls,
        certifications: Iterable[str] = (),
        sectors: Iterable[str] = (),
        provinces: Iterable[str] = (),
    ) -> Filters:
        return cls(
            frozenset(canonical_certifications(certifications)),
            frozenset(s.strip().upper() for s in sectors if s.strip()),
            frozenset(fold(p) for p in provinces if p.strip()),
        )

    def is_empty(self) -> bool:
        return not (self.required_certifications or self.sectors or self.provinces)


class Candidate(NamedTuple):
    """One retrieved supplier and its retrieval signals (a NamedTuple, not a dataclass: a search
    builds a few hundred of them, and a frozen dataclass's constructor costs ~5x a tuple's)."""

    position: int
    dense: float  # cosine similarity
    lexical: float  # raw BM25
    dense_rank: int | None  # 1-based rank in the dense list, None if not in it
    lexical_rank: int | None
    rrf: float  # reciprocal rank fusion of the lists, ÷ its maximum (first in every list): [0, 1]
    translated: float = 0.0  # raw BM25 of the bilingual (lexicon-translated) field


def rrf_scores(rankings: Sequence[Sequence[int]], k: int = 60) -> dict[int, float]:
    """Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): Σ 1 / (k + rank)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


class FilterMasks:
    """Boolean masks per certification / sector / province, precomputed once per register."""

    def __init__(self, suppliers: Sequence[NormalisedSupplier]) -> None:
        self.n = len(suppliers)
        self._cert: dict[str, Mask] = {}
        self._sector: dict[str, Mask] = {}
        self._province: dict[str, Mask] = {}
        for pos, s in enumerate(suppliers):
            for cert in s.certifications:
                self._mask(self._cert, cert)[pos] = True
            for code in s.supplier.sector:
                self._mask(self._sector, code)[pos] = True
            if s.supplier.province:
                self._mask(self._province, fold(s.supplier.province))[pos] = True

    def _mask(self, table: dict[str, Mask], key: str) -> Mask:
        if key not in table:
            table[key] = np.zeros(self.n, dtype=bool)
        return table[key]

    def counts(self, filters: Filters) -> dict[str, int]:
        """How many suppliers pass each filter on its own (to explain an empty result)."""
        return {name: int(mask.sum()) for name, mask in self.masks(filters).items()}

    def masks(self, filters: Filters) -> dict[str, Mask]:
        """Each filter's own mask, named for people (``certification ISO 9001`` …)."""
        none = np.zeros(self.n, dtype=bool)
        out = {
            f"certification {c}": self._cert.get(c, none)
            for c in sorted(filters.required_certifications)
        }
        if filters.sectors:
            sectors = np.logical_or.reduce([self._sector.get(s, none) for s in filters.sectors])
            out["sector " + "/".join(sorted(filters.sectors))] = sectors
        if filters.provinces:
            places = np.logical_or.reduce([self._province.get(p, none) for p in filters.provinces])
            out["province " + "/".join(sorted(filters.provinces))] = places
        return out

    def allowed(self, filters: Filters) -> Mask | None:
        """None when nothing is filtered (the searches then skip the selector)."""
        if filters.is_empty():
            return None
        none = np.zeros(self.n, dtype=bool)
        mask = np.ones(self.n, dtype=bool)
        for cert in filters.required_certifications:
            mask &= self._cert.get(cert, none)
        if filters.sectors:
            mask &= np.logical_or.reduce([self._sector.get(s, none) for s in filters.sectors])
        if filters.provinces:
            mask &= np.logical_or.reduce([self._province.get(p, none) for p in filters.provinces])
        return mask


def describe_empty(counts: dict[str, int], total: int) -> str:
    """Say which hard filter emptied a result, from each filter's own count (FilterMasks.counts).

    A filter that no supplier passes is named as the cause; when each passes some suppliers but
    none passes all of them, the message says the combination did it.
    """
    parts = [f"{name} (held by {n} of {total})" for name, n in counts.items()]
    message = "no supplier passes all hard filters: " + ", ".join(parts)
    if culprits := [name for name, n in counts.items() if n == 0]:
        return f"{message}; no supplier at all passes {' or '.join(culprits)}"
    if len(counts) > 1:
        return f"{message}; each passes some suppliers, but none passes all of them together"
    return message


class DenseSearch(Protocol):
    """What retrieval needs of a dense index (DenseIndex, or matcher/live/segments.py's)."""

    def search(
        self, queries: Vectors, k: int, allowed: Mask | None = None
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]: ...

    def max_sim(
        self, query: Vectors, positions: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float32]: ...


class LexicalScores(Protocol):
    """What retrieval needs of a lexical index: a BM25 score per supplier position."""

    def scores(self, query: str) -> npt.NDArray[np.float32]: ...


class PartialScores(NamedTuple):
    """A large register's BM25 in two passes (matcher/live/segments.py): ``values``, every
    document scored with the query's rarer terms only, choose a shortlist of ``pool`` × the
    list's depth; ``exact(positions)`` gives the full BM25 of any positions (ascending)."""

    values: npt.NDArray[np.float32]
    exact: Callable[[npt.NDArray[np.int64]], npt.NDArray[np.float32]]
    pool: int


@runtime_checkable
class TwoPassScores(LexicalScores, Protocol):
    """A lexical index that may score a query in two passes: None when it scores it whole."""

    def partial_scores(self, query: str) -> PartialScores | None: ...


class SupplierMasks(Protocol):
    """What retrieval needs of the filter masks (FilterMasks, or live.py's segments)."""

    def allowed(self, filters: Filters) -> Mask | None: ...

    def counts(self, filters: Filters) -> dict[str, int]: ...


class HybridRetriever:
    """Dense top-N ∪ lexical top-N, fused by RRF; every candidate carries both raw scores.

    ``order`` breaks ties between equal scores (lower first); by default the position does. An
    index whose positions do not follow the supplier ids (live.py appends edits at the end)
    passes the ids' sort order, so that ties fall as they would in a register built at once.

    ``overlap``: the dense search runs on a pool thread while this one scores BM25 (FAISS and the
    BM25 kernels release the GIL), so one search uses two cores, as the query encoder does. For
    a large register in a service (matcher/live/): at 100k suppliers each half takes milliseconds,
    at 1k the hand-off would cost more than it saves.
    """

    def __init__(
        self,
        dense: DenseSearch,
        lexical: LexicalScores,
        masks: SupplierMasks,
        candidates: int = 100,
        rrf_k: int = 60,
        translated: LexicalScores | None = None,
        order: npt.NDArray[np.float64] | None = None,
        overlap: bool = False,
    ) -> None:
        self.overlap = overlap
        self.dense = dense
        self.lexical = lexical
        self.translated = translated
        self.masks = masks
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.order = order

    def retrieve(
        self,
        query_vector: Vectors,
        query_text: str,
        filters: Filters,
        k: int,
        translated_text: str = "",
    ) -> list[Candidate]:
        """At least min(k, qualifying suppliers) candidates, best fused first."""
        allowed = self.masks.allowed(filters)
        depth = max(k, self.candidates)
        dense: Future[tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]] | None = None
        if self.overlap:
            dense = _pool().submit(self.dense.search, query_vector.reshape(1, -1), depth, allowed)
        else:
            dense_hits = self.dense.search(query_vector.reshape(1, -1), depth, allowed)
        lexical_list, lexical_at = self._field(self.lexical, query_text, depth, allowed)
        translated_lists: list[list[int]] = []
        translated_at: Callable[[npt.NDArray[np.int64]], npt.NDArray[np.float32]] | None = None
        if self.translated is not None and translated_text:
            # The bilingual field: query and profiles each carry their terms in both languages.
            bilingual = f"{query_text} {translated_text}"
            listed, translated_at = self._field(self.translated, bilingual, depth, allowed)
            translated_lists.append(listed)
        if dense is not None:
            dense_hits = dense.result()
        dense_list = [int(p) for p in dense_hits[1][0] if p >= 0]
        # Dense, lexical, bilingual: the order the fused sums have always been added in.
        lists = [dense_list, lexical_list, *translated_lists]
        fused = rrf_scores(lists, k=self.rrf_k)
        best = len(lists) / (self.rrf_k + 1)
        dense_rank = {p: r for r, p in enumerate(dense_list, start=1)}
        lexical_rank = {p: r for r, p in enumerate(lexical_list, start=1)}
        positions = np.fromiter(fused, dtype=np.int64, count=len(fused))
        rrf = np.fromiter(fused.values(), dtype=np.float64, count=len(fused)) / best
        # Best fused first; ties by the tie order (the position when there is none).
        ties = positions if self.order is None else self.order[positions]
        ranked = np.lexsort((ties, -rrf))
        positions, rrf = positions[ranked], rrf[ranked]
        cosines = self.dense.max_sim(query_vector, positions)
        lexical = lexical_at(positions)
        translated = translated_at(positions) if translated_at is not None else np.zeros(len(rrf))
        # Whole columns to Python numbers at once (tolist), not one float() per cell.
        return [
            Candidate(p, c, lex, dense_rank.get(p), lexical_rank.get(p), f, tr)
            for p, c, lex, f, tr in zip(
                positions.tolist(),
                cosines.astype(np.float64).tolist(),
                lexical.astype(np.float64).tolist(),
                rrf.tolist(),
                translated.astype(np.float64).tolist(),
                strict=True,
            )
        ]

    def _field(
        self, index: LexicalScores, query: str, depth: int, allowed: Mask | None
    ) -> tuple[list[int], Callable[[npt.NDArray[np.int64]], npt.NDArray[np.float32]]]:
        """One BM25 field's top-``depth`` list, and its score at any positions (0 where
        ``allowed`` is False).

        An index that scores in two passes (TwoPassScores) gives first scores with the query's
        rarer terms only; the ``pool`` × ``depth`` best of those are scored in full, and the list
        is their best ``depth``. A document outside the pool cannot enter, the approximation; the
        scores themselves are full BM25. When fewer documents than the pool score above 0 in the
        first pass, the field is scored whole (a document with common terms only may belong)."""
        # getattr, not isinstance: a runtime-checkable Protocol's isinstance costs ~20 µs.
        partial = getattr(index, "partial_scores", None)
        two: PartialScores | None = partial(query) if partial is not None else None
        if two is not None:
            first = two.values if allowed is None else np.where(allowed, two.values, 0.0)
            size = depth * two.pool
            pool = np.sort(_top_positions(first, size, self.order))
            if len(pool) == size:
                return self._rescored(two, pool, depth, allowed)
        scores = index.scores(query)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        return _top_positive(scores, depth, self.order), scores.__getitem__

    def _rescored(
        self, two: PartialScores, pool: npt.NDArray[np.int64], depth: int, allowed: Mask | None
    ) -> tuple[list[int], Callable[[npt.NDArray[np.int64]], npt.NDArray[np.float32]]]:
        """The pool's full scores, its best ``depth`` (ties by the tie order) and a lookup that
        scores positions outside the pool on demand (dense-only candidates)."""
        full = two.exact(pool)
        ties = pool if self.order is None else self.order[pool]
        listed = pool[np.lexsort((ties, -full))[:depth]].tolist()

        def at(positions: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
            # The pool is sorted: a position is in it where searchsorted lands on it.
            slot = np.minimum(np.searchsorted(pool, positions), len(pool) - 1)
            pooled = pool[slot] == positions
            out = np.where(pooled, full[slot], np.float32(0.0)).astype(np.float32)
            if not pooled.all():
                missing = np.unique(positions[~pooled])
                values = two.exact(missing)
                if allowed is not None:
                    values = np.where(allowed[missing], values, np.float32(0.0))
                out[~pooled] = values[np.searchsorted(missing, positions[~pooled])]
            return out

        return listed, at


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    """The dense searches' threads (one per core), started on first use and shared."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(thread_count(), thread_name_prefix="dense-search")
        return _POOL


def _top_positive(
    scores: npt.NDArray[np.floating],
    k: int,
    order: npt.NDArray[np.float64] | None = None,
) -> list[int]:
    """The ``k`` best positions with a positive score; ties at equal scores fall to the lower
    ``order`` (the lower position without one: argpartition would pick among them arbitrarily,
    and a merge of shards, matcher/distributed/, must give the same list)."""
    listed: list[int] = _top_positions(scores, k, order).tolist()
    return listed


def _top_positions(
    scores: npt.NDArray[np.floating],
    k: int,
    order: npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.int64]:
    """``_top_positive`` as an array (best first)."""
    kth = _kth_largest(scores, k) if len(scores) > k else 0
    # Everything at or above the k-th score (ties at the cut included), then the order decides;
    # one partition of the whole array, not a gather of its positive part first.
    candidates = np.flatnonzero(scores >= kth) if kth > 0 else np.flatnonzero(scores > 0)
    ties = candidates if order is None else order[candidates]
    ranked = candidates[np.lexsort((ties, -scores[candidates]))]
    return ranked[:k].astype(np.int64, copy=False)


def _kth_largest(scores: npt.NDArray[np.floating], k: int) -> float:
    """The k-th largest score (k < len): a partition of a strided sample sets a threshold that
    about 2k scores pass, and only those are partitioned (sample-select; Floyd & Rivest 1975).
    Exact: when fewer than k pass, the whole array is partitioned instead. At 100k scores this is
    ~0.1 ms, the whole partition ~0.45 ms (and a search takes two such lists)."""
    n = len(scores)
    if n >= 64 * k:
        sample = scores[:: max(n // 4096, 1)]
        m = len(sample)
        rank = min(m, 2 * k * m // n + 8)  # from the top: about the 2k-th score of the whole
        passing = scores[scores >= np.partition(sample, m - rank)[m - rank]]
        if len(passing) >= k:
            return float(np.partition(passing, len(passing) - k)[len(passing) - k])
    return float(np.partition(scores, n - k)[n - k])
