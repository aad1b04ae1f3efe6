"""Schedule: give every chosen meeting a slot, a table and (where needed) an interpreter, with no
participant, table or interpreter in two meetings at once.

Two ways, chosen by what binds:

* only caps bind (no availability windows, no interpreters needed, nothing locked): the meetings
  form a bipartite graph whose maximum degree Δ is at most the number of slots. König's
  edge-colouring theorem says Δ colours suffice; a colour is a slot. We colour with
  k = max(Δ, ⌈meetings / tables⌉) colours, the least any schedule can use, then even out the
  colour classes (de Werra) so that no slot needs more than ⌈meetings / k⌉ ≤ tables tables.
  NetworkX and OR-Tools offer vertex colouring only, and a CP-SAT model would not prove the
  bound in time on large events, so the alternating-path algorithm is implemented here: O(E·V).
* otherwise: ``add_slot_layer`` adds slot (and interpreter) variables to the allocation model so
  that choosing and placing meetings are one problem (see allocation.py).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence

from matcher.events.allocation import AllocationModel
from matcher.events.problem import Allocation, MeetingProblem, Placement

log = logging.getLogger(__name__)


Vertex = tuple[int, str]  # (side, id): 0 = left (buyers), 1 = right (suppliers)


# --- exact edge colouring (caps only) -------------------------------------------------------------
def colour_edges(edges: Sequence[tuple[str, str]], colours: int) -> list[int]:
    """A proper edge colouring of a bipartite graph with ``colours`` ≥ max degree colours.

    ``edges`` are (left, right) pairs; left and right ids live in separate name spaces. For each
    edge (u, v): take a colour a free at u and b free at v; if a is busy at v, swap a and b along
    the a/b path that starts at v. That path cannot reach u (in a bipartite graph it enters u's
    side only through a-edges, and u has none), so afterwards a is free at both ends.
    """
    at: dict[Vertex, dict[int, int]] = defaultdict(dict)  # vertex → colour → edge
    colour = [-1] * len(edges)
    ends = [((0, u), (1, v)) for u, v in edges]
    for e, (u, v) in enumerate(ends):
        a = _free(at[u], colours)
        b = _free(at[v], colours)
        if a in at[v]:
            _swap(_alternating_path(v, a, b, at, ends), a, b, colour, at, ends)
        colour[e] = a
        at[u][a] = e
        at[v][a] = e
    return colour


def _alternating_path(
    start: Vertex,
    a: int,
    b: int,
    at: dict[Vertex, dict[int, int]],
    ends: Sequence[tuple[Vertex, Vertex]],
) -> list[int]:
    """The edges of the path from ``start`` whose colours alternate a, b, a, …"""
    path: list[int] = []
    vertex, want, other = start, a, b
    while want in at[vertex]:
        edge = at[vertex][want]
        path.append(edge)
        x, w = ends[edge]
        vertex = w if x == vertex else x
        want, other = other, want
    return path


def _swap(
    path: Sequence[int],
    a: int,
    b: int,
    colour: list[int],
    at: dict[Vertex, dict[int, int]],
    ends: Sequence[tuple[Vertex, Vertex]],
) -> None:
    """Swap colours a and b along an alternating path (the colouring stays proper)."""
    for edge in path:  # un-register, then re-register with swapped colours
        for end in ends[edge]:
            del at[end][colour[edge]]
    for edge in path:
        colour[edge] = b if colour[edge] == a else a
        for end in ends[edge]:
            at[end][colour[edge]] = edge


def _free(used: dict[int, int], colours: int) -> int:
    for c in range(colours):
        if c not in used:
            return c
    raise ValueError(f"a vertex has more than {colours} edges: use more colours")


def equalise(edges: Sequence[tuple[str, str]], colour: list[int], colours: int) -> list[int]:
    """Even out colour-class sizes (differences ≤ 1) keeping the colouring proper.

    The edges of two colours a, b form paths and even cycles; if |a| > |b| + 1 some path has one
    more a-edge than b-edges, and swapping it moves one edge from a to b (de Werra).
    """
    colour = list(colour)
    ends = [((0, u), (1, v)) for u, v in edges]
    at: dict[Vertex, dict[int, int]] = defaultdict(dict)
    for e, c in enumerate(colour):
        for end in ends[e]:
            at[end][c] = e
    while True:
        sizes = [0] * colours
        for c in colour:
            sizes[c] += 1
        a = max(range(colours), key=lambda c: sizes[c])
        b = min(range(colours), key=lambda c: sizes[c])
        if sizes[a] - sizes[b] <= 1:
            return colour
        swapped = False
        for e in range(len(edges)):
            if colour[e] != a:
                continue
            for start in ends[e]:
                if b in at[start]:
                    continue  # not a path end for this pair of colours
                path = _alternating_path(start, a, b, at, ends)
                if len(path) % 2 == 1:  # starts and ends with a: one more a than b
                    _swap(path, a, b, colour, at, ends)
                    swapped = True
                    break
            if swapped:
                break
        if not swapped:  # cannot happen in a proper bipartite colouring; stay safe
            log.warning("colour classes could not be evened out further")
            return colour


def slots_lower_bound(problem: MeetingProblem, chosen: Sequence[int]) -> int:
    """No schedule uses fewer slots: the busiest participant, and meetings over tables."""
    degree: dict[str, int] = defaultdict(int)
    for c in chosen:
        cand = problem.candidates[c]
        degree[cand.buyer] += 1
        degree[cand.supplier] += 1
    if not chosen:
        return 0
    return max(max(degree.values()), -(-len(chosen) // problem.n_tables))


def colour_schedule(problem: MeetingProblem, chosen: Sequence[int]) -> dict[int, int]:
    """Slots for a caps-only allocation, using exactly ``slots_lower_bound`` slots."""
    if not chosen:
        return {}
    k = slots_lower_bound(problem, chosen)
    if k > problem.n_slots:
        raise ValueError(f"{k} slots needed but the event has {problem.n_slots}")
    edges = [(problem.candidates[c].buyer, problem.candidates[c].supplier) for c in chosen]
    colour = equalise(edges, colour_edges(edges, k), k)
    return dict(zip(chosen, colour, strict=True))


# --- the joint model (windows, interpreters, locks) -----------------------------------------------
def add_slot_layer(built: AllocationModel) -> None:
    """Add x[c, slot] (and z[c, interpreter, slot]) to the allocation model: each chosen pair gets
    exactly one slot both sides are free in, at most one meeting per participant and interpreter
    per slot, at most ``tables`` meetings per slot, locked meetings fixed."""
    problem, model = built.problem, built.model
    locked = {f.candidate: f for f in problem.locked}
    per_participant: dict[tuple[str, int], list[object]] = defaultdict(list)
    per_slot: dict[int, list[object]] = defaultdict(list)
    per_interpreter: dict[tuple[str, int], list[object]] = defaultdict(list)
    for c, cand in enumerate(problem.candidates):
        fixed = locked.get(c)
        slots = problem.slots_of(cand.buyer) & problem.slots_of(cand.supplier)
        able: dict[str, frozenset[int]] = {}
        if fixed is not None:
            slots = frozenset({fixed.slot})
            if fixed.interpreter is not None:
                able = {fixed.interpreter: slots}
        elif cand.interpreters is not None:
            able = {
                i: problem.interpreter_slots.get(i, frozenset()) & slots for i in cand.interpreters
            }
            slots = frozenset().union(*able.values()) if able else frozenset()
        if not slots:
            model.add(built.y[c] == 0)
            continue
        xs = []
        for s in sorted(slots):
            x = model.new_bool_var(f"x{c}_{s}")
            built.x[(c, s)] = x
            built.hint_vars.append(x)
            xs.append(x)
            per_participant[(cand.buyer, s)].append(x)
            per_participant[(cand.supplier, s)].append(x)
            per_slot[s].append(x)
            if able:
                zs = []
                for i, free in able.items():
                    if s in free:
                        z = model.new_bool_var(f"z{c}_{i}_{s}")
                        built.z[(c, i, s)] = z
                        built.hint_vars.append(z)
                        zs.append(z)
                        per_interpreter[(i, s)].append(z)
                model.add(sum(zs) == x)
        model.add(sum(xs) == built.y[c])
        if fixed is not None:
            model.add(xs[0] == 1)
    for group in (*per_participant.values(), *per_interpreter.values()):
        if len(group) > 1:
            model.add_at_most_one(group)  # type: ignore[arg-type]
    for group in per_slot.values():
        if len(group) > problem.n_tables:
            model.add(sum(group) <= problem.n_tables)  # type: ignore[arg-type]


def greedy_slots(
    problem: MeetingProblem, chosen: Sequence[int]
) -> tuple[dict[int, int], dict[int, str]]:
    """A quick feasible placement (a starting point for the joint model): locked meetings first,
    then the others in the given order into the earliest slot where both sides, a table and (if
    needed) an interpreter are free; a meeting that fits nowhere is left out."""
    locked = {f.candidate: f for f in problem.locked}
    busy: set[tuple[str, int]] = set()
    used_tables: dict[int, int] = defaultdict(int)
    slot_of: dict[int, int] = {}
    interpreter_of: dict[int, str] = {}
    for c, fixed in locked.items():
        cand = problem.candidates[c]
        slot_of[c] = fixed.slot
        busy.update({(cand.buyer, fixed.slot), (cand.supplier, fixed.slot)})
        used_tables[fixed.slot] += 1
        if fixed.interpreter is not None:
            interpreter_of[c] = fixed.interpreter
            busy.add((f"interpreter {fixed.interpreter}", fixed.slot))
    for c in chosen:
        if c in locked:
            continue
        cand = problem.candidates[c]
        common = problem.slots_of(cand.buyer) & problem.slots_of(cand.supplier)
        # The emptiest slot first: filling the earliest slots first runs out of tables there.
        for s in sorted(common, key=lambda s: (used_tables[s], s)):
            if (
                (cand.buyer, s) in busy
                or (cand.supplier, s) in busy
                or used_tables[s] >= problem.n_tables
            ):
                continue
            interpreter = None
            if cand.interpreters is not None:
                interpreter = next(
                    (
                        i
                        for i in cand.interpreters
                        if s in problem.interpreter_slots.get(i, frozenset())
                        and (f"interpreter {i}", s) not in busy
                    ),
                    None,
                )
                if interpreter is None:
                    continue
                interpreter_of[c] = interpreter
                busy.add((f"interpreter {interpreter}", s))
            slot_of[c] = s
            busy.update({(cand.buyer, s), (cand.supplier, s)})
            used_tables[s] += 1
            break
    return slot_of, interpreter_of


# --- tables ---------------------------------------------------------------------------------------
def assign_tables(
    problem: MeetingProblem, slot_of: dict[int, int], interpreter_of: dict[int, str]
) -> list[Placement]:
    """Tables per slot: locked meetings keep theirs; a buyer keeps one home table where it can,
    so that suppliers walk and buyers stay put, as at most sourcing fairs."""
    locked = {f.candidate: f for f in problem.locked}
    home = {b: i for i, b in enumerate(problem.buyers) if i < problem.n_tables}
    by_slot: dict[int, list[int]] = defaultdict(list)
    for c, s in slot_of.items():
        by_slot[s].append(c)
    out: list[Placement] = []
    for s, members in sorted(by_slot.items()):
        taken: dict[int, int] = {}
        for c in members:
            if c in locked:
                taken[locked[c].table] = c
        rest = sorted(c for c in members if c not in locked)
        waiting = []
        for c in rest:
            t = home.get(problem.candidates[c].buyer)
            if t is not None and t not in taken:
                taken[t] = c
            else:
                waiting.append(c)
        free = (t for t in range(problem.n_tables) if t not in taken)
        for c in waiting:
            taken[next(free)] = c
        for t, c in taken.items():
            out.append(
                Placement(
                    c,
                    s,
                    t,
                    locked[c].interpreter if c in locked else interpreter_of.get(c),
                    c in locked,
                )
            )
    out.sort(key=lambda p: (p.slot, p.table))
    return out


def place(problem: MeetingProblem, allocation: Allocation) -> list[Placement]:
    """Slots (from the joint model, or by edge colouring), then tables."""
    slot_of = allocation.slot_of
    if allocation.chosen and not slot_of:
        slot_of = colour_schedule(problem, allocation.chosen)
    return assign_tables(problem, slot_of, allocation.interpreter_of)
