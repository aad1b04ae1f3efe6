"""Evaluation suites: metric code checked by hand, and splits that never leak."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from matcher.evaluate import evaluate
from matcher.learn import coordinate_ascent, mean_ndcg, ndcg_at_k
from matcher.rank import FEATURES
from matcher.suites import GEBIZ_CUTOFF, GEBIZ_DEV_CUTOFF, external_dir, load_suite

needs_external = pytest.mark.skipif(
    not external_dir().exists(), reason="../shared/data/external is not on this machine"
)


def test_metrics_worked_by_hand() -> None:
    qrels = {"q1": {"a": 2, "b": 1}, "q2": {"c": 1}}
    run = {"q1": {"a": 0.9, "x": 0.8, "b": 0.7}, "q2": {"x": 1.0, "y": 0.5}}
    result = evaluate(qrels, run, 10)
    # q1: recall 2/2, RR 1, DCG = 2/log2(2) + 1/log2(4) = 2.5, IDCG = 2 + 1/log2(3); q2: all 0.
    ndcg_q1 = 2.5 / (2 + 1 / np.log2(3))
    assert result["recall@10"] == pytest.approx(0.5)
    assert result["mrr@10"] == pytest.approx(0.5)
    assert result["ndcg@10"] == pytest.approx(ndcg_q1 / 2, abs=1e-4)
    # The tuner's own nDCG agrees with ranx's.
    assert ndcg_at_k(["a", "x", "b"], qrels["q1"]) == pytest.approx(ndcg_q1)
    assert evaluate({"q": {"a": 1}}, {}, 10)["ndcg@10"] == 0.0  # a skipped query scores 0


def test_coordinate_ascent_finds_the_informative_feature() -> None:
    rng = np.random.default_rng(0)
    features = []
    qrels = {}
    good = FEATURES.index("taxonomy")
    for q in range(30):
        matrix = rng.random((20, len(FEATURES))).astype(np.float32)
        ids = [f"d{i}" for i in range(20)]
        relevant = int(np.argmax(matrix[:, good]))
        qrels[f"q{q}"] = {ids[relevant]: 1}
        features.append((f"q{q}", ids, matrix))
    # Noise weights that together outweigh what one step can give the informative feature
    # would trap a one-weight-at-a-time search; start them small.
    start = dict.fromkeys(FEATURES, 0.05)
    before = mean_ndcg(features, start, qrels)
    weights, after = coordinate_ascent(features, qrels, start)
    assert before < 0.6 and after > 0.85
    assert max(weights, key=weights.__getitem__) == "taxonomy"
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-3)


@needs_external
def test_gebiz_split_never_leaks() -> None:
    suite = load_suite("gebiz")
    dev = {r.requirement_id for r in suite.part("dev")}
    test = {r.requirement_id for r in suite.part("test")}
    assert len(test) > 1700 and len(dev) > 1500
    tenders = lambda ids: {i.split(":", 1)[1] for i in ids}  # noqa: E731
    assert not tenders(dev) & tenders(test)
    path = external_dir() / "gebiz_sg_procurement" / "gebiz_awards_joined.csv"
    with open(path, encoding="utf-8") as handle:
        date = {r["tender_no"]: r["award_date_iso"] for r in csv.DictReader(handle)}
    assert all(GEBIZ_DEV_CUTOFF <= date[t] < GEBIZ_CUTOFF for t in tenders(dev))
    assert all(date[t] >= GEBIZ_CUTOFF for t in tenders(test))
    # Profiles only hold tenders awarded before their part's cut-off.
    with open(path, encoding="utf-8") as handle:
        first_award: dict[str, str] = {}
        for r in csv.DictReader(handle):
            text = r["tender_description_orig"]
            first_award[text] = min(first_award.get(text, "9999"), r["award_date_iso"])
    for sid, descriptions in suite.chunks.items():
        cutoff = GEBIZ_CUTOFF if sid.startswith("test:") else GEBIZ_DEV_CUTOFF
        assert all(first_award[d] < cutoff for d in descriptions), sid
    # Every relevant document of a query is in that query's own part.
    for rid, judged in suite.qrels.items():
        assert all(doc.startswith(rid.split(":")[0] + ":") for doc in judged)


@needs_external
def test_hs_split_by_heading_and_grades() -> None:
    suite = load_suite("hs-vi2en")
    heading = {r.requirement_id: r.requirement_id[1:5] for r in suite.requirements}
    dev = {heading[r.requirement_id] for r in suite.part("dev")}
    test = {heading[r.requirement_id] for r in suite.part("test")}
    assert dev and test and not dev & test
    rid = suite.requirements[0].requirement_id
    code = rid[1:]
    assert suite.qrels[rid][code] == 2
    assert all(g == 1 and d[:6] == code[:6] for d, g in suite.qrels[rid].items() if d != code)
    docs = {s.supplier_id: s.description for s in suite.suppliers}
    assert docs[code].isascii() or "Loại" not in docs[code]  # English documents
    assert not suite.requirements[0].description.isascii()  # Vietnamese queries
