"""An event's plan, for its organiser: the proposed meetings (lock and unlock them), the slot ×
table grid (move a meeting: it is locked at its new place and the rest planned around it),
what-if options, the KPIs with their charts, and every file (schedule, matching lists, KPIs,
each firm's agenda as HTML and calendar)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse, HTMLResponse, Response

from api.pages.auth import redirect
from api.pages.organiser import BASE
from api.pages.organiser_events import EventId, top_k_of
from api.pages.organiser_forms import chart_labels, meeting_ids, problems_of, what_if_options
from api.pages.session import CheckedForm, OrganiserPage, Page, field_text, render
from api.routes.events import MEDIA_TYPES, FileName
from matcher.errors import ConfigError, InputDataError
from matcher.services.event_views import (
    direct_suppliers,
    direct_suppliers_chart,
    grid_of,
    meetings_per_firm_chart,
    suppliers_by_tier,
    suppliers_met_chart,
)

router = APIRouter(prefix=f"{BASE}/events", include_in_schema=False)
AGENDA_FORMATS = ("html", "pdf", "ics")
AGENDA_MEDIA = {"html": "text/html", "pdf": "application/pdf", "ics": "text/calendar"}
ParticipantId = Annotated[str, Path(min_length=1, max_length=200)]


def plan_page(
    page: Page, event_id: str, template: str, status: int = 200, **ctx: Any
) -> HTMLResponse:
    """A tab of a planned event (the event page when it has no plan yet)."""
    events = page.context.events
    record = events.get(event_id)
    stored = events.planned(event_id)
    return render(page, f"organiser/{template}.html", status, event=record, plan=stored,
                  rows=stored["meetings"], locked=events.locked_ids(record), tab=template,
                  problems=ctx.pop("problems", []), **ctx)  # fmt: skip


@router.get("/{event_id}/meetings", response_class=HTMLResponse)
def meetings(page: OrganiserPage, event_id: EventId) -> HTMLResponse:
    return plan_page(page, event_id, "meetings", planned="planned" in page.request.query_params)


@router.post("/{event_id}/locks", response_model=None)
def locks(page: OrganiserPage, form: CheckedForm, event_id: EventId) -> Response:
    """Lock (confirm) or unlock the meetings ticked; locked ones keep their place in every
    later plan, and a lock counts as a confirmed meeting (as the API's /locks)."""
    try:
        ids = meeting_ids(form)
        if field_text(form, "action", 10) == "unlock":
            page.context.events.unlock(event_id, ids)
        else:
            page.context.events.lock(event_id, ids, page.key)
    except InputDataError as exc:
        return plan_page(page, event_id, "meetings", 422, problems=exc.problems)
    return redirect(page, f"{BASE}/events/{event_id}/meetings")


@router.get("/{event_id}/grid", response_class=HTMLResponse)
def grid(page: OrganiserPage, event_id: EventId) -> HTMLResponse:
    moved = page.request.query_params.get("moved", "")
    return plan_page(
        page, event_id, "grid", grid=grid_of(page.context.events, event_id), moved=moved
    )


@router.post("/{event_id}/move", response_model=None)
def move(page: OrganiserPage, form: CheckedForm, event_id: EventId) -> Response:
    meeting = field_text(form, "meeting_id", 200)
    slot, table = field_text(form, "slot", 60), field_text(form, "table", 60)
    try:
        page.context.events.move(event_id, meeting, slot, table, top_k_of(form))
    except InputDataError as exc:
        return plan_page(page, event_id, "grid", 422, problems=exc.problems,
                         grid=grid_of(page.context.events, event_id), moved="")  # fmt: skip
    return redirect(page, f"{BASE}/events/{event_id}/grid?moved={meeting}")


@router.get("/{event_id}/what-if", response_class=HTMLResponse)
def what_if_form(page: OrganiserPage, event_id: EventId) -> HTMLResponse:
    return plan_page(page, event_id, "whatif", results=None, options="tables+2\nslots+1")


@router.post("/{event_id}/what-if", response_model=None)
def what_if(page: OrganiserPage, form: CheckedForm, event_id: EventId) -> Response:
    """Each option planned on a copy of the event; nothing is written (a POST: it may take a
    solver's time per option, and a crawler must not start it)."""
    text = field_text(form, "options", 2000)
    try:
        results = page.context.events.what_if(event_id, what_if_options(text), top_k_of(form))
    except (InputDataError, ConfigError) as exc:
        problems = problems_of(exc, "options")
        return plan_page(
            page, event_id, "whatif", 422, problems=problems, results=None, options=text
        )
    return plan_page(page, event_id, "whatif", results=results, options=text)


def charts_of(page: Page, kpis: dict[str, Any], direct: dict[str, Any] | None) -> dict[str, str]:
    labels = chart_labels(page)
    return {
        "per_firm": meetings_per_firm_chart(kpis, labels),
        "met": suppliers_met_chart(kpis, labels),
        "direct": direct_suppliers_chart(direct["by_sector"], labels) if direct else "",
    }


@router.get("/{event_id}/kpis", response_class=HTMLResponse)
def kpis(page: OrganiserPage, event_id: EventId) -> HTMLResponse:
    """The plan's KPIs and charts; ``?direct=1`` adds the direct suppliers a tier proposal
    finds for the event's buyers (a proposal over the register: asked for, not by default)."""
    ctx = page.context
    stored = ctx.events.planned(event_id)
    tiers = {s.supplier_id: s.tier for s in ctx.workspace.suppliers()}
    direct = None
    if page.request.query_params.get("direct") == "1":
        direct = direct_suppliers(ctx.workspace, ctx.index, ctx.settings, ctx.events.get(event_id))
    return plan_page(
        page,
        event_id,
        "kpis",
        charts=charts_of(page, stored["kpis"], direct),
        direct=direct,
        by_tier=suppliers_by_tier(stored["meetings"], tiers),
    )


@router.get("/{event_id}/exports", response_class=HTMLResponse)
def exports(page: OrganiserPage, event_id: EventId) -> HTMLResponse:
    record = page.context.events.get(event_id)
    firms = sorted(
        {(p.get("role", ""), p.get("id", "")) for p in record.spec.get("participants") or []}
    )
    return plan_page(page, event_id, "exports", firms=firms, formats=AGENDA_FORMATS)


@router.get("/{event_id}/files/{name}", response_model=None)
def download(page: OrganiserPage, event_id: EventId, name: FileName) -> FileResponse:
    path = page.context.events.plan_file(event_id, name)
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], filename=f"{event_id}-{name}")


@router.get("/{event_id}/agendas/{participant_id}.{fmt}", response_model=None)
def agenda(
    page: OrganiserPage,
    event_id: EventId,
    participant_id: ParticipantId,
    fmt: Literal["html", "pdf", "ics"],
) -> FileResponse:
    """A firm's agenda: HTML opens in the browser (to print), PDF and ICS download."""
    events = page.context.events
    if fmt == "pdf":
        path = events.agenda_pdf(page.key, event_id, participant_id)
    else:
        path = events.agenda(page.key, event_id, participant_id, fmt)
    shown = "inline" if fmt == "html" else "attachment"
    return FileResponse(path, media_type=AGENDA_MEDIA[fmt], filename=path.name,
                        content_disposition_type=shown)  # fmt: skip
