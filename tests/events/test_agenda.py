from __future__ import annotations

import csv
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from matcher.events import (
    SCHEDULE_COLUMNS,
    EventPlan,
    agenda,
    agenda_html,
    agenda_ics,
    file_name,
    write_event_outputs,
)
from matcher.events.agenda import list_rows


def test_outputs_keep_the_contract(plan: EventPlan, tmp_path: Path) -> None:
    out = tmp_path / "event"
    files = write_event_outputs(plan, out)
    assert "schedule.csv" in files and "kpis.json" in files
    with open(out / "schedule.csv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == SCHEDULE_COLUMNS
        rows = list(reader)
    assert len(rows) == len(plan.meetings)
    assert rows[0]["slot_start"] == "2025-11-20T09:00:00+07:00"
    assert all(r["interpreter"] in {"", "I1"} for r in rows)
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    for key in ("meetings_per_supplier", "suppliers_with_meeting_share", "mean_score"):
        assert key in kpis
    assert kpis["idle_table_slots"] == 3 * 2 - len(rows)
    participants = set(plan.firms)
    assert {p.stem for p in (out / "ics").glob("*.ics")} == participants
    for path in (out / "ics").glob("*.ics"):
        cal = Calendar.from_ical(path.read_bytes())
        events = cal.walk("VEVENT")
        assert len(events) == sum(path.stem in (m.buyer_id, m.supplier_id) for m in plan.meetings)
        for ev in events:
            assert ev.decoded("dtstart") < ev.decoded("dtend")


def test_html_agenda_is_well_formed(plan: EventPlan, tmp_path: Path) -> None:
    write_event_outputs(plan, tmp_path / "o")

    class Checker(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []
            self.rows = 0

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag not in {"meta", "br"}:
                self.stack.append(tag)
            self.rows += tag == "tr"

        def handle_endtag(self, tag: str) -> None:
            assert self.stack.pop() == tag

    checker = Checker()
    checker.feed((tmp_path / "o" / "agendas" / "canon-vietnam.html").read_text(encoding="utf-8"))
    assert checker.stack == []
    canon = sum(m.buyer_id == "canon-vietnam" for m in plan.meetings)
    assert checker.rows == canon + 1  # header row


def test_spreadsheets_escape_formulas(plan: EventPlan, tmp_path: Path) -> None:
    write_event_outputs(plan, tmp_path / "o")
    book = load_workbook(tmp_path / "o" / "matching_lists.xlsx")
    assert book.sheetnames == ["buyers", "suppliers"]
    names = [row[1] for row in book["suppliers"].iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in names
    schedule = load_workbook(tmp_path / "o" / "schedule.xlsx")["schedule"]
    assert not any(
        isinstance(v, str) and v.startswith("=")
        for row in schedule.iter_rows(values_only=True)
        for v in row
    )


def test_failed_export_leaves_nothing(
    plan: EventPlan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> bytes:
        raise OSError("disk full")

    monkeypatch.setattr(agenda, "agenda_ics", broken)
    with pytest.raises(OSError):
        write_event_outputs(plan, tmp_path / "o")
    assert list(tmp_path.iterdir()) == []


def test_schedule_columns_are_the_contract() -> None:
    # Other tools read schedule.csv, and a re-plan reads it back (--locked): keep this layout.
    assert ",".join(SCHEDULE_COLUMNS) == (
        "meeting_id,slot_start,slot_end,table,buyer_id,requirement_id,supplier_id,score,interpreter"
    )


_ROW = re.compile(
    r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)<br><small>(.*?)</small></td>"
    r'<td>(.*?)</td><td class="why">(.*?)</td></tr>'
)


@pytest.mark.parametrize("pid", ["canon-vietnam", "S1"])
def test_an_agenda_lists_the_firms_meetings_in_time_order(plan: EventPlan, pid: str) -> None:
    firm = plan.firms[pid]
    own = sorted(
        (m for m in plan.meetings if pid in (m.buyer_id, m.supplier_id)),
        key=lambda m: m.slot_start,
    )
    assert own  # the locked meeting Canon–S1 at least
    partners = [m.supplier_id if firm.role == "buyer" else m.buyer_id for m in own]
    page = agenda_html(plan, pid)
    assert f"<h1>{html.escape(firm.name)}</h1>" in page
    assert f"{len(own)} meeting(s) · {firm.role} {pid}</p>" in page
    assert _ROW.findall(page) == [
        (
            f"{m.slot_start:%H:%M}–{m.slot_end:%H:%M}",
            m.table,
            html.escape(plan.firms[partner].name),
            partner,
            m.interpreter,
            html.escape(m.explanation),
        )
        for m, partner in zip(own, partners, strict=True)
    ]
    calendar = Calendar.from_ical(agenda_ics(plan, pid))
    assert str(calendar["x-wr-calname"]) == f"{plan.event.name} – {firm.name}"
    events = calendar.walk("VEVENT")
    assert [
        (e.decoded("dtstart"), e.decoded("dtend"), str(e["location"]), str(e["uid"]))
        for e in events
    ] == [
        (
            m.slot_start,
            m.slot_end,
            f"Table {m.table}",
            f"{m.meeting_id}-{file_name(pid)}@cnht-matcher",
        )
        for m in own
    ]
    for event, m, partner in zip(events, own, partners, strict=True):
        assert str(event["summary"]) == (
            f"B2B meeting: {plan.firms[partner].name} (table {m.table})"
        )
        notes = str(event["description"]).splitlines()
        assert notes[0] == f"Meeting {m.meeting_id} with {partner}"
        assert (f"Interpreter: {m.interpreter}" in notes) == bool(m.interpreter)


@pytest.mark.parametrize(("pid", "why"), [("honda-vietnam", False), ("S3", True)])
def test_an_agenda_without_meetings_says_so_and_why(
    small_plan: EventPlan, pid: str, why: bool
) -> None:
    plan = small_plan
    reason = plan.short.get(pid, "")
    assert bool(reason) == why  # suppliers short of the floor have a reason, buyers none
    page = agenda_html(plan, pid)
    assert f"<p>No meeting is scheduled. {html.escape(reason)}</p>" in page
    assert "0 meeting(s)" in page and "<table>" not in page
    calendar = Calendar.from_ical(agenda_ics(plan, pid))
    assert calendar.walk("VEVENT") == []
    role = plan.firms[pid].role
    (row,) = [r for r in list_rows(plan, role) if r["firm_id"] == pid]
    assert row["meetings"] == 0 and row["explanation"] == (reason or "no meeting")
