"""The fast paths of DenseIndex.search and the ranker (issue #13) against plain definitions.

HNSW over chunked rows asks FAISS for about k × the owners' mean rows-per-owner rows and asks
again, wider, when repeated owners leave fewer than k; a flat index stays exact. The ranker's
tag coverage by bit sets must be the set test it replaced, and its partial sort a full sort.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.config import SAMPLE_DIR, Settings
from matcher.engine import Engine
from matcher.index import DenseIndex
from matcher.ingest import load_requirements, load_suppliers
from matcher.normalise import NARROWER, normalise_requirement
from matcher.rank import FEATURES, TransparentRanker


def _unit(rows: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    out: np.ndarray[Any, Any] = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(
        np.float32
    )
    return out


def _exact_top(index: DenseIndex, query: np.ndarray[Any, Any], k: int) -> list[tuple[int, float]]:
    """Each owner's best row, best first, ties to the lower position: the definition."""
    sims = index.vectors_ @ query
    best: dict[int, float] = {}
    for row, owner in enumerate(index.owners_.tolist()):
        best[owner] = max(best.get(owner, -np.inf), float(sims[row]))
    return sorted(best.items(), key=lambda item: (-item[1], item[0]))[:k]


def _chunked(
    n: int, seed: int, heavy: int = 0
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """n owners with 1-2 rows each; the first ``heavy`` owners own 40 rows close together."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 3, size=n)
    counts[:heavy] = 40
    owners = np.repeat(np.arange(n), counts)
    rows = rng.normal(size=(len(owners), 16))
    for p in range(heavy):
        rows[owners == p] = rng.normal(size=16) + 0.05 * rng.normal(size=(40, 16))
    return _unit(rows), owners


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 60),
    k=st.integers(1, 80),
    seed=st.integers(0, 2**16),
    filtered=st.booleans(),
)
def test_flat_search_is_exact_over_owners(n: int, k: int, seed: int, filtered: bool) -> None:
    vectors, owners = _chunked(n, seed)
    ids = [f"S{i:03d}" for i in range(n)]
    index = DenseIndex().build(vectors, ids, owners)
    assert index.kind == "flat"
    query = _unit(np.random.default_rng(seed + 1).normal(size=(1, 16)))[0]
    allowed = np.random.default_rng(seed + 2).random(n) < 0.5 if filtered else None
    scores, positions = index.search(query, k, allowed)
    expected = [(p, s) for p, s in _exact_top(index, query, n) if allowed is None or allowed[p]][
        : min(k, n)
    ]
    got = [(int(p), float(s)) for p, s in zip(positions[0], scores[0], strict=True) if p >= 0]
    # The same scores in the same order, each the owner's best row (FAISS's and numpy's sums
    # differ in the last bits, so owners whose scores tie that closely may swap).
    assert len(got) == len(expected)
    np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], atol=1e-6)
    truth = dict(_exact_top(index, query, n))
    np.testing.assert_allclose([truth[p] for p, _ in got], [s for _, s in got], atol=1e-6)
    assert len({p for p, _ in got}) == len(got)


def test_hnsw_over_chunks_asks_for_the_mean_rows_per_owner_not_twice_the_ceiling() -> None:
    vectors, owners = _chunked(1500, seed=3)
    index = DenseIndex(exact_below=1, ef_search=16).build(
        vectors, [f"S{i}" for i in range(1500)], owners
    )
    assert index.kind == "hnsw"
    ratio = len(owners) / 1500
    assert 1.3 < ratio < 1.7  # ceil would make it 2, and the old rule k × 2 × 2
    assert index._rows_for(100) == int(np.ceil(100 * 1.25 * ratio))


def test_hnsw_asks_again_when_repeated_owners_fill_the_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 30 owners with 40 near-identical rows each sit around the query: the first walk's rows
    # are mostly theirs, so fewer than k owners come back and search must widen the walk,
    # not scan every row.
    vectors, owners = _chunked(800, seed=5, heavy=30)
    ids = [f"S{i}" for i in range(800)]
    index = DenseIndex(exact_below=1, ef_search=16).build(vectors, ids, owners)
    query = vectors[owners == 0].mean(axis=0)
    query /= np.linalg.norm(query)
    asks: list[int] = []
    search = index.index_.search

    def counted(q: Any, k: int, params: Any = None) -> Any:
        asks.append(k)
        return search(q, k, params=params)

    monkeypatch.setattr(index.index_, "search", counted)
    monkeypatch.setattr(index, "_exact", lambda *a: pytest.fail("fell back to the exact scan"))
    k = 40
    scores, positions = index.search(query, k)
    assert len(asks) >= 2 and asks[1] == 2 * asks[0]
    got = positions[0].tolist()
    assert len(set(got)) == k and -1 not in got
    # Each owner scores as its best row, and the list is best first.
    np.testing.assert_allclose(scores[0], index.max_sim(query, positions[0]), rtol=1e-5)
    assert np.all(np.diff(scores[0]) <= 0)
    exact = {p for p, _ in _exact_top(index, query, k)}
    assert len(exact & set(got)) / k >= 0.9


def test_hnsw_falls_back_to_exact_when_the_filter_leaves_few() -> None:
    vectors, owners = _chunked(1000, seed=7)
    index = DenseIndex(exact_below=1, ef_search=16).build(
        vectors, [f"S{i}" for i in range(1000)], owners
    )
    allowed = np.zeros(1000, dtype=bool)
    allowed[[3, 500, 998]] = True
    query = vectors[0]
    _, positions = index.search(query, 10, allowed)
    expected = [p for p, _ in _exact_top(index, query, 1000) if allowed[p]]
    assert positions[0][:3].tolist() == expected
    assert positions[0][3:].tolist() == [-1] * 7


TAGS = [*sorted({*NARROWER, *(t for ts in NARROWER.values() for t in ts)})[:40], "x_a", "x_b"]


@settings(max_examples=50, deadline=None)
@given(
    wanted=st.lists(st.sampled_from(TAGS), min_size=1, max_size=6, unique=True),
    profiles=st.lists(st.frozensets(st.sampled_from(TAGS), max_size=8), min_size=1, max_size=20),
)
def test_tag_hits_are_the_set_test(wanted: list[str], profiles: list[frozenset[str]]) -> None:
    ranker = TransparentRanker({}, taxonomy=None)  # type: ignore[arg-type]
    bits = ranker._memo.bits
    hits = ranker.tag_hits(wanted, [bits.mask(tags) for tags in profiles])
    expected = [
        [float(not frozenset((t, *NARROWER.get(t, ()))).isdisjoint(tags)) for t in wanted]
        for tags in profiles
    ]
    assert hits.tolist() == expected


@pytest.mark.parametrize("weighted", ["none", "completeness"])
def test_top_k_of_a_partial_sort_is_the_full_sorts_ties_at_the_cut_included(weighted: str) -> None:
    # All weights zero: every candidate ties, so the top 5 must be the 5 lowest ids of the
    # whole list, wherever they sit in it; completeness alone: few distinct levels, many ties.
    settings = Settings()
    settings.embed.encoder = "hashing"
    engine = Engine(settings).build(load_suppliers(SAMPLE_DIR / "suppliers.csv").records)
    weights = {f: (1.0 if f == weighted else 0.0) for f in FEATURES}
    ranker = TransparentRanker(weights, engine.ranker.taxonomy)
    suppliers = engine.suppliers_
    for r in load_requirements(SAMPLE_DIR / "requirements.csv").records[:8]:
        req = normalise_requirement(r, engine.taxonomy, engine.lexicon)
        candidates = engine._retrieve(req, engine.encoder.encode_requirements([req.text])[0], 100)
        matrix = ranker.feature_matrix(req, suppliers, candidates)
        scores, _ = ranker.scores(req, matrix)
        ids = [suppliers[c.position].supplier.supplier_id for c in candidates]
        full = sorted(zip(scores.tolist(), ids, strict=True), key=lambda x: (-x[0], x[1]))[:5]
        got = ranker.rank(req, suppliers, candidates, 5)
        assert [m.supplier_id for m in got] == [sid for _, sid in full]
        assert len(set(scores.tolist())) < len(candidates) / 2  # the cut does fall among ties
