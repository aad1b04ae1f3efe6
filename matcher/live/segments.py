"""The segments of a live snapshot and the views that search them as one register: dense
(exact top-N per segment, merged), BM25 (raw term counts scored under the live register's
statistics) and the filter masks (see the package docstring for why)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.encoders import CachedEncoder, Encoder, Vectors
from matcher.engine import Engine
from matcher.index import DenseIndex, Mask
from matcher.lexical import ImpactTable, TermCounts, bm25_idf, tokenize
from matcher.normalise import (
    NormalisedSupplier,
)
from matcher.retrieve import FilterMasks, Filters, PartialScores

Order = npt.NDArray[np.float64]


def bare_encoder(encoder: Encoder) -> Encoder:
    # The embedding cache is a sqlite3 connection usable only in the thread that opened it: writers
    # open their own, and searches (from any thread) use the encoder without it.
    return encoder.inner if isinstance(encoder, CachedEncoder) else encoder


def lexical_tokens(s: NormalisedSupplier) -> list[str]:
    return tokenize(s.lexical_text)


def translated_tokens(s: NormalisedSupplier) -> list[str]:
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


def main_segment(engine: Engine) -> Segment:
    suppliers = engine.suppliers_
    bilingual = engine.lexicon is not None
    # The counts the engine's BM25 indexes made of the same tokens when it built them (a loaded
    # index has none for its lexical field: its profiles are tokenised here).
    lexical = engine.lexical_.counts_
    if lexical is None:
        lexical = TermCounts([lexical_tokens(s) for s in suppliers])
    translated = engine.translated_.counts_ if engine.translated_ is not None else None
    if bilingual and translated is None:
        translated = TermCounts([translated_tokens(s) for s in suppliers])
    return Segment(
        suppliers=suppliers,
        dense=engine.dense_,
        lexical=lexical,
        translated=translated,
        masks=FilterMasks(suppliers),
        position={s.supplier.supplier_id: p for p, s in enumerate(suppliers)},
    )


def delta_segment(
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
            # Ties fall as DenseIndex.search lets them fall in a register built at once (its
            # rows follow the ids there): to the lowest id, at the cut and in the list.
            best = np.lexsort((self.order[p], -s))[:k]
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


_IDF_MEMO = 200_000  # terms per snapshot and field: ~30 MB at most


@dataclass(frozen=True)
class TwoPass:
    """When and how a large field is scored in two passes (RetrieveSettings' lexical_two_pass_*):
    from ``from_docs`` live documents, the terms of more than ``common`` × the main segment's
    documents wait for the second pass, over ``pool`` × the list's depth."""

    from_docs: int
    common: float
    pool: int


class SegmentedBM25:
    """One BM25 field over main and delta, scored under the live register's statistics.

    With ``two_pass`` and at least its ``from_docs`` live documents, ``partial_scores`` scores
    the main segment's documents without its common terms first (matcher/retrieve.py's
    ``HybridRetriever._field`` picks the shortlist; lexical.CommonTerms adds them back)."""

    def __init__(
        self,
        main: TermCounts | None,
        delta: TermCounts | None,
        dead: Mask,
        dead_stats: DeadStats,
        two_pass: TwoPass | None = None,
    ) -> None:
        self.main, self.delta, self.dead, self.dead_stats = main, delta, dead, dead_stats
        self._dead_rows = np.flatnonzero(dead)  # a few rows: an index, not a 100k-long mask
        n_dead = len(self._dead_rows)
        main_docs = len(main) - n_dead if main is not None else 0
        main_length = int(main.lengths.sum()) - dead_stats.length if main is not None else 0
        self.n_docs = main_docs + (len(delta) if delta is not None else 0)
        self.total_length = main_length + (int(delta.lengths.sum()) if delta is not None else 0)
        self.size = len(dead) + (len(delta) if delta is not None else 0)
        # bm25s's mean document length: an exact integer sum divided once.
        self.avg_length = self.total_length / self.n_docs if self.n_docs else 1.0
        self._idf: dict[str, np.float32 | None] = {}
        # Each segment's term scores under this snapshot's statistics, filled as queries ask.
        self._tables = [
            None if counts is None else ImpactTable(counts, self.avg_length)
            for counts in (main, delta)
        ]
        self.two_pass, self._common = None, None
        if two_pass is not None and main is not None and self.n_docs >= two_pass.from_docs:
            # Built once per main segment (kept on its counts), at the first snapshot that asks.
            self.two_pass = two_pass
            self._common = main.common_terms(int(two_pass.common * len(main)))

    def doc_freq(self, term: str) -> int:
        df = 0
        if self.main is not None:
            df += self.main.doc_freq(term) - self.dead_stats.doc_freq.get(term, 0)
        if self.delta is not None:
            df += self.delta.doc_freq(term)
        return df

    def _query(self, query: str) -> tuple[list[str], dict[str, np.float32], float]:
        """The query's tokens that some live document holds, their idf and the mean length."""
        words = tokenize(query)
        memo: dict[str, np.float32 | None] = self._idf
        idf: dict[str, np.float32] = {}
        for t in set(words):
            # A snapshot's statistics never change: each term's idf (None: in no live document)
            # is computed once per snapshot, up to a bound against unbounded query vocabularies.
            if t in memo:
                value = memo[t]
            else:
                df = self.doc_freq(t)
                value = bm25_idf(df, self.n_docs) if df > 0 else None
                if len(memo) < _IDF_MEMO:
                    memo[t] = value
            if value is not None:
                idf[t] = value
        tokens = [t for t in words if t in idf]
        return tokens, idf, self.avg_length

    def scores(self, query: str) -> npt.NDArray[np.float32]:
        tokens, idf, _ = self._query(query)
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return self._scores(tokens, tokens, idf)

    def _scores(
        self, main_tokens: list[str], delta_tokens: list[str], idf: dict[str, np.float32]
    ) -> npt.NDArray[np.float32]:
        out = np.zeros(self.size, dtype=np.float32)
        main, delta = self._tables
        n_main = len(self.dead)
        if main is not None:
            main.scores(main_tokens, idf, out[:n_main])
            out[self._dead_rows] = 0.0
        if delta is not None:
            delta.scores(delta_tokens, idf, out[n_main:])
        return out

    def partial_scores(self, query: str) -> PartialScores | None:
        """The first pass (the delta, small, is scored whole), or None when this field is
        scored in one: below ``from_docs``, or when the query has no common term or only those."""
        if self._common is None or self.two_pass is None or self.main is None:
            return None
        tokens, idf, avg_length = self._query(query)
        column = self._common.column
        rare = [t for t in tokens if t not in column]
        common = [t for t in tokens if t in column]
        if not rare or not common:
            return None
        values = self._scores(rare, tokens, idf)
        main, common_terms, n_main = self.main, self._common, len(self.main)

        def exact(positions: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
            out = values[positions]
            rows = positions < n_main
            in_main = np.flatnonzero(rows & ~self.dead[np.minimum(positions, n_main - 1)])
            part = out[in_main]
            common_terms.add_to(part, positions[in_main], common, idf, main.norms(avg_length))
            out[in_main] = part
            return out

        return PartialScores(values, exact, self.two_pass.pool)


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
