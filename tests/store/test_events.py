"""Events: create, read, page oldest first, update the spec (and name) or the plan."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matcher.store.db import EventRow
from matcher.store.events import EventStore

SPEC = {"name": "Hội chợ Hà Nội", "date": "2025-05-20", "participants": []}


@pytest.fixture
def events(engine: Engine) -> EventStore:
    return EventStore(engine)


def test_a_new_event_has_its_spec_and_no_plan(events: EventStore) -> None:
    made = events.create_event("hanoi", "Hội chợ Hà Nội", SPEC)
    assert (made.event_id, made.name, made.spec, made.plan) == ("hanoi", SPEC["name"], SPEC, None)
    assert made.created_at == made.updated_at
    assert made.created_at.tzinfo is UTC
    assert events.event("hanoi") == made
    assert events.event("nowhere") is None


def test_text_is_stored_as_written_not_escaped(events: EventStore, engine: Engine) -> None:
    events.create_event("hanoi", "x", SPEC)
    with Session(engine) as session:
        row = session.get(EventRow, "hanoi")
        assert row is not None and "Hội chợ Hà Nội" in row.spec


def test_an_event_id_is_taken_once(events: EventStore) -> None:
    events.create_event("hanoi", "first", SPEC)
    with pytest.raises(IntegrityError):
        events.create_event("hanoi", "second", SPEC)
    assert events.page_events(0, 10)[1] == 1


def test_updating_the_spec_renames_and_keeps_the_plan(events: EventStore) -> None:
    made = events.create_event("hanoi", "old", {"name": "old"})
    planned = events.update_event("hanoi", plan={"meetings": [1]})
    assert planned is not None and planned.plan == {"meetings": [1]}
    renamed = events.update_event("hanoi", spec={"name": "Expo", "participants": ["a"]})
    assert renamed is not None
    assert (renamed.name, renamed.spec["participants"], renamed.plan) == (
        "Expo",
        ["a"],
        {"meetings": [1]},
    )
    assert renamed.created_at == made.created_at
    assert renamed.updated_at >= planned.updated_at >= made.updated_at


def test_a_spec_without_a_name_keeps_the_name(events: EventStore) -> None:
    events.create_event("hanoi", "Expo", {"name": "Expo"})
    kept = events.update_event("hanoi", spec={"participants": []})
    assert kept is not None and kept.name == "Expo"


def test_updating_a_missing_event_answers_none(events: EventStore) -> None:
    assert events.update_event("nowhere", plan={}) is None
    assert events.page_events(0, 10) == ([], 0)


def test_events_are_paged_oldest_first(events: EventStore) -> None:
    for event_id in ("c", "a", "b"):
        events.create_event(event_id, event_id, {"name": event_id})
    page, total = events.page_events(1, 5)
    assert ([e.event_id for e in page], total) == (["a", "b"], 3)
