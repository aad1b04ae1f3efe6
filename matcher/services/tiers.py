"""Supply-tier proposals over a workspace's register and requirements (``matcher tiers`` over
the database rather than files): the network and its KPIs, nothing written.

The proposal builds its own Engine over the stored register, re-using the workspace's embedding
cache (so only new or edited profiles are embedded); it does not yet read the live index's
snapshot, whose segments the proposer cannot search as one Engine (see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matcher.config import Settings
from matcher.errors import WorkspaceError
from matcher.store import Workspace
from matcher.tiers import CertificationMode, kpis, propose_network, select_buyers


def propose_for_workspace(
    workspace: Workspace,
    settings: Settings,
    *,
    buyers: Sequence[str] = (),
    top_k: int = 5,
    lower_top_k: int = 3,
    depth: int = 2,
    certifications: CertificationMode = "gap",
) -> dict[str, Any]:
    """network.json of `matcher tiers propose` plus its ``kpis`` (WorkspaceError when the
    workspace has no suppliers or no requirements)."""
    suppliers = workspace.suppliers()
    requirements = workspace.requirements()
    if not suppliers or not requirements:
        raise WorkspaceError(
            "a tier proposal needs registered suppliers and requirements; "
            f"the workspace has {len(suppliers)} supplier(s), {len(requirements)} requirement(s)"
        )
    network, all_chains = propose_network(
        suppliers,
        select_buyers(requirements, list(buyers)),
        top_k=top_k,
        lower_top_k=lower_top_k,
        depth=depth,
        certifications=certifications,
        settings=settings,
        cache_path=workspace.cache_path,
    )
    return {**network.to_json(), "kpis": kpis(network, all_chains)}
