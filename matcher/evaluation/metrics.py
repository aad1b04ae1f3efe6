"""Metrics: recall@k, MRR@k and nDCG@k of a ranked run against graded relevance labels (ranx).

Pure functions over labels and runs (and the CSV files that hold them); nothing of the engine.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from matcher.errors import InputDataError, Problem

Qrels = dict[str, dict[str, int]]
RunDict = dict[str, dict[str, float]]


def read_labels(path: Path) -> Qrels:
    """labels.csv: requirement_id, supplier_id, grade (0 = not relevant, 1 = partly, 2 = fully)."""
    qrels: Qrels = defaultdict(dict)
    problems = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row_no, row in enumerate(csv.DictReader(handle), start=2):
            try:
                grade = int(row["grade"])
            except (KeyError, TypeError, ValueError):
                problems.append(Problem(str(path), row_no, "grade", "must be an integer 0–2"))
                continue
            if grade > 0:
                qrels[row["requirement_id"]][row["supplier_id"]] = grade
    if problems:
        raise InputDataError(problems)
    return dict(qrels)


def read_run(path: Path) -> RunDict:
    """A `matcher match` output: requirement_id, supplier_id, score (rank 1 = best)."""
    run: RunDict = defaultdict(dict)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            run[row["requirement_id"]][row["supplier_id"]] = float(row["score"])
    return dict(run)


def evaluate(
    qrels: Mapping[str, Mapping[str, int]], run: Mapping[str, Mapping[str, float]], k: int = 10
) -> dict[str, float]:
    """Mean recall@k, MRR@k, nDCG@k over the labelled queries (a query with no results scores 0).

    MRR counts any grade ≥ 1 as relevant; nDCG uses the grades as gains (ranx's "ndcg").
    """
    result, _ = evaluate_per_query(qrels, run, k)
    return result


def evaluate_per_query(
    qrels: Mapping[str, Mapping[str, int]], run: Mapping[str, Mapping[str, float]], k: int = 10
) -> tuple[dict[str, float], dict[str, float]]:
    """``evaluate``'s means, and each labelled query's nDCG@k (for paired tests between runs)."""
    from ranx import Qrels as RQrels
    from ranx import Run as RRun
    from ranx import evaluate as ranx_evaluate

    labelled = {q: dict(d) for q, d in qrels.items() if d}
    if not labelled:
        raise ValueError("no labelled queries with a relevant document")
    # ranx needs every labelled query in the run; a query the system skipped gets a dummy miss.
    ranx_run = RRun({q: dict(run.get(q) or {"__none__": 0.0}) for q in labelled})
    metrics = [f"recall@{k}", f"mrr@{k}", f"ndcg@{k}"]
    scores = ranx_evaluate(RQrels(labelled), ranx_run, metrics, make_comparable=True)
    result = {m: round(float(scores[m]), 4) for m in metrics}
    result["queries"] = len(labelled)
    per_query = {q: round(float(v), 6) for q, v in ranx_run.scores[f"ndcg@{k}"].items()}
    return result, per_query


def paired_randomisation(
    a: Mapping[str, float], b: Mapping[str, float], trials: int = 20_000, seed: int = 0
) -> tuple[float, float]:
    """Mean per-query difference a − b over the queries both score, and its two-sided p-value
    by a paired randomisation (sign-flip) test: how often swapping the two systems' scores on
    random queries gives a mean difference at least as large. The test Smucker, Allan and
    Carterette (CIKM 2007) recommend for IR metrics; numpy rather than scipy's
    permutation_test because the sign-flip null over thousands of queries is one matrix product.
    """
    import numpy as np

    shared = sorted(set(a) & set(b))
    if not shared:
        raise ValueError("no query scored by both runs")
    diff = np.array([a[q] - b[q] for q in shared], dtype=np.float64)
    observed = float(diff.mean())
    rng = np.random.default_rng(seed)
    signs = rng.choice(np.array([-1.0, 1.0]), size=(trials, len(diff)))
    null = signs @ diff / len(diff)
    p = float((np.abs(null) >= abs(observed) - 1e-12).sum() + 1) / (trials + 1)
    return observed, p


def evaluate_file(run_path: Path, labels_path: Path, k: int = 10) -> dict[str, float]:
    return evaluate(read_labels(labels_path), read_run(run_path), k)
