"""The buyer's shortlist (add, note, remove, export to XLSX) and meeting requests (ask a
supplier to meet at an event, see the answers). Both are the buyer's own: another buyer's
answer 404 (matcher.services.shortlist, matcher.services.meetings)."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.pages.auth import redirect
from api.pages.session import PREFIX, BuyerPage, CheckedForm, Page, field_text, local_path, render
from matcher.services.meetings import Meetings
from matcher.services.shortlist import Shortlists

router = APIRouter(prefix=PREFIX, include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def names_of(page: Page, supplier_ids: Iterable[str]) -> dict[str, str]:
    """Suppliers' names (public) by id, for lists that name them."""
    return {k: s.name for k, s in page.context.workspace.suppliers_by_id(supplier_ids).items()}


def meetings(page: Page) -> Meetings:
    return Meetings(page.context.workspace, page.context.events)


@router.get("/shortlist", response_class=HTMLResponse)
def shortlist_page(page: BuyerPage) -> HTMLResponse:
    items = Shortlists(page.context.workspace).items(page.key)
    return render(page, "buyer/shortlist.html", items=items)


@router.post("/shortlist", response_model=None)
def shortlist_add(page: BuyerPage, form: CheckedForm) -> RedirectResponse:
    supplier_id = field_text(form, "supplier_id", 64)
    Shortlists(page.context.workspace).add(page.key, supplier_id, field_text(form, "note"))
    return redirect(page, local_path(field_text(form, "next", 2000), f"{PREFIX}/shortlist"))


@router.post("/shortlist/{supplier_id}/remove", response_model=None)
def shortlist_remove(page: BuyerPage, form: CheckedForm, supplier_id: str) -> RedirectResponse:
    Shortlists(page.context.workspace).remove(page.key, supplier_id)
    return redirect(page, local_path(field_text(form, "next", 2000), f"{PREFIX}/shortlist"))


@router.get("/shortlist.xlsx", response_model=None)
def shortlist_export(page: BuyerPage) -> Response:
    data = Shortlists(page.context.workspace).export_xlsx(page.key)
    name = f"shortlist-{page.key.buyer_id}.xlsx".encode("ascii", "replace").decode()
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(data, media_type=XLSX, headers=headers)


@router.get("/requests", response_class=HTMLResponse)
def my_requests(page: BuyerPage) -> HTMLResponse:
    service = meetings(page)
    events = {e.event_id: e for e in service.events_for(page.key)}
    requests = service.of_buyer(page.key)
    names = names_of(page, (r.supplier_id for r in requests))
    return render(page, "buyer/requests.html", requests=requests, events=events, names=names)


@router.post("/requests", response_model=None)
def request_meeting(page: BuyerPage, form: CheckedForm) -> RedirectResponse:
    made = meetings(page).request(
        page.key,
        field_text(form, "event_id", 64),
        field_text(form, "supplier_id", 64),
        field_text(form, "requirement_id", 64) or None,
        field_text(form, "message", 2000),
    )
    return redirect(page, f"{PREFIX}/requests/{made.request_id}")


@router.get("/requests/{request_id}", response_class=HTMLResponse)
def request_page(page: BuyerPage, request_id: int) -> HTMLResponse:
    found = meetings(page).get(page.key, request_id)
    event = page.context.events.get(found.event_id)
    names = names_of(page, [found.supplier_id])
    return render(page, "buyer/request.html", r=found, event=event, names=names)
