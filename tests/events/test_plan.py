from __future__ import annotations

from matcher.events import EventPlan


def test_plan_honours_the_event(plan: EventPlan) -> None:
    pairs = {(m.buyer_id, m.supplier_id): m for m in plan.meetings}
    locked = pairs[("canon-vietnam", "S1")]
    assert locked.locked and locked.table == "T01" and locked.slot == 0
    assert ("canon-vietnam", "S4") not in pairs  # declined
    assert ("honda-vietnam", "S4") in pairs  # requested, though no match
    assert pairs[("honda-vietnam", "S4")].request == "buyer"
    assert all(m.slot < 2 for m in plan.meetings if m.buyer_id == "honda-vietnam")  # till 9:45
    # Canon speaks ja/en, S2 and S5 speak only Vietnamese: the interpreter goes with them.
    for sid in ("S2", "S5"):
        if ("canon-vietnam", sid) in pairs:
            assert pairs[("canon-vietnam", sid)].interpreter == "I1"
    assert pairs[("canon-vietnam", "S1")].interpreter == ""
    assert plan.kpis["suppliers_with_meeting_share"] == 1.0
    # the pair behind Canon–S3 is R1 (its only match); Honda–S3 is R3
    assert pairs.get(("honda-vietnam", "S3"), locked).requirement_id in {"R3", "R1"}
