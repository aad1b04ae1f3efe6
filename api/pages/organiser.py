"""The organiser's register pages: import a supplier or requirement file (every problem in a
table with its file, row and column, nothing written when there is one) and browse the register
with filters, duplicates flagged. Events are api/pages/organiser_events.py and
organiser_plan.py; what the forms hold, organiser_forms.py."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.pages.auth import redirect
from api.pages.organiser_forms import import_register, page_number, register_filters
from api.pages.session import (
    PREFIX,
    CheckedForm,
    OrganiserPage,
    register_home,
    register_nav,
    render,
)
from matcher.errors import InputDataError
from matcher.services.browse import browse_register

BASE = f"{PREFIX}/organiser"
PAGE_SIZE = 50
router = APIRouter(prefix=BASE, include_in_schema=False)
for _role in ("organiser", "admin"):
    register_nav(_role, "org.nav.events", f"{BASE}/events")
    register_nav(_role, "org.nav.register", f"{BASE}/register")
    register_nav(_role, "org.nav.import", f"{BASE}/import")
    register_home(_role, f"{BASE}/events")


@router.get("", response_model=None)
def home(page: OrganiserPage) -> RedirectResponse:
    return redirect(page, f"{BASE}/events")


@router.get("/import", response_class=HTMLResponse)
def import_form(page: OrganiserPage) -> HTMLResponse:
    return render(page, "organiser/import.html", problems=[], imported=None, kind="suppliers")


@router.post("/import", response_model=None)
async def import_file(page: OrganiserPage, request: Request, form: CheckedForm) -> Response:
    """The file validated whole first; on any problem the table of problems, nothing written."""
    kind = str(form.get("kind") or "suppliers")
    try:
        imported = await import_register(page, request, form)
    except InputDataError as exc:
        return render(page, "organiser/import.html", 422, problems=exc.problems, imported=None,
                      kind=kind)  # fmt: skip
    if imported is None:
        return Response(status_code=499)  # the client went away: nothing was written
    return render(page, "organiser/import.html", problems=[], imported=imported, kind=kind)


@router.get("/register", response_class=HTMLResponse)
def register(page: OrganiserPage) -> HTMLResponse:
    params = dict(page.request.query_params)
    filters, number = register_filters(params), page_number(params.get("page"))
    view = browse_register(page.context.workspace, filters, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    pages = max(1, -(-view.matched // PAGE_SIZE))
    return render(page, "organiser/register.html", view=view, filters=filters, number=number,
                  pages=pages, params=params)  # fmt: skip
