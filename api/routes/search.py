"""The buyer's search box: free text in any language plus hard filters → ranked suppliers."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import ContextDep, PrincipalDep, principal
from api.errors import ERROR_RESPONSES
from api.models import MatchOut, SearchIn, SearchPage
from matcher import services
from matcher.retrieve import Filters

router = APIRouter(
    prefix="/v1", tags=["search"], dependencies=[Depends(principal)], responses=ERROR_RESPONSES
)


@router.post("/search", response_model=SearchPage, summary="Search suppliers")
def search(context: ContextDep, key: PrincipalDep, body: SearchIn) -> SearchPage:
    """Contract: `{"query", "top_k", "filters"}` → `{"data": [{"supplier_id", "score",
    "explanation", ...}], "count", "why_empty"}` (why_empty: which filter left no supplier)."""
    filters = Filters.build(
        body.filters.certifications, body.filters.sectors, body.filters.provinces
    )
    found = services.search(context.index, body.query, body.top_k, filters)
    data = [MatchOut.of(m) for m in found.matches]
    return SearchPage(data=data, count=len(data), why_empty=found.why_empty)
