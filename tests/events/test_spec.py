from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from matcher.events import EventDocument, EventSpec, ParticipantSpec, WindowSpec
from matcher.events.spec import MAX_TABLES, table_names
from tests.conftest import DATA

BASE = {"slots": [{"start": "09:00", "minutes": 20}], "tables": 2}


def test_spreadsheet_cells_are_read_as_written() -> None:
    p = ParticipantSpec.model_validate(
        {
            "id": 101,
            "role": "buyer",
            "available": "08:30-11:00; 2025-11-20T13:30/2025-11-20T16:00",
            "languages": "ja; en",
            "max_meetings": "",
        }
    )
    assert p.id == "101" and p.languages == ["ja", "en"] and p.max_meetings is None
    assert p.available == [
        WindowSpec(start="08:30", end="11:00"),
        WindowSpec(start="2025-11-20T13:30", end="2025-11-20T16:00"),
    ]


@pytest.mark.parametrize(
    ("tables", "names"),
    [(3, ["T01", "T02", "T03"]), ("2", ["T01", "T02"]), ("A; B, C", ["A", "B", "C"])],
)
def test_tables_are_a_number_or_names(tables: object, names: list[str]) -> None:
    assert table_names(EventSpec.model_validate({**BASE, "tables": tables}).tables) == names


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        (0, "need at least 1 table, got 0"),
        (MAX_TABLES + 1, f"at most {MAX_TABLES} tables, got {MAX_TABLES + 1}"),
        (True, "give the number of tables or their names"),
        ("A; B; A", "table names repeat: A"),
    ],
)
def test_bad_tables_say_what_to_write(tables: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        EventSpec.model_validate({**BASE, "tables": tables})


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("25:00", "'25:00' is not a time of day; write HH:MM from 00:00 to 23:59"),
        ("nine", "'nine' is not a date-time; write ISO 8601 like 2025-11-20T09:00"),
    ],
)
def test_a_time_must_read_as_one(start: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        EventSpec.model_validate({**BASE, "slots": [{"start": start, "minutes": 20}]})


def test_a_file_may_order_the_goals_in_words() -> None:
    doc = EventDocument.model_validate({**BASE, "priorities": "mutual_requests > floor, score"})
    assert doc.priorities == ["mutual_requests", "floor", "score"]
    with pytest.raises(ValidationError):  # the API's body has no priorities (nor locked)
        EventSpec.model_validate({**BASE, "priorities": ["floor"]})


def test_the_api_body_schema_is_unchanged() -> None:
    # The body of POST /v1/events is EventSpec: a contract (issue #12 kept it field for field).
    expected = json.loads((DATA / "events" / "event_spec.schema.json").read_text(encoding="utf-8"))
    assert EventSpec.model_json_schema() == expected
