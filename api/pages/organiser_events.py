"""The organiser's event pages: the list of events, creating one (a form for the day's slots,
tables, caps and interpreters, or an event file), an event's overview with its participants,
a late registration, and planning (locked meetings stay where they are). The plan itself —
meetings, grid, what-if, KPIs, files — is api/pages/organiser_plan.py."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse, Response

from api.pages.auth import redirect
from api.pages.organiser import BASE
from api.pages.organiser_forms import event_document, event_from_file, participant, problem
from api.pages.session import CheckedForm, OrganiserPage, Page, field_text, render
from matcher.errors import InputDataError
from matcher.services.events import spec_of

router = APIRouter(prefix=f"{BASE}/events", include_in_schema=False)
EventId = Annotated[str, Path(min_length=1, max_length=64)]
MAX_TOP_K = 50
# What the creation form shows first: the sample day of data/sample/event.yaml, shortened.
FORM_DEFAULTS = {
    "name": "",
    "date": "",
    "timezone": "Asia/Ho_Chi_Minh",
    "slots": "08:30, 20, 6, 5\n11:15, 20, 6, 5",
    "tables": "10",
    "floor": "1",
    "time_limit_s": "10",
}


def listing(page: Page, status: int = 200, **ctx: Any) -> HTMLResponse:
    records, total = page.context.workspace.page_events(0, 200)
    values = ctx.pop("values", FORM_DEFAULTS)
    return render(page, "organiser/events.html", status, events=records, total=total,
                  values=values, problems=ctx.pop("problems", []), **ctx)  # fmt: skip


@router.get("", response_class=HTMLResponse)
def events(page: OrganiserPage) -> HTMLResponse:
    return listing(page)


@router.post("", response_model=None)
def create(page: OrganiserPage, form: CheckedForm) -> Response:
    """An event from the form's fields, checked whole (every problem shown beside the form)."""
    try:
        event = page.context.events.check(event_document(form))
        record = page.context.events.create(spec_of(event))
    except InputDataError as exc:
        values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        return listing(page, 422, values=values, problems=exc.problems)
    return redirect(page, f"{BASE}/events/{record.event_id}")


@router.post("/upload", response_model=None)
def upload(page: OrganiserPage, form: CheckedForm) -> Response:
    """An event from a file (YAML, JSON or XLSX, as `matcher event plan` reads it)."""
    try:
        record = page.context.events.create(event_from_file(page, form))
    except InputDataError as exc:
        return listing(page, 422, file_problems=exc.problems)
    return redirect(page, f"{BASE}/events/{record.event_id}")


def overview(page: Page, event_id: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    record = page.context.events.get(event_id)
    participants = record.spec.get("participants") or []
    return render(page, "organiser/event.html", status, event=record, participants=participants,
                  locked=page.context.events.locked_ids(record), tab="overview",
                  problems=ctx.pop("problems", []), late=ctx.pop("late", {}), **ctx)  # fmt: skip


@router.get("/{event_id}", response_class=HTMLResponse)
def event_page(page: OrganiserPage, event_id: EventId) -> HTMLResponse:
    query = page.request.query_params
    return overview(
        page, event_id, added=query.get("added", ""), withdrawn=query.get("withdrawn", "")
    )


@router.post("/{event_id}/participants", response_model=None)
def late_registration(page: OrganiserPage, form: CheckedForm, event_id: EventId) -> Response:
    """A late registration; the whole event is checked again (a firm the register does not
    know is named at planning, as the API does)."""
    try:
        item = participant(form)
        page.context.events.add_participants(event_id, [item])
    except InputDataError as exc:
        late = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        return overview(page, event_id, 422, problems=exc.problems, late=late)
    return redirect(page, f"{BASE}/events/{event_id}?added={quote(item['id'])}")


@router.post("/{event_id}/withdraw", response_model=None)
def withdraw(page: OrganiserPage, form: CheckedForm, event_id: EventId) -> Response:
    """A registered firm leaves the event (with its locked meetings and requests)."""
    firm = field_text(form, "id", 200)
    try:
        page.context.events.withdraw(event_id, firm)
    except InputDataError as exc:
        return overview(page, event_id, 422, problems=exc.problems)
    return redirect(page, f"{BASE}/events/{event_id}?withdrawn={quote(firm)}")


def top_k_of(form: Any) -> int:
    text = field_text(form, "top_k", 5) or "10"
    if not text.isdigit() or not 1 <= int(text) <= MAX_TOP_K:
        raise problem("top_k", f"give a number of candidates from 1 to {MAX_TOP_K}")
    return int(text)


@router.post("/{event_id}/plan", response_model=None)
def plan(page: OrganiserPage, form: CheckedForm, event_id: EventId) -> Response:
    """Plan (or re-plan): locked meetings keep their slot and table, ids stay with their pair."""
    try:
        page.context.events.plan(event_id, top_k_of(form))
    except InputDataError as exc:
        return overview(page, event_id, 422, problems=exc.problems)
    return redirect(page, f"{BASE}/events/{event_id}/meetings?planned=1")
