"""Event exports: the schedule (CSV + XLSX), matching lists per role (XLSX), a printable HTML
agenda and an ICS calendar per participant, and kpis.json. Everything is written into a temporary
folder beside the output folder and renamed into place at the end, so a failure leaves the old
folder (or none), never a half-written one.

Output contract (relied on from outside): ``schedule.csv`` with SCHEDULE_COLUMNS, ISO 8601
times and an empty ``interpreter`` when none; ``kpis.json``; ``ics/<participant_id>.ics``.
"""

from __future__ import annotations

import html
import json
import logging
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from matcher.events.result import EventPlan, Meeting
from matcher.export import clean_text, safe_cell, write_table

log = logging.getLogger(__name__)

SCHEDULE_COLUMNS = (
    "meeting_id",
    "slot_start",
    "slot_end",
    "table",
    "buyer_id",
    "requirement_id",
    "supplier_id",
    "score",
    "interpreter",
)
SCHEDULE_XLSX_EXTRA = ("buyer_name", "supplier_name", "request", "locked", "explanation")
LIST_COLUMNS = (
    "firm_id",
    "firm_name",
    "meetings",
    "slot_start",
    "table",
    "partner_id",
    "partner_name",
    "requirement_id",
    "requirement",
    "score",
    "interpreter",
    "request",
    "explanation",
)


def file_name(participant_id: str) -> str:
    """A participant id as a file name: kept as is when safe, else percent-encoded."""
    # surrogatepass: an id holding a lone surrogate (JSON can carry one) still gets a name.
    return quote(participant_id, safe="-_.", errors="surrogatepass") or "_"


def schedule_rows(plan: EventPlan) -> list[dict[str, Any]]:
    rows = []
    for m in plan.meetings:
        rows.append(
            {
                "meeting_id": m.meeting_id,
                "slot_start": m.slot_start.isoformat(),
                "slot_end": m.slot_end.isoformat(),
                "table": m.table,
                "buyer_id": m.buyer_id,
                "requirement_id": m.requirement_id,
                "supplier_id": m.supplier_id,
                "score": m.score,
                "interpreter": m.interpreter,
                "buyer_name": plan.firms[m.buyer_id].name,
                "supplier_name": plan.firms[m.supplier_id].name,
                "request": m.request,
                "locked": "yes" if m.locked else "",
                "explanation": m.explanation,
            }
        )
    return rows


def _by_firm(plan: EventPlan) -> dict[str, list[Meeting]]:
    out: dict[str, list[Meeting]] = defaultdict(list)
    for m in plan.meetings:
        out[m.buyer_id].append(m)
        out[m.supplier_id].append(m)
    return out


def list_rows(plan: EventPlan, role: str) -> list[dict[str, Any]]:
    """One row per meeting of each firm of ``role`` (and one empty row, with the reason, for a
    firm without meetings), sorted by firm then time."""
    meetings = _by_firm(plan)
    rows: list[dict[str, Any]] = []
    for firm in sorted((f for f in plan.firms.values() if f.role == role), key=lambda f: f.id):
        own = sorted(meetings.get(firm.id, []), key=lambda m: m.slot_start)
        if not own:
            rows.append(
                {
                    "firm_id": firm.id,
                    "firm_name": firm.name,
                    "meetings": 0,
                    "explanation": plan.short.get(firm.id, "no meeting"),
                }
            )
        for m in own:
            partner = m.supplier_id if role == "buyer" else m.buyer_id
            rows.append(
                {
                    "firm_id": firm.id,
                    "firm_name": firm.name,
                    "meetings": len(own),
                    "slot_start": m.slot_start.strftime("%Y-%m-%d %H:%M"),
                    "table": m.table,
                    "partner_id": partner,
                    "partner_name": plan.firms[partner].name,
                    "requirement_id": m.requirement_id,
                    "requirement": plan.requirement_titles.get(m.requirement_id, ""),
                    "score": m.score,
                    "interpreter": m.interpreter,
                    "request": m.request,
                    "explanation": m.explanation,
                }
            )
    return rows


def write_lists_xlsx(plan: EventPlan, path: Path) -> None:
    """matching_lists.xlsx: sheet 'buyers' and sheet 'suppliers', formula-safe cells."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for role, sheet in (("buyer", "buyers"), ("supplier", "suppliers")):
        ws = book.create_sheet(sheet)
        ws.append([safe_cell(c) for c in LIST_COLUMNS])
        for row in list_rows(plan, role):
            ws.append([safe_cell(row.get(c)) for c in LIST_COLUMNS])
    book.save(path)


# --- HTML agenda ----------------------------------------------------------------------------------
_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em;margin-bottom:0}p.sub{color:#555;margin-top:.2em}
table{border-collapse:collapse;width:100%;margin-top:1em}
th,td{border:1px solid #bbb;padding:.4em .6em;text-align:left;vertical-align:top}
th{background:#eee}td.why{font-size:.85em;color:#444}
@media print{body{margin:0}a{color:inherit}}
"""


def _html(value: object) -> str:
    """A field as HTML text: cleaned as for a spreadsheet (no control characters, no lone
    surrogates), then every markup character escaped, quotes included."""
    return html.escape(clean_text(str(value)), quote=True)


