"""A small event (tests/data/events) planned once per test module: five suppliers, two buyers,
hand-set match scores."""

from __future__ import annotations

import pytest

from matcher.events import EventPlan, plan_event, prepare_event
from matcher.ingest import load_requirements, load_suppliers
from matcher.schemas import Match, Requirement, Supplier
from tests.conftest import DATA

EVENTS = DATA / "events"
Register = tuple[list[Requirement], list[Supplier], list[Match]]
SCORES = {  # (requirement, supplier) → score
    ("R1", "S1"): 0.9,
    ("R2", "S2"): 0.7,
    ("R1", "S3"): 0.3,
    ("R2", "S5"): 0.6,
    ("R3", "S3"): 0.8,
    ("R3", "S5"): 0.4,
    ("R3", "S2"): 0.05,  # below min_score 0.1
}


@pytest.fixture(scope="module")
def register() -> Register:
    reqs = load_requirements(EVENTS / "requirements.csv").records
    sups = load_suppliers(EVENTS / "suppliers.csv").records
    matches = [
        Match(requirement_id=r, supplier_id=s, rank=1, score=v, explanation=f"fits {r}")
        for (r, s), v in SCORES.items()
    ]
    return reqs, sups, matches


@pytest.fixture(scope="module")
def plan(register: Register) -> EventPlan:
    reqs, sups, matches = register
    return plan_event(prepare_event(EVENTS / "event.yaml", reqs, sups), matches, reqs, sups)


@pytest.fixture(scope="module")
def small_plan(register: Register) -> EventPlan:
    """The event in one slot at one table: only the locked meeting (Canon–S1) fits."""
    reqs, sups, matches = register
    event = prepare_event(EVENTS / "event.yaml", reqs, sups)
    small = event.model_copy(update={"tables": ["T01"], "slots": event.slots[:1]})
    return plan_event(small, matches, reqs, sups)
