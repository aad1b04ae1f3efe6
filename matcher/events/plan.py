"""Event planning: from an event description, the register and the ranked matches to a
conflict-free meeting plan, with KPIs and, where firms are left short, the reasons in an
organiser's words. ``plan_event`` / ``replan_event`` / ``what_if`` are what the pipeline and the
CLI call; agenda.write_event_outputs writes the files."""

from __future__ import annotations

import logging
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from matcher.errors import ConfigError, InputDataError
from matcher.events.allocation import (
    Allocation,
    Bounds,
    Candidate,
    Fixed,
    MeetingProblem,
    RequestKind,
    build_model,
    flow_allocate,
    reserved_meetings,
    solve,
)
from matcher.events.check import check_against_register, check_event, participants_of
from matcher.events.event import (
    Event,
    LockedMeeting,
    Participant,
    Slot,
    available_slots,
    participant_max,
    participant_min,
)
from matcher.events.reader import load_event, load_locked
from matcher.events.resolve import with_locked
from matcher.events.schedule import (
    Placement,
    add_slot_layer,
    greedy_slots,
    place,
    slots_lower_bound,
)
from matcher.events.spec import PriorityTier
from matcher.normalise import buyer_id_of
from matcher.schemas import Match, Requirement, Supplier

log = logging.getLogger(__name__)

# Spellings organisers and registers use for the languages met at Hanoi fairs → ISO 639-1.
_LANGUAGE_ALIASES = {
    "vi": ("vietnamese", "tieng viet", "viet", "vn"),
    "en": ("english", "tieng anh", "anh"),
    "ja": ("japanese", "tieng nhat", "nhat", "jp"),
    "ko": ("korean", "tieng han", "han", "kr"),
    "zh": ("chinese", "tieng trung", "trung", "cn", "mandarin"),
    "de": ("german", "tieng duc", "duc"),
    "fr": ("french", "tieng phap", "phap"),
}
_LANGUAGE_OF = {alias: code for code, names in _LANGUAGE_ALIASES.items() for alias in names}


def language_code(text: str) -> str:
    from matcher.normalise import fold

    folded = fold(text).replace("-", " ").strip()
    return _LANGUAGE_OF.get(folded, folded.split(" ")[0] if folded else folded)


@dataclass(frozen=True)
class Meeting:
    """One row of the schedule (the columns of schedule.csv plus what agendas need)."""

    meeting_id: str
    slot: int
    slot_start: datetime
    slot_end: datetime
    table: str
    buyer_id: str
    requirement_id: str
    supplier_id: str
    score: float
    interpreter: str = ""
    locked: bool = False
    request: RequestKind = ""
    explanation: str = ""


@dataclass(frozen=True)
class Firm:
    """A participant as shown in lists and agendas."""

    id: str
    role: str
    name: str
    languages: tuple[str, ...]
    floor: int
    cap: int
    priority: bool = False


@dataclass
class EventPlan:
    """The plan: meetings, who takes part, KPIs, and what an organiser should know."""

    event: Event
    meetings: list[Meeting]
    firms: dict[str, Firm]
    kpis: dict[str, Any]
    diagnostics: list[str]
    short: dict[str, str]  # supplier id → why it has fewer meetings than its floor
    requirement_titles: dict[str, str] = field(default_factory=dict)


@dataclass
class _Context:
    problem: MeetingProblem
    firms: dict[str, Firm]
    excluded: dict[tuple[str, str], str]  # pair → why it may not meet (declined, met before)
    below_min: dict[str, float]  # supplier → best score it had, under min_score
    explanations: dict[tuple[str, str], str]
    lock_ids: dict[int, str]
    dropped_requests: list[str]


def _languages(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted({language_code(v) for v in values if v.strip()}))


def prepare_event(
    event_path: Path | str,
    requirements: Sequence[Requirement],
    suppliers: Sequence[Supplier],
    locked_path: Path | str | None = None,
) -> Event:
    """Load an event file (and a locked-meetings file for a re-plan) and check both against the
    register; raises InputDataError with every problem before anything is computed or written."""
    event = load_event(event_path)
    if locked_path is not None:
        event = with_locked(event, load_locked(locked_path, event))
    problems = check_against_register(event, requirements, suppliers)
    if problems:
        raise InputDataError(problems)
    return event


