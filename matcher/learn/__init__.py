"""Learning to rank: the weight tuner (tuning.py) and the learned ranker trained from outcomes.

- ``tuning``: coordinate ascent over the transparent weights and a LambdaMART baseline, on
  labelled suites (benchmarks/tune_weights.py);
- ``outcomes``: the outcome ladder as grades, and each supplier's response history;
- ``table``: what the learned ranker reads about one requirement's candidates;
- ``model``: ``LearnedRanker``, a LightGBM correction on top of the transparent score;
- ``train``: the time split, the fit and the promotion rule (docs/learning.md);
- ``simulator``: a seeded outcome simulator with a hidden preference, for tests and benchmarks.
"""

from matcher.learn.model import LearnedRanker, learned_factors
from matcher.learn.outcomes import GRADES, History, Outcome, graded
from matcher.learn.simulator import Simulation, simulate
from matcher.learn.table import (
    COLUMNS,
    EXTRA,
    Buyer,
    CandidateTable,
    Ranker,
    Vocabulary,
    candidate_table,
    feature_matrix,
)
from matcher.learn.train import TrainOptions, TrainReport, TrainResult, bootstrap_ci, train
from matcher.learn.tuning import (
    GRID,
    FeatureSet,
    RunDict,
    coordinate_ascent,
    lambdamart_run,
    mean_ndcg,
    ndcg_at_k,
    score_run,
    train_lambdamart,
)

__all__ = [
    "COLUMNS",
    "EXTRA",
    "GRADES",
    "GRID",
    "Buyer",
    "CandidateTable",
    "FeatureSet",
    "History",
    "LearnedRanker",
    "Outcome",
    "Ranker",
    "RunDict",
    "Simulation",
    "TrainOptions",
    "TrainReport",
    "TrainResult",
    "Vocabulary",
    "bootstrap_ci",
    "candidate_table",
    "coordinate_ascent",
    "feature_matrix",
    "graded",
    "lambdamart_run",
    "learned_factors",
    "mean_ndcg",
    "ndcg_at_k",
    "score_run",
    "simulate",
    "train",
    "train_lambdamart",
]
