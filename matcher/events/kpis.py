"""Programme KPIs of a plan (kpis.json): meetings per firm, shares of suppliers met and at the
floor, scores, idle table-slots, slots used against their lower bound, requests asked and met,
priority suppliers, and the solver's method, status and gap (docs/events.md lists each)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

from matcher.events.event import Event
from matcher.events.problem import Allocation
from matcher.events.result import Meeting, PlanContext, meeting_counts
from matcher.events.schedule import slots_lower_bound


def _distribution(counts: Sequence[int]) -> dict[str, Any]:
    if not counts:
        return {"min": 0, "mean": 0.0, "max": 0, "histogram": {}}
    histogram = Counter(counts)
    return {
        "min": min(counts),
        "mean": round(statistics.fmean(counts), 3),
        "max": max(counts),
        "histogram": {str(k): histogram[k] for k in sorted(histogram)},
    }


def compute_kpis(
    event: Event,
    ctx: PlanContext,
    meetings: Sequence[Meeting],
    allocation: Allocation,
    method: str,
    diagnostics: Sequence[str],
) -> dict[str, Any]:
    """The KPIs of the meetings planned (kpis.json)."""
    problem = ctx.problem
    degree = meeting_counts(meetings)
    sup = [degree[s] for s in problem.suppliers]
    buy = [degree[b] for b in problem.buyers]
    table_slots = problem.n_slots * problem.n_tables
    used_slots = sorted({m.slot for m in meetings})
    requests = Counter(c.request for c in problem.candidates if c.request)
    met_requests = Counter(m.request for m in meetings if m.request)
    priority = [s for s in problem.suppliers if s in problem.priority_suppliers]
    by_index = {(c.buyer, c.supplier): i for i, c in enumerate(problem.candidates)}
    chosen_idx = [by_index[(m.buyer_id, m.supplier_id)] for m in meetings]
    return {
        "event": event.name,
        "slots": problem.n_slots,
        "tables": problem.n_tables,
        "buyers": len(problem.buyers),
        "suppliers": len(problem.suppliers),
        "candidate_pairs": len(problem.candidates),
        "meetings": len(meetings),
        "locked_meetings": sum(m.locked for m in meetings),
        "meetings_per_buyer": _distribution(buy),
        "meetings_per_supplier": _distribution(sup),
        "floor": event.floor,
        "suppliers_with_meeting_share": round(sum(d >= 1 for d in sup) / len(sup), 4)
        if sup
        else 0.0,
        "suppliers_at_floor_share": round(
            sum(degree[s] >= ctx.firms[s].floor for s in problem.suppliers) / len(sup), 4
        )
        if sup
        else 0.0,
        "mean_score": round(statistics.fmean(m.score for m in meetings), 4) if meetings else 0.0,
        "table_slots": table_slots,
        "idle_table_slots": table_slots - len(meetings),
        "slots_used": len(used_slots),
        "slots_lower_bound": slots_lower_bound(problem, chosen_idx),
        "idle_table_slots_in_used_slots": len(used_slots) * problem.n_tables - len(meetings),
        "interpreted_meetings": sum(bool(m.interpreter) for m in meetings),
        "requests": {
            kind: {"asked": requests[kind], "met": met_requests[kind]}
            for kind in ("mutual", "buyer", "supplier")
        },
        "priority_suppliers": {
            "count": len(priority),
            "meetings": sum(degree[s] for s in priority),
            "reserved": problem.reserved,
        },
        "solver": {
            "method": method,
            "status": allocation.status,
            "gap": round(allocation.gap, 6),
            "seconds": round(allocation.seconds, 3),
            "kept_start": allocation.kept_start,
            "tiers": [
                {"tier": t.tier, "value": t.value, "bound": t.bound, "status": t.status}
                for t in allocation.tiers
            ],
        },
        "diagnostics": list(diagnostics),
    }
