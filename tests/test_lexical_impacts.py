"""TermCounts keeps each term's BM25 scores under the statistics they were computed for
(matcher/lexical.py, ``impacts``): a later query reuses them, a change of statistics (an edit
changes the document count and the mean length) never does, and the memo stays within its
budget. Every score is checked against a fresh, memo-less computation, to the bit."""

from __future__ import annotations

import random

import numpy as np

from matcher.lexical import (
    ImpactTable,
    LexicalIndex,
    TermCounts,
    _ImpactMemo,
    bm25_idf,
    tokenize,
)
from tests.conftest import at_once

WORDS = ["dap", "kim", "loai", "ep", "phun", "nhua", "metal", "stamping", "cnc", "coating"]


def _corpus(seed: int, n: int = 60) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choices(WORDS, k=rng.randint(1, 20))) for _ in range(n)]


def _scores(counts: TermCounts, query: str, n_docs: int, total: int) -> np.ndarray:
    tokens = [t for t in tokenize(query) if counts.doc_freq(t) > 0]
    idf = {t: bm25_idf(counts.doc_freq(t), n_docs) for t in tokens}
    return counts.scores(tokens, idf, total / n_docs)


def test_memoised_scores_equal_fresh_ones_and_bm25s() -> None:
    texts = _corpus(3)
    counts = TermCounts([tokenize(t) for t in texts])
    total = int(counts.lengths.sum())
    for query in ["dap kim loai", "kim loai kim", "metal stamping cnc", "nhua ep phun coating"]:
        first = _scores(counts, query, len(texts), total)
        again = _scores(counts, query, len(texts), total)  # from the memo
        fresh = _scores(TermCounts([tokenize(t) for t in texts]), query, len(texts), total)
        reference = LexicalIndex().build(texts, [str(i) for i in range(len(texts))]).scores(query)
        assert np.array_equal(first, again)
        assert np.array_equal(first, fresh)
        assert np.array_equal(first, reference)


def test_other_statistics_are_never_served_from_the_memo() -> None:
    texts = _corpus(5)
    counts = TermCounts([tokenize(t) for t in texts])
    total = int(counts.lengths.sum())
    before = _scores(counts, "dap kim loai metal", len(texts), total)
    # As a live register with 25 more documents and 300 more tokens would score this segment.
    after = _scores(counts, "dap kim loai metal", len(texts) + 25, total + 300)
    fresh = _scores(
        TermCounts([tokenize(t) for t in texts]), "dap kim loai metal", len(texts) + 25, total + 300
    )
    assert not np.array_equal(before, after)
    assert np.array_equal(after, fresh)


def test_the_memo_drops_the_least_recently_used_within_its_budget() -> None:
    memo = _ImpactMemo(budget=10)
    a, b, c = (np.full(4, v, dtype=np.float32) for v in (1.0, 2.0, 3.0))
    memo.put((0, 1.0, 1.0), a)
    memo.put((1, 1.0, 1.0), b)
    assert memo.get((0, 1.0, 1.0)) is a  # 0 is now the most recent
    memo.put((2, 1.0, 1.0), c)  # 12 > 10 postings: the least recent (1) goes
    assert memo.get((1, 1.0, 1.0)) is None
    assert memo.get((0, 1.0, 1.0)) is a and memo.get((2, 1.0, 1.0)) is c
    assert memo.held == 8
    memo.put((3, 1.0, 1.0), np.zeros(11, dtype=np.float32))  # larger than the budget: not kept
    assert memo.get((3, 1.0, 1.0)) is None and memo.held == 8
    assert not a.flags.writeable  # shared between searches: read-only


def _idf(counts: TermCounts, n_docs: int) -> dict[str, np.float32]:
    return {t: bm25_idf(counts.doc_freq(t), n_docs) for t in counts.vocab}


def test_an_impact_table_scores_as_term_counts_do_to_the_bit() -> None:
    # One kernel call over a query's tokens (ImpactTable) against a call per token
    # (TermCounts.scores): the same float32 sums, repeats and out-of-vocabulary tokens included.
    rng = random.Random(11)
    texts = _corpus(7, n=200)
    counts = TermCounts([tokenize(t) for t in texts])
    n_docs, avg = len(texts) + 9, (int(counts.lengths.sum()) + 70) / (len(texts) + 9)
    idf = _idf(counts, n_docs)
    table = ImpactTable(counts, avg)
    for _ in range(30):
        tokens = rng.choices([*counts.vocab, "unseen"], k=rng.randint(0, 25))
        idf_known = {**idf, "unseen": np.float32(1.0)}
        expected = counts.scores([t for t in tokens if t in counts.vocab], idf, avg)
        assert np.array_equal(table.scores(tokens, idf_known), expected)
    # Added to what ``out`` holds, in place.
    out = np.full(len(counts), 0.5, dtype=np.float32)
    again = table.scores(["dap", "kim"], idf, out)
    assert again is out
    dap, kim = (counts.scores([t], idf, avg) for t in ("dap", "kim"))
    assert np.array_equal(out, (np.float32(0.5) + dap) + kim)  # token after token, as ever


def test_an_impact_table_fills_each_term_once_even_when_searches_race() -> None:
    texts = _corpus(9, n=300)
    counts = TermCounts([tokenize(t) for t in texts])
    avg = float(counts.lengths.mean())
    idf = _idf(counts, len(texts))
    table = ImpactTable(counts, avg)
    query = ["dap", "kim", "loai", "kim", "metal"]
    results: dict[int, np.ndarray] = {}
    at_once(lambda i: results.__setitem__(i, table.scores(query, idf)), 8)
    expected = counts.scores(query, idf, avg)
    assert all(np.array_equal(r, expected) for r in results.values())
    filled = {t for t in counts.vocab if table.ready[counts.vocab[t]]}
    assert filled == set(query)
