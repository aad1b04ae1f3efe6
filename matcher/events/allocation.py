"""Allocate: choose which buyer–supplier meetings take place, maximising match score under
per-firm caps, with requests, a participation floor and a reserved share for priority firms.

The formulation (OR-Tools CP-SAT, one boolean ``y[c]`` per candidate pair):

* hard: ``Σ_c∋b y[c] ≤ max_b`` for every participant (its cap, never above its free slots),
  ``Σ y ≤ slots × tables``, locked pairs ``y = 1``;
* soft, solved lexicographically in the order of ``priorities`` (each optimum is then fixed as a
  constraint, so a lower tier can never buy itself at the cost of a higher one):
  ``floor`` = Σ_s min(deg_s, F_s), ``mutual_requests``, ``one_sided_requests``,
  ``buyer_min`` = Σ_b min(deg_b, min_b), ``reserved`` = min(meetings of priority firms, R),
  ``score`` = Σ (1000·score + 1)·y.

Why this is right: without the slot layer the constraint matrix is the incidence matrix of a
bipartite graph plus one all-ones row, so its LP relaxation is integral and each tier's optimum
is a true optimum over all integer allocations (CP-SAT proves it quickly). ``min(deg, F)`` is a
concave function of the degree, so maximising it through ``f ≤ deg, f ≤ F`` is exact. When only
caps bind, every allocation that passes these constraints can be scheduled in ``max degree ≤
slots`` slots (König's edge-colouring theorem, see schedule.py), so nothing chosen here is lost
later. When availability windows, interpreters or locked slots bind, schedule.add_slot_layer adds
``x[c, slot]`` to the same model and the two stages are solved as one (then exact too, within the
time limit, and the solver's gap is reported).
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from matcher.events.problem import Allocation, MeetingProblem, TierResult
from matcher.events.spec import PriorityTier

log = logging.getLogger(__name__)

SCORE_SCALE = 1000


@dataclass
class AllocationModel:
    """A CP-SAT model under construction: pair booleans, degree expressions and the tiers."""

    problem: MeetingProblem
    model: cp_model.CpModel
    y: list[cp_model.IntVar]
    tiers: dict[PriorityTier, tuple[cp_model.LinearExprT, int]]
    hint_vars: list[cp_model.IntVar]
    by_participant: dict[str, list[int]]
    # Filled by schedule.add_slot_layer when the joint model is used.
    x: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    z: dict[tuple[int, str, int], cp_model.IntVar] = field(default_factory=dict)
    # The capped-degree variables (f ≤ Σ y over members, f ≤ want), so that a hint can give
    # every variable a value: CP-SAT treats a complete feasible hint as a first solution.
    capped: list[tuple[cp_model.IntVar, list[int], int]] = field(default_factory=list)


def score_weight(score: float) -> int:
    """Integer objective weight of a meeting; +1 so that a zero-score meeting still counts."""
    return max(0, round(score * SCORE_SCALE)) + 1


def build_allocation_model(problem: MeetingProblem) -> AllocationModel:
    """The pair-level CP-SAT model: caps, locked pairs, and one expression per priority tier."""
    model = cp_model.CpModel()
    y = [model.new_bool_var(f"y{c}") for c in range(len(problem.candidates))]
    by_participant: dict[str, list[int]] = defaultdict(list)
    for c, cand in enumerate(problem.candidates):
        by_participant[cand.buyer].append(c)
        by_participant[cand.supplier].append(c)
    for pid in (*problem.buyers, *problem.suppliers):
        members = by_participant.get(pid, [])
        if len(members) > problem.cap(pid):
            model.add(sum(y[c] for c in members) <= problem.cap(pid))
    model.add(sum(y) <= problem.n_slots * problem.n_tables)
    for fixed in problem.locked:
        model.add(y[fixed.candidate] == 1)

    hint_vars = list(y)
    capped: list[tuple[cp_model.IntVar, list[int], int]] = []
    tiers: dict[PriorityTier, tuple[cp_model.LinearExprT, int]] = {}

    def capped_degree(
        pids: Sequence[str], target: dict[str, int], name: str
    ) -> tuple[cp_model.LinearExprT, int]:
        terms = []
        upper = 0
        for pid in pids:
            want = min(target[pid], problem.cap(pid), len(by_participant.get(pid, [])))
            if want <= 0:
                continue
            f = model.new_int_var(0, want, f"{name}_{pid}")
            model.add(f <= sum(y[c] for c in by_participant[pid]))
            capped.append((f, by_participant[pid], want))
            terms.append(f)
            hint_vars.append(f)
            upper += want
        return sum(terms), upper

    tiers["floor"] = capped_degree(
        list(problem.suppliers), {s: b.low for s, b in problem.suppliers.items()}, "floor"
    )
    tiers["buyer_min"] = capped_degree(
        list(problem.buyers), {b: v.low for b, v in problem.buyers.items()}, "bmin"
    )
    mutual = [c for c, cand in enumerate(problem.candidates) if cand.request == "mutual"]
    one_sided = [
        c for c, cand in enumerate(problem.candidates) if cand.request in {"buyer", "supplier"}
    ]
    tiers["mutual_requests"] = (sum(y[c] for c in mutual), len(mutual))
    tiers["one_sided_requests"] = (sum(y[c] for c in one_sided), len(one_sided))
    priority = [
        c
        for c, cand in enumerate(problem.candidates)
        if cand.supplier in problem.priority_suppliers
    ]
    reserved = min(problem.reserved, len(priority))
    if reserved > 0:
        r = model.new_int_var(0, reserved, "reserved")
        model.add(r <= sum(y[c] for c in priority))
        hint_vars.append(r)
        capped.append((r, priority, reserved))
        tiers["reserved"] = (r, reserved)
    weights = [score_weight(c.score) for c in problem.candidates]
    tiers["score"] = (
        sum(w * v for w, v in zip(weights, y, strict=True)),
        min(sum(weights), _flow_uppers(problem)["score"]),
    )
    return AllocationModel(problem, model, y, tiers, hint_vars, dict(by_participant), capped=capped)


def raw_score(score: float) -> int:
    """A meeting's score in millionths (the schedule rounds scores to 6 decimals)."""
    return round(score * 1_000_000)


