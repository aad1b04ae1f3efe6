"""What the organiser pages read from their forms: an event described field by field, a late
registration, the register's filters; and the imports, read exactly as the API reads them (the
same bounded worker, the same checks, nothing written on any problem).

A form's texts become the plain document the event format takes (matcher.events.spec); the
event's own validation then names every problem, so nothing here judges a value but its size.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from fastapi import Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as FormFile

from api.pages.session import Page, field_text
from api.routes.suppliers import check_sizes
from api.uploads import UploadLimits, read_upload, read_upload_async
from matcher.errors import InputDataError, MatcherError, Problem
from matcher.events import Event, load_event
from matcher.ingest import load_requirements, load_suppliers
from matcher.schemas import DuplicateFirm
from matcher.services import check_ids
from matcher.services.browse import RegisterFilters
from matcher.services.events import spec_of

Kind = Literal["suppliers", "requirements"]
SLOT_LINE = re.compile(r"[,;\s]+")
MAX_LINES = 5000  # participants a form may list (the event format's own bound)


def problem(column: str, message: str) -> InputDataError:
    return InputDataError([Problem("form", None, column, message)])


def problems_of(exc: InputDataError | MatcherError, column: str) -> list[Problem]:
    """An error's problems; one naming ``column`` for an error that has none of its own."""
    if isinstance(exc, InputDataError):
        return list(exc.problems)
    return [Problem("form", None, column, str(exc))]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()][:MAX_LINES]


def _ids(text: str) -> list[str]:
    """Ids one a line, or separated by ';' or ','."""
    return list(dict.fromkeys(p.strip() for p in re.split(r"[;,\n]", text) if p.strip()))


def _set(doc: dict[str, Any], key: str, value: str) -> None:
    if value:
        doc[key] = value


def slot_series(text: str) -> list[dict[str, str]]:
    """'08:30, 20, 6, 5' a line: start, minutes, count, gap (count and gap optional)."""
    out = []
    for line in _lines(text):
        parts = [p for p in SLOT_LINE.split(line) if p]
        series = dict(zip(("start", "minutes", "count", "gap"), parts, strict=False))
        if len(parts) > 4 or "minutes" not in series:
            raise problem("slots", f"{line[:80]!r}: write start, minutes, count, gap")
        out.append(series)
    return out


def interpreters(text: str) -> list[dict[str, str]]:
    """'id | name | languages | hours' a line (languages 'ja, vi'; hours '08:30-11:00')."""
    out = []
    for line in _lines(text):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 3 or len(parts) > 4:
            raise problem("interpreters", f"{line[:80]!r}: write id | name | languages | hours")
        item = {"id": parts[0], "name": parts[1], "languages": parts[2].replace(",", ";")}
        if len(parts) == 4 and parts[3]:
            item["available"] = parts[3]
        out.append(item)
    return out


def event_document(form: FormData) -> dict[str, Any]:
    """The event the creation form describes, as the event format's plain document."""
    doc: dict[str, Any] = {}
    for key in ("name", "date", "timezone", "location", "tables", "floor", "min_score"):
        _set(doc, key, field_text(form, key, 300))
    _set(doc, "time_limit_s", field_text(form, "time_limit_s", 20))
    doc["slots"] = slot_series(field_text(form, "slots", 5000))
    caps: dict[str, dict[str, str]] = {}
    for role in ("buyer", "supplier"):
        for bound in ("min", "max"):
            value = field_text(form, f"{role}_{bound}", 20)
            if value:
                caps.setdefault(role, {})[bound] = value
    if caps:
        doc["caps"] = caps
    doc["participants"] = [
        {"id": pid, "role": role}
        for role in ("buyer", "supplier")
        for pid in _ids(field_text(form, f"{role}s", 200_000))
    ]
    doc["interpreters"] = interpreters(field_text(form, "interpreters", 50_000))
    return doc


def participant(form: FormData) -> dict[str, Any]:
    """A late registration: one firm, its role, and optionally hours, languages and caps."""
    item: dict[str, Any] = {"id": field_text(form, "id", 200), "role": field_text(form, "role", 20)}
    if not item["id"]:
        raise problem("id", "give the firm's id as the register has it")
    for key in ("name", "available", "languages", "min_meetings", "max_meetings"):
        _set(item, key, field_text(form, key, 2000))
    return item


def register_filters(params: dict[str, str]) -> RegisterFilters:
    """The register's filters from the query string; a tier that is not 1, 2 or 3 is none."""
    tier = params.get("tier", "").strip()
    return RegisterFilters(
        sector=params.get("sector", "").strip()[:10] or None,
        province=params.get("province", "").strip()[:200] or None,
        certificate=params.get("certificate", "").strip()[:200] or None,
        tier=int(tier) if tier in ("1", "2", "3") else None,
    )


def page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1


# -- imports ---------------------------------------------------------------------------------------
@dataclass
class Imported:
    kind: Kind
    inserted: int
    updated: int
    duplicates: list[DuplicateFirm]


def upload_of(form: FormData) -> UploadFile:
    file = form.get("file")
    if not isinstance(file, FormFile) or not file.filename:
        raise problem("file", "choose a file to upload")
    return cast(UploadFile, file)  # FastAPI's UploadFile adds only schema hooks to Starlette's


async def import_register(page: Page, request: Request, form: FormData) -> Imported | None:
    """A supplier or requirement file validated whole, then written in one go (as the API's
    import routes do); InputDataError with every problem, None when the client went away."""
    kind = field_text(form, "kind", 20)
    if kind not in ("suppliers", "requirements"):
        raise problem("kind", "choose suppliers or requirements")
    file = upload_of(form)
    context = page.context
    load: Callable[[Path], Any] = load_suppliers if kind == "suppliers" else load_requirements
    result = await read_upload_async(file, load, context.api, request.is_disconnected)
    if result is None:
        return None
    if kind == "suppliers":
        check_ids((s.supplier_id for s in result.records), "supplier_id")
        check_sizes(context, result.records, file.filename or "upload")
        counts = await run_in_threadpool(context.register.upsert_suppliers, result.records)
        return Imported("suppliers", *counts, list(result.duplicates))
    check_ids((r.requirement_id for r in result.records), "requirement_id")
    counts = await run_in_threadpool(context.register.upsert_requirements, result.records)
    return Imported("requirements", *counts, [])


def event_from_file(page: Page, form: FormData) -> dict[str, Any]:
    """An uploaded event file (YAML, JSON or XLSX) read and checked whole, as its document."""
    event: Event = read_upload(upload_of(form), load_event, UploadLimits.of(page.context.api))
    return spec_of(event)


# -- the plan's forms ------------------------------------------------------------------------------
def meeting_ids(form: FormData) -> list[str]:
    """The meetings ticked (checkboxes named ``meeting_id``)."""
    ids = [v.strip()[:200] for v in form.getlist("meeting_id") if isinstance(v, str) and v.strip()]
    if not ids:
        raise problem("meeting_id", "tick at least one meeting")
    return list(dict.fromkeys(ids))[:1000]


def what_if_options(text: str) -> list[str]:
    """What-if options one a line or separated by ','; the event's planner judges each."""
    return [o.strip() for o in re.split(r"[,\n;]", text) if o.strip()][:20]


CHART_LABELS = ("buyers", "suppliers", "meetings", "firms", "met", "not_met", "ready", "needs",
                "sector")  # fmt: skip


def chart_labels(page: Page) -> dict[str, str]:
    """The charts' words in the page's language."""
    return {name: page.t(f"org.chart.{name}") for name in CHART_LABELS}