def _build(
    event: Event,
    matches: Sequence[Match],
    requirements: Sequence[Requirement],
    suppliers: Sequence[Supplier],
) -> _Context:
    problems = check_against_register(event, requirements, suppliers)
    if problems:
        raise InputDataError(problems)
    participants = participants_of(event, requirements, suppliers)
    supplier_of = {s.supplier_id: s for s in suppliers}
    buyer_of_req = {r.requirement_id: buyer_id_of(r) for r in requirements}
    buyer_name: dict[str, str] = {}
    buyer_langs: dict[str, set[str]] = defaultdict(set)
    for r in requirements:
        bid = buyer_id_of(r)
        buyer_name.setdefault(bid, r.buyer)
        if r.language:
            buyer_langs[bid].add(r.language)
    n_slots = len(event.slots)
    firms: dict[str, Firm] = {}
    buyers: dict[str, Bounds] = {}
    suppliers_b: dict[str, Bounds] = {}
    available: dict[str, frozenset[int]] = {}
    for p in participants:
        cap = participant_max(event, p.id, p.role, p)
        low = participant_min(event, p.role, p)
        if p.role == "buyer":
            langs = _languages(p.languages or sorted(buyer_langs.get(p.id, set())))
            name = p.name or buyer_name.get(p.id, p.id)
            buyers[p.id] = Bounds(min(low, cap), cap)
            priority = False
        else:
            sup = supplier_of[p.id]
            langs = _languages(p.languages or sup.languages)
            name = p.name or sup.name
            low = max(low, event.floor)
            suppliers_b[p.id] = Bounds(min(low, cap), cap)
            priority = sup.priority_product or sup.key_product
        available[p.id] = available_slots(p.available, event.slots)
        firms[p.id] = Firm(p.id, p.role, name, langs, low, cap, priority)

    excluded: dict[tuple[str, str], str] = {}
    for pair in event.met_before:
        excluded[(pair.buyer, pair.supplier)] = "met before"
    for pair in event.declined:
        excluded[(pair.buyer, pair.supplier)] = "declined"

    best: dict[tuple[str, str], Match] = {}
    for m in matches:
        owner = buyer_of_req.get(m.requirement_id)
        if owner is None or owner not in buyers or m.supplier_id not in suppliers_b:
            continue
        key = (owner, m.supplier_id)
        if key not in best or m.score > best[key].score:
            best[key] = m

    asked: dict[tuple[str, str], set[str]] = defaultdict(set)
    for req in event.requests:
        if req.from_id in buyers and req.to_id in suppliers_b:
            asked[(req.from_id, req.to_id)].add("buyer")
        elif req.from_id in suppliers_b and req.to_id in buyers:
            asked[(req.to_id, req.from_id)].add("supplier")
    locked_pairs = {(lk.buyer, lk.supplier) for lk in event.locked}

    candidates: list[Candidate] = []
    index: dict[tuple[str, str], int] = {}
    below_min: dict[str, float] = {}
    dropped: list[str] = []
    explanations: dict[tuple[str, str], str] = {}
    interpreters = {i.id: _languages(i.languages) for i in event.interpreters}
    for key in sorted(set(best) | set(asked) | locked_pairs):
        bid, sid = key
        match = best.get(key)
        sides = asked.get(key, set())
        request: RequestKind = (
            "mutual" if len(sides) == 2 else ("buyer" if "buyer" in sides else "")
        ) or ("supplier" if sides else "")
        if key in excluded and key not in locked_pairs:
            if sides:
                dropped.append(
                    f"Request {bid} ↔ {sid} cannot be met: the pair is marked "
                    f"'{excluded[key]}' in the event file."
                )
            continue
        score = match.score if match is not None else 0.0
        if score < event.min_score and not sides and key not in locked_pairs:
            below_min[sid] = max(below_min.get(sid, float("-inf")), score)
            continue
        b_langs, s_langs = set(firms[bid].languages), set(firms[sid].languages)
        able: tuple[str, ...] | None = None
        if b_langs and s_langs and not b_langs & s_langs:
            able = tuple(
                i
                for i, langs in interpreters.items()
                if set(langs) & b_langs and set(langs) & s_langs
            )
        index[key] = len(candidates)
        candidates.append(
            Candidate(bid, sid, score, match.requirement_id if match else "", request, able)
        )
        reason = match.explanation if match is not None else ""
        if sides:
            who = {"mutual": "both sides", "buyer": "the buyer", "supplier": "the supplier"}
            reason = f"requested by {who[request]}" + (f"; {reason}" if reason else "")
        explanations[key] = reason

    table_of = {name: t for t, name in enumerate(event.tables)}
    locked: list[Fixed] = []
    lock_ids: dict[int, str] = {}
    for lk in event.locked:
        c = index[(lk.buyer, lk.supplier)]
        slot = event.slot_index(lk.slot)
        if slot is None:  # check_event rejects this; kept for type narrowing
            raise ConfigError(f"locked meeting at {lk.slot}: no such slot")
        locked.append(Fixed(c, slot, table_of[lk.table], lk.interpreter))
        if lk.meeting_id:
            lock_ids[c] = lk.meeting_id
    problem = MeetingProblem(
        n_slots=n_slots,
        n_tables=len(event.tables),
        buyers=buyers,
        suppliers=suppliers_b,
        candidates=candidates,
        available=available,
        interpreter_slots={
            i.id: available_slots(i.available, event.slots) for i in event.interpreters
        },
        locked=locked,
        priority_suppliers=frozenset(s for s in suppliers_b if firms[s].priority),
        priorities=tuple(event.priorities),
        time_limit_s=event.time_limit_s,
    )
    problem.reserved = reserved_meetings(event.reserved_share, problem)
    return _Context(problem, firms, excluded, below_min, explanations, lock_ids, dropped)


