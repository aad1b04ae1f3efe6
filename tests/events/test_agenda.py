from __future__ import annotations

import csv
import html
import json
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from matcher.events import (
    SCHEDULE_COLUMNS,
    EventPlan,
    Profile,
    agenda,
    agenda_html,
    agenda_ics,
    file_name,
    load_locked,
    write_event_outputs,
)
from matcher.events.lists import interpreter_name, list_rows
from matcher.events.pages import TEXT
from tests.workbooks import check_workbook, cover_values

# The register has no contact persons: these profiles give S1 (locked with Canon) and S5 one.
PROFILES = {
    "S1": Profile("KCN Thăng Long, Hà Nội · dập kim loại tấm", "Hà Nội", "Lê Thanh Yến · 0926"),
    "S5": Profile("Bắc Ninh · ép phun", "Bắc Ninh", "Trần Quang Mai · 0968"),
}


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

    canon = sum(m.buyer_id == "canon-vietnam" for m in plan.meetings)
    for suffix, languages in (("", 2), (".vi", 1), (".en", 1)):
        checker = Checker()
        page = tmp_path / "o" / "agendas" / f"canon-vietnam{suffix}.html"
        checker.feed(page.read_text(encoding="utf-8"))
        assert checker.stack == []
        assert checker.rows == languages * (canon + 1)  # a header row per language


def test_spreadsheets_escape_formulas(plan: EventPlan, tmp_path: Path) -> None:
    write_event_outputs(plan, tmp_path / "o")
    book = load_workbook(tmp_path / "o" / "matching_lists.xlsx")
    assert book.sheetnames == ["cover", "buyers", "suppliers"]
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
    r'<tr><td class="time">(.*?)</td><td class="table">(.*?)</td>'
    r'<td class="who"><strong>(.*?)</strong> <small>\((.*?)\)</small>(.*?)</td>'
    r'<td class="requirement">(.*?)</td><td class="interpreter">(.*?)</td>'
    r'<td class="why">(.*?)</td></tr>'
)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("pid", ["canon-vietnam", "S1"])
def test_an_agenda_lists_the_firms_meetings_in_time_order(
    plan: EventPlan, pid: str, lang: str
) -> None:
    firm = plan.firms[pid]
    own = sorted(
        (m for m in plan.meetings if pid in (m.buyer_id, m.supplier_id)),
        key=lambda m: m.slot_start,
    )
    assert own  # the locked meeting Canon–S1 at least
    partners = [m.supplier_id if firm.role == "buyer" else m.buyer_id for m in own]
    page = agenda_html(plan, pid, lang, PROFILES)  # type: ignore[arg-type]
    text = TEXT[lang]  # type: ignore[index]
    assert f'<section class="page" lang="{lang}"><h1>{html.escape(firm.name)}</h1>' in page
    count = {"vi": f"{len(own)} cuộc gặp", "en": f"{len(own)} meeting(s)"}[lang]
    day = {"vi": "20/11/2025", "en": "20 November 2025"}[lang]
    assert f"{text['title']} · Test fair · {day} · {count} · {text[firm.role]} {pid}</p>" in page
    rows = _ROW.findall(page)
    assert [r[:4] for r in rows] == [
        (f"{m.slot_start:%H:%M}–{m.slot_end:%H:%M}", m.table, html.escape(plan.firms[p].name), p)
        for m, p in zip(own, partners, strict=True)
    ]
    for row, m, partner in zip(rows, own, partners, strict=True):
        title = plan.requirement_titles[m.requirement_id]
        assert row[5:] == (html.escape(title), interpreter_name(plan, m.interpreter), m.explanation)
        profile = PROFILES.get(partner)
        assert (profile is not None and html.escape(profile.line) in row[4]) == (
            profile is not None
        )
        # the counterpart's contact: on a buyer's confirmed (locked) meeting only
        shown = profile is not None and profile.contact in row[4]
        assert shown == (firm.role == "buyer" and m.locked and profile is not None)
    assert "Stamped brackets" in page  # R1's title, the Canon–S1 meeting


