"""Outcomes of proposed matches and meetings (requested … order): the ranker's training data and
what unlocks a supplier's contact persons for a buyer."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status

from api.deps import ContextDep, PagingDep, PrincipalDep, principal
from api.errors import ERROR_RESPONSES
from api.models import FeedbackIn, FeedbackOut, Page
from matcher.services import feedback_parties
from matcher.store import Feedback

router = APIRouter(
    prefix="/v1/feedback",
    tags=["feedback"],
    dependencies=[Depends(principal)],
    responses=ERROR_RESPONSES,
)


def _out(feedback: Feedback) -> FeedbackOut:
    return FeedbackOut.model_validate(feedback.model_dump())


@router.post(
    "", response_model=FeedbackOut, status_code=status.HTTP_201_CREATED, summary="Report an outcome"
)
def add_feedback(context: ContextDep, key: PrincipalDep, body: FeedbackIn) -> FeedbackOut:
    """A buyer's own report never unlocks contact persons: a confirmed meeting (accepted, met,
    sample, order) must come from the supplier or an organiser."""
    buyer_id, supplier_id = feedback_parties(
        context.workspace, key, body.buyer_id, body.supplier_id, body.requirement_id, body.event_id
    )
    feedback = context.workspace.add_feedback(
        outcome=body.outcome,
        buyer_id=buyer_id,
        supplier_id=supplier_id,
        author=key,
        requirement_id=body.requirement_id,
        event_id=body.event_id,
        meeting_id=body.meeting_id,
        note=body.note,
    )
    return _out(feedback)


@router.get("", response_model=Page[FeedbackOut], summary="List outcomes")
def list_feedback(context: ContextDep, key: PrincipalDep, paging: PagingDep) -> Page[FeedbackOut]:
    """Organisers see all; a buyer or a supplier the outcomes about itself."""
    buyer = key.buyer_id or "" if key.role == "buyer" else None
    supplier = key.supplier_id or "" if key.role == "supplier" else None
    items, total = context.workspace.page_feedback(paging.offset, paging.page_size, buyer, supplier)
    return Page(data=[_out(f) for f in items], count=total)
