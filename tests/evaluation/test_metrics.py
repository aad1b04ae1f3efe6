"""Metrics checked against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.evaluation.metrics import evaluate, evaluate_per_query, paired_randomisation
from matcher.learn import ndcg_at_k


# Slow on a fresh virtual environment only (~55 s on CI): the first ranx call compiles its numba
# kernels into the installed package's cache. The mark also sends its module to an xdist worker
# early (tests/xdist_groups.py) rather than as the last, lone test of a run.
@pytest.mark.slow
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


def test_per_query_ndcg_agrees_with_the_mean() -> None:
    qrels = {"q1": {"a": 2, "b": 1}, "q2": {"c": 1}}
    run = {"q1": {"a": 0.9, "x": 0.8, "b": 0.7}, "q2": {"x": 1.0, "c": 0.5}}
    means, per_query = evaluate_per_query(qrels, run, 10)
    assert per_query["q1"] == pytest.approx(ndcg_at_k(["a", "x", "b"], qrels["q1"]), abs=1e-6)
    assert per_query["q2"] == pytest.approx(ndcg_at_k(["x", "c"], qrels["q2"]), abs=1e-6)
    assert means["ndcg@10"] == pytest.approx(np.mean(list(per_query.values())), abs=1e-4)


def test_paired_randomisation_tells_a_consistent_gain_from_noise() -> None:
    rng = np.random.default_rng(1)
    base = {f"q{i}": float(v) for i, v in enumerate(rng.uniform(0.2, 0.8, 60))}
    better = {q: v + 0.05 for q, v in base.items()}  # the same gain on every query
    noisy = {q: v + float(rng.normal(0, 0.2)) for q, v in base.items()}
    diff, p = paired_randomisation(better, base)
    assert diff == pytest.approx(0.05) and p < 0.001
    _, p_noise = paired_randomisation(noisy, base)
    assert p_noise > 0.05
    # Only the queries both runs scored are compared; the test is symmetric.
    assert paired_randomisation(base, better)[1] == p
    assert paired_randomisation({**better, "extra": 1.0}, base)[0] == pytest.approx(0.05)
    with pytest.raises(ValueError, match="no query"):
        paired_randomisation({"a": 1.0}, {"b": 1.0})
