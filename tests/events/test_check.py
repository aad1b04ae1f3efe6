from __future__ import annotations

from pathlib import Path

import pytest

from matcher.errors import InputDataError
from matcher.events import check_event, load_event, parse_event, prepare_event
from matcher.ingest import load_requirements, load_suppliers
from matcher.schemas import Requirement, Supplier
from tests.conftest import DATA

EVENTS = DATA / "events"


def register() -> tuple[list[Requirement], list[Supplier]]:
    return (
        load_requirements(EVENTS / "requirements.csv").records,
        load_suppliers(EVENTS / "suppliers.csv").records,
    )


def test_overlapping_slots_and_unknown_participant_are_reported_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(
        "date: 2025-11-20\n"
        "slots:\n"
        "  - {start: '09:00', minutes: 20}\n"
        "  - {start: '09:10', minutes: 20}\n"
        "tables: 1\n"
        "participants:\n"
        "  - {id: canon-vietnam, role: buyer}\n"
        "  - {id: S1, role: supplier}\n"
        "requests:\n"
        "  - {from: canon-vietnam, to: S9}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputDataError) as info:
        load_event(path)
    problems = {(p.row, p.column): p.message for p in info.value.problems}
    assert "overlaps" in problems[(4, "start")]
    assert "unknown participant 'S9'" in problems[(10, "to")]


def test_participant_not_in_register_is_rejected(tmp_path: Path) -> None:
    reqs, sups = register()
    text = (EVENTS / "event.yaml").read_text(encoding="utf-8")
    path = tmp_path / "e.yaml"
    path.write_text(text.replace("{id: S5, role: supplier}", "{id: S99, role: supplier}"))
    with pytest.raises(InputDataError) as info:
        prepare_event(path, reqs, sups)
    (problem,) = info.value.problems
    assert problem.column == "id" and "S99" in problem.message
    assert problem.row == text.splitlines().index("  - {id: S5, role: supplier}") + 1


def test_locked_meeting_that_breaks_a_cap_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(
        "date: 2025-11-20\n"
        "slots: [{start: '09:00', minutes: 20, count: 2}]\n"
        "tables: 2\n"
        "caps: {supplier: {max: 1}}\n"
        "participants:\n"
        "  - {id: a, role: buyer}\n"
        "  - {id: b, role: buyer}\n"
        "  - {id: S1, role: supplier}\n"
        "locked:\n"
        "  - {buyer: a, supplier: S1, slot: '09:00', table: T01}\n"
        "  - {buyer: b, supplier: S1, slot: '09:20', table: T01}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputDataError) as info:
        load_event(path)
    assert any("at most 1" in p.message and p.row == 10 for p in info.value.problems)


def _day(**sections: object) -> dict[str, object]:
    """Two 20-minute slots (09:00, 09:25) at one table, buyer a, suppliers S1 and S2."""
    return {
        "date": "2025-11-20",
        "slots": [{"start": "09:00", "minutes": 20, "count": 2, "gap": 5}],
        "tables": 1,
        "participants": [
            {"id": "a", "role": "buyer"},
            {"id": "S1", "role": "supplier"},
            {"id": "S2", "role": "supplier"},
        ],
        **sections,
    }


def test_locked_meeting_outside_a_firms_availability_is_rejected() -> None:
    spec = _day(locked=[{"buyer": "a", "supplier": "S1", "slot": "09:25", "table": "T01"}])
    spec["participants"][0]["available"] = "09:00-09:20"  # type: ignore[index]
    with pytest.raises(InputDataError) as info:
        parse_event(spec)
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.column) == ("event[locked]", 1, "slot")
    assert problem.message == "'a' is not available at 2025-11-20T09:25:00+07:00"


def test_availability_of_a_firm_outside_the_locked_meeting_does_not_count() -> None:
    # S2 (listed last) has no time for the 09:25 slot; the locked meeting a–S1 is still fine.
    spec = _day(locked=[{"buyer": "a", "supplier": "S1", "slot": "09:25", "table": "T01"}])
    spec["participants"][2]["available"] = "09:00-09:20"  # type: ignore[index]
    event = parse_event(spec)
    assert check_event(event) == []


def test_every_stage_that_can_run_reports_in_one_run(tmp_path: Path) -> None:
    """Four mistakes, one per stage: a field (validation), a window (resolution), a request to
    an unknown participant (consistency) and a firm missing from the register: one run lists
    all four, each at its line, and nothing more (the left-out role-less participant is not
    reported again as unknown where the request names it)."""
    reqs, sups = register()
    path = tmp_path / "e.yaml"
    path.write_text(
        "date: 2025-11-20\n"
        "slots:\n"
        "  - {start: '09:00', minutes: 20, count: 3}\n"
        "tables: 2\n"
        "supplier_max: -1\n"
        "participants:\n"
        "  - {id: canon-vietnam, role: buyer, available: '11:00-10:00'}\n"
        "  - {id: S1, role: supplier}\n"
        "  - {id: S99, role: supplier}\n"
        "  - {id: S2, role: seller}\n"
        "requests:\n"
        "  - {from: canon-vietnam, to: S9}\n"
        "  - {from: canon-vietnam, to: S2}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputDataError) as info:
        prepare_event(path, reqs, sups)
    found = {(p.row, p.column): p.message for p in info.value.problems}
    assert set(found) == {
        (None, "caps.supplier.max"),
        (7, "available"),
        (10, "role"),
        (12, "to"),
        (9, "id"),
    }, found
    assert "greater than or equal to 0" in found[(None, "caps.supplier.max")]
    assert "ends before it starts" in found[(7, "available")]
    assert "unknown participant 'S9'" in found[(12, "to")]
    assert "S99" in found[(9, "id")]


def test_a_wrong_required_setting_stops_after_validation(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text("date: 2025-11-20\nslots: soon\ntables: 1\nfloor: -2\n", encoding="utf-8")
    with pytest.raises(InputDataError) as info:
        load_event(path)
    columns = {p.column for p in info.value.problems}
    assert columns == {"slots", "floor"}