def add_guard(built: AllocationModel, meetings: int, score: int) -> None:
    """Plans with fewer meetings or less total score (in millionths) than given are not wanted:
    a what-if that only adds capacity starts from the plan, which passes this guard."""
    built.model.add(sum(built.y) >= meetings)
    weights = [raw_score(c.score) for c in built.problem.candidates]
    built.model.add(sum(w * v for w, v in zip(weights, built.y, strict=True)) >= score)


# Tier weights above this make CP-SAT's floating-point LP unreliable: solve tier by tier instead.
_MAX_WEIGHT = 2**48


def tier_weights(built: AllocationModel, order: Sequence[PriorityTier]) -> list[int] | None:
    """Weights that make one weighted sum lexicographic (None when too large to be safe)."""
    return _weights(order, {t: built.tiers[t][1] for t in order}, _MAX_WEIGHT)


def _weights(
    order: Sequence[PriorityTier], uppers: Mapping[PriorityTier, int], limit: int = 2**62
) -> list[int] | None:
    """Each tier's unit outweighs everything all lower tiers can add up to together."""
    weights: list[int] = []
    below = 0  # the most all lower tiers together can contribute
    for tier in reversed(order):
        weight = below + 1
        weights.append(weight)
        below += weight * uppers[tier]
        if below > limit:
            return None
    return weights[::-1]


