"""Metrics checked against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.evaluation.metrics import evaluate
from matcher.learn import ndcg_at_k


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
