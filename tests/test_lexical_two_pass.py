"""BM25 in two passes (matcher/live/segments.py ``SegmentedBM25.partial_scores``, picked by
matcher/retrieve.py ``HybridRetriever._field``): the first pass leaves a field's common terms
out, the pool it shortlists is scored in full.

What must hold: the full scores of any position are BM25's (to float32 rounding: the common
terms are added after the rare ones), tombstones score 0, the delta is scored whole, the field's
list is the best of the pool by full score, a pool the first pass cannot fill falls back to one
pass, and below its threshold nothing changes at all."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from matcher.config import Settings
from matcher.engine import search_requirement
from matcher.ingest import load_suppliers
from matcher.lexical import TermCounts, bm25_idf
from matcher.live import LiveIndex
from matcher.live.segments import NO_DEAD, SegmentedBM25, TwoPass
from matcher.normalise import normalise_requirement
from matcher.retrieve import Filters, HybridRetriever, _kth_largest, _top_positive
from matcher.store import Workspace
from tests.conftest import SAMPLE

# A Zipf-like vocabulary: a few words in most documents, a long tail in few.
VOCAB = [f"w{i}" for i in range(300)]
WEIGHTS = 1.0 / np.arange(1, len(VOCAB) + 1)


def _docs(rng: np.random.Generator, n: int) -> list[list[str]]:
    p = WEIGHTS / WEIGHTS.sum()
    return [list(rng.choice(VOCAB, size=int(rng.integers(5, 60)), p=p)) for _ in range(n)]


def _query(rng: np.random.Generator) -> str:
    return " ".join(rng.choice(VOCAB[:120], size=25))


@pytest.fixture(scope="module")
def field() -> tuple[SegmentedBM25, SegmentedBM25]:
    """Main (with tombstones) and delta, scored in one pass and in two."""
    rng = np.random.default_rng(7)
    main_docs, delta_docs = _docs(rng, 3000), _docs(rng, 200)
    dead = np.zeros(len(main_docs), dtype=bool)
    dead[rng.choice(len(main_docs), 150, replace=False)] = True
    stats = NO_DEAD.plus([main_docs[p] for p in np.flatnonzero(dead)])
    main, delta = TermCounts(main_docs), TermCounts(delta_docs)
    one = SegmentedBM25(main, delta, dead, stats)
    two = SegmentedBM25(main, delta, dead, stats, TwoPass(from_docs=1000, common=0.2, pool=3))
    return one, two


def test_full_scores_of_a_pool_are_bm25s(field: tuple[SegmentedBM25, SegmentedBM25]) -> None:
    one, two = field
    rng = np.random.default_rng(3)
    dead = np.flatnonzero(one.dead)
    n_main = len(one.dead)
    for _ in range(20):
        query = _query(rng)
        expected = one.scores(query)
        partial = two.partial_scores(query)
        assert partial is not None
        positions = np.unique(rng.choice(one.size, 500))
        got = partial.exact(positions)
        np.testing.assert_allclose(got, expected[positions], rtol=2e-6, atol=0)
        # The first pass leaves terms out: never above the full score, and below it somewhere.
        assert np.all(partial.values <= expected + 1e-5) and np.any(partial.values < expected)
        assert not partial.exact(dead).any()
        delta = np.arange(n_main, one.size)
        assert np.array_equal(partial.exact(delta), expected[delta])  # the delta scored whole


def test_common_terms_add_what_one_pass_adds(field: tuple[SegmentedBM25, SegmentedBM25]) -> None:
    """Started from zero, the second pass gives each position the common terms' BM25 to the bit
    (the same term scores in the same order as TermCounts.scores)."""
    one, two = field
    main = one.main
    assert main is not None and two._common is not None
    common = sorted(two._common.column)
    assert common and len(common) < len(VOCAB)
    tokens = [*common, common[0]]  # a repeat counts twice, as in bm25s
    idf = {t: bm25_idf(main.doc_freq(t), len(main)) for t in common}
    avg = float(main.lengths.mean())
    positions = np.arange(0, len(main), 7)
    out = np.zeros(len(positions), dtype=np.float32)
    two._common.add_to(out, positions, tokens, idf, main.norms(avg))
    assert np.array_equal(out, main.scores(tokens, idf, avg)[positions])


def test_one_pass_where_two_would_not_help(field: tuple[SegmentedBM25, SegmentedBM25]) -> None:
    one, two = field
    column = two._common.column if two._common is not None else {}
    rare = [w for w in VOCAB if w not in column][:5]
    assert two.partial_scores(" ".join(sorted(column))) is None  # common terms only
    assert two.partial_scores(" ".join(rare)) is None  # rare terms only
    small = SegmentedBM25(one.main, one.delta, one.dead, one.dead_stats, TwoPass(10**6, 0.2, 3))
    assert small.partial_scores(_query(np.random.default_rng(0))) is None  # below from_docs


def _retriever(order: np.ndarray | None) -> HybridRetriever:
    # _field needs nothing of the retriever but its tie order.
    return HybridRetriever(None, None, None, order=order)  # type: ignore[arg-type]


@pytest.mark.parametrize("filtered", [False, True], ids=["all", "filtered"])
def test_the_list_is_the_pools_best_by_full_score(
    field: tuple[SegmentedBM25, SegmentedBM25], filtered: bool
) -> None:
    one, two = field
    rng = np.random.default_rng(11)
    order = rng.permutation(one.size).astype(np.float64)
    allowed = rng.random(one.size) < 0.6 if filtered else None
    retriever, depth = _retriever(order), 40
    overlaps = []
    for _ in range(15):
        query = _query(rng)
        partial = two.partial_scores(query)
        assert partial is not None
        first = partial.values if allowed is None else np.where(allowed, partial.values, 0.0)
        pool = np.sort(np.asarray(_top_positive(first, depth * 3, order), dtype=np.int64))
        full = partial.exact(pool)
        best = pool[np.lexsort((order[pool], -full))[:depth]].tolist()
        listed, at = retriever._field(two, query, depth, allowed)
        assert listed == best
        exact_list, exact_at = retriever._field(one, query, depth, allowed)
        overlaps.append(len(set(listed) & set(exact_list)) / depth)
        # Any position's score, pooled or not (a dense-only candidate), is the full one.
        probe = np.array([*exact_list, *rng.choice(one.size, 30)], dtype=np.int64)
        np.testing.assert_allclose(at(probe), exact_at(probe), rtol=2e-6, atol=0)
        if allowed is not None:
            assert all(allowed[p] for p in listed)
    assert np.mean(overlaps) > 0.8  # an approximation, but a close one on this corpus


def test_a_pool_the_first_pass_cannot_fill_falls_back_to_one_pass(
    field: tuple[SegmentedBM25, SegmentedBM25],
) -> None:
    one, _ = field
    wide = SegmentedBM25(one.main, one.delta, one.dead, one.dead_stats, TwoPass(1000, 0.2, 1000))
    retriever = _retriever(None)
    query = _query(np.random.default_rng(5))
    listed, at = retriever._field(wide, query, 40, None)
    exact_list, exact_at = retriever._field(one, query, 40, None)
    assert listed == exact_list
    positions = np.arange(one.size)
    assert np.array_equal(at(positions), exact_at(positions))


@settings(max_examples=200, deadline=None)
@given(
    arrays(np.float32, st.integers(2, 20_000), elements=st.sampled_from([0.0, 0.5, 1.0, 2.5]))
    | arrays(np.float32, st.integers(2, 20_000), elements=st.floats(0, 10, width=32)),
    st.integers(1, 300),
)
def test_kth_largest_is_the_partitions(scores: np.ndarray, k: int) -> None:
    k = min(k, len(scores) - 1)
    assert _kth_largest(scores, k) == float(np.partition(scores, len(scores) - k)[len(scores) - k])


def test_a_live_index_in_two_passes_scores_its_candidates_in_full(tmp_path: Path) -> None:
    """The sample register served with two passes from its first supplier, against one pass:
    every candidate's lexical and bilingual scores are the full ones, and filters hold."""
    register = load_suppliers(SAMPLE / "suppliers.csv").records
    Workspace(tmp_path / "ws").upsert_suppliers(register)
    plain = Settings.for_encoder("hashing")
    plain.retrieve.candidates = 10
    two = plain.model_copy(deep=True)
    two.retrieve.lexical_two_pass_from = 1
    lives = [LiveIndex.open(tmp_path / "ws", s) for s in (plain, two)]
    try:
        base, paired = (live._snapshot for live in lives)
        assert paired.retriever.lexical._common is not None  # two passes are on
        assert base.retriever.lexical._common is None
        queries = [
            ("progressive die metal stamping for automotive brackets", Filters()),
            ("ép phun nhựa ABS cho vỏ điện thoại", Filters.build(certifications=["ISO 9001"])),
            ("gia công CNC nhôm chính xác cho linh kiện xe máy", Filters()),
        ]
        engine = base.engine
        for text, filters in queries:
            req = normalise_requirement(search_requirement(text), engine.taxonomy, engine.lexicon)
            vector = engine.encoder.encode_requirements([req.text])[0]
            args = (vector, req.lexical_text, filters, 10, req.translated_text)
            assert paired.retriever.lexical.partial_scores(req.lexical_text) is not None
            reference = {c.position: c for c in base.retriever.retrieve(*args)}
            got = paired.retriever.retrieve(*args)
            assert len(got) >= 10
            for c in got:
                if c.position in reference:
                    ref = reference[c.position]
                    assert c.lexical == pytest.approx(ref.lexical, rel=2e-6)
                    assert c.translated == pytest.approx(ref.translated, rel=2e-6)
            allowed = paired.retriever.masks.allowed(filters)
            assert allowed is None or all(allowed[c.position] for c in got)
            assert [m.supplier_id for m in lives[1].search(text, 5, filters)]
    finally:
        for live in lives:
            live.close()
