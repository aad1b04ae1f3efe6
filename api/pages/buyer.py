"""The buyer's pages: search (any language, filters, facet counts, paging), a supplier's page
(profile, the match explanation, shortlist and meeting-request forms), and the buyer's own
requirements with their ranked matches. Any signed-in key may search and read profiles (as in
the API); requirements are the buyer's own (another's answers 404)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.pages.session import PREFIX, BuyerPage, Page, SignedIn, register_home, register_nav, render
from matcher import services
from matcher.retrieve import Filters
from matcher.schemas import Match
from matcher.services.facets import POOL, browse
from matcher.services.meetings import Meetings, takes_part
from matcher.services.shortlist import Shortlists

router = APIRouter(prefix=PREFIX, include_in_schema=False)
for _role in ("buyer", "organiser", "admin"):
    register_nav(_role, "nav.search", f"{PREFIX}/search")
for _message, _path in (
    ("nav.shortlist", "shortlist"),
    ("nav.requirements", "requirements"),
    ("nav.requests", "requests"),
):
    register_nav("buyer", _message, f"{PREFIX}/{_path}")
register_home("buyer", f"{PREFIX}/search")

SECTORS = ("I", "II", "III", "IV", "V", "VI")
PAGE_SIZE = 10
Text = Annotated[str, Query(max_length=2000)]
PageNo = Annotated[int, Query(alias="page", ge=1, le=1000)]
Values = Annotated[list[str] | None, Query(max_length=20)]


def buyer_extras(page: Page, supplier_id: str | None = None) -> dict[str, Any]:
    """What a buyer's page adds: the shortlist's ids, the requirements and the events to offer
    (those the supplier, when one is named, is registered for too)."""
    if page.key.role != "buyer":
        return {"shortlisted": set(), "events": [], "requirements": []}
    requirements, _ = page.context.workspace.page_requirements(0, 200, page.key.buyer_id or "")
    events = Meetings(page.context.workspace, page.context.events).events_for(page.key)
    if supplier_id is not None:
        events = [e for e in events if takes_part(e, supplier_id, "supplier")]
    return {
        "shortlisted": Shortlists(page.context.workspace).supplier_ids(page.key),
        "events": events,
        "requirements": requirements,
    }


@router.get("/search", response_class=HTMLResponse)
def search_page(
    page: SignedIn,
    q: Text = "",
    sector: Values = None,
    province: Values = None,
    cert: Values = None,
    page_no: PageNo = 1,
) -> HTMLResponse:
    chosen = {"sector": sector or [], "province": province or [], "cert": cert or []}
    filters = Filters.build(chosen["cert"], chosen["sector"], chosen["province"])
    found = None
    if q.strip():
        context = page.context
        found = browse(context.index, context.workspace, q, filters, page_no, PAGE_SIZE)
    return render(
        page, "buyer/search.html", q=q, chosen=chosen, found=found, sectors=SECTORS,
        pool=POOL, **buyer_extras(page),
    )  # fmt: skip


def explanation(page: Page, supplier_id: str, q: str, requirement_id: str) -> Match | None:
    """Why this supplier matches the search words or the buyer's requirement it came from."""
    if requirement_id:
        requirement = services.owned_requirement(page.context.workspace, page.key, requirement_id)
        matches = page.context.index.match(requirement, POOL)
    elif q.strip():
        matches = services.search(page.context.index, q, POOL).matches
    else:
        return None
    return next((m for m in matches if m.supplier_id == supplier_id), None)


@router.get("/suppliers/{supplier_id}", response_class=HTMLResponse)
def supplier_page(
    page: SignedIn, supplier_id: str, q: Text = "", requirement: Text = ""
) -> HTMLResponse:
    profile = page.context.register.supplier(supplier_id)
    (seen,) = services.views(page.context.workspace, page.key, [profile])
    why = explanation(page, supplier_id, q, requirement)
    return render(
        page, "buyer/supplier.html", s=seen, why=why, q=q, requirement_id=requirement,
        **buyer_extras(page, supplier_id),
    )  # fmt: skip


@router.get("/requirements", response_class=HTMLResponse)
def my_requirements(page: BuyerPage, page_no: PageNo = 1) -> HTMLResponse:
    offset = (page_no - 1) * 50
    records, total = page.context.workspace.page_requirements(offset, 50, page.key.buyer_id or "")
    return render(page, "buyer/requirements.html", requirements=records, total=total)


@router.get("/requirements/{requirement_id}", response_class=HTMLResponse)
def requirement_page(page: BuyerPage, requirement_id: str) -> HTMLResponse:
    requirement = services.owned_requirement(page.context.workspace, page.key, requirement_id)
    matches = page.context.index.match(requirement, 20)
    return render(page, "buyer/requirement.html", r=requirement, matches=matches,
                  **buyer_extras(page))  # fmt: skip