def solve(
    built: AllocationModel,
    hint: Allocation | None = None,
    relaxed: Mapping[PriorityTier, int] | None = None,
) -> Allocation:
    """Maximise the tiers lexicographically in priority order.

    One weighted objective when the weights stay small: it keeps the model's network structure
    (an integral LP) so CP-SAT proves optimality at once. Otherwise one solve per tier, each
    optimum then fixed as a constraint (slower: the fixed sums break that structure).
    ``hint`` is a feasible starting plan, kept if the solver ends below it; ``relaxed`` are the
    tier values of a relaxation (an upper bound), used for the gap when the solver has none.
    """
    problem = built.problem
    model = built.model
    start = time.perf_counter()
    if not problem.candidates:
        return Allocation([])
    order = [t for t in problem.priorities if t in built.tiers and built.tiers[t][1] > 0]
    if "score" not in order:
        order.append("score")
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = problem.workers
    if hint is not None:
        _add_hint(built, hint)
    weights = tier_weights(built, order)
    if weights is not None:
        model.maximize(sum(w * built.tiers[t][0] for w, t in zip(weights, order, strict=True)))
        solver.parameters.max_time_in_seconds = problem.time_limit_s
        status = solver.solve(model)
        # A lexicographic optimum is optimal for any dominant weights, so the relaxation's
        # tier values weighted by ours bound this objective from above.
        bound = float("inf")
        if relaxed is not None:
            bound = float(sum(w * relaxed.get(t, 0) for w, t in zip(weights, order, strict=True)))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            allocation = _read(built, solver)
            bound = min(bound, solver.best_objective_bound)
        elif hint is not None:
            log.warning(
                "the joint model found no plan in %.0fs; using the starting plan",
                problem.time_limit_s,
            )
            allocation = Allocation(
                list(hint.chosen), dict(hint.slot_of), dict(hint.interpreter_of), kept_start=True
            )
        else:
            _check(solver, status)
        allocation = _better(problem, order, allocation, hint)
        values = tier_values(problem, allocation.chosen)
        objective = sum(w * values[t] for w, t in zip(weights, order, strict=True))
        slack = max(0.0, bound - objective)  # inf when nothing bounds the objective
        status_name = "OPTIMAL" if slack == 0 else "FEASIBLE"
        for tier, weight in zip(order, weights, strict=True):
            # A tier can gain at most slack / weight units over the plan found.
            upper = float(built.tiers[tier][1])
            allocation.tiers.append(
                TierResult(
                    tier,
                    values[tier],
                    min(upper, values[tier] + slack / weight),
                    status_name,
                    solver.wall_time,
                )
            )
        allocation.seconds = time.perf_counter() - start
        return allocation
    try:
        found = _solve_in_turn(built, order, solver, start)
    except RuntimeError:
        if hint is None:
            raise
        log.warning("the joint model found no plan in time; using the starting plan")
        found = Allocation(
            list(hint.chosen), dict(hint.slot_of), dict(hint.interpreter_of), kept_start=True
        )
        values = tier_values(problem, found.chosen)
        found.tiers = [
            TierResult(t, values[t], float(built.tiers[t][1]), "FEASIBLE", 0.0) for t in order
        ]
        found.seconds = time.perf_counter() - start
    return _better(problem, order, found, hint)


def _add_hint(built: AllocationModel, hint: Allocation) -> None:
    """Every variable's value in the hinted plan: CP-SAT treats a complete feasible hint apart
    (as a first solution to improve on), a partial one only guides its search. Either way
    ``_better`` keeps the hinted plan when the solver stops below it."""
    chosen = set(hint.chosen)
    for c, var in enumerate(built.y):
        built.model.add_hint(var, c in chosen)
    for var, members, want in built.capped:
        built.model.add_hint(var, min(want, sum(c in chosen for c in members)))
    for (c, s), var in built.x.items():
        built.model.add_hint(var, hint.slot_of.get(c) == s)
    for (c, i, s), var in built.z.items():
        built.model.add_hint(var, hint.slot_of.get(c) == s and hint.interpreter_of.get(c) == i)


def _better(
    problem: MeetingProblem,
    order: Sequence[PriorityTier],
    found: Allocation,
    hint: Allocation | None,
) -> Allocation:
    """The solver's plan, unless it stopped (time limit) below the heuristic plan it was given."""
    if hint is None or found is hint:
        return found
    mine = tier_values(problem, found.chosen)
    theirs = tier_values(problem, hint.chosen)
    if [theirs[t] for t in order] > [mine[t] for t in order]:
        log.info("the solver stopped below its starting plan; keeping the starting plan")
        kept = Allocation(
            list(hint.chosen), dict(hint.slot_of), dict(hint.interpreter_of), kept_start=True
        )
        kept.tiers = [
            TierResult(t.tier, theirs[t.tier], t.bound, "FEASIBLE", t.seconds) for t in found.tiers
        ]
        kept.seconds = found.seconds
        return kept
    return found


