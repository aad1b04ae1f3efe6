"""Outcomes of proposed matches and meetings (requested … order): the ranker's training data and
what unlocks a supplier's contact persons for a buyer."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, status

from api.deps import ContextDep, PagingDep, PrincipalDep, principal
from api.errors import ERROR_RESPONSES
from api.models import FeedbackIn, FeedbackOut, Page
from matcher.errors import InputDataError, Problem
from matcher.store import ApiKey, Feedback

router = APIRouter(
    prefix="/v1/feedback",
    tags=["feedback"],
    dependencies=[Depends(principal)],
    responses=ERROR_RESPONSES,
)


def _bad(column: str, message: str) -> InputDataError:
    return InputDataError([Problem("request", None, column, message)])


def _parties(context: ContextDep, key: ApiKey, body: FeedbackIn) -> tuple[str, str]:
    """(buyer_id, supplier_id) the feedback is about, checked against what the key may touch.

    A requirement the key may not see answers exactly as one that does not exist (404, same
    body), whatever else the request holds: the checks that do not depend on the requirement
    come first. Suppliers see no requirement list, so a supplier key sees a requirement only
    through the buyer that shared it: it must name that buyer (buyer_id).
    """
    if key.role == "buyer" and body.buyer_id not in (None, key.buyer_id or ""):
        raise _bad("buyer_id", "a buyer key reports only for its own buyer")
    if key.role == "supplier" and body.supplier_id not in (None, key.supplier_id or ""):
        raise _bad("supplier_id", "a supplier key reports only for its own firm")
    owner: str | None = None
    if body.requirement_id is not None:
        owner = context.workspace.requirement_owner(body.requirement_id)
        # The buyer the request stands for; organisers need not name one, they see every owner.
        claimed = key.buyer_id if key.role == "buyer" else body.buyer_id
        must_match = key.role in ("buyer", "supplier") or claimed is not None
        if owner is None or (must_match and owner != claimed):
            raise HTTPException(404, "no such requirement")
    buyer_id = (key.buyer_id or "") if key.role == "buyer" else (body.buyer_id or owner or "")
    if not buyer_id:
        raise _bad("buyer_id", "name the buyer: buyer_id or requirement_id")
    if key.role == "supplier":
        supplier_id = key.supplier_id or ""
    else:
        if body.supplier_id is None:
            raise _bad("supplier_id", "name the supplier")
        supplier_id = body.supplier_id
    if context.workspace.supplier(supplier_id) is None:
        raise HTTPException(404, "no such supplier")
    if body.event_id is not None and context.workspace.event(body.event_id) is None:
        raise HTTPException(404, "no such event")
    return buyer_id, supplier_id


def _out(feedback: Feedback) -> FeedbackOut:
    return FeedbackOut.model_validate(feedback.model_dump())


@router.post(
    "", response_model=FeedbackOut, status_code=status.HTTP_201_CREATED, summary="Report an outcome"
)
def add_feedback(context: ContextDep, key: PrincipalDep, body: FeedbackIn) -> FeedbackOut:
    """A buyer's own report never unlocks contact persons: a confirmed meeting (accepted, met,
    sample, order) must come from the supplier or an organiser."""
    buyer_id, supplier_id = _parties(context, key, body)
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