def solve_problem(problem: MeetingProblem) -> tuple[Allocation, list[Placement], str]:
    """Allocation + schedule by the exact method that fits what binds."""
    flow = flow_allocate(problem) if problem.only_caps_bind() else None
    if flow is not None:
        method = "min-cost flow + bipartite edge colouring"
        allocation = flow
    elif problem.only_caps_bind():
        method = "allocation CP-SAT + bipartite edge colouring"
        allocation = solve(build_model(problem))
    else:
        start, relaxed, chosen = _starting_plan(problem)
        size = sum(
            len(problem.slots_of(c.buyer) & problem.slots_of(c.supplier))
            for c in problem.candidates
        )
        if size <= JOINT_LIMIT:
            method = "joint allocation and slot CP-SAT"
            built = build_model(problem)
            add_slot_layer(built)
            allocation = solve(built, start, relaxed)
        else:
            method = "min-cost flow, then joint CP-SAT over the chosen pairs and close alternatives"
            allocation = _solve_restricted(problem, start, relaxed, chosen)
    placements = place(problem, allocation)
    return allocation, placements, method


# Above this many (pair, slot) variables the joint model is too big for CP-SAT to find good plans
# within a minute on 2 cores (measured: none at all for 300 × 700 × 16): restrict the pairs.
JOINT_LIMIT = 60_000


