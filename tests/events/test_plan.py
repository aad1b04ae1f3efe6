from __future__ import annotations

import csv
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from matcher.errors import ConfigError
from matcher.events import (
    SCHEDULE_COLUMNS,
    Event,
    EventPlan,
    agenda,
    plan_event,
    prepare_event,
    replan_event,
    what_if,
    write_event_outputs,
)
from matcher.ingest import load_requirements, load_suppliers
from matcher.schemas import Match, Requirement, Supplier
from tests.conftest import DATA

EVENTS = DATA / "events"
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
def register() -> tuple[list[Requirement], list[Supplier], list[Match]]:
    reqs = load_requirements(EVENTS / "requirements.csv").records
    sups = load_suppliers(EVENTS / "suppliers.csv").records
    matches = [
        Match(requirement_id=r, supplier_id=s, rank=1, score=v, explanation=f"fits {r}")
        for (r, s), v in SCORES.items()
    ]
    return reqs, sups, matches


@pytest.fixture(scope="module")
def plan(register: tuple[list[Requirement], list[Supplier], list[Match]]) -> EventPlan:
    reqs, sups, matches = register
    return plan_event(prepare_event(EVENTS / "event.yaml", reqs, sups), matches, reqs, sups)


def test_plan_honours_the_event(plan: EventPlan) -> None:
    pairs = {(m.buyer_id, m.supplier_id): m for m in plan.meetings}
    locked = pairs[("canon-vietnam", "S1")]
    assert locked.locked and locked.table == "T01" and locked.slot == 0
    assert ("canon-vietnam", "S4") not in pairs  # declined
    assert ("honda-vietnam", "S4") in pairs  # requested, though no match
    assert pairs[("honda-vietnam", "S4")].request == "buyer"
    assert all(m.slot < 2 for m in plan.meetings if m.buyer_id == "honda-vietnam")  # till 9:45
    # Canon speaks ja/en, S2 and S5 speak only Vietnamese: the interpreter goes with them.
    for sid in ("S2", "S5"):
        if ("canon-vietnam", sid) in pairs:
            assert pairs[("canon-vietnam", sid)].interpreter == "I1"
    assert pairs[("canon-vietnam", "S1")].interpreter == ""
    assert plan.kpis["suppliers_with_meeting_share"] == 1.0
    # the pair behind Canon–S3 is R1 (its only match); Honda–S3 is R3
    assert pairs.get(("honda-vietnam", "S3"), locked).requirement_id in {"R3", "R1"}


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


def test_replan_keeps_confirmed_meetings(
    plan: EventPlan,
    register: tuple[list[Requirement], list[Supplier], list[Match]],
    tmp_path: Path,
) -> None:
    reqs, sups, matches = register
    write_event_outputs(plan, tmp_path / "first")
    confirmed = tmp_path / "confirmed.csv"
    lines = (tmp_path / "first" / "schedule.csv").read_text(encoding="utf-8").splitlines()
    confirmed.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")  # header + 2 meetings
    kept = {tuple(line.split(",")[:4]) for line in lines[1:3]}
    # a late registration: S5 now has an excellent match with Honda too
    late = [*matches, Match(requirement_id="R3", supplier_id="S4", rank=1, score=0.99)]
    event = prepare_event(EVENTS / "event.yaml", reqs, sups)
    second = replan_event(event, late, reqs, sups, confirmed)
    now = {
        (m.meeting_id, m.slot_start.isoformat(), m.slot_end.isoformat(), m.table)
        for m in second.meetings
    }
    assert kept <= now


def test_what_if_reports_without_changing_the_plan(
    plan: EventPlan, register: tuple[list[Requirement], list[Supplier], list[Match]]
) -> None:
    reqs, sups, matches = register
    before = [(m.meeting_id, m.slot, m.table) for m in plan.meetings]
    results = what_if(
        plan.event, matches, reqs, sups, ["tables+1", "slots+2", "supplier_max+1"], plan
    )
    assert [r.option for r in results] == ["tables+1", "slots+2", "supplier_max+1"]
    assert results[1].kpis["slots_used"] >= 1
    assert [(m.meeting_id, m.slot, m.table) for m in plan.meetings] == before
    with pytest.raises(ConfigError, match="tables\\+5"):
        what_if(plan.event, matches, reqs, sups, ["chairs+5"], plan)


def test_short_suppliers_are_explained(
    register: tuple[list[Requirement], list[Supplier], list[Match]],
) -> None:
    reqs, sups, matches = register
    event: Event = prepare_event(EVENTS / "event.yaml", reqs, sups)
    # one table, one slot: only the locked meeting fits
    small = event.model_copy(update={"tables": ["T01"], "slots": event.slots[:1]})
    plan = plan_event(small, matches, reqs, sups)
    assert len(plan.meetings) == 1 and plan.meetings[0].locked
    assert set(plan.short) == {"S2", "S3", "S4", "S5"}
    assert any("table-slots" in r or "full" in r for r in plan.short.values())
    assert plan.diagnostics[0].startswith("4 of 5 suppliers")
