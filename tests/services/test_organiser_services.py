"""The services behind the organiser pages: the register browsed with filters and duplicates,
unlock / move / what-if on a stored event, an event file kept as its document, the grid and the
KPI charts. Over the 3-supplier register (tests/support.py), hashing encoder."""

from __future__ import annotations

from typing import Any

import pytest

from matcher.errors import InputDataError
from matcher.events import load_event, parse_event
from matcher.schemas import Supplier
from matcher.services import Events
from matcher.services.browse import RegisterFilters, browse_suppliers
from matcher.services.event_views import (
    event_tables,
    meeting_grid,
    meetings_per_firm_chart,
    suppliers_by_tier,
    suppliers_met_chart,
)
from matcher.services.events import spec_of
from tests.conftest import SAMPLE
from tests.support import EVENT, Service

LABELS = {
    "buyers": "buyers",
    "suppliers": "suppliers",
    "meetings": "meetings",
    "firms": "firms",
    "met": "met",
    "not_met": "not met",
}


def firm(sid: str, name: str, **fields: Any) -> Supplier:
    return Supplier.model_validate({"supplier_id": sid, "name": name, "description": "x", **fields})


REGISTER = [
    firm(
        "A", "Cơ khí Hà Nội", sector=["IV"], province="Hà Nội", certifications=["iso9001"], tier=1
    ),
    firm("B", "Công ty TNHH Cơ Khí Hà Nội", sector=["IV", "V"], province="Bắc Ninh", tier=2),
    firm("C", "Nhựa Sóc Sơn", sector=["III"], province="ha noi", tax_code="0100000001", tier=1),
    firm(
        "D",
        "Plastics North",
        sector=["III"],
        certifications=["ISO 9001:2015"],
        tax_code="0100000001",
    ),
]


def ids(view: Any) -> list[str]:
    return [s.supplier_id for s in view.suppliers]


def test_filters_fold_provinces_and_canonicalise_certificates() -> None:
    assert ids(browse_suppliers(REGISTER, RegisterFilters(province="HA NOI"))) == ["A", "C"]
    assert ids(browse_suppliers(REGISTER, RegisterFilters(certificate="ISO 9001"))) == ["A", "D"]
    assert ids(browse_suppliers(REGISTER, RegisterFilters(sector="IV", tier=2))) == ["B"]
    assert ids(browse_suppliers(REGISTER, RegisterFilters(sector="VI"))) == []


def test_duplicates_flagged_over_the_whole_register() -> None:
    # B is A by name (legal form and case aside), D is C by tax code; the filter keeps only B,
    # and B is still flagged with A.
    view = browse_suppliers(REGISTER, RegisterFilters(tier=2))
    assert ids(view) == ["B"] and view.matched == 1 and view.total == 4
    assert [(d.other_id, d.reason) for d in view.duplicates["B"]] == [("A", "name")]
    assert view.duplicate_pairs == 2
    everyone = browse_suppliers(REGISTER, RegisterFilters())
    assert [(d.other_id, d.reason) for d in everyone.duplicates["D"]] == [("C", "tax_code")]


def test_facets_count_each_value_and_paging_keeps_the_total() -> None:
    view = browse_suppliers(REGISTER, RegisterFilters(), offset=1, limit=2)
    assert ids(view) == ["B", "C"] and view.matched == 4
    assert dict(view.facets["sector"]) == {"III": 2, "IV": 2, "V": 1}
    assert dict(view.facets["certificate"]) == {"ISO 9001": 2}
    assert dict(view.facets["tier"]) == {"1": 2, "2": 1}


def test_an_event_file_is_kept_as_a_document_that_reads_back_the_same() -> None:
    event = load_event(SAMPLE / "event.yaml")
    doc = spec_of(event)
    # One series a run of equal slots at equal gaps, as the file wrote them.
    assert doc["slots"] == [
        {"start": "2025-11-20T08:30:00+07:00", "minutes": 20, "count": 6, "gap": 5},
        {"start": "2025-11-20T11:15:00+07:00", "minutes": 20, "count": 6, "gap": 5},
    ]
    again = parse_event(doc)
    assert again.model_dump(mode="json") == event.model_dump(mode="json")


@pytest.fixture
def events(service: Service) -> Events:
    context = service.client.app.state.context  # type: ignore[attr-defined]
    events: Events = context.events
    return events