def test_an_agenda_in_both_languages_has_a_page_each(plan: EventPlan) -> None:
    page = agenda_html(plan, "canon-vietnam")
    assert page.index('lang="vi"') < page.index('<section class="page" lang="en">')
    assert "Thời gian" in page and "Phiên dịch" in page and "Why this meeting" in page
    assert "Hà (I1)" in page  # the interpreter by name


def test_interpreter_and_contact_reach_the_matching_lists(plan: EventPlan) -> None:
    rows = list_rows(plan, "buyer", PROFILES)
    canon_s1 = next(r for r in rows if r["firm_id"] == "canon-vietnam" and r["partner_id"] == "S1")
    assert canon_s1["contact"] == "Lê Thanh Yến · 0926" and canon_s1["partner_province"] == "Hà Nội"
    assert all(r["contact"] == "" for r in rows if r.get("partner_id") == "S5")  # not confirmed
    assert {r["interpreter"] for r in rows if r.get("meetings")} <= {"", "Hà (I1)"}
    suppliers = list_rows(plan, "supplier", PROFILES)
    assert all(not r.get("contact") for r in suppliers)
    met = [r for r in suppliers if r.get("meetings")]
    assert all(
        r["requirement"] == plan.requirement_titles.get(r["requirement_id"], "") for r in met
    )
    assert {r["requirement"] for r in met} >= {"Stamped brackets", "Die-cast housings"}


NO_MEETING = {
    ("vi", "buyer"): (
        "Chưa có cuộc gặp nào được xếp lịch cho quý doanh nghiệp tại Test fair. Nếu quý doanh "
        "nghiệp muốn gặp một nhà cung cấp cụ thể, xin vui lòng liên hệ Ban tổ chức."
    ),
    ("en", "buyer"): (
        "No meeting has been scheduled for you at Test fair. If you would like to meet a "
        "particular supplier, please ask the organisers."
    ),
    ("vi", "supplier"): (
        "Chưa có cuộc gặp nào được xếp lịch cho quý doanh nghiệp tại Test fair. Nếu quý doanh "
        "nghiệp muốn gặp một doanh nghiệp mua hàng cụ thể, xin vui lòng liên hệ Ban tổ chức."
    ),
    ("en", "supplier"): (
        "No meeting has been scheduled for you at Test fair. If you would like to meet a "
        "particular buyer, please ask the organisers."
    ),
}


@pytest.mark.parametrize(("pid", "why"), [("honda-vietnam", False), ("S3", True)])
def test_an_agenda_without_meetings_says_so_in_each_language(
    small_plan: EventPlan, pid: str, why: bool
) -> None:
    plan = small_plan
    reason = plan.short.get(pid, "")
    assert bool(reason) == why  # suppliers short of the floor have a reason, buyers none
    role = plan.firms[pid].role
    for lang in ("vi", "en"):
        page = agenda_html(plan, pid, lang)  # type: ignore[arg-type]
        assert f'<p class="none">{NO_MEETING[(lang, role)]}</p>' in page
        assert "<table>" not in page
        # the organiser's diagnostic (caps, what-if advice) is not for the firm's eyes
        assert not reason or html.escape(reason) not in page
    assert "0 cuộc gặp" in agenda_html(plan, pid, "vi")
    assert "0 meeting(s)" in agenda_html(plan, pid, "en")
    calendar = Calendar.from_ical(agenda_ics(plan, pid))
    assert calendar.walk("VEVENT") == []
    (row,) = [r for r in list_rows(plan, role) if r["firm_id"] == pid]
    assert row["meetings"] == 0 and row["explanation"] == (reason or "no meeting")


