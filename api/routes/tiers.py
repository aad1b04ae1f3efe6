"""Supply-tier proposals (issue #6) over the workspace's register and requirements: the
network.json of `matcher tiers propose` plus its KPIs, for organisers."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import ContextDep, Organiser, principal
from api.errors import ERROR_RESPONSES
from api.models import TiersIn, TiersOut
from matcher.errors import WorkspaceError
from matcher.tiers import kpis, propose_network, select_buyers

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
    suppliers = context.workspace.suppliers()
    requirements = context.workspace.requirements()
    if not suppliers or not requirements:
        raise WorkspaceError(
            "a tier proposal needs registered suppliers and requirements; "
            f"the workspace has {len(suppliers)} supplier(s), {len(requirements)} requirement(s)"
        )
    network, all_chains = propose_network(
        suppliers,
        select_buyers(requirements, body.buyers),
        top_k=body.top_k,
        lower_top_k=body.lower_top_k,
        depth=body.depth,
        certifications=body.certifications,
        settings=context.settings,
        cache_path=context.workspace.cache_path,
    )
    return TiersOut.model_validate({**network.to_json(), "kpis": kpis(network, all_chains)})
