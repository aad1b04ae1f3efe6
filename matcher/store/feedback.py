"""Outcomes of proposed matches and meetings (requested … order), each with its author: the
ranker's training data and what unlocks a supplier's contact persons for a buyer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.errors import ConfigError
from matcher.store.db import FeedbackRow, Store, UtcDateTime, fetch_page
from matcher.store.keys import ApiKey, Role

Outcome = Literal["requested", "accepted", "declined", "met", "no-show", "sample", "order"]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
# Outcomes that mean the two firms have (agreed to) meet; only when someone other than the buyer
# reports one does the buyer get to see the supplier's contact persons.
CONFIRMED_OUTCOMES: frozenset[str] = frozenset({"accepted", "met", "sample", "order"})


class Feedback(BaseModel):
    """One reported outcome: about which buyer and supplier (and requirement, event, meeting),
    and the role of the key that reported it."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    feedback_id: int
    created_at: UtcDateTime
    outcome: Outcome
    buyer_id: str
    supplier_id: str
    requirement_id: str | None
    event_id: str | None
    meeting_id: str | None
    author_role: Role
    note: str


class FeedbackStore(Store):
    """Feedback: add, page (of one buyer or one supplier), and the confirmed meetings."""

    def add_feedback(
        self,
        *,
        outcome: str,
        buyer_id: str,
        supplier_id: str,
        author: ApiKey,
        requirement_id: str | None = None,
        event_id: str | None = None,
        meeting_id: str | None = None,
        note: str = "",
    ) -> Feedback:
        if outcome not in OUTCOMES:
            raise ConfigError(f"outcome {outcome!r} is not one of {', '.join(OUTCOMES)}")
        row = FeedbackRow(
            created_at=datetime.now(UTC),
            outcome=outcome,
            buyer_id=buyer_id,
            supplier_id=supplier_id,
            requirement_id=requirement_id,
            event_id=event_id,
            meeting_id=meeting_id,
            author_role=author.role,
            author_key=author.key_id,
            note=note,
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            return Feedback.model_validate(row)

    def page_feedback(
        self,
        offset: int,
        limit: int,
        buyer_id: str | None = None,
        supplier_id: str | None = None,
    ) -> tuple[list[Feedback], int]:
        """One page of feedback in the order it came (about one buyer and/or one supplier when
        given), and the total."""
        about = []
        if buyer_id is not None:
            about.append(FeedbackRow.buyer_id == buyer_id)
        if supplier_id is not None:
            about.append(FeedbackRow.supplier_id == supplier_id)
        return fetch_page(
            self.engine,
            FeedbackRow,
            Feedback.model_validate,
            FeedbackRow.feedback_id,
            offset,
            limit,
            about,
        )

    def linked_buyers(self, requirement_id: str, supplier_id: str) -> set[str]:
        """Buyers of the outcomes that link this requirement to this supplier, reported by
        anyone but a supplier key (a buyer's request, an organiser's proposal or lock): what
        shows a supplier the requirement."""
        with Session(self.engine) as session:
            rows = session.scalars(
                select(FeedbackRow.buyer_id).where(
                    FeedbackRow.requirement_id == requirement_id,
                    FeedbackRow.supplier_id == supplier_id,
                    FeedbackRow.author_role != "supplier",
                )
            )
            return set(rows)

    def confirmed_suppliers(self, buyer_id: str) -> set[str]:
        """Suppliers a buyer has a confirmed meeting with: an accepted / met / sample / order
        outcome reported by someone other than the buyer (the supplier, an organiser)."""
        with Session(self.engine) as session:
            rows = session.scalars(
                select(FeedbackRow.supplier_id).where(
                    FeedbackRow.buyer_id == buyer_id,
                    FeedbackRow.outcome.in_(sorted(CONFIRMED_OUTCOMES)),
                    FeedbackRow.author_role != "buyer",
                )
            )
            return set(rows)