def _check(solver: cp_model.CpSolver, status: Any) -> None:
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(
            f"the meeting model is {solver.status_name(status)}: locked meetings should have "
            "been checked before solving, or the time limit is too short to find any plan"
        )


def _solve_in_turn(
    built: AllocationModel, order: Sequence[PriorityTier], solver: cp_model.CpSolver, start: float
) -> Allocation:
    problem, model = built.problem, built.model
    deadline = start + problem.time_limit_s
    results: list[TierResult] = []
    snapshot: Allocation | None = None
    for k, tier in enumerate(order):
        expr, upper = built.tiers[tier]
        remaining = max(0.5, deadline - time.perf_counter())
        # Early tiers are usually easy; keep at least half of what is left for the rest.
        solver.parameters.max_time_in_seconds = remaining if k == len(order) - 1 else remaining / 2
        model.maximize(expr)
        t0 = time.perf_counter()
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) and snapshot is not None:
            log.warning("tier %s found no solution in time; keeping the previous tier's", tier)
            break
        _check(solver, status)
        value = round(solver.objective_value)
        results.append(
            TierResult(
                tier,
                value,
                min(float(upper), solver.best_objective_bound),
                solver.status_name(status),
                time.perf_counter() - t0,
            )
        )
        log.info("tier %s = %d (%s, %.2fs)", tier, value, results[-1].status, results[-1].seconds)
        model.add(expr >= value)
        model.clear_hints()  # type: ignore[no-untyped-call]
        for var in built.hint_vars:
            model.add_hint(var, solver.value(var))
        snapshot = _read(built, solver)
    if snapshot is None:
        raise RuntimeError("no tier was solved")
    snapshot.tiers = results
    snapshot.seconds = time.perf_counter() - start
    return snapshot


def _read(built: AllocationModel, solver: cp_model.CpSolver) -> Allocation:
    chosen = [c for c, v in enumerate(built.y) if solver.boolean_value(v)]
    slot_of = {c: s for (c, s), v in built.x.items() if solver.boolean_value(v)}
    interpreter_of = {c: i for (c, i, _), v in built.z.items() if solver.boolean_value(v)}
    return Allocation(chosen, slot_of, interpreter_of)


def flow_allocate(problem: MeetingProblem) -> Allocation | None:
    """The pair-level allocation as one min-cost flow (exact; None when the tier weights would
    overflow the solver's 64-bit costs, or when locked meetings need lower bounds).

    source → hub (slots × tables) → buyer → supplier → [priority pool] → sink, plus a zero-cost
    bypass source → sink. A capped-degree tier (floor, buyer minimum, reserved share) is an arc
    split in two: the first ``low`` units carry the tier's reward, the rest none. The reward
    min(deg, low) is concave, so a min-cost flow fills the rewarded arc first and the split is
    exact; requests and scores are rewards on the pair arcs. Tier weights (see tier_weights) make
    the one cost lexicographic. Flow polytopes are integral, so the optimum is an allocation.
    """
    from ortools.graph.python import min_cost_flow

    if problem.locked:
        return None
    start = time.perf_counter()
    uppers = _flow_uppers(problem)
    order = [t for t in problem.priorities if uppers.get(t, 0) > 0]
    if "score" not in order:
        order.append("score")
    weight_list = _weights(order, uppers)
    n_nodes = 4 + len(problem.buyers) + len(problem.suppliers)
    if weight_list is None or weight_list[0] * uppers[order[0]] * (n_nodes + 1) > 2**60:
        return None
    w = dict(zip(order, weight_list, strict=True))
    w.update(
        {
            t: 0
            for t in ("floor", "mutual_requests", "one_sided_requests", "buyer_min", "reserved")
            if t not in w
        }
    )
    source, hub, pool, sink = 0, 1, 2, 3
    node: dict[str, int] = {}
    for pid in (*problem.buyers, *problem.suppliers):
        node[pid] = 4 + len(node)
    flow = min_cost_flow.SimpleMinCostFlow()
    total = min(problem.n_slots * problem.n_tables, sum(problem.cap(b) for b in problem.buyers))

    def arc(tail: int, head: int, capacity: int, reward: int) -> int:
        return int(flow.add_arc_with_capacity_and_unit_cost(tail, head, capacity, -reward))

    arc(source, hub, total, 0)
    arc(source, sink, total, 0)
    for b, bounds in problem.buyers.items():
        cap = problem.cap(b)
        low = min(bounds.low, cap)
        arc(hub, node[b], low, w["buyer_min"])
        arc(hub, node[b], cap - low, 0)
    pair_arcs = []
    for cand in problem.candidates:
        reward = w["score"] * score_weight(cand.score)
        if cand.request == "mutual":
            reward += w["mutual_requests"]
        elif cand.request:
            reward += w["one_sided_requests"]
        pair_arcs.append(arc(node[cand.buyer], node[cand.supplier], 1, reward))
    for sid, bounds in problem.suppliers.items():
        cap = problem.cap(sid)
        low = min(bounds.low, cap)
        head = pool if sid in problem.priority_suppliers else sink
        arc(node[sid], head, low, w["floor"])
        arc(node[sid], head, cap - low, 0)
    arc(pool, sink, problem.reserved, w["reserved"])
    arc(pool, sink, total, 0)
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    status = flow.solve()
    if status != flow.OPTIMAL:
        log.warning("min-cost flow returned status %s; falling back to CP-SAT", status)
        return None
    chosen = [c for c, a in enumerate(pair_arcs) if flow.flow(a) > 0]
    allocation = Allocation(chosen)
    values = tier_values(problem, chosen)
    seconds = time.perf_counter() - start
    for tier in order:
        allocation.tiers.append(TierResult(tier, values[tier], values[tier], "OPTIMAL", seconds))
    allocation.seconds = seconds
    return allocation


