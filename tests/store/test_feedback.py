"""Feedback: add (checked outcome, its author), page (by buyer and supplier), confirmed meetings."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy.engine import Engine

from matcher.errors import ConfigError
from matcher.store.feedback import Feedback, FeedbackStore
from matcher.store.keys import ApiKey, KeyStore


@pytest.fixture
def feedback(engine: Engine) -> FeedbackStore:
    return FeedbackStore(engine)


@pytest.fixture
def organiser(engine: Engine) -> ApiKey:
    return KeyStore(engine).create_api_key("organiser")[0]


@pytest.fixture
def buyer(engine: Engine) -> ApiKey:
    return KeyStore(engine).create_api_key("buyer", buyer_id="honda")[0]


def _report(
    store: FeedbackStore, author: ApiKey, outcome: str, buyer_id: str, supplier_id: str
) -> Feedback:
    return store.add_feedback(
        outcome=outcome, buyer_id=buyer_id, supplier_id=supplier_id, author=author
    )


def test_feedback_comes_back_as_written(feedback: FeedbackStore, organiser: ApiKey) -> None:
    written = feedback.add_feedback(
        outcome="met",
        buyer_id="honda",
        supplier_id="S1",
        author=organiser,
        requirement_id="R1",
        event_id="expo",
        meeting_id="M1",
        note="Gặp tại gian hàng 12",
    )
    assert (written.outcome, written.author_role, written.note) == (
        "met",
        "organiser",
        "Gặp tại gian hàng 12",
    )
    assert (written.requirement_id, written.event_id, written.meeting_id) == ("R1", "expo", "M1")
    assert written.created_at.tzinfo is UTC
    assert feedback.page_feedback(0, 10) == ([written], 1)


def test_optional_fields_default_to_empty(feedback: FeedbackStore, organiser: ApiKey) -> None:
    written = _report(feedback, organiser, "requested", "honda", "S1")
    assert (written.requirement_id, written.event_id, written.meeting_id) == (None, None, None)
    assert written.note == ""


def test_an_unknown_outcome_is_refused(feedback: FeedbackStore, organiser: ApiKey) -> None:
    with pytest.raises(ConfigError) as refused:
        _report(feedback, organiser, "maybe", "honda", "S1")
    assert str(refused.value) == (
        "outcome 'maybe' is not one of requested, accepted, declined, met, no-show, sample, order"
    )
    assert feedback.page_feedback(0, 10) == ([], 0)


def test_feedback_is_paged_in_the_order_it_came(feedback: FeedbackStore, organiser: ApiKey) -> None:
    ids = [
        _report(feedback, organiser, "requested", "honda", f"S{i}").feedback_id for i in range(5)
    ]
    assert ids == sorted(ids)
    page, total = feedback.page_feedback(3, 10)
    assert ([f.feedback_id for f in page], total) == (ids[3:], 5)


def test_pages_narrowed_to_a_buyer_a_supplier_or_both(
    feedback: FeedbackStore, organiser: ApiKey
) -> None:
    _report(feedback, organiser, "met", "honda", "S1")
    _report(feedback, organiser, "met", "honda", "S2")
    _report(feedback, organiser, "met", "canon", "S1")

    def pairs(buyer_id: str | None, supplier_id: str | None) -> tuple[list[tuple[str, str]], int]:
        page, total = feedback.page_feedback(0, 10, buyer_id, supplier_id)
        return [(f.buyer_id, f.supplier_id) for f in page], total

    assert pairs("honda", None) == ([("honda", "S1"), ("honda", "S2")], 2)
    assert pairs(None, "S1") == ([("honda", "S1"), ("canon", "S1")], 2)
    assert pairs("canon", "S1") == ([("canon", "S1")], 1)
    assert pairs("canon", "S2") == ([], 0)


def test_confirmed_means_a_meeting_outcome_reported_by_someone_else(
    feedback: FeedbackStore, organiser: ApiKey, buyer: ApiKey, engine: Engine
) -> None:
    supplier = KeyStore(engine).create_api_key("supplier", supplier_id="S3")[0]
    _report(feedback, organiser, "accepted", "honda", "S1")
    _report(feedback, buyer, "met", "honda", "S2")  # the buyer's own word does not count
    _report(feedback, supplier, "order", "honda", "S3")
    _report(feedback, organiser, "declined", "honda", "S4")
    _report(feedback, organiser, "requested", "honda", "S5")
    for outcome in ("sample", "met"):
        _report(feedback, organiser, outcome, "honda", "S6")
    assert feedback.confirmed_suppliers("honda") == {"S1", "S3", "S6"}
    assert feedback.confirmed_suppliers("canon") == set()
