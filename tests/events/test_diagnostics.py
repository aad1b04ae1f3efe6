from __future__ import annotations

from matcher.events import EventPlan


def test_short_suppliers_are_explained(small_plan: EventPlan) -> None:
    plan = small_plan
    assert len(plan.meetings) == 1 and plan.meetings[0].locked
    assert set(plan.short) == {"S2", "S3", "S4", "S5"}
    assert any("table-slots" in r or "full" in r for r in plan.short.values())
    assert plan.diagnostics[0].startswith("4 of 5 suppliers")