def _solve_restricted(
    problem: MeetingProblem,
    start: Allocation,
    relaxed: dict[PriorityTier, int] | None,
    chosen: list[int],
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
    built = build_model(sub)
    add_slot_layer(built)
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

    def usable(c: int, cand: Candidate) -> bool:
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


def plan_event(
    event: Event,
    matches: Sequence[Match],
    requirements: Sequence[Requirement],
    suppliers: Sequence[Supplier],
) -> EventPlan:
    """Choose and schedule the meetings of an event (locked meetings in ``event.locked`` stay)."""
    ctx = _build(event, matches, requirements, suppliers)
    allocation, placements, method = solve_problem(ctx.problem)
    meetings = _meetings(event, ctx, placements)
    diagnostics, short = explain(event, ctx, meetings)
    kpis = compute_kpis(event, ctx, meetings, allocation, method, diagnostics)
    titles = {r.requirement_id: r.title or r.description[:80] for r in requirements}
    return EventPlan(event, meetings, ctx.firms, kpis, diagnostics, short, titles)


def replan_event(
    event: Event,
    matches: Sequence[Match],
    requirements: Sequence[Requirement],
    suppliers: Sequence[Supplier],
    locked: Sequence[LockedMeeting] | Path | str,
) -> EventPlan:
    """Plan again (after late registrations) keeping ``locked`` meetings in their slot and table;
    ``locked`` is a list or a schedule file (a previous schedule.csv with confirmed rows)."""
    extra = locked if not isinstance(locked, Path | str) else load_locked(locked, event)
    return plan_event(with_locked(event, extra), matches, requirements, suppliers)


def _meetings(event: Event, ctx: _Context, placements: Sequence[Placement]) -> list[Meeting]:
    used = set(ctx.lock_ids.values())
    numbers = (f"M{n:04d}" for n in range(1, 10**6) if f"M{n:04d}" not in used)
    out = []
    for p in placements:
        cand = ctx.problem.candidates[p.candidate]
        slot = event.slots[p.slot]
        out.append(
            Meeting(
                meeting_id=ctx.lock_ids.get(p.candidate) or next(numbers),
                slot=p.slot,
                slot_start=slot.start,
                slot_end=slot.end,
                table=event.tables[p.table],
                buyer_id=cand.buyer,
                requirement_id=cand.requirement_id,
                supplier_id=cand.supplier,
                score=round(cand.score, 6),
                interpreter=p.interpreter or "",
                locked=p.locked,
                request=cand.request,
                explanation=ctx.explanations.get((cand.buyer, cand.supplier), ""),
            )
        )
    return out


# --- why firms are left short, in words -----------------------------------------------------------
def explain(
    event: Event, ctx: _Context, meetings: Sequence[Meeting]
) -> tuple[list[str], dict[str, str]]:
    """Sentences for the organiser: who is short of the floor and why, what binds, what helps."""
    problem = ctx.problem
    degree: Counter[str] = Counter()
    for m in meetings:
        degree[m.buyer_id] += 1
        degree[m.supplier_id] += 1
    table_slots = problem.n_slots * problem.n_tables
    full_buyers = {b for b in problem.buyers if degree[b] >= problem.cap(b)}
    candidates_of: dict[str, list[Candidate]] = defaultdict(list)
    for cand in problem.candidates:
        candidates_of[cand.supplier].append(cand)
    lines: list[str] = []
    short: dict[str, str] = {}
    for sid, bounds in problem.suppliers.items():
        want = ctx.firms[sid].floor
        if degree[sid] >= want or want == 0:
            continue
        own = candidates_of.get(sid, [])
        usable = [
            c
            for c in own
            if problem.slots_of(c.buyer) & problem.slots_of(sid)
            and (c.interpreters is None or c.interpreters)
        ]
        if bounds.high < want:
            reason = (
                f"their cap ({bounds.high}: own max, role max or free slots) is below the "
                f"floor of {want}"
            )
        elif not own:
            if sid in ctx.below_min:
                reason = (
                    f"their best match score {ctx.below_min[sid]:.3f} is under min_score "
                    f"{event.min_score}; lower min_score or add a request"
                )
            elif any(k[1] == sid for k in ctx.excluded):
                reason = "every buyer that listed them is marked declined or met before"
            else:
                reason = (
                    "no attending buyer has them in its match list; add a request or a buyer "
                    "with a matching requirement"
                )
        elif not usable:
            needs = [c for c in own if c.interpreters is not None]
            if needs and all(c.interpreters == () for c in needs):
                reason = (
                    f"they speak {', '.join(ctx.firms[sid].languages)} and their buyers do not; "
                    "no interpreter covers both languages: add one"
                )
            else:
                reason = (
                    "they share no free slot with any of their candidate buyers (availability "
                    "windows, or interpreters' hours); widen the windows"
                )
        elif all(c.buyer in full_buyers for c in usable):
            names = ", ".join(
                f"{c.buyer} ({degree[c.buyer]}/{problem.cap(c.buyer)})" for c in usable[:5]
            )
            reason = (
                f"every buyer that could meet them is full: {names}; raise buyer_max "
                "(what-if 'buyer_max+1') or ask a buyer to take one more meeting"
            )
        elif len(meetings) >= table_slots:
            reason = f"all {table_slots} table-slots are used; add tables or slots"
        else:
            reason = (
                "the slots they and their candidate buyers share are taken by other meetings; "
                "more slots or wider availability would help"
            )
        short[sid] = reason
    if short:
        floor_need = sum(min(f.floor, f.cap) for f in ctx.firms.values() if f.role == "supplier")
        capacity = min(table_slots, sum(problem.cap(b) for b in problem.buyers))
        lines.append(
            f"{len(short)} of {len(problem.suppliers)} suppliers have fewer meetings than the "
            f"floor ({event.floor})."
        )
        if floor_need > capacity:
            which = (
                f"tables × slots = {problem.n_tables} × {problem.n_slots} = {table_slots}"
                if table_slots <= sum(problem.cap(b) for b in problem.buyers)
                else f"the buyers' maxima add up to {sum(problem.cap(b) for b in problem.buyers)}"
            )
            lines.append(
                f"The floor needs at least {floor_need} meetings but the event holds at most "
                f"{capacity} ({which}). Add tables or slots, or raise buyer_max."
            )
        reasons = Counter(r.split(";")[0].split(":")[0] for r in short.values())
        for reason, count in reasons.most_common(4):
            lines.append(f"  {count} supplier(s): {reason}.")
    for b, bounds in problem.buyers.items():
        if degree[b] < bounds.low:
            lines.append(
                f"Buyer {b} has {degree[b]} meetings, below its minimum of {bounds.low} "
                f"({len([c for c in problem.candidates if c.buyer == b])} candidate suppliers "
                "after min_score, declined and met-before)."
            )
    met = {(m.buyer_id, m.supplier_id) for m in meetings}
    unmet_requests = [
        c for c in problem.candidates if c.request and (c.buyer, c.supplier) not in met
    ]
    for c in unmet_requests[:20]:
        who = "full" if c.buyer in full_buyers else ""
        why = f"buyer {c.buyer} is full" if who else "caps, slots or higher priorities bind"
        lines.append(f"Request {c.buyer} ↔ {c.supplier} ({c.request}) is not met: {why}.")
    if len(unmet_requests) > 20:
        lines.append(f"… and {len(unmet_requests) - 20} more requests not met.")
    lines += ctx.dropped_requests
    return lines, short


# --- KPIs -----------------------------------------------------------------------------------------
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
    ctx: _Context,
    meetings: Sequence[Meeting],
    allocation: Allocation,
    method: str,
    diagnostics: Sequence[str],
) -> dict[str, Any]:
    problem = ctx.problem
    degree: Counter[str] = Counter()
    for m in meetings:
        degree[m.buyer_id] += 1
        degree[m.supplier_id] += 1
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
            "tiers": [
                {"tier": t.tier, "value": t.value, "bound": t.bound, "status": t.status}
                for t in allocation.tiers
            ],
        },
        "diagnostics": list(diagnostics),
    }