# -- ICS -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("pid", ["canon-vietnam", "S1", "S5"])
def test_ics_times_round_trip_to_the_schedule_instants(plan: EventPlan, pid: str) -> None:
    firm = plan.firms[pid]
    own = sorted(
        (m for m in plan.meetings if pid in (m.buyer_id, m.supplier_id)),
        key=lambda m: m.slot_start,
    )
    raw = agenda_ics(plan, pid)
    assert b"DTSTART;TZID=Asia/Ho_Chi_Minh:20251120T090000" in raw or firm.id == "S5"
    calendar = Calendar.from_ical(raw)
    (zone,) = calendar.walk("VTIMEZONE")  # RFC 5545: a VTIMEZONE for every TZID used
    assert str(zone["tzid"]) == "Asia/Ho_Chi_Minh"
    (standard,) = zone.walk("STANDARD")
    assert standard.decoded("tzoffsetto") == timedelta(hours=7)
    assert raw.index(b"BEGIN:VTIMEZONE") < raw.index(b"BEGIN:VEVENT")
    events = calendar.walk("VEVENT")
    assert [(e.decoded("dtstart"), e.decoded("dtend")) for e in events] == [
        (m.slot_start, m.slot_end) for m in own
    ]
    # the same instants, whatever zone a reader converts to
    assert [e.decoded("dtstart").astimezone(UTC) for e in events] == [
        datetime.fromisoformat(r).astimezone(UTC) for r in _csv_starts(plan, pid)
    ]
    assert [str(e["uid"]) for e in events] == [
        f"{m.meeting_id}-{file_name(pid)}@cnht-matcher" for m in own
    ]
    for event, m in zip(events, own, strict=True):
        partner = m.supplier_id if firm.role == "buyer" else m.buyer_id
        assert str(event["summary"]) == (
            f"B2B meeting: {plan.firms[partner].name} (table {m.table})"
        )
        assert str(event["location"]) == f"Table {m.table}"
        notes = str(event["description"]).splitlines()
        assert notes[0] == f"Meeting {m.meeting_id} with {partner}"
        assert f"Requirement: {plan.requirement_titles[m.requirement_id]}" in notes
        assert (f"Interpreter: Hà ({m.interpreter})" in notes) == bool(m.interpreter)
    assert str(calendar["x-wr-calname"]) == f"{plan.event.name} – {firm.name}"


def _csv_starts(plan: EventPlan, pid: str) -> list[str]:
    from matcher.events import schedule_rows

    rows = [r for r in schedule_rows(plan) if pid in (r["buyer_id"], r["supplier_id"])]
    return sorted((r["slot_start"] for r in rows), key=datetime.fromisoformat)


# -- spreadsheets --------------------------------------------------------------------------------
def test_event_workbooks_have_a_readers_layout(plan: EventPlan, tmp_path: Path) -> None:
    out = tmp_path / "o"
    write_event_outputs(plan, out, PROFILES)
    schedule = check_workbook(out / "schedule.xlsx", {"schedule": ("slot_start", "slot_end")})
    assert schedule.sheetnames == ["schedule", "cover"]  # a re-plan reads the first sheet
    lists = check_workbook(
        out / "matching_lists.xlsx",
        {"buyers": ("slot_start", "slot_end"), "suppliers": ("slot_start", "slot_end")},
    )
    for book in (schedule, lists):
        cover = cover_values(book)
        assert cover["Meetings"] == len(plan.meetings) and cover["Time zone"] == "Asia/Ho_Chi_Minh"
        assert cover["First slot"] == datetime(2025, 11, 20, 9, 0)  # wall-clock, zone above
        assert cover["Buyers"] == 2 and cover["Suppliers"] == 5 and cover["Tables"] == 2
        assert isinstance(cover["Made"], datetime)
    first = next(schedule["schedule"].iter_rows(min_row=2, values_only=True))
    assert first[1] == datetime(2025, 11, 20, 9, 0)
    # the schedule workbook still reads back as a locked-meetings file (a re-plan's input)
    locked = load_locked(out / "schedule.xlsx", plan.event)
    assert [(lk.slot, lk.table, lk.meeting_id, lk.interpreter or "") for lk in locked] == sorted(
        ((m.slot_start, m.table, m.meeting_id, m.interpreter) for m in plan.meetings),
    )