def _flow_uppers(problem: MeetingProblem) -> dict[PriorityTier, int]:
    degree: dict[str, int] = defaultdict(int)
    for cand in problem.candidates:
        degree[cand.buyer] += 1
        degree[cand.supplier] += 1
    most = min(problem.n_slots * problem.n_tables, sum(problem.cap(b) for b in problem.buyers))
    priority = sum(1 for c in problem.candidates if c.supplier in problem.priority_suppliers)
    return {
        "floor": sum(min(b.low, problem.cap(s), degree[s]) for s, b in problem.suppliers.items()),
        "buyer_min": sum(min(b.low, problem.cap(p), degree[p]) for p, b in problem.buyers.items()),
        "mutual_requests": sum(c.request == "mutual" for c in problem.candidates),
        "one_sided_requests": sum(c.request in {"buyer", "supplier"} for c in problem.candidates),
        "reserved": min(problem.reserved, priority, most),
        "score": most * score_weight(1.0) if problem.candidates else 0,
    }


def tier_values(problem: MeetingProblem, chosen: Sequence[int]) -> dict[PriorityTier, int]:
    """The value each tier reaches for a set of chosen candidates."""
    degree: dict[str, int] = defaultdict(int)
    cands = [problem.candidates[c] for c in chosen]
    for cand in cands:
        degree[cand.buyer] += 1
        degree[cand.supplier] += 1
    return {
        "floor": sum(min(b.low, degree[s]) for s, b in problem.suppliers.items()),
        "buyer_min": sum(min(b.low, degree[p]) for p, b in problem.buyers.items()),
        "mutual_requests": sum(c.request == "mutual" for c in cands),
        "one_sided_requests": sum(c.request in {"buyer", "supplier"} for c in cands),
        "reserved": min(
            problem.reserved, sum(c.supplier in problem.priority_suppliers for c in cands)
        ),
        "score": sum(score_weight(c.score) for c in cands),
    }


def allocate(problem: MeetingProblem) -> Allocation:
    """Choose meetings at the pair level (exact when ``problem.only_caps_bind()``): min-cost
    flow where it applies, else the CP-SAT pair model."""
    return flow_allocate(problem) or solve(build_allocation_model(problem))


def reserved_meetings(share: float, problem: MeetingProblem) -> int:
    """Meetings reserved for priority firms: ``share`` of the event's capacity, which is the
    smaller of table-slots and the buyers' caps added up."""
    capacity = min(problem.n_slots * problem.n_tables, sum(problem.cap(b) for b in problem.buyers))
    return math.ceil(share * capacity)
