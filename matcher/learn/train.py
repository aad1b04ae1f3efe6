"""Training a learned ranker from outcomes, and the promotion rule (docs/learning.md).

1. Each requirement with outcomes is one query; its grade per supplier is the furthest stage
   reached (matcher.learn.outcomes.GRADES). Queries are ordered by their first outcome; the newest
   HOLDOUT share is held out, the rest trains (a time split: learn from older, judge on newer).
2. LambdaMART (LightGBM ``lambdarank``) learns a correction on top of the transparent score,
   from the judged candidates of each training query; the supplier response history a query
   sees is what was reported before its first outcome (before the split for held-out queries).
3. Promotion: on the held-out queries, each ranker ranks all retrieved candidates (unjudged count
   as 0); the learned ranker is promoted only when the lower end of the 95 % bootstrap interval
   (over requirements) of its mean nDCG@10 gain over the active scorer exceeds MARGIN. Too few
   outcomes → no model, the active scorer stays, and the report says what is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher.learn.model import SCALE, LearnedRanker
from matcher.learn.outcomes import GRADES, History, Outcome, graded
from matcher.learn.table import (
    CATEGORICAL,
    COLUMNS,
    CandidateTable,
    Vocabulary,
    feature_matrix,
)
from matcher.learn.tuning import ndcg_at_k
from matcher.rank import TransparentRanker

MARGIN = 0.01  # the lower 95 % bound of the mean nDCG@10 gain must exceed this
HOLDOUT = 0.3
MIN_TRAIN_QUERIES = 30  # training requirements with at least two different grades
MIN_HELDOUT_QUERIES = 20  # held-out requirements with at least one positive grade
BOOTSTRAP = 1000
K = 10


@dataclass(frozen=True)
class TrainOptions:
    margin: float = MARGIN
    holdout: float = HOLDOUT
    min_train_queries: int = MIN_TRAIN_QUERIES
    min_heldout_queries: int = MIN_HELDOUT_QUERIES
    rounds: int = 150
    learning_rate: float = 0.05
    num_leaves: int = 15
    min_data_in_leaf: int = 10
    rerank: int = 20
    objective: str = "lambdarank"
    seed: int = 0


@dataclass
class TrainReport:
    """What a training run found and decided; stored with the model and shown by status."""

    promoted: bool
    reason: str
    outcomes: int
    requirements: int
    train_queries: int = 0
    heldout_queries: int = 0
    window: dict[str, str] = field(default_factory=dict)  # train_from, train_to, heldout_to
    active: str = "transparent"
    ndcg_active: float | None = None
    ndcg_learned: float | None = None
    gain: float | None = None  # mean nDCG@10 gain (learned − active)
    gain_ci: tuple[float, float] | None = None  # 95 % bootstrap interval of the gain
    relative_gain: float | None = None
    margin: float = MARGIN

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TrainResult:
    report: TrainReport
    model: LearnedRanker | None = None  # set when promoted


def _active_order(
    active: LearnedRanker | None, table: CandidateTable, history: History
) -> list[int]:
    if active is None:
        return table.transparent_order()
    return active.order(table, history)


def train(
    base: TransparentRanker,
    tables: Mapping[str, CandidateTable],
    outcomes: Sequence[Outcome],
    active: LearnedRanker | None = None,
    options: TrainOptions | None = None,
) -> TrainResult:
    """Train on the older outcomes, judge on the newer, promote by the rule (module docstring).

    ``tables``: the candidates of every requirement the outcomes name (others are ignored);
    ``active``: the learned ranker now serving, None for the transparent scorer.
    """
    options = options or TrainOptions()
    usable = sorted((o for o in outcomes if o.requirement_id in tables), key=lambda o: o.at)
    qrels = graded(usable)
    first: dict[str, datetime] = {}
    for o in usable:
        first.setdefault(o.requirement_id, o.at)
    order = sorted(first, key=lambda rid: (first[rid], rid))
    cut = round(len(order) * (1 - options.holdout))
    train_ids, held_ids = order[:cut], order[cut:]
    report = TrainReport(
        False,
        "",
        len(usable),
        len(order),
        active="transparent" if active is None else str(active.info.get("version", "learned")),
    )
    report.margin = options.margin
    train_ids = [r for r in train_ids if len(set(qrels[r].values())) > 1]
    held_ids = [r for r in held_ids if max(qrels[r].values()) > 0]
    report.train_queries, report.heldout_queries = len(train_ids), len(held_ids)
    if len(train_ids) < options.min_train_queries or len(held_ids) < options.min_heldout_queries:
        report.reason = (
            f"too little data: {len(usable)} outcomes over {len(order)} requirements give "
            f"{len(train_ids)} training requirements with two different grades (need "
            f"{options.min_train_queries}) and {len(held_ids)} newer held-out ones with a positive "
            f"outcome (need {options.min_heldout_queries}); keeping the {report.active} scorer"
        )
        return TrainResult(report)
    split = first[order[cut]]
    report.window = {
        "train_from": first[order[0]].isoformat(),
        "train_to": split.isoformat(),
        "heldout_to": usable[-1].at.isoformat(),
    }
    vocab = Vocabulary.fit([tables[r] for r in train_ids])
    booster = _fit(tables, train_ids, qrels, usable, first, vocab, options)
    candidate = LearnedRanker(
        base, booster, vocab, History.before(usable, split), rerank=options.rerank
    )
    held_history = History.before(usable, split)
    new, old = [], []
    for rid in held_ids:
        table = tables[rid]
        new.append(_ndcg(table, candidate.order(table, held_history), qrels[rid]))
        old.append(_ndcg(table, _active_order(active, table, held_history), qrels[rid]))
    _judge(report, np.array(new), np.array(old), options)
    if not report.promoted:
        return TrainResult(report)
    # What serves from now on knows every outcome (history), with the trees judged above.
    model = LearnedRanker(base, booster, vocab, History.before(usable), {}, options.rerank)
    return TrainResult(report, model)


def _fit(
    tables: Mapping[str, CandidateTable],
    train_ids: Sequence[str],
    qrels: Mapping[str, Mapping[str, int]],
    usable: Sequence[Outcome],
    first: Mapping[str, Any],
    vocab: Vocabulary,
    options: TrainOptions,
) -> Any:
    import lightgbm as lgb

    xs, ys, inits, groups = [], [], [], []
    for rid in train_ids:
        table, judged = tables[rid], qrels[rid]
        rows = [i for i, sid in enumerate(table.ids) if sid in judged]
        if len(rows) < 2:
            continue
        x = feature_matrix(table, History.before(usable, first[rid]), vocab)[rows]
        xs.append(x)
        ys.append([judged.get(table.ids[i], 0) for i in rows])
        inits.append(table.transparent[rows] * SCALE)
        groups.append(len(rows))
    data = lgb.Dataset(
        np.vstack(xs),
        np.concatenate(ys),
        group=groups,
        init_score=np.concatenate(inits),
        feature_name=list(vocab.columns),
        categorical_feature=[COLUMNS.index(c) for c in CATEGORICAL],
        free_raw_data=False,
    )
    params = {
        "objective": options.objective,
        # Linear gains, as the nDCG the promotion rule computes (LightGBM's default is 2^g − 1).
        "label_gain": list(range(max(GRADES.values()) + 1)),
        "learning_rate": options.learning_rate,
        "num_leaves": options.num_leaves,
        "min_data_in_leaf": options.min_data_in_leaf,
        "lambda_l2": 1.0,
        "seed": options.seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": 1,
        "verbose": -1,
    }
    return lgb.train(params, data, num_boost_round=options.rounds)


def _ndcg(table: CandidateTable, ranked: Sequence[int], judged: Mapping[str, int]) -> float:
    """nDCG@K of the judged candidates in this order: the held-out outcomes re-ranked. Counting
    the unjudged as 0 would reward the order that was shown (only shown firms get outcomes, the
    top ones most), not the order that serves buyers best."""
    return ndcg_at_k([table.ids[i] for i in ranked if table.ids[i] in judged], judged, K)


def bootstrap_ci(
    gains: npt.NDArray[np.float64], draws: int = BOOTSTRAP, seed: int = 0
) -> tuple[float, float]:
    """The 95 % percentile interval of the mean gain, resampling requirements with replacement."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(gains), size=(draws, len(gains)))
    means = gains[picks].mean(axis=1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def _judge(
    report: TrainReport,
    new: npt.NDArray[np.float64],
    old: npt.NDArray[np.float64],
    options: TrainOptions,
) -> None:
    gains = new - old
    low, high = bootstrap_ci(gains, seed=options.seed)
    report.ndcg_learned, report.ndcg_active = float(new.mean()), float(old.mean())
    report.gain, report.gain_ci = float(gains.mean()), (low, high)
    report.relative_gain = float(new.mean() / old.mean() - 1) if old.mean() > 0 else None
    report.promoted = low > options.margin
    verdict = "promoted" if report.promoted else f"not promoted; keeping the {report.active} scorer"
    report.reason = (
        f"held-out nDCG@{K} {report.ndcg_learned:.3f} vs {report.ndcg_active:.3f} "
        f"({report.active}) on {len(gains)} requirements: gain {report.gain:+.3f}, 95% CI "
        f"[{low:+.3f}, {high:+.3f}], lower bound {'>' if report.promoted else '≤'} margin "
        f"{options.margin:.3f}: {verdict}"
    )
