"""The learned ranker (issue #15) on simulated outcomes: it recovers a hidden preference, never
learns pure noise, says so with too little data, keeps required certificates hard, and explains
itself with the trees' contributions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.engine import Engine, requirement_filters
from matcher.errors import Conflict, IndexArtifactError
from matcher.evaluation.suites import load_suite
from matcher.learn import (
    Buyer,
    CandidateTable,
    LearnedRanker,
    Outcome,
    Ranker,
    TrainOptions,
    TrainResult,
    bootstrap_ci,
    feature_matrix,
    simulate,
    train,
)
from matcher.normalise import normalise_requirement
from matcher.schemas import Match, Requirement, Supplier
from matcher.services.ranker import engine_tables
from matcher.store import Workspace
from tests.conftest import hashing

DEPTH = 30  # candidates per requirement: above the simulator's 20 shown
# The sample register built once with the hashing encoder, its tables and a model: ~10 s.
pytestmark = pytest.mark.slow
TABLES: dict[str, CandidateTable] = {}  # the sample fixture's, for tests that need one


@dataclass
class Sample:
    engine: Engine
    tables: dict[str, CandidateTable]
    qrels: dict[str, dict[str, int]]
    requirements: list[Requirement]


@pytest.fixture(scope="module")
def sample() -> Iterator[Sample]:
    suite = load_suite("sample")
    engine = Engine(hashing()).build(suite.suppliers)
    tables = engine_tables(engine, suite.requirements, DEPTH)
    TABLES.update(tables)
    yield Sample(engine, tables, suite.qrels, suite.requirements)


def _learn(sample: Sample, n: int, seed: int, pure_noise: bool = False) -> TrainResult:
    sim = simulate(sample.tables, n, seed, relevance=sample.qrels, pure_noise=pure_noise)
    return train(sample.engine.ranker, sim.tables, sim.outcomes)


@pytest.fixture(scope="module")
def learned(sample: Sample) -> TrainResult:
    return _learn(sample, 1000, seed=7)


def test_1000_outcomes_recover_the_hidden_preference(learned: TrainResult) -> None:
    report = learned.report
    assert report.promoted, report.reason
    assert report.relative_gain is not None and report.relative_gain >= 0.10, report.reason
    assert report.gain_ci is not None and report.gain_ci[0] > report.margin
    assert learned.model is not None


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pure_noise_is_never_promoted(sample: Sample, seed: int) -> None:
    report = _learn(sample, 1000, seed, pure_noise=True).report
    assert not report.promoted, report.reason
    assert report.gain_ci is not None and report.gain_ci[0] <= report.margin


def test_too_little_data_keeps_the_transparent_scorer(sample: Sample) -> None:
    result = _learn(sample, 100, seed=3)
    assert not result.report.promoted and result.model is None
    assert result.report.reason.startswith("too little data")
    assert "keeping the transparent scorer" in result.report.reason


def test_bootstrap_interval_brackets_the_mean() -> None:
    gains = np.random.default_rng(0).normal(0.05, 0.1, size=200)
    low, high = bootstrap_ci(gains)
    assert low < gains.mean() < high
    assert low > 0.0  # 200 draws around 0.05 ± 0.1: the interval excludes 0
    assert bootstrap_ci(gains) == (low, high)  # seeded


def test_tables_score_as_the_transparent_ranker_ranks(sample: Sample) -> None:
    engine = sample.engine
    for req in sample.requirements[:5]:
        ranked = _rank(engine, engine.ranker, req, DEPTH)
        table = sample.tables[req.requirement_id]
        by_id = dict(zip(table.ids, table.transparent, strict=True))
        assert [m.supplier_id for m in ranked] == [table.ids[i] for i in table.transparent_order()]
        assert all(m.score == pytest.approx(by_id[m.supplier_id], abs=1e-6) for m in ranked)


def test_learned_explanations_carry_the_trees_contributions(
    sample: Sample, learned: TrainResult
) -> None:
    model = learned.model
    assert model is not None
    req = next(r for r in sample.requirements if r.requirement_id == "R001")
    req = req.model_copy(update={"extra": {"buyer_country": "JP", "buyer_language": "ja"}})
    engine = sample.engine
    matches = _rank(engine, model, req, 10)
    assert [m.rank for m in matches] == list(range(1, 11))
    assert all("learned from outcomes:" in m.explanation for m in matches)
    assert all(m.top_features[-1].startswith("learned: ") for m in matches)
    assert any("for buyers from JP" in m.explanation for m in matches)
    # The learned score is the transparent one plus the trees' sum, which pred_contrib splits
    # exactly into the per-feature parts the explanation names.
    table = TABLES["R001"].as_buyer("R001", Buyer("JP", TABLES["R001"].buyer.sector, "ja"))
    x = feature_matrix(table, model.history, model.vocab)
    contrib = model.booster.predict(x, pred_contrib=True)
    assert contrib.sum(axis=1) == pytest.approx(model.booster.predict(x), abs=1e-9)
    learned_scores = dict(zip(table.ids, model.scores(table), strict=True))
    assert all(m.score == pytest.approx(learned_scores[m.supplier_id], abs=1e-6) for m in matches)
    transparent = {m.supplier_id: m.score for m in _rank(engine, engine.ranker, req, DEPTH)}
    assert any(m.score != transparent[m.supplier_id] for m in matches)
    assert [m.supplier_id for m in matches] != sorted(transparent, key=transparent.__getitem__)[
        ::-1
    ][:10]


def _rank(engine: Engine, ranker: Ranker, req: Requirement, top_k: int) -> list[Match]:
    normalised = normalise_requirement(req, engine.taxonomy, engine.lexicon)
    vector = engine.encoder.encode_requirements([normalised.text])[0]
    filters = requirement_filters(req, ["certifications"])
    candidates = engine.retriever_.retrieve(
        vector, normalised.lexical_text, filters, DEPTH, normalised.translated_text
    )[:DEPTH]
    return ranker.rank(normalised, engine.suppliers_, candidates, top_k)


@pytest.fixture(scope="module")
def adversary(sample: Sample) -> LearnedRanker:
    """A learned ranker forced active (no margin) from outcomes that reward uncertified firms:
    the worst case for a certificate filter that a ranker could soften."""
    sim = simulate(sample.tables, 600, seed=5, pure_noise=True)
    grade = {True: "declined", False: "order"}
    flipped = [
        Outcome(
            o.at, o.requirement_id, o.supplier_id, grade[bool(_profile(sample, o).certifications)]
        )
        for o in sim.outcomes
    ]
    forced = TrainOptions(margin=-10.0, min_train_queries=2, min_heldout_queries=1)
    model = train(sample.engine.ranker, sim.tables, flipped, options=forced).model
    assert model is not None
    return model


def _profile(sample: Sample, outcome: Outcome) -> Supplier:
    return next(
        s for s in sample.engine.suppliers_ if s.supplier.supplier_id == outcome.supplier_id
    ).supplier


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_required_certificates_stay_hard_under_every_ranker(
    sample: Sample, learned: TrainResult, adversary: LearnedRanker, data: st.DataObject
) -> None:
    engine = sample.engine
    certificates = sorted({c for s in engine.suppliers_ for c in s.supplier.certifications})
    req = data.draw(st.sampled_from(sample.requirements))
    required = data.draw(st.lists(st.sampled_from(certificates), max_size=2, unique=True))
    country = data.draw(st.sampled_from(["JP", "KR", "VN", "DE", ""]))
    req = req.model_copy(
        update={"required_certifications": required, "extra": {"buyer_country": country}}
    )
    ranker = data.draw(st.sampled_from([engine.ranker, learned.model, adversary]))
    assert ranker is not None
    top_k = data.draw(st.integers(1, DEPTH))
    wanted = normalise_requirement(req, engine.taxonomy, engine.lexicon).required_certifications
    held = {s.supplier.supplier_id: s.certifications for s in engine.suppliers_}
    for match in _rank(engine, ranker, req, top_k):
        assert wanted <= held[match.supplier_id], (match.supplier_id, wanted)
        assert not set(required) & set(match.certifications_missing)


def test_a_model_is_judged_against_the_active_learned_one(
    sample: Sample, learned: TrainResult
) -> None:
    # The same outcomes again, the promoted model now active: the new one cannot beat it.
    sim = simulate(sample.tables, 1000, 7, relevance=sample.qrels)
    model = learned.model
    assert model is not None
    model.info = {"version": "v-first"}
    report = train(sample.engine.ranker, sim.tables, sim.outcomes, active=model).report
    assert report.active == "v-first"
    assert not report.promoted, report.reason
    assert report.gain is not None and abs(report.gain) < 0.02


def test_versions_are_stored_atomically_and_roll_back_one_step(
    tmp_path: Path, learned: TrainResult
) -> None:
    model = learned.model
    assert model is not None
    ws = Workspace(tmp_path / "ws")
    base = model.base
    assert ws.learned_ranker(base) is None and ws.ranker_status()["active"]["version"] is None
    first = ws.save_ranker(model)
    second = ws.save_ranker(model)
    assert ws.active_ranker_version() == second
    assert ws.ranker_status()["active"]["previous"] == first
    loaded = ws.learned_ranker(base)
    assert loaded is not None and loaded.info["version"] == second
    table = TABLES["R001"]
    assert list(loaded.scores(table)) == list(model.scores(table))  # the same model, exactly
    assert ws.rollback_ranker() == first
    assert ws.rollback_ranker() is None  # the transparent scorer
    with pytest.raises(Conflict, match="nothing to roll back"):
        ws.rollback_ranker()
    # A tampered version is refused by its manifest, not served.
    (ws.rankers_dir / first / "model.txt").write_text("tree\n", encoding="utf-8")
    (ws.rankers_dir / "CURRENT").write_text(first, encoding="utf-8")
    with pytest.raises(IndexArtifactError, match="checksum"):
        ws.learned_ranker(base)
