"""The event's spreadsheets: the schedule (schedule.xlsx, for the floor staff) and the matching
lists per role (matching_lists.xlsx), each after a cover sheet with the event, its day and its
counts. Times are Excel date-times in the event's time zone (the cover names it); every cell goes
through matcher.export's formula escaping."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from matcher.events.profiles import Profile
from matcher.events.result import EventPlan, Meeting
from matcher.export import Cover, made_at, write_workbook

SCHEDULE_XLSX_COLUMNS = (
    "meeting_id",
    "slot_start",
    "slot_end",
    "table",
    "buyer_id",
    "buyer_name",
    "requirement_id",
    "requirement",
    "supplier_id",
    "supplier_name",
    "score",
    "interpreter",
    "interpreter_name",
    "request",
    "locked",
    "explanation",
)
LIST_COLUMNS = (
    "firm_id",
    "firm_name",
    "meetings",
    "slot_start",
    "slot_end",
    "table",
    "partner_id",
    "partner_name",
    "partner_province",
    "partner_profile",
    "requirement_id",
    "requirement",
    "score",
    "interpreter",
    "contact",
    "request",
    "explanation",
)
NO_PROFILE = Profile("")


def file_name(participant_id: str) -> str:
    """A participant id as a file name: kept as is when safe, else percent-encoded."""
    # surrogatepass: an id holding a lone surrogate (JSON can carry one) still gets a name.
    return quote(participant_id, safe="-_.", errors="surrogatepass") or "_"


def by_firm(plan: EventPlan) -> dict[str, list[Meeting]]:
    """Each firm's meetings in time order."""
    out: dict[str, list[Meeting]] = defaultdict(list)
    for m in sorted(plan.meetings, key=lambda m: (m.slot_start, m.table)):
        out[m.buyer_id].append(m)
        out[m.supplier_id].append(m)
    return out


def interpreter_name(plan: EventPlan, interpreter_id: str) -> str:
    """An interpreter as people know them: 'Hà (I1)', or the id alone when unnamed."""
    if not interpreter_id:
        return ""
    for i in plan.event.interpreters:
        if i.id == interpreter_id and i.name:
            return f"{i.name} ({i.id})"
    return interpreter_id


def event_cover(plan: EventPlan, title: str) -> Cover:
    """What, when and where, and the plan's counts, for a cover sheet."""
    slots = plan.event.slots
    firms = plan.firms.values()
    return [
        (title, plan.event.name),
        ("First slot", slots[0].start if slots else ""),
        ("Last slot ends", slots[-1].end if slots else ""),
        ("Time zone", plan.event.timezone),
        ("Location", plan.event.location or ""),
        ("Meetings", len(plan.meetings)),
        ("Buyers", sum(f.role == "buyer" for f in firms)),
        ("Suppliers", sum(f.role == "supplier" for f in firms)),
        ("Tables", len(plan.event.tables)),
        ("Slots", len(slots)),
        ("Suppliers short of the floor", len(plan.short)),
        ("Made", made_at()),
    ]


def schedule_sheet_rows(plan: EventPlan) -> list[dict[str, Any]]:
    """The schedule with names, titles and real date-times, in time then table order."""
    rows = []
    for m in sorted(plan.meetings, key=lambda m: (m.slot_start, m.table)):
        rows.append(
            {
                "meeting_id": m.meeting_id,
                "slot_start": m.slot_start,
                "slot_end": m.slot_end,
                "table": m.table,
                "buyer_id": m.buyer_id,
                "buyer_name": plan.firms[m.buyer_id].name,
                "requirement_id": m.requirement_id,
                "requirement": plan.requirement_titles.get(m.requirement_id, ""),
                "supplier_id": m.supplier_id,
                "supplier_name": plan.firms[m.supplier_id].name,
                "score": m.score,
                "interpreter": m.interpreter,
                "interpreter_name": interpreter_name(plan, m.interpreter),
                "request": m.request,
                "locked": "yes" if m.locked else "",
                "explanation": m.explanation,
            }
        )
    return rows


def list_rows(
    plan: EventPlan, role: str, profiles: Mapping[str, Profile] | None = None
) -> list[dict[str, Any]]:
    """One row per meeting of each firm of ``role`` (and one empty row, with the reason, for a
    firm without meetings), sorted by firm then time. ``contact``: the supplier's contact
    person on a buyer's confirmed (locked) meetings only (matcher.events.profiles)."""
    profiles = profiles or {}
    meetings = by_firm(plan)
    rows: list[dict[str, Any]] = []
    for firm in sorted((f for f in plan.firms.values() if f.role == role), key=lambda f: f.id):
        own = meetings.get(firm.id, [])
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
            profile = profiles.get(partner, NO_PROFILE)
            rows.append(
                {
                    "firm_id": firm.id,
                    "firm_name": firm.name,
                    "meetings": len(own),
                    "slot_start": m.slot_start,
                    "slot_end": m.slot_end,
                    "table": m.table,
                    "partner_id": partner,
                    "partner_name": plan.firms[partner].name,
                    "partner_province": profile.province,
                    "partner_profile": profile.line,
                    "requirement_id": m.requirement_id,
                    "requirement": plan.requirement_titles.get(m.requirement_id, ""),
                    "score": m.score,
                    "interpreter": interpreter_name(plan, m.interpreter),
                    "contact": profile.contact if role == "buyer" and m.locked else "",
                    "request": m.request,
                    "explanation": m.explanation,
                }
            )
    return rows


def write_schedule_xlsx(plan: EventPlan, path: Path) -> None:
    """schedule.xlsx: sheet 'schedule', then the cover. The schedule stays the first sheet (and
    ``interpreter`` the interpreter's id) because a re-plan reads this file back (--locked,
    matcher.events.reader.load_locked), as do tools that open a workbook's first sheet."""
    write_workbook(
        [("schedule", SCHEDULE_XLSX_COLUMNS, schedule_sheet_rows(plan))],
        path,
        event_cover(plan, "Schedule"),
        cover_first=False,
    )


def write_lists_xlsx(
    plan: EventPlan, path: Path, profiles: Mapping[str, Profile] | None = None
) -> None:
    """matching_lists.xlsx: a cover, then sheet 'buyers' and sheet 'suppliers'."""
    write_workbook(
        [
            ("buyers", LIST_COLUMNS, list_rows(plan, "buyer", profiles)),
            ("suppliers", LIST_COLUMNS, list_rows(plan, "supplier", profiles)),
        ],
        path,
        event_cover(plan, "Matching lists"),
    )
