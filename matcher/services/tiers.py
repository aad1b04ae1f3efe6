"""Supply-tier proposals over a workspace (``matcher tiers`` over the register the service
serves rather than over files): the network and its KPIs, nothing written.

The proposal reads the live index's current snapshot (``LiveIndex.engine_view``): no Engine is
built and nothing is embedded per request, and edits made through the API are proposed at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matcher.config import Settings
from matcher.errors import WorkspaceError
from matcher.services.index import SearchIndex
from matcher.store import Workspace
from matcher.tiers import (
    DEFAULT_INPUTS,
    CertificationMode,
    check_options,
    hard_filters,
    kpis,
    load_input_rules,
    propose_over,
    select_buyers,
)


def propose_for_workspace(
    workspace: Workspace,
    index: SearchIndex,
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
    check_options(
        {
            "top_k": top_k,
            "lower_top_k": lower_top_k,
            "depth": depth,
            "certifications": certifications,
        }
    )
    register = index.engine_view(hard_filters(settings, certifications))
    requirements = workspace.requirements()
    if not register.suppliers_ or not requirements:
        raise WorkspaceError(
            "a tier proposal needs registered suppliers and requirements; the workspace has "
            f"{len(register.suppliers_)} supplier(s), {len(requirements)} requirement(s)"
        )
    rules = load_input_rules(DEFAULT_INPUTS, register.taxonomy)
    network, all_chains = propose_over(
        register, select_buyers(requirements, list(buyers)), rules, top_k, lower_top_k, depth
    )
    return {**network.to_json(), "kpis": kpis(network, all_chains)}
