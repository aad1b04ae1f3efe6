from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.events import (
    Bounds,
    CandidatePair,
    Fixed,
    MeetingProblem,
    Placement,
    slots_lower_bound,
    solve_problem,
)


# --- properties over random small events ---------------------------------------------------------
@st.composite
def events(draw: st.DrawFn, caps_only: bool = False) -> MeetingProblem:
    n_b, n_s = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    n_slots, n_tables = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n_b - 1), st.integers(0, n_s - 1)),
            min_size=1,
            max_size=6,
            unique=True,
        )
    )
    slot_sets = st.frozensets(st.integers(0, n_slots - 1), min_size=1)
    interpreters: dict[str, frozenset[int]] = {}
    if not caps_only and draw(st.booleans()):
        interpreters = {"i0": draw(slot_sets)}
    cands = []
    for b, s in pairs:
        needs = not caps_only and draw(st.integers(0, 3)) == 0
        cands.append(
            CandidatePair(
                f"b{b}",
                f"s{s}",
                draw(st.integers(0, 10)) / 10,
                request=draw(st.sampled_from(["", "", "buyer", "mutual"])),
                interpreters=(tuple(interpreters) if draw(st.booleans()) else ())
                if needs
                else None,
            )
        )
    available = {}
    if not caps_only:
        for pid in [f"b{b}" for b in range(n_b)] + [f"s{s}" for s in range(n_s)]:
            if draw(st.booleans()):
                available[pid] = draw(slot_sets)
    return MeetingProblem(
        n_slots=n_slots,
        n_tables=n_tables,
        buyers={
            f"b{b}": Bounds(draw(st.integers(0, 2)), draw(st.integers(0, 3))) for b in range(n_b)
        },
        suppliers={
            f"s{s}": Bounds(draw(st.integers(0, 2)), draw(st.integers(0, 3))) for s in range(n_s)
        },
        candidates=cands,
        available=available,
        interpreter_slots=interpreters,
        time_limit_s=20,
    )


def check_plan(p: MeetingProblem, placements: Sequence[Placement]) -> None:
    busy: Counter[tuple[str, int]] = Counter()
    degree: Counter[str] = Counter()
    for pl in placements:
        c = p.candidates[pl.candidate]
        busy.update([(c.buyer, pl.slot), (c.supplier, pl.slot), (f"table {pl.table}", pl.slot)])
        if pl.interpreter:
            busy[(f"interpreter {pl.interpreter}", pl.slot)] += 1
            assert pl.slot in p.interpreter_slots[pl.interpreter]
        degree.update([c.buyer, c.supplier])
        assert 0 <= pl.table < p.n_tables and 0 <= pl.slot < p.n_slots
        assert pl.slot in p.slots_of(c.buyer) and pl.slot in p.slots_of(c.supplier)
        if c.needs_interpreter and not pl.locked:
            assert pl.interpreter in (c.interpreters or ())
    assert all(n == 1 for n in busy.values()), "double booking"
    for pid, n in degree.items():
        assert n <= p.cap(pid)
    assert len({pl.candidate for pl in placements}) == len(placements)


def best_floor(p: MeetingProblem) -> int:
    """Brute force: the most floor units Σ min(deg_s, low_s) any conflict-free plan reaches."""
    options = []
    for c in p.candidates:
        opts: list[tuple[int, str | None] | None] = [None]
        for s in sorted(p.slots_of(c.buyer) & p.slots_of(c.supplier)):
            if c.interpreters is None:
                opts.append((s, None))
            else:
                opts += [(s, i) for i in c.interpreters if s in p.interpreter_slots.get(i, ())]
        options.append(opts)
    best = 0
    for combo in itertools.product(*options):
        busy: set[tuple[str, int]] = set()
        per_slot: Counter[int] = Counter()
        degree: Counter[str] = Counter()
        ok = True
        for c, choice in zip(p.candidates, combo, strict=True):
            if choice is None:
                continue
            s, i = choice
            keys = {(c.buyer, s), (c.supplier, s)} | ({(f"i:{i}", s)} if i else set())
            if keys & busy:
                ok = False
                break
            busy |= keys
            per_slot[s] += 1
            degree.update([c.buyer, c.supplier])
        if not ok or any(n > p.n_tables for n in per_slot.values()):
            continue
        if any(degree[pid] > p.cap(pid) for pid in degree):
            continue
        best = max(best, sum(min(b.low, degree[s]) for s, b in p.suppliers.items()))
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events())
def test_random_events_are_conflict_free_and_meet_the_floor_when_possible(
    p: MeetingProblem,
) -> None:
    _, placements, _ = solve_problem(p)
    check_plan(p, placements)
    degree = Counter(p.candidates[pl.candidate].supplier for pl in placements)
    floor = sum(min(b.low, degree[s]) for s, b in p.suppliers.items())
    assert floor == best_floor(p)
    if all(min(b.low, p.cap(s)) <= 0 for s, b in p.suppliers.items()):
        return
    # where the brute force says every supplier can reach its floor, the plan does
    if best_floor(p) == sum(b.low for b in p.suppliers.values()):
        assert all(degree[s] >= b.low for s, b in p.suppliers.items())


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events(caps_only=True))
def test_caps_only_events_use_the_lower_bound_of_slots(p: MeetingProblem) -> None:
    allocation, placements, method = solve_problem(p)
    assert "edge colouring" in method
    check_plan(p, placements)
    used = {pl.slot for pl in placements}
    assert len(used) == slots_lower_bound(p, allocation.chosen)
    assert used == set(range(len(used)))  # the earliest slots


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events(), st.data())
def test_replan_keeps_locked_meetings_where_they_are(
    p: MeetingProblem, data: st.DataObject
) -> None:
    _, first, _ = solve_problem(p)
    keep = data.draw(st.lists(st.sampled_from(first), unique=True) if first else st.just([]))
    # a late registration: a new supplier every buyer would like to meet
    late = [CandidatePair(b, "late", 1.0) for b in p.buyers]
    p2 = MeetingProblem(
        **{**p.__dict__, "candidates": [*p.candidates, *late]},
    )
    p2.suppliers = {**p.suppliers, "late": Bounds(1, 2)}
    p2.locked = [Fixed(pl.candidate, pl.slot, pl.table, pl.interpreter) for pl in keep]
    _, second, _ = solve_problem(p2)
    check_plan(p2, second)
    placed = {(pl.candidate, pl.slot, pl.table, pl.interpreter) for pl in second}
    for pl in keep:
        assert (pl.candidate, pl.slot, pl.table, pl.interpreter) in placed
