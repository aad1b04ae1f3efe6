"""The learned ranker: a LightGBM LambdaMART correction on top of the transparent score.

score = transparent score + correction / SCALE, where the correction is a boosted-tree sum over
COLUMNS trained with the transparent score (× SCALE) as its starting point (LightGBM's
``init_score``). With few or uninformative outcomes the trees stay small and the transparent order
stands; the score keeps the transparent scale, so a reader can compare the two.

It ranks only the candidates retrieval gave it, so every hard filter (required certifications)
holds under it as under the transparent ranker. Explanations keep the transparent sentence and
its top factors, and add the features whose trees moved the score most (LightGBM's
``pred_contrib``, in score units): "learned from outcomes: past proposals accepted (+0.08)".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher.artifacts import read_manifest
from matcher.errors import IndexArtifactError
from matcher.explain import FEATURE_LABELS
from matcher.learn.outcomes import History
from matcher.learn.table import (
    CATEGORICAL,
    COLUMNS,
    EXTRA,
    CandidateTable,
    Vocabulary,
    candidate_table,
    feature_matrix,
)
from matcher.normalise import NormalisedRequirement, NormalisedSupplier
from matcher.rank import FEATURES, TransparentRanker
from matcher.retrieve import Candidate
from matcher.schemas import Match

Matrix1 = npt.NDArray[np.float64]
SCALE = 10.0  # transparent score units → tree units: a 0.1 lead in score is worth 1.0 of trees
MODEL_FILE = "model.txt"
RANKER_FILE = "ranker.json"
RANKER_FILES = (MODEL_FILE, RANKER_FILE)
LEARNED_LABELS = {
    "buyer_country": "what buyers from this country chose",
    "buyer_sector": "what buyers of this sector chose",
    "supplier_tier": "supplier tier",
    "shared_language": "speaks the buyer's language",
    "supplier_certifications": "certifications held",
    "history_volume": "outcomes reported so far",
    "history_positive": "past proposals accepted",
    "history_declined": "past proposals declined",
}


@dataclass
class LearnedRanker:
    """A trained correction (LightGBM booster) with what it needs to score at search time."""

    base: TransparentRanker
    booster: Any  # lightgbm.Booster
    vocab: Vocabulary
    history: History  # every outcome known when it was trained
    info: dict[str, Any] = field(default_factory=dict)  # the training report
    rerank: int = 20

    # -- scoring -------------------------------------------------------------------------------
    def corrections(self, table: CandidateTable, history: History | None = None) -> Matrix1:
        if not len(table):
            return np.zeros(0)
        x = feature_matrix(table, history or self.history, self.vocab)
        return np.asarray(self.booster.predict(x), dtype=np.float64)

    def scores(self, table: CandidateTable, history: History | None = None) -> Matrix1:
        """The learned score of each candidate (transparent score + correction / SCALE)."""
        return table.transparent + self.corrections(table, history) / SCALE

    def order(
        self, table: CandidateTable, history: History | None = None, scores: Matrix1 | None = None
    ) -> list[int]:
        """Candidate indices best first: the transparent top ``rerank`` by learned score, then
        the rest in transparent order (outcomes speak only of firms that were proposed)."""
        transparent = table.transparent_order()
        head, tail = transparent[: self.rerank], transparent[self.rerank :]
        scores = self.scores(table, history) if scores is None else scores
        return sorted(head, key=lambda i: (-scores[i], table.ids[i])) + tail

    def rank(
        self,
        requirement: NormalisedRequirement,
        suppliers: Sequence[NormalisedSupplier],
        candidates: Sequence[Candidate],
        top_k: int,
    ) -> list[Match]:
        table = candidate_table(self.base, requirement, suppliers, candidates)
        if not len(table):
            return []
        x_all = feature_matrix(table, self.history, self.vocab)
        scores = table.transparent + np.asarray(self.booster.predict(x_all)) / SCALE
        order = self.order(table, scores=scores)[:top_k]
        x = x_all[order]
        contrib = np.asarray(self.booster.predict(x, pred_contrib=True), dtype=np.float64)
        return [
            self._explained(table, i, rank, float(scores[i]), x[row], contrib[row])
            for row, (rank, i) in enumerate(zip(range(1, len(order) + 1), order, strict=True))
        ]

    def _explained(
        self,
        table: CandidateTable,
        i: int,
        rank: int,
        score: float,
        x: npt.NDArray[np.float64],
        contrib: npt.NDArray[np.float64],
    ) -> Match:
        match = table.explained(i, rank, score)
        learned = learned_factors(contrib, self.vocab.columns)
        top = [*match.top_features, *(f"learned: {item}" for item in learned)]
        features = dict(match.features)
        learnt = zip(EXTRA, x[len(FEATURES) : len(COLUMNS)], strict=True)
        features.update({c: round(float(v), 6) for c, v in learnt if not np.isnan(v)})
        return match.model_copy(
            update={
                "top_features": top,
                "features": features,
                "explanation": match.explanation.rstrip(".")
                + (f"; learned from outcomes: {', '.join(learned)}." if learned else "."),
            }
        )

    # -- storage -------------------------------------------------------------------------------
    def write(self, folder: Path) -> None:
        """The booster as LightGBM's text model and the rest as JSON (artifacts.write_version
        fills a staging folder with these, then checksums them)."""
        (folder / MODEL_FILE).write_text(self.booster.model_to_string(), encoding="utf-8")
        payload = {
            "columns": list(self.vocab.columns),
            "scale": SCALE,
            "vocab": {"countries": list(self.vocab.countries), "sectors": list(self.vocab.sectors)},
            "history": self.history.to_json(),
            "info": self.info,
        }
        (folder / RANKER_FILE).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def read(cls, folder: Path, base: TransparentRanker) -> LearnedRanker:
        """Load a stored version, every file checked against its manifest first."""
        import lightgbm as lgb

        read_manifest(folder, required=RANKER_FILES)
        try:
            payload = json.loads((folder / RANKER_FILE).read_text(encoding="utf-8"))
            vocab = Vocabulary(
                tuple(payload["vocab"]["countries"]), tuple(payload["vocab"]["sectors"])
            )
            if payload["columns"] != list(vocab.columns) or payload["scale"] != SCALE:
                raise ValueError(f"columns or scale differ from this version's {vocab.columns}")
            booster = lgb.Booster(model_str=(folder / MODEL_FILE).read_text(encoding="utf-8"))
            history = History.from_json(payload["history"])
        except (OSError, KeyError, TypeError, ValueError, lgb.basic.LightGBMError) as exc:
            raise IndexArtifactError(
                f"{folder}: unreadable ranker ({exc}); roll back with `matcher learn rollback`"
            ) from None
        return cls(base, booster, vocab, history, dict(payload.get("info", {})))


def learned_factors(
    contrib: npt.NDArray[np.float64], columns: Sequence[str], count: int = 2
) -> list[str]:
    """The features whose tree contributions moved this candidate's score most, in score units
    (``pred_contrib`` / SCALE), signed: "past proposals accepted (+0.08)"."""
    parts = []
    for j, column in enumerate(columns):
        value = float(contrib[j]) / SCALE
        if abs(value) >= 0.005:
            name, _, country = column.partition("@")
            label = FEATURE_LABELS[name] if name in FEATURES else LEARNED_LABELS[name]
            label += f" for buyers from {country}" if country else ""
            parts.append((abs(value), value, label))
    parts.sort(reverse=True)
    return [f"{label} ({value:+.2f})" for _, value, label in parts[:count]]


__all__ = ["CATEGORICAL", "LearnedRanker", "learned_factors"]
