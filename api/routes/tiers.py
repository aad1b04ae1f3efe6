"""Supply-tier proposals (issue #6) over the workspace's register and requirements: the
network.json of `matcher tiers propose` plus its KPIs, for organisers."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import ContextDep, Organiser, principal
from api.errors import ERROR_RESPONSES
from api.models import TiersIn, TiersOut
from matcher.services.tiers import propose_for_workspace

router = APIRouter(
    prefix="/v1/tiers",
    tags=["tiers"],
    dependencies=[Depends(principal)],
    responses=ERROR_RESPONSES,
)


@router.post("/propose", response_model=TiersOut, summary="Propose a supply-tier network")
def propose(context: ContextDep, key: Organiser, body: TiersIn) -> TiersOut:
    """Assemblers' requirements → tier-1 firms → their inputs → tier-2 (…) firms, each link
    "ready" or "needs" with its gaps. Nothing is written; 409 when the workspace has no
    suppliers or no requirements."""
    proposal = propose_for_workspace(
        context.workspace,
        context.index,
        context.settings,
        buyers=body.buyers,
        top_k=body.top_k,
        lower_top_k=body.lower_top_k,
        depth=body.depth,
        certifications=body.certifications,
    )
    return TiersOut.model_validate(proposal)
