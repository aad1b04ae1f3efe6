from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from matcher.errors import InputDataError
from matcher.events import load_event, load_locked, parse_event, prepare_event
from matcher.ingest import load_requirements, load_suppliers
from tests.conftest import DATA, SAMPLE

EVENTS = DATA / "events"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_yaml_event_loads_with_series_windows_and_local_times() -> None:
    event = load_event(EVENTS / "event.yaml")
    assert [s.start.strftime("%H:%M") for s in event.slots] == ["09:00", "09:25", "09:50"]
    assert event.slots[0].start == datetime(2025, 11, 20, 9, 0, tzinfo=TZ)
    assert event.tables == ["T01", "T02"]
    assert (event.buyer_caps.min, event.buyer_caps.max, event.supplier_caps.max) == (1, 3, 2)
    honda = next(p for p in event.participants if p.id == "honda-vietnam")
    assert honda.available[0].end == datetime(2025, 11, 20, 9, 45, tzinfo=TZ)
    assert event.requests[0].from_id == "honda-vietnam"
    assert event.locked[0].table == "T01"


def test_sample_event_is_valid_against_the_sample_register() -> None:
    reqs = load_requirements(SAMPLE / "requirements.csv").records
    sups = load_suppliers(SAMPLE / "suppliers.csv").records
    event = prepare_event(SAMPLE / "event.yaml", reqs, sups)
    roles = [p.role for p in event.participants]
    assert (roles.count("buyer"), roles.count("supplier")) == (20, 150)
    assert len(event.slots) == 12 and len(event.tables) == 25


def test_bad_yaml_lists_every_problem_with_its_line() -> None:
    with pytest.raises(InputDataError) as info:
        load_event(EVENTS / "bad_event.yaml")
    text = str(info.value)
    # a negative cap (validation), overlapping slots and an unknown participant (consistency):
    # one run lists all three (#18: it took three runs)
    assert "caps.supplier.max" in text
    assert "greater than or equal to 0" in text
    assert "row 5, column 'start'" in text and "overlaps" in text
    assert "row 14, column 'to'" in text and "'S9'" in text
    assert len(info.value.problems) == 3


def test_absurd_table_count_is_an_error_not_a_memory_blow_up(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(
        "date: 2025-11-20\n"
        "slots:\n"
        "  - {start: '09:00', minutes: 20}\n"
        "tables: 1000000000000\n"
        "participants:\n"
        "  - {id: canon-vietnam, role: buyer}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputDataError) as info:
        load_event(path)
    assert any(p.column == "tables" and "at most" in p.message for p in info.value.problems)


def _workbook(path: Path, slots: list[tuple[object, ...]], caps_min: int = 0) -> Path:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "event"
    for row in [
        ("key", "value"),
        ("name", "XLSX fair"),
        ("date", "2025-11-20"),
        ("tables", 2),
        ("buyer_max", 2),
        ("supplier_min", caps_min),
    ]:
        ws.append(row)
    sheet = book.create_sheet("slots")
    sheet.append(("start", "minutes", "count"))
    for slot_row in slots:
        sheet.append(slot_row)
    people = book.create_sheet("participants")
    people.append(("id", "role", "available", "languages"))
    people.append(("canon-vietnam", "buyer", "09:00-10:00", "ja; en"))
    people.append(("S1", "supplier", None, None))
    people.append(("S2", "supplier", None, None))
    locked = book.create_sheet("locked")
    locked.append(("buyer", "supplier", "slot", "table"))
    locked.append(("canon-vietnam", "S1", "09:00", "T02"))
    book.save(path)
    return path


def test_xlsx_workbook_with_sheets(tmp_path: Path) -> None:
    event = load_event(_workbook(tmp_path / "e.xlsx", [("09:00", 20, 3)]))
    assert event.name == "XLSX fair"
    assert len(event.slots) == 3 and event.buyer_caps.max == 2
    assert event.participants[0].languages == ["ja", "en"]
    assert event.locked[0].table == "T02"


def test_xlsx_errors_name_the_sheet_and_row(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "e.xlsx", [("09:00", 20, 1), ("09:10", 20, 1), ("x", 20, 1)])
    with pytest.raises(InputDataError) as info:
        load_event(path)
    where = {(p.file.rsplit("[", 1)[-1], p.row) for p in info.value.problems}
    assert ("slots]", 4) in where  # 'x' is not a time


def test_locked_file_uses_the_schedule_columns(tmp_path: Path) -> None:
    event = load_event(EVENTS / "event.yaml")
    path = tmp_path / "locked.csv"
    path.write_text(
        "meeting_id,slot_start,slot_end,table,buyer_id,requirement_id,supplier_id,score,interpreter\n"
        "M0007,2025-11-20T09:25:00+07:00,2025-11-20T09:45:00+07:00,T02,honda-vietnam,R3,S3,0.5,\n",
        encoding="utf-8",
    )
    (lock,) = load_locked(path, event)
    assert lock.meeting_id == "M0007" and event.slot_index(lock.slot) == 1


def test_a_files_shorthands_mean_what_the_spec_says() -> None:
    event = parse_event(
        {
            "date": "2025-11-20",
            "tables": "A; B",
            "buyer_max": 2,
            "caps": {"supplier": {"min": 1}},
            "slots": [{"start": "09:00", "minutes": 20, "count": 2, "break_minutes": 10}],
        }
    )
    assert [s.start.strftime("%H:%M") for s in event.slots] == ["09:00", "09:30"]
    assert (event.buyer_caps.max, event.supplier_caps.min, event.tables) == (2, 1, ["A", "B"])


def test_every_problem_of_a_document_names_its_item_and_field() -> None:
    doc = {
        "date": "2025-11-20",
        "colour": "red",
        "tables": 1,
        "slots": [{"start": "09:00", "minutes": 20, "count": 0}],
        "participants": ["canon-vietnam", {"id": "S1", "role": "seller"}],
    }
    with pytest.raises(InputDataError) as info:
        parse_event(doc)
    found = {(p.file, p.row, p.column): p.message for p in info.value.problems}
    assert found[("event", None, "colour")].startswith("unknown setting; known: name, timezone")
    assert "greater than or equal to 1 (got 0)" in found[("event[slots]", 1, "count")]
    assert found[("event[participants]", 1, None)] == "expected a mapping"
    assert "'buyer' or 'supplier' (got 'seller')" in found[("event[participants]", 2, "role")]
