"""matcher/services/access.py: who sees contacts, who edits a profile, whose requirement is whose.

Tenancy is the subtle part: a buyer sees a supplier's contacts only after a meeting confirmed by
someone other than itself, and another buyer's requirement answers exactly as a missing one."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.errors import Forbidden, InputDataError, NotFound
from matcher.schemas import Requirement, Supplier
from matcher.services import (
    as_seen,
    contact_visible,
    feedback_parties,
    may_edit_supplier,
    owned_requirement,
    views,
)
from matcher.store import ApiKey, Workspace


def firm(i: int) -> Supplier:
    return Supplier(
        supplier_id=f"S{i}",
        name=f"Firm {i}",
        description="dập kim loại, stamping of steel brackets",
        contact_name=f"Person {i}",
        contact_email=f"p{i}@example.vn",
        extra={"Giám đốc": f"Director {i}"},
    )


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace(tmp_path / "ws")
    workspace.upsert_suppliers([firm(1), firm(2)])
    workspace.upsert_requirements(
        [
            Requirement(requirement_id="RA", buyer="Buyer A", buyer_id="a", description="bracket"),
            Requirement(requirement_id="RB", buyer="Buyer B", buyer_id="b", description="housing"),
        ]
    )
    return workspace


def key(ws: Workspace, role: str, buyer: str | None = None, supplier: str | None = None) -> ApiKey:
    record, _ = ws.create_api_key(role, buyer, supplier)
    return record


def test_staff_see_every_contact_a_supplier_only_its_own(ws: Workspace) -> None:
    assert contact_visible(ws, key(ws, "organiser"), ["S1", "S2"]) == {"S1", "S2"}
    assert contact_visible(ws, key(ws, "supplier", supplier="S2"), ["S1", "S2"]) == {"S2"}


def test_a_buyer_sees_contacts_only_after_a_meeting_someone_else_confirmed(ws: Workspace) -> None:
    buyer = key(ws, "buyer", buyer="a")
    assert contact_visible(ws, buyer, ["S1", "S2"]) == set()
    # The buyer's own report of a meeting unlocks nothing.
    ws.add_feedback(outcome="met", buyer_id="a", supplier_id="S1", author=buyer)
    assert contact_visible(ws, buyer, ["S1", "S2"]) == set()
    ws.add_feedback(
        outcome="met", buyer_id="a", supplier_id="S1", author=key(ws, "supplier", supplier="S1")
    )
    assert contact_visible(ws, buyer, ["S1", "S2"]) == {"S1"}
    # Another buyer gains nothing from buyer a's meeting.
    assert contact_visible(ws, key(ws, "buyer", buyer="b"), ["S1"]) == set()


def test_a_hidden_profile_loses_contacts_and_own_columns_only(ws: Workspace) -> None:
    hidden = as_seen(firm(1), with_contacts=False)
    assert (hidden.contact_name, hidden.contact_email, hidden.extra) == (None, None, {})
    assert hidden.description == firm(1).description
    assert as_seen(firm(1), with_contacts=True) == firm(1)
    seen = views(ws, key(ws, "supplier", supplier="S1"), [firm(1), firm(2)])
    assert [s.contact_name for s in seen] == ["Person 1", None]


def test_only_staff_or_the_firm_itself_edit_a_profile(ws: Workspace) -> None:
    may_edit_supplier(key(ws, "organiser"), "S1")
    may_edit_supplier(key(ws, "supplier", supplier="S1"), "S1")
    with pytest.raises(Forbidden):
        may_edit_supplier(key(ws, "supplier", supplier="S2"), "S1")
    with pytest.raises(Forbidden):
        may_edit_supplier(key(ws, "buyer", buyer="a"), "S1")


def test_another_buyers_requirement_answers_as_a_missing_one(ws: Workspace) -> None:
    assert owned_requirement(ws, key(ws, "buyer", buyer="a"), "RA").requirement_id == "RA"
    assert owned_requirement(ws, key(ws, "organiser"), "RB").requirement_id == "RB"
    errors = []
    for requirement_id in ("RB", "R-missing"):
        with pytest.raises(NotFound) as caught:
            owned_requirement(ws, key(ws, "buyer", buyer="a"), requirement_id)
        errors.append(str(caught.value))
    assert errors[0] == errors[1] == "no such requirement"


def test_feedback_names_only_the_parties_a_key_stands_for(ws: Workspace) -> None:
    buyer = key(ws, "buyer", buyer="a")
    assert feedback_parties(ws, buyer, None, "S1", "RA", None) == ("a", "S1")
    with pytest.raises(InputDataError):
        feedback_parties(ws, buyer, "b", "S1", None, None)
    with pytest.raises(NotFound, match="no such requirement"):
        feedback_parties(ws, buyer, None, "S1", "RB", None)
    supplier = key(ws, "supplier", supplier="S2")
    # RB exists, but nobody has shown it to S2: the right (buyer, requirement) pair, a wrong one
    # and a missing requirement answer alike.
    for buyer_id, requirement_id in (("b", "RB"), ("a", "RB"), (None, "RB"), ("b", "R-none")):
        with pytest.raises(NotFound) as caught:
            feedback_parties(ws, supplier, buyer_id, None, requirement_id, None)
        assert str(caught.value) == "no such requirement"
    ws.add_feedback(outcome="requested", buyer_id="b", supplier_id="S2", author=key(ws, "buyer",
        buyer="b"), requirement_id="RB")  # fmt: skip
    assert feedback_parties(ws, supplier, "b", None, "RB", None) == ("b", "S2")
    assert feedback_parties(ws, supplier, None, None, "RB", None) == ("b", "S2")
    with pytest.raises(NotFound, match="no such requirement"):
        feedback_parties(ws, supplier, "a", None, "RB", None)  # not the buyer that shared it
    # Its own report does not link a requirement for it (nor for another supplier).
    ws.add_feedback(outcome="met", buyer_id="a", supplier_id="S1", author=key(ws, "supplier",
        supplier="S1"), requirement_id="RA")  # fmt: skip
    with pytest.raises(NotFound, match="no such requirement"):
        feedback_parties(ws, key(ws, "supplier", supplier="S1"), "a", None, "RA", None)
    organiser = key(ws, "organiser")
    assert feedback_parties(ws, organiser, None, "S1", "RB", None) == ("b", "S1")
    with pytest.raises(NotFound, match="no such supplier"):
        feedback_parties(ws, organiser, "a", "S9", None, None)
    with pytest.raises(NotFound, match="no such event"):
        feedback_parties(ws, organiser, "a", "S1", None, "E9")


def test_an_event_is_seen_by_its_participants_and_its_meetings_show_their_requirement(
    ws: Workspace,
) -> None:
    spec = {"participants": [{"id": "b", "role": "buyer"}, {"id": "S2", "role": "supplier"}]}
    ws.create_event("E1", "Expo", spec)
    meeting = {"meeting_id": "M1", "buyer_id": "b", "requirement_id": "RB", "supplier_id": "S2"}
    ws.update_event("E1", plan={"meetings": [meeting]})
    s1, s2 = key(ws, "supplier", supplier="S1"), key(ws, "supplier", supplier="S2")
    for who, event_id in ((s1, "E1"), (s1, "E-none"), (key(ws, "buyer", buyer="a"), "E1")):
        with pytest.raises(NotFound) as caught:
            feedback_parties(ws, who, "a", None, None, event_id)
        assert str(caught.value) == "no such event"
    assert feedback_parties(ws, key(ws, "buyer", buyer="b"), None, "S1", None, "E1") == ("b", "S1")
    # The plan shows RB to S2 at E1 (and only there).
    assert feedback_parties(ws, s2, None, None, "RB", "E1") == ("b", "S2")
    with pytest.raises(NotFound, match="no such requirement"):
        feedback_parties(ws, s2, None, None, "RB", None)
