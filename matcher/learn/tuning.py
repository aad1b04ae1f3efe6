"""Weight tuning over the ranking layer's features, tuned on a development split only.

Two learners, both evaluated on held-out queries before anything is used:
- coordinate ascent over the transparent ranker's weights (Metzler & Croft, "Linear
  feature-based models for information retrieval", 2007): the result is still a weights file a
  person can read;
- LambdaMART (LightGBM's lambdarank objective; Burges 2010), kept only if it beats the tuned
  transparent scorer on the held-out part.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from matcher.rank import AVAILABILITY, FEATURES, SPREAD_GATED, effective_weights, spread_weights

FeatureSet = tuple[str, list[str], npt.NDArray[np.float32]]
RunDict = dict[str, dict[str, float]]
GRID = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8)


def ndcg_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with linear gains and log2 discounts, as ranx's "ndcg" (Järvelin & Kekäläinen)."""
    dcg = sum(judged.get(doc, 0) / np.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    idcg = sum(g / np.log2(i + 2) for i, g in enumerate(ideal))
    return float(dcg / idcg) if idcg > 0 else 0.0


def score_run(
    features: Sequence[FeatureSet],
    weights: Mapping[str, float],
    depth: int = 10,
    gated: bool = False,
    tied_coverage_to: str | None = None,
) -> RunDict:
    """The transparent ranker's run over saved candidate features (as matcher.rank scores it).

    With ``gated``, each requirement's weights are gated by the availability columns that
    Engine.candidate_features appends after FEATURES (matcher.rank.effective_weights); with
    ``tied_coverage_to``, by the coverage spread of its candidates (matcher.rank.spread_weights).
    """
    base = {f: float(weights.get(f, 0.0)) for f in FEATURES}
    w = np.array(list(base.values()), dtype=np.float32)
    run: RunDict = {}
    for qid, ids, matrix in features:
        if not len(ids):
            run[qid] = {}
            continue
        mine = base
        if gated and matrix.shape[1] > len(FEATURES):
            gates = dict(zip(AVAILABILITY, matrix[0, len(FEATURES) :].tolist(), strict=True))
            mine = effective_weights(mine, gates)
        if tied_coverage_to is not None:
            columns = {f: matrix[:, FEATURES.index(f)].tolist() for f in SPREAD_GATED}
            mine = spread_weights(mine, columns, tied_coverage_to)
        w_q = w if mine is base else np.array([mine[f] for f in FEATURES], dtype=np.float32)
        scores = matrix[:, : len(FEATURES)] @ w_q
        order = np.argsort(-scores, kind="stable")[:depth]
        run[qid] = {ids[i]: float(scores[i]) for i in order}
    return run


def mean_ndcg(
    features: Sequence[FeatureSet],
    weights: Mapping[str, float],
    qrels: Mapping[str, Mapping[str, int]],
    k: int = 10,
    gated: bool = False,
    tied_coverage_to: str | None = None,
) -> float:
    run = score_run(features, weights, k, gated, tied_coverage_to)
    values = [ndcg_at_k(list(run[qid]), qrels.get(qid, {}), k) for qid, _, _ in features]
    return float(np.mean(values)) if values else 0.0


def coordinate_ascent(
    features: Sequence[FeatureSet],
    qrels: Mapping[str, Mapping[str, int]],
    start: Mapping[str, float],
    passes: int = 3,
    k: int = 10,
    objective: Callable[[Mapping[str, float]], float] | None = None,
) -> tuple[dict[str, float], float]:
    """Greedy one-weight-at-a-time search over GRID; returns the weights (summing to 1) and score.

    Scale does not change a ranking, so each trial is compared as is and the winner normalised.
    ``objective`` replaces the mean nDCG@k over ``features`` (e.g. to weigh several suites
    equally whatever their sizes).
    """

    def default_objective(w: Mapping[str, float]) -> float:
        return mean_ndcg(features, w, qrels, k)

    score_of = objective or default_objective
    weights = {f: float(start.get(f, 0.0)) for f in FEATURES}
    best = score_of(weights)
    for _ in range(passes):
        improved = False
        for feature in FEATURES:
            for value in GRID:
                if value == weights[feature]:
                    continue
                trial = {**weights, feature: value}
                if sum(trial.values()) <= 0:
                    continue
                score = score_of(trial)
                if score > best + 1e-6:
                    best, weights, improved = score, trial, True
        if not improved:
            break
    total = sum(weights.values())
    return {f: round(v / total, 4) for f, v in weights.items()}, best


def train_lambdamart(
    features: Sequence[FeatureSet], qrels: Mapping[str, Mapping[str, int]], seed: int = 0
) -> object:
    """LightGBM LambdaMART on the candidate features (graded labels as relevance)."""
    from lightgbm import LGBMRanker

    xs, ys, groups = [], [], []
    for qid, ids, matrix in features:
        if not len(ids):
            continue
        judged = qrels.get(qid, {})
        xs.append(matrix)
        ys.append(np.array([judged.get(i, 0) for i in ids]))
        groups.append(len(ids))
    model = LGBMRanker(
        objective="lambdarank",
        n_estimators=300,
        learning_rate=0.05,
        num_leaves=31,
        min_child_samples=20,
        random_state=seed,
        verbose=-1,
    )
    model.fit(np.vstack(xs), np.concatenate(ys), group=groups)
    return model


def lambdamart_run(model: object, features: Sequence[FeatureSet], depth: int = 10) -> RunDict:
    run: RunDict = {}
    for qid, ids, matrix in features:
        if not len(ids):
            run[qid] = {}
            continue
        scores = np.asarray(model.predict(matrix))  # type: ignore[attr-defined]
        order = np.argsort(-scores, kind="stable")[:depth]
        run[qid] = {ids[i]: float(scores[i]) for i in order}
    return run