# --- what-if --------------------------------------------------------------------------------------
_OPTION = re.compile(
    r"^(tables|slots|buyer_max|supplier_max|buyer_min|supplier_min|floor)\s*([+-])\s*(\d+)$"
    r"|^(min_score|reserved_share)\s*=\s*([0-9.]+)$"
)
WHAT_IF_KEYS = (
    "meetings",
    "suppliers_with_meeting_share",
    "suppliers_at_floor_share",
    "mean_score",
    "idle_table_slots",
    "slots_used",
)


@dataclass
class WhatIf:
    """The effect of one change, against the plan as it stands; nothing is written."""

    option: str
    kpis: dict[str, Any]
    delta: dict[str, float]
    short: int
    note: str = ""


def apply_option(event: Event, option: str) -> Event:
    """A copy of the event with one change: 'tables+5', 'slots+2', 'supplier_max+1',
    'buyer_min-1', 'floor+1', 'min_score=0.2', 'reserved_share=0.3'."""
    found = _OPTION.match(option.strip().replace(" ", ""))
    if found is None:
        raise ConfigError(
            f"what-if option {option!r} not understood; use e.g. tables+5, slots+2, "
            "buyer_max+1, supplier_max+1, buyer_min-1, supplier_min+1, floor+1, "
            "min_score=0.2, reserved_share=0.3"
        )
    key, sign, amount, set_key, set_value = found.groups()
    if set_key is not None:
        return event.model_copy(update={set_key: float(set_value)})
    n = int(amount) * (1 if sign == "+" else -1)
    if key == "tables":
        tables = list(event.tables)
        if n >= 0:
            taken = set(tables)
            extra = (f"T{i:02d}" for i in range(1, 10**5) if f"T{i:02d}" not in taken)
            tables += [next(extra) for _ in range(n)]
        else:
            tables = tables[: max(1, len(tables) + n)]
        return event.model_copy(update={"tables": tables})
    if key == "slots":
        slots = list(event.slots)
        if n < 0:
            return event.model_copy(update={"slots": slots[: max(1, len(slots) + n)]})
        last = slots[-1]
        gap = slots[-1].start - slots[-2].end if len(slots) > 1 else timedelta(0)
        gap = max(gap, timedelta(0))
        for _ in range(n):
            last = Slot(start=last.end + gap, minutes=last.minutes)
            slots.append(last)
        return event.model_copy(update={"slots": slots})
    if key == "floor":
        return event.model_copy(update={"floor": max(0, event.floor + n)})
    role, bound = key.split("_")
    caps_field = f"{role}_caps"
    caps = getattr(event, caps_field)
    if bound == "max":
        current = len(event.slots) if caps.max is None else caps.max
        new_caps = caps.model_copy(update={"max": max(0, current + n)})
    else:
        new_caps = caps.model_copy(update={"min": max(0, caps.min + n)})
    participants = [
        p.model_copy(
            update={
                f"{bound}_meetings": max(0, getattr(p, f"{bound}_meetings") + n)
                if getattr(p, f"{bound}_meetings") is not None
                else None
            }
        )
        if p.role == role
        else p
        for p in event.participants
    ]
    return event.model_copy(update={caps_field: new_caps, "participants": participants})


