"""The workspace's learned ranker (issue #15): train it from the stored outcomes, see which
ranker is active with its training window and held-out figures, roll it back. Organisers only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from api.deps import ContextDep, Organiser, principal
from api.errors import ERROR_RESPONSES
from matcher.services import ranker

router = APIRouter(
    prefix="/v1/ranker",
    tags=["ranker"],
    dependencies=[Depends(principal)],
    responses=ERROR_RESPONSES,
)


class TrainOut(BaseModel):
    """One training run: promoted or not, why, and the held-out figures (docs/learning.md)."""

    promoted: bool
    reason: str
    outcomes: int
    requirements: int
    train_queries: int
    heldout_queries: int
    window: dict[str, str]
    active: str
    ndcg_active: float | None
    ndcg_learned: float | None
    gain: float | None
    gain_ci: list[float] | None  # [low, high]: the 95 % bootstrap interval of the gain
    relative_gain: float | None
    margin: float


class RankerOut(BaseModel):
    """The active ranker (version None: the transparent scorer) and the last training run."""

    active: dict[str, Any]
    last_attempt: dict[str, Any] | None


@router.post("/train", response_model=TrainOut, summary="Train the ranker from outcomes")
def train(context: ContextDep, key: Organiser) -> TrainOut:
    """Trains on the older outcomes, judges on the newer; the new ranker serves the next search
    only if it beats the active one by the margin (else the report says why not)."""
    hard = context.settings.retrieve.requirement_filters
    report = ranker.train_ranker(context.workspace, context.index, hard)
    return TrainOut.model_validate(report.to_json())


@router.get("", response_model=RankerOut, summary="The active ranker")
def status(context: ContextDep, key: Organiser) -> RankerOut:
    return RankerOut.model_validate(ranker.ranker_status(context.workspace))


@router.post("/rollback", response_model=RankerOut, summary="Roll the ranker back")
def rollback(context: ContextDep, key: Organiser) -> RankerOut:
    """The ranker active before the current one serves again (409 when none was)."""
    return RankerOut.model_validate(ranker.rollback_ranker(context.workspace))
