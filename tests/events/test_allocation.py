from __future__ import annotations

from matcher.events import (
    Bounds,
    CandidatePair,
    MeetingProblem,
    allocate,
    build_allocation_model,
    flow_allocate,
    solve,
)


def problem(
    cands: list[CandidatePair], buyer_max: int = 2, supplier: Bounds | None = None, **kw: object
) -> MeetingProblem:
    return MeetingProblem(
        n_slots=kw.pop("n_slots", 3),  # type: ignore[arg-type]
        n_tables=kw.pop("n_tables", 3),  # type: ignore[arg-type]
        buyers={c.buyer: Bounds(0, buyer_max) for c in cands},
        suppliers={c.supplier: supplier or Bounds(1, 2) for c in cands},
        candidates=cands,
        time_limit_s=10,
        **kw,  # type: ignore[arg-type]
    )


def test_score_alone_takes_the_best_pairs() -> None:
    # One buyer with room for 2 of 3 suppliers and no floor: 0.9 + 0.8, not 0.1.
    cands = [
        CandidatePair("b", "s1", 0.9),
        CandidatePair("b", "s2", 0.8),
        CandidatePair("b", "s3", 0.1),
    ]
    got = allocate(problem(cands, supplier=Bounds(0, 2)))
    assert sorted(got.chosen) == [0, 1]


def test_floor_beats_score() -> None:
    # Buyer b1 can hold 1 meeting, b2 can hold 1. s1 scores higher with both, but s2 must get
    # its floor meeting: s1-b1 (0.9) + s2-b2 (0.2) = 1.1 is chosen over s1-b2 + ... .
    cands = [
        CandidatePair("b1", "s1", 0.9),
        CandidatePair("b2", "s1", 0.95),
        CandidatePair("b2", "s2", 0.2),
    ]
    p = problem(cands, buyer_max=1, supplier=Bounds(1, 2))
    assert sorted(allocate(p).chosen) == [0, 2]
    # With the floor last, score wins: s1 meets both buyers (0.9 + 0.95).
    p.priorities = ("score", "floor")
    assert sorted(solve(build_allocation_model(p)).chosen) == [0, 1]


def test_mutual_request_before_one_sided_before_score() -> None:
    cands = [
        CandidatePair("b", "s1", 0.9),
        CandidatePair("b", "s2", 0.1, request="supplier"),
        CandidatePair("b", "s3", 0.0, request="mutual"),
    ]
    p = problem(cands, buyer_max=1, supplier=Bounds(0, 1))
    assert allocate(p).chosen == [2]
    p.buyers["b"] = Bounds(0, 2)
    assert sorted(allocate(p).chosen) == [1, 2]


def test_reserved_share_prefers_priority_firms_up_to_the_reserve() -> None:
    cands = [CandidatePair("b", f"s{i}", 0.9 - i / 10) for i in range(4)]
    p = problem(cands, buyer_max=2, supplier=Bounds(0, 1), priority_suppliers=frozenset({"s3"}))
    p.reserved = 1
    assert sorted(allocate(p).chosen) == [0, 3]


def test_flow_and_cp_sat_agree() -> None:
    cands = [
        CandidatePair(f"b{b}", f"s{s}", ((b * 7 + s * 3) % 10) / 10)
        for b in range(3)
        for s in range(5)
        if (b + s) % 3
    ]
    p = problem(cands, buyer_max=3, supplier=Bounds(1, 2), n_tables=2)
    p.reserved = 1
    p.priority_suppliers = frozenset({"s1"})
    flow = flow_allocate(p)
    assert flow is not None
    cp = solve(build_allocation_model(p))
    assert [t.value for t in flow.tiers] == [t.value for t in cp.tiers]