def what_if(
    event: Event,
    matches: Sequence[Match],
    requirements: Sequence[Requirement],
    suppliers: Sequence[Supplier],
    options: Sequence[str],
    base: EventPlan | None = None,
) -> list[WhatIf]:
    """Plan once per option and report the change in KPIs against ``base``; writes nothing."""
    changed = [apply_option(event, o) for o in options]  # reject bad options before solving
    base = base or plan_event(event, matches, requirements, suppliers)
    out = []
    for option, variant in zip(options, changed, strict=True):
        problems = check_event(variant)
        if problems:  # e.g. 'slots-2' would drop a slot that holds a locked meeting
            out.append(WhatIf(option, {}, {}, -1, f"not possible: {problems[0].message}"))
            continue
        plan = plan_event(variant, matches, requirements, suppliers)
        kpis = {k: plan.kpis[k] for k in WHAT_IF_KEYS}
        delta = {k: round(float(plan.kpis[k]) - float(base.kpis[k]), 4) for k in WHAT_IF_KEYS}
        out.append(WhatIf(option, kpis, delta, len(plan.short)))
    return out


def plan_from_files(
    event_path: Path | str,
    requirements: Sequence[Requirement],
    suppliers: Sequence[Supplier],
    matches: Sequence[Match],
    locked_path: Path | str | None = None,
) -> EventPlan:
    """prepare_event + plan_event, for callers that already hold the register and matches."""
    event = prepare_event(event_path, requirements, suppliers, locked_path)
    return plan_event(event, matches, requirements, suppliers)


__all__ = [
    "EventPlan",
    "Firm",
    "Meeting",
    "Participant",
    "WhatIf",
    "apply_option",
    "plan_event",
    "plan_from_files",
    "prepare_event",
    "replan_event",
    "what_if",
]