def agenda_html(plan: EventPlan, participant_id: str) -> str:
    """A printable agenda page for one participant (plain HTML5, no scripts)."""
    firm = plan.firms[participant_id]
    e = _html
    own = sorted(_by_firm(plan).get(participant_id, []), key=lambda m: m.slot_start)
    rows = []
    for m in own:
        partner = m.supplier_id if firm.role == "buyer" else m.buyer_id
        rows.append(
            "<tr>"
            f"<td>{e(m.slot_start.strftime('%H:%M'))}–{e(m.slot_end.strftime('%H:%M'))}</td>"
            f"<td>{e(m.table)}</td>"
            f"<td>{e(plan.firms[partner].name)}<br><small>{e(partner)}</small></td>"
            f"<td>{e(m.interpreter)}</td>"
            f'<td class="why">{e(m.explanation)}</td>'
            "</tr>"
        )
    body = (
        "<table><thead><tr><th>Time</th><th>Table</th><th>Meeting with</th>"
        "<th>Interpreter</th><th>Why this meeting</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        if rows
        else f"<p>No meeting is scheduled. {e(plan.short.get(participant_id, ''))}</p>"
    )
    day = plan.event.slots[0].start.strftime("%Y-%m-%d") if plan.event.slots else ""
    where = f" · {e(plan.event.location)}" if plan.event.location else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(plan.event.name)} – {e(firm.name)}</title><style>{_CSS}</style></head>"
        f"<body><h1>{e(firm.name)}</h1>"
        f'<p class="sub">{e(plan.event.name)} · {e(day)}{where} · {len(own)} meeting(s) · '
        f"{e(firm.role)} {e(firm.id)}</p>{body}</body></html>\n"
    )


# --- ICS ------------------------------------------------------------------------------------------
def agenda_ics(plan: EventPlan, participant_id: str) -> bytes:
    """An iCalendar file (RFC 5545) with one VEVENT per meeting of the participant."""
    from icalendar import Calendar
    from icalendar import Event as IcsEvent

    firm = plan.firms[participant_id]
    cal = Calendar()
    cal.add("prodid", "-//CNHT Matcher//events//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", clean_text(f"{plan.event.name} – {firm.name}"))
    stamp = datetime.now(UTC).replace(microsecond=0)
    for m in sorted(_by_firm(plan).get(participant_id, []), key=lambda m: m.slot_start):
        partner = m.supplier_id if firm.role == "buyer" else m.buyer_id
        item = IcsEvent()
        item.add("uid", f"{m.meeting_id}-{file_name(participant_id)}@cnht-matcher")
        item.add("dtstamp", stamp)
        item.add("dtstart", m.slot_start)
        item.add("dtend", m.slot_end)
        item.add(
            "summary", clean_text(f"B2B meeting: {plan.firms[partner].name} (table {m.table})")
        )
        where = f"Table {m.table}" + (f", {plan.event.location}" if plan.event.location else "")
        item.add("location", clean_text(where))
        notes = [f"Meeting {m.meeting_id} with {partner}"]
        if m.interpreter:
            notes.append(f"Interpreter: {m.interpreter}")
        if m.explanation:
            notes.append(m.explanation)
        item.add("description", clean_text("\n".join(notes)))
        cal.add_component(item)
    return bytes(cal.to_ical())


# --- the whole folder -----------------------------------------------------------------------------
def write_event_outputs(plan: EventPlan, out_dir: Path | str) -> list[str]:
    """Write every export into ``out_dir`` (replaced whole, atomically); returns the files."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        rows = schedule_rows(plan)
        write_table(rows, SCHEDULE_COLUMNS, tmp / "schedule.csv")
        write_table(
            rows, (*SCHEDULE_COLUMNS, *SCHEDULE_XLSX_EXTRA), tmp / "schedule.xlsx", "schedule"
        )
        write_lists_xlsx(plan, tmp / "matching_lists.xlsx")
        kpis = json.dumps(plan.kpis, indent=2, ensure_ascii=False)
        (tmp / "kpis.json").write_text(clean_text(kpis), encoding="utf-8")
        (tmp / "ics").mkdir()
        (tmp / "agendas").mkdir()
        for pid in plan.firms:
            name = file_name(pid)
            (tmp / "ics" / f"{name}.ics").write_bytes(agenda_ics(plan, pid))
            (tmp / "agendas" / f"{name}.html").write_text(agenda_html(plan, pid), encoding="utf-8")
        written = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file())
        _swap_in(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("wrote %d files into %s", len(written), out_dir)
    return written


def _swap_in(new: Path, target: Path) -> None:
    """Rename ``new`` to ``target``; an existing ``target`` is moved aside first, then removed."""
    old: Path | None = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
        os.replace(target, old / target.name)
    try:
        os.replace(new, target)
    except BaseException:
        if old is not None:
            os.replace(old / target.name, target)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def what_if_rows(results: Sequence[Any]) -> list[dict[str, Any]]:
    """What-if results as table rows (for the CLI's table)."""
    return [
        {"option": r.option, **r.kpis, "suppliers_short": r.short, "note": r.note} for r in results
    ]
