"""The supplier's pages: its own profile (edited and validated as the importer validates a
row: the same schema, the same size limits), the meeting requests made to it (accept or
decline, once), and its agenda with the files to download (HTML, ICS)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from api.limits import record_problems
from api.pages.auth import redirect
from api.pages.session import (
    PREFIX,
    CheckedForm,
    Page,
    SupplierPage,
    field_text,
    register_home,
    register_nav,
    render,
)
from matcher.errors import Problem
from matcher.schemas import Supplier
from matcher.services import may_edit_supplier
from matcher.services.meetings import Meetings

router = APIRouter(prefix=f"{PREFIX}/supplier", include_in_schema=False)
for _message, _path in (
    ("nav.supplier_requests", "requests"),
    ("nav.agenda", "agenda"),
    ("nav.profile", "profile"),
):
    register_nav("supplier", _message, f"{PREFIX}/supplier/{_path}")
register_home("supplier", f"{PREFIX}/supplier/requests")

# The fields a supplier edits; the rest (tier, assessments, flags, own columns) are the
# organisers' and kept as stored. Lists are written as in a file cell: 'a; b; c'.
TEXT_FIELDS = ("name", "name_en", "tax_code", "description")
LIST_FIELDS = ("processes", "materials", "products", "certifications", "sector", "customers",
               "languages")  # fmt: skip
PLACE_FIELDS = ("province", "district", "industrial_park", "ownership")
FIRM_FIELDS = ("employees", "founded_year", "monthly_capacity")
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")
EDITABLE = TEXT_FIELDS + LIST_FIELDS + PLACE_FIELDS + FIRM_FIELDS + CONTACT_FIELDS
FORM_GROUPS = (
    ("profile.group.firm", TEXT_FIELDS),
    ("profile.group.capabilities", LIST_FIELDS),
    ("profile.group.place", PLACE_FIELDS + FIRM_FIELDS),
    ("profile.group.contact", CONTACT_FIELDS),
)


def meetings(page: Page) -> Meetings:
    return Meetings(page.context.workspace, page.context.events)


def as_form(supplier: Supplier) -> dict[str, str]:
    values = supplier.model_dump()
    return {
        f: "; ".join(values[f]) if isinstance(values[f], list) else str(values[f] or "")
        for f in EDITABLE
    }


def edited(page: Page, stored: Supplier, form: FormData) -> tuple[Supplier | None, list[Problem]]:
    """The profile with the form's fields, validated as a file row is (schema, then sizes)."""
    fields = {f: field_text(form, f, page.context.api.max_text_chars + 1) for f in EDITABLE}
    try:
        supplier = Supplier.model_validate({**stored.model_dump(), **fields})
    except ValidationError as exc:
        problems = [
            Problem("form", None, str(e["loc"][0]) if e["loc"] else None, e["msg"])
            for e in exc.errors()
        ]
        return None, problems
    api = page.context.api
    return supplier, record_problems(supplier, api.max_text_chars, api.max_list_items, "form")


@router.get("/profile", response_class=HTMLResponse)
def profile_form(page: SupplierPage) -> HTMLResponse:
    stored = page.context.register.supplier(page.key.supplier_id or "")
    return render(page, "supplier/profile.html", values=as_form(stored), problems=[],
                  groups=FORM_GROUPS, saved="saved" in page.request.query_params)  # fmt: skip


@router.post("/profile", response_model=None)
def profile_save(page: SupplierPage, form: CheckedForm) -> Response:
    supplier_id = page.key.supplier_id or ""
    may_edit_supplier(page.key, supplier_id)
    supplier, problems = edited(page, page.context.register.supplier(supplier_id), form)
    if supplier is None or problems:
        values = {f: field_text(form, f) for f in EDITABLE}
        return render(page, "supplier/profile.html", 422, values=values, problems=problems,
                      groups=FORM_GROUPS, saved=False)  # fmt: skip
    page.context.register.replace_supplier(supplier_id, supplier)
    return redirect(page, f"{PREFIX}/supplier/profile?saved=1")


@router.get("/requests", response_class=HTMLResponse)
def requests_page(page: SupplierPage) -> HTMLResponse:
    service = meetings(page)
    events = {e.event_id: e for e in service.events_for(page.key)}
    return render(page, "supplier/requests.html", requests=service.of_supplier(page.key),
                  events=events)  # fmt: skip


@router.post("/requests/{request_id}/{answer}", response_model=None)
def answer_request(
    page: SupplierPage, form: CheckedForm, request_id: int, answer: Literal["accept", "decline"]
) -> RedirectResponse:
    meetings(page).answer(page.key, request_id, accept=answer == "accept")
    return redirect(page, f"{PREFIX}/supplier/requests")


@router.get("/agenda", response_class=HTMLResponse)
def agenda_page(page: SupplierPage) -> HTMLResponse:
    service = meetings(page)
    entries = service.supplier_agenda(page.key)
    planned = [e for e in service.events_for(page.key) if e.plan is not None]
    return render(page, "supplier/agenda.html", entries=entries, planned=planned)


@router.get("/agenda/{event_id}.{fmt}", response_model=None)
def agenda_file(page: SupplierPage, event_id: str, fmt: Literal["ics", "html"]) -> FileResponse:
    path = page.context.events.agenda(page.key, event_id, page.key.supplier_id or "", fmt)
    media = "text/calendar" if fmt == "ics" else "text/html"
    return FileResponse(path, media_type=media, filename=f"agenda-{event_id}.{fmt}")
