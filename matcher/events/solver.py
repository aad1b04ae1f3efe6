"""Solving a meeting problem by the exact method that fits what binds: when only caps bind, a
min-cost flow (or the CP-SAT pair model) and a bipartite edge colouring; otherwise the joint
allocation and slot CP-SAT model, started from the flow's plan, over fewer pairs on very large
events. See allocation.py and schedule.py for the models and why each is exact."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace

from matcher.events.allocation import (
    add_guard,
    build_allocation_model,
    flow_allocate,
    raw_score,
    solve,
    tier_values,
)
from matcher.events.problem import Allocation, Bounds, CandidatePair, MeetingProblem, Placement
from matcher.events.schedule import add_slot_layer, greedy_slots, place
from matcher.events.spec import PriorityTier


def solve_problem(
    problem: MeetingProblem, warm: Allocation | None = None, guard: bool = True
) -> tuple[Allocation, list[Placement], str]:
    """Allocation + schedule by the exact method that fits what binds.

    ``warm`` is a feasible plan of this problem to start from (a what-if starts from the plan it
    changes): the solver's hint, and a floor: the result is never below it on the tiers, and is
    ``warm`` itself when the solver stops below it. With ``guard`` (a what-if that only adds
    capacity) it is not below it in meetings or total score either, so that a lower tier's gain
    can never cost meetings or score; without (a what-if that changes a goal, such as the
    floor) the goals alone decide."""
    guard = guard and warm is not None
    flow = flow_allocate(problem) if problem.only_caps_bind() else None
    if flow is not None and not _worse(problem, flow, warm, guard):
        method = "min-cost flow + bipartite edge colouring"
        allocation = flow
    elif problem.only_caps_bind():
        method = "allocation CP-SAT + bipartite edge colouring"
        built = build_allocation_model(problem)
        if warm is not None and guard:
            add_guard(built, *_totals(problem, warm.chosen))
        allocation = solve(built, warm)
    else:
        start, relaxed, chosen = _starting_plan(problem)
        if warm is not None and (guard or _worse(problem, start, warm, guard=False)):
            start = warm  # with a guard, the heuristic start may not pass it
            chosen = sorted(set(chosen) | set(warm.chosen))
        size = sum(
            len(problem.slots_of(c.buyer) & problem.slots_of(c.supplier))
            for c in problem.candidates
        )
        at_least = _totals(problem, warm.chosen) if warm is not None and guard else None
        if size <= JOINT_LIMIT:
            method = "joint allocation and slot CP-SAT"
            built = build_allocation_model(problem)
            add_slot_layer(built)
            if at_least is not None:
                add_guard(built, *at_least)
            allocation = solve(built, start, relaxed)
        else:
            method = "min-cost flow, then joint CP-SAT over the chosen pairs and close alternatives"
            allocation = _solve_restricted(problem, start, relaxed, chosen, at_least)
    if allocation.kept_start:
        method += " (stopped below its starting plan, which is kept)"
    placements = place(problem, allocation)
    return allocation, placements, method


def _totals(problem: MeetingProblem, chosen: Sequence[int]) -> tuple[int, int]:
    """Meetings and total score (millionths) of a set of chosen candidates."""
    return len(chosen), sum(raw_score(problem.candidates[c].score) for c in chosen)


def _worse(
    problem: MeetingProblem, found: Allocation, than: Allocation | None, guard: bool
) -> bool:
    """Whether ``found`` is below ``than`` on the tiers in priority order, or (``guard``) in
    meetings or total score."""
    if than is None:
        return False
    order = [*problem.priorities, "score"]
    mine, theirs = tier_values(problem, found.chosen), tier_values(problem, than.chosen)
    if [mine[t] for t in order] < [theirs[t] for t in order]:
        return True
    if not guard:
        return False
    (n, score), (n0, score0) = _totals(problem, found.chosen), _totals(problem, than.chosen)
    return n < n0 or score < score0


# Above this many (pair, slot) variables the joint model is too big for CP-SAT to find good plans
# within a minute on 2 cores (measured: none at all for 300 × 700 × 16): restrict the pairs.
JOINT_LIMIT = 60_000


def _solve_restricted(
    problem: MeetingProblem,
    start: Allocation,
    relaxed: dict[PriorityTier, int] | None,
    chosen: list[int],
    at_least: tuple[int, int] | None = None,
) -> Allocation:
    """The joint model over the pairs the relaxation chose, plus for every supplier its two best
    other pairs, so that a meeting that cannot be placed can be swapped for an alternative."""
    keep = set(chosen) | {f.candidate for f in problem.locked}
    spare: dict[str, list[int]] = defaultdict(list)
    for c in sorted(range(len(problem.candidates)), key=lambda c: -problem.candidates[c].score):
        sid = problem.candidates[c].supplier
        if c not in keep and len(spare[sid]) < 2:
            spare[sid].append(c)
    subset = sorted(keep | {c for extra in spare.values() for c in extra})
    new = {c: k for k, c in enumerate(subset)}
    sub = replace(
        problem,
        candidates=[problem.candidates[c] for c in subset],
        locked=[replace(f, candidate=new[f.candidate]) for f in problem.locked],
    )
    sub_start = Allocation(
        [new[c] for c in start.chosen],
        {new[c]: s for c, s in start.slot_of.items()},
        {new[c]: i for c, i in start.interpreter_of.items()},
    )
    built = build_allocation_model(sub)
    add_slot_layer(built)
    if at_least is not None:
        add_guard(built, *at_least)
    found = solve(built, sub_start, relaxed)
    found.chosen = [subset[k] for k in found.chosen]
    found.slot_of = {subset[k]: s for k, s in found.slot_of.items()}
    found.interpreter_of = {subset[k]: i for k, i in found.interpreter_of.items()}
    return found


def _starting_plan(
    problem: MeetingProblem,
) -> tuple[Allocation, dict[PriorityTier, int] | None, list[int]]:
    """Min-cost flow over the pairs that have a common free slot, with caps lowered by the locked
    meetings, then greedy slots: a good first plan that the joint model improves on."""
    locked = {f.candidate for f in problem.locked}
    degree: Counter[str] = Counter()
    for c in locked:
        degree[problem.candidates[c].buyer] += 1
        degree[problem.candidates[c].supplier] += 1

    def usable(c: int, cand: CandidatePair) -> bool:
        common = problem.slots_of(cand.buyer) & problem.slots_of(cand.supplier)
        if cand.interpreters is not None:
            free = (problem.interpreter_slots.get(i, frozenset()) for i in cand.interpreters)
            common = common & frozenset().union(*free)
        return c not in locked and bool(common)

    keep = [c for c, cand in enumerate(problem.candidates) if usable(c, cand)]

    def lowered(bounds: dict[str, Bounds]) -> dict[str, Bounds]:
        return {
            p: Bounds(max(0, b.low - degree[p]), max(0, problem.cap(p) - degree[p]))
            for p, b in bounds.items()
        }

    loose = replace(
        problem,
        candidates=[problem.candidates[c] for c in keep],
        buyers=lowered(problem.buyers),
        suppliers=lowered(problem.suppliers),
        available={},
        locked=[],
        n_tables=max(0, problem.n_tables - len(locked) // max(1, problem.n_slots)),
    )
    flow = flow_allocate(loose)
    order = [keep[c] for c in (flow.chosen if flow is not None else [])]
    # Highest reward first, so that greedy placement drops the least valuable meetings.
    order.sort(
        key=lambda c: (problem.candidates[c].request != "", problem.candidates[c].score),
        reverse=True,
    )
    slot_of, interpreter_of = greedy_slots(problem, order)
    relaxed = None
    if flow is not None and not locked:
        relaxed = {t.tier: t.value for t in flow.tiers}
    return Allocation(sorted(slot_of), slot_of, interpreter_of), relaxed, order
