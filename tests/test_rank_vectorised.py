"""The vectorised ranker against the per-candidate loop it replaced (kept here as the reference).

Every feature of every candidate of every sample requirement, and the ranked top 10 with scores,
must be what the loop computed; the sample with the hashing encoder gives real candidates
(lexical, translated and dense lists, taxonomy tags of all facets, certifications, tiers).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest

from matcher.config import SAMPLE_DIR, Settings
from matcher.engine import Engine
from matcher.ingest import load_requirements, load_suppliers
from matcher.normalise import (
    NormalisedRequirement,
    NormalisedSupplier,
    covered,
    fold,
    normalise_requirement,
)
from matcher.rank import FEATURES, SPREAD_GATED, TransparentRanker, spread_weights
from matcher.retrieve import Candidate

_PROFILE_FIELDS = (
    "tax_code",
    "processes",
    "materials",
    "products",
    "certifications",
    "sector",
    "district",
    "employees",
    "founded_year",
    "customers",
    "monthly_capacity",
)


def _minmax(values: Sequence[float]) -> list[float]:
    low, high = min(values), max(values)
    if high - low < 1e-9:
        return [1.0 if high > 0 else 0.0 for _ in values]
    return [(v - low) / (high - low) for v in values]


def reference_features(
    ranker: TransparentRanker,
    requirement: NormalisedRequirement,
    suppliers: Sequence[NormalisedSupplier],
    candidates: Sequence[Candidate],
) -> list[dict[str, float]]:
    """The per-candidate loop of matcher/rank.py before it was vectorised, verbatim."""
    if not candidates:
        return []
    dense = _minmax([c.dense for c in candidates])
    top_lexical = max(c.lexical for c in candidates)
    top_translated = max(c.translated for c in candidates)
    wanted = {t for t in requirement.tags if not t.startswith("sector_")}
    by_facet = {
        facet: {t for t in wanted if ranker.taxonomy.facet_of(t) == facet}
        for facet in ("process", "material", "product")
    }
    preferred = requirement.preferred_certifications
    sectors = set(requirement.requirement.sector)
    province = fold(requirement.requirement.province or "")
    buyer = fold(requirement.requirement.buyer)
    rows = []
    for cand, dense_norm in zip(candidates, dense, strict=True):
        s = suppliers[cand.position]
        criteria = s.supplier.criteria_scores()
        criteria_score = 0.8 * (sum(criteria) / (10 * len(criteria))) if criteria else 0.0
        criteria_score += 0.1 * s.supplier.priority_product + 0.1 * s.supplier.key_product
        tier = 0.0
        if requirement.requirement.target_tier and s.supplier.tier:
            tier = 1.0 - abs(requirement.requirement.target_tier - s.supplier.tier) / 2
        filled = sum(bool(getattr(s.supplier, f)) for f in _PROFILE_FIELDS)
        rows.append(
            {
                "dense": dense_norm,
                "lexical": cand.lexical / top_lexical if top_lexical > 0 else 0.0,
                "fusion": cand.rrf,
                "translated": cand.translated / top_translated if top_translated > 0 else 0.0,
                "taxonomy": len(covered(wanted, s.tags)) / len(wanted) if wanted else 0.0,
                **{
                    f"taxonomy_{facet}": len(covered(tags, s.tags)) / len(tags) if tags else 0.0
                    for facet, tags in by_facet.items()
                },
                "certifications": len(preferred & s.certifications) / len(preferred)
                if preferred
                else 0.0,
                "criteria": criteria_score,
                "tier": tier,
                "sector": float(bool(sectors & set(s.supplier.sector))),
                "location": float(bool(province) and fold(s.supplier.province or "") == province),
                "customer": float(buyer in s.customers),
                "track_record": min(1.0, math.log1p(len(s.supplier.customers)) / math.log1p(20)),
                "completeness": filled / len(_PROFILE_FIELDS),
                "cosine": cand.dense,
            }
        )
    return rows


def reference_rank(
    ranker: TransparentRanker,
    requirement: NormalisedRequirement,
    suppliers: Sequence[NormalisedSupplier],
    candidates: Sequence[Candidate],
    top_k: int,
) -> list[tuple[str, float]]:
    feats = reference_features(ranker, requirement, suppliers, candidates)
    weights = ranker.weights_for(requirement)
    if ranker.tied_coverage_to is not None and feats:
        columns = {f: [row[f] for row in feats] for f in SPREAD_GATED}
        weights = spread_weights(weights, columns, ranker.tied_coverage_to)
    scored = [
        (sum(weights[n] * f[n] for n in FEATURES), suppliers[c.position].supplier.supplier_id)
        for c, f in zip(candidates, feats, strict=True)
    ]
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [(sid, score) for score, sid in scored[:top_k]]


@pytest.fixture(scope="module")
def sample() -> tuple[Engine, list[tuple[NormalisedRequirement, list[Candidate]]]]:
    settings = Settings()
    settings.embed.encoder = "hashing"
    engine = Engine(settings).build(load_suppliers(SAMPLE_DIR / "suppliers.csv").records)
    requirements = load_requirements(SAMPLE_DIR / "requirements.csv").records
    normalised = [normalise_requirement(r, engine.taxonomy, engine.lexicon) for r in requirements]
    vectors = engine.encoder.encode_requirements([r.text for r in normalised])
    cases = [(r, engine._retrieve(r, v, 100)) for r, v in zip(normalised, vectors, strict=True)]
    return engine, cases


@pytest.mark.parametrize(("gated", "tied"), [(True, "fusion"), (False, None)])
def test_same_features_and_ranking_as_the_loop(
    sample: tuple[Engine, list[tuple[NormalisedRequirement, list[Candidate]]]],
    gated: bool,
    tied: str | None,
) -> None:
    engine, cases = sample
    base = engine.ranker
    # Every weight non-zero, so that a wrong column would move a score.
    weights = {f: 0.05 + 0.01 * i for i, f in enumerate(FEATURES)}
    ranker = TransparentRanker(weights, base.taxonomy, base.rrf_k, gated, tied)
    suppliers = engine.suppliers_
    assert sum(len(c) for _, c in cases) > 50 * len(cases)  # real candidate lists
    for req, candidates in cases:
        expected = reference_features(ranker, req, suppliers, candidates)
        matrix = ranker.feature_matrix(req, suppliers, candidates)
        assert matrix.shape == (len(candidates), len(FEATURES))
        want = np.array([[row[f] for f in FEATURES] for row in expected], dtype=np.float64)
        np.testing.assert_allclose(matrix, want, rtol=0, atol=1e-9)
        rows = ranker.features(req, suppliers, candidates)
        assert [list(row) for row in rows] == [list(row) for row in expected]  # shown order
        for row, want_row in zip(rows, expected, strict=True):
            assert row == pytest.approx(want_row, abs=1e-9)
        got = [(m.supplier_id, m.score) for m in ranker.rank(req, suppliers, candidates, 10)]
        ref = reference_rank(ranker, req, suppliers, candidates, 10)
        assert [sid for sid, _ in got] == [sid for sid, _ in ref], req.requirement.requirement_id
        assert [s for _, s in got] == pytest.approx([s for _, s in ref], abs=1e-6)


def test_explanations_only_for_the_returned_matches(
    sample: tuple[Engine, list[tuple[NormalisedRequirement, list[Candidate]]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import matcher.rank
    from matcher.explain import explain

    engine, cases = sample
    req, candidates = max(cases, key=lambda case: len(case[1]))
    calls: list[str] = []

    def counting(*args: object, **kwargs: object) -> object:
        calls.append("x")
        return explain(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(matcher.rank, "explain", counting)
    matches = engine.ranker.rank(req, engine.suppliers_, candidates, 3)
    assert len(candidates) > 3 and len(matches) == 3 and len(calls) == 3
    assert engine.ranker.rank(req, engine.suppliers_, [], 3) == []