def planned(events: Events) -> tuple[str, list[dict[str, Any]]]:
    record = events.create(EVENT)
    rows = events.plan(record.event_id, 5)["meetings"]
    assert len(rows) >= 3
    return record.event_id, rows


def test_unlock_frees_a_locked_meeting_and_refuses_one_that_is_not(
    events: Events, service: Service
) -> None:
    from matcher.store import Workspace

    key = Workspace(service.workspace).authenticate(service.keys["organiser"])
    assert key is not None
    event_id, rows = planned(events)
    first, second = rows[0]["meeting_id"], rows[1]["meeting_id"]
    record = events.lock(event_id, [first, second], key)
    assert events.locked_ids(record) == {first, second}
    record = events.unlock(event_id, [first])
    assert events.locked_ids(record) == {second}
    with pytest.raises(InputDataError, match="is not locked"):
        events.unlock(event_id, [first])


def test_withdraw_takes_the_firm_and_its_locks_out(events: Events, service: Service) -> None:
    from matcher.store import Workspace

    key = Workspace(service.workspace).authenticate(service.keys["organiser"])
    assert key is not None
    event_id, rows = planned(events)
    gone = rows[0]["supplier_id"]
    events.lock(event_id, [r["meeting_id"] for r in rows if r["supplier_id"] == gone][:1], key)
    spec = events.withdraw(event_id, gone).spec
    assert gone not in {p["id"] for p in spec["participants"]}
    assert spec["locked"] == []
    with pytest.raises(InputDataError, match="no participant"):
        events.withdraw(event_id, gone)


def test_move_locks_the_meeting_at_the_new_place_and_keeps_its_id(events: Events) -> None:
    event_id, rows = planned(events)
    row = rows[0]
    # With no other lock, any slot and table may take it: the re-plan arranges the rest.
    last = max(r["slot_start"] for r in rows)
    free = (last, "T02" if (row["slot_start"], row["table"]) != (last, "T02") else "T01")
    stored = events.move(event_id, row["meeting_id"], free[0], free[1], 5)
    moved = {r["meeting_id"]: r for r in stored["meetings"]}[row["meeting_id"]]
    assert (moved["slot_start"], moved["table"], moved["locked"]) == (*free, "yes")
    assert events.locked_ids(events.get(event_id)) == {row["meeting_id"]}


def test_move_to_a_table_that_does_not_exist_names_the_problem(events: Events) -> None:
    event_id, rows = planned(events)
    with pytest.raises(InputDataError) as caught:
        events.move(event_id, rows[0]["meeting_id"], rows[0]["slot_start"], "T99", 5)
    assert any(p.column == "table" and "T99" in p.message for p in caught.value.problems)
    with pytest.raises(InputDataError, match="no meeting"):
        events.move(event_id, "M-nope", rows[0]["slot_start"], "T01", 5)


def test_what_if_reports_each_option_and_refuses_too_many(events: Events) -> None:
    event_id, _ = planned(events)
    results = events.what_if(event_id, ["tables+1", "slots-3"], 5)
    assert [r.option for r in results] == ["tables+1", "slots-3"]
    assert results[0].delta["meetings"] >= 0
    with pytest.raises(InputDataError, match="what-if options"):
        events.what_if(event_id, [f"tables+{i}" for i in range(1, 7)], 5)


def test_grid_and_charts_of_a_plan(events: Events) -> None:
    event_id, rows = planned(events)
    record = events.get(event_id)
    grid = meeting_grid(rows, event_tables(record.spec))
    assert grid.tables == ["T01", "T02"]
    assert len(grid.cells) == len(rows)
    assert all(
        grid.cells[(r["slot_start"], r["table"])]["meeting_id"] == r["meeting_id"] for r in rows
    )
    kpis = record.plan["kpis"] if record.plan else {}
    svg = meetings_per_firm_chart(kpis, LABELS)
    assert svg.startswith("<svg") and "buyers" in svg and "suppliers" in svg
    assert "not met" in suppliers_met_chart(kpis, LABELS)
    assert sum(suppliers_by_tier(rows, {}).values()) == len({r["supplier_id"] for r in rows})


def test_event_tables_of_a_number_or_names() -> None:
    assert event_tables({"tables": 3}) == ["T01", "T02", "T03"]
    assert event_tables({"tables": ["A", "B"]}) == ["A", "B"]
