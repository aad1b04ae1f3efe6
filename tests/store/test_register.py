"""Suppliers and requirements: upsert (one transaction), read, page, delete, and owners."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

import matcher.store.register as register_module
from matcher.store.db import SupplierRow
from matcher.store.register import RegisterStore
from tests.store import requirement, supplier


@pytest.fixture
def register(engine: Engine) -> RegisterStore:
    return RegisterStore(engine)


def _updated_at(engine: Engine) -> dict[str, object]:
    with Session(engine) as session:
        return dict(session.execute(select(SupplierRow.supplier_id, SupplierRow.updated_at)).all())


# -- upsert ----------------------------------------------------------------------------------------
def test_upsert_counts_inserted_and_updated_and_skips_unchanged(register: RegisterStore) -> None:
    assert register.upsert_suppliers([supplier("S1"), supplier("S2")]) == (2, 0)
    assert register.upsert_suppliers([supplier("S1"), supplier("S2")]) == (0, 0)
    changed = supplier("S2", description="deep drawing")
    assert register.upsert_suppliers([supplier("S1"), changed, supplier("S3")]) == (1, 1)
    assert register.suppliers() == [supplier("S1"), changed, supplier("S3")]


def test_an_unchanged_record_keeps_its_time(register: RegisterStore, engine: Engine) -> None:
    register.upsert_suppliers([supplier("S1"), supplier("S2")])
    before = _updated_at(engine)
    register.upsert_suppliers([supplier("S1"), supplier("S2", description="welding")])
    after = _updated_at(engine)
    assert after["S1"] == before["S1"]
    assert after["S2"] != before["S2"]


def test_a_failed_upsert_writes_nothing(
    register: RegisterStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    register.upsert_suppliers([supplier("S1")])
    calls = 0

    def fail_on_the_second(text: str) -> str:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("disk full")
        return "h"

    monkeypatch.setattr(register_module, "text_hash", fail_on_the_second)
    with pytest.raises(RuntimeError, match="disk full"):
        register.upsert_suppliers([supplier("S1", description="changed"), supplier("S2")])
    assert register.suppliers() == [supplier("S1")]


def test_upsert_requirements_records_the_owner(register: RegisterStore) -> None:
    given = requirement("R1", "Honda Vietnam", buyer_id="honda")
    slugged = requirement("R2", "Canon Vietnam")
    assert register.upsert_requirements([given, slugged]) == (2, 0)
    assert register.requirement_owner("R1") == "honda"
    assert register.requirement_owner("R2") == "canon-vietnam"  # the buyer's name, slugged
    assert register.requirement_owner("R9") is None


def test_a_requirement_given_to_another_buyer_changes_owner(register: RegisterStore) -> None:
    register.upsert_requirements([requirement("R1", "Honda Vietnam")])
    assert register.upsert_requirements([requirement("R1", "Canon Vietnam")]) == (0, 1)
    assert register.requirement_owner("R1") == "canon-vietnam"
    assert register.page_requirements(0, 10, "honda-vietnam") == ([], 0)


# -- read ------------------------------------------------------------------------------------------
def test_records_come_back_as_they_were_stored(register: RegisterStore) -> None:
    s1 = supplier("S1", description="Dập kim loại, hàn MIG")
    r1 = requirement("R1", "Honda Vietnam")
    register.upsert_suppliers([s1])
    register.upsert_requirements([r1])
    assert register.supplier("S1") == s1
    assert register.requirement("R1") == r1
    assert register.supplier("S9") is None
    assert register.requirement("R9") is None


def test_lists_are_in_id_order(register: RegisterStore) -> None:
    register.upsert_suppliers([supplier("S2"), supplier("S1")])
    register.upsert_requirements([requirement("R2", "B"), requirement("R1", "A")])
    assert [s.supplier_id for s in register.suppliers()] == ["S1", "S2"]
    assert [r.requirement_id for r in register.requirements()] == ["R1", "R2"]


def test_pages_of_suppliers_and_requirements(register: RegisterStore) -> None:
    register.upsert_suppliers([supplier(f"S{i}") for i in (3, 1, 2)])
    register.upsert_requirements(
        [requirement("R1", "A"), requirement("R2", "B"), requirement("R3", "A")]
    )
    page, total = register.page_suppliers(1, 5)
    assert ([s.supplier_id for s in page], total) == (["S2", "S3"], 3)
    page_r, total_r = register.page_requirements(0, 1)
    assert ([r.requirement_id for r in page_r], total_r) == (["R1"], 3)
    page_a, total_a = register.page_requirements(1, 5, buyer_id="a")
    assert ([r.requirement_id for r in page_a], total_a) == (["R3"], 2)


# -- delete ----------------------------------------------------------------------------------------
def test_delete_suppliers_counts_only_those_that_existed(register: RegisterStore) -> None:
    register.upsert_suppliers([supplier("S1"), supplier("S2"), supplier("S3")])
    assert register.delete_suppliers(["S1", "S3", "S9"]) == 2
    assert register.delete_suppliers([]) == 0
    assert [s.supplier_id for s in register.suppliers()] == ["S2"]


def test_delete_requirement_says_whether_there_was_one(register: RegisterStore) -> None:
    register.upsert_requirements([requirement("R1", "A")])
    assert register.delete_requirement("R1") is True
    assert register.delete_requirement("R1") is False
    assert register.requirement_owner("R1") is None
    assert register.requirements() == []
