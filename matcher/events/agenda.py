"""Event exports: the schedule (CSV + XLSX), matching lists per role (XLSX), a printable agenda
per participant in Vietnamese and English (HTML, and PDF on request), an ICS calendar per
participant, the floor plan and kpis.json. Everything is written into a temporary folder beside
the output folder and renamed into place at the end, so a failure leaves the old folder (or
none), never a half-written one.

Output contract (relied on from outside): ``schedule.csv`` with SCHEDULE_COLUMNS, ISO 8601
times and an empty ``interpreter`` when none; ``kpis.json``; ``ics/<participant_id>.ics``;
``agendas/<participant_id>.html`` (both languages; ``.vi.html`` and ``.en.html`` one each).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from matcher.events.floorplan import floorplan_html
from matcher.events.ics import agenda_ics
from matcher.events.lists import file_name, write_lists_xlsx, write_schedule_xlsx
from matcher.events.pages import AgendaLanguage, agenda_html
from matcher.events.profiles import Profile
from matcher.events.result import EventPlan
from matcher.export import clean_text, write_table

log = logging.getLogger(__name__)

# Re-exported: matcher.events' names from before the split into lists, ics and pages.
__all__ = ["agenda_html", "agenda_ics", "file_name"]

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


def schedule_rows(plan: EventPlan) -> list[dict[str, Any]]:
    """The schedule as JSON-ready rows (ISO times): schedule.csv (SCHEDULE_COLUMNS) and the
    stored plan (with names, request, locked and explanation too)."""
    return [
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
        for m in plan.meetings
    ]


_AGENDA_FILES: tuple[tuple[AgendaLanguage, str], ...] = (("both", ""), ("vi", ".vi"), ("en", ".en"))


# --- the whole folder -----------------------------------------------------------------------------
def write_event_outputs(
    plan: EventPlan,
    out_dir: Path | str,
    profiles: Mapping[str, Profile] | None = None,
    pdf: bool = False,
) -> list[str]:
    """Write every export into ``out_dir`` (replaced whole, atomically); returns the files.

    profiles: participant id → public profile (matcher.events.profiles.profiles_of) for the
    lists and agendas; pdf: also each agenda and the floor plan as PDF (needs WeasyPrint)."""
    out_dir = Path(out_dir)
    if pdf:
        from matcher.events.pdf import check_pdf_available

        check_pdf_available()  # before anything is computed: a missing library fails fast
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        write_table(schedule_rows(plan), SCHEDULE_COLUMNS, tmp / "schedule.csv")
        write_schedule_xlsx(plan, tmp / "schedule.xlsx")
        write_lists_xlsx(plan, tmp / "matching_lists.xlsx", profiles)
        kpis = json.dumps(plan.kpis, indent=2, ensure_ascii=False)
        (tmp / "kpis.json").write_text(clean_text(kpis), encoding="utf-8")
        (tmp / "floorplan.html").write_text(floorplan_html(plan), encoding="utf-8")
        (tmp / "ics").mkdir()
        (tmp / "agendas").mkdir()
        for pid in plan.firms:
            name = file_name(pid)
            (tmp / "ics" / f"{name}.ics").write_bytes(agenda_ics(plan, pid))
            for lang, suffix in _AGENDA_FILES:
                page = agenda_html(plan, pid, lang, profiles)
                (tmp / "agendas" / f"{name}{suffix}.html").write_text(page, encoding="utf-8")
        if pdf:
            _write_pdfs(plan, tmp, profiles)
        written = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file())
        _swap_in(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("wrote %d files into %s", len(written), out_dir)
    return written


def _write_pdfs(plan: EventPlan, folder: Path, profiles: Mapping[str, Profile] | None) -> None:
    from matcher.events.pdf import agenda_pdfs, floorplan_pdf

    for pid, data in agenda_pdfs(plan, profiles).items():
        (folder / "agendas" / f"{file_name(pid)}.pdf").write_bytes(data)
    (folder / "floorplan.pdf").write_bytes(floorplan_pdf(plan))


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
