"""Why firms are left short, in an organiser's words: for each supplier below the floor the one
reason that binds first (its cap, no candidate buyer, no shared language or free slot, full
buyers, no table-slot left, or slots taken), then what the event as a whole lacks, buyers below
their minimum and requests not met."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from matcher.events.event import Event
from matcher.events.problem import Bounds, CandidatePair
from matcher.events.result import Meeting, PlanContext, meeting_counts

# At most this many unmet requests are listed one by one.
_REQUESTS_LISTED = 20


@dataclass
class _Plan:
    """What the reasons are read from: the event, the problem and how the plan filled it."""

    event: Event
    ctx: PlanContext
    degree: Counter[str]
    meetings: int
    full_buyers: set[str]
    candidates_of: dict[str, list[CandidatePair]]

    @property
    def table_slots(self) -> int:
        return self.ctx.problem.n_slots * self.ctx.problem.n_tables


def diagnose(
    event: Event, ctx: PlanContext, meetings: Sequence[Meeting]
) -> tuple[list[str], dict[str, str]]:
    """Sentences for the organiser: who is short of the floor and why, what binds, what helps;
    and each short supplier's reason."""
    problem = ctx.problem
    degree = meeting_counts(meetings)
    candidates_of: dict[str, list[CandidatePair]] = defaultdict(list)
    for cand in problem.candidates:
        candidates_of[cand.supplier].append(cand)
    full_buyers = {b for b in problem.buyers if degree[b] >= problem.cap(b)}
    plan = _Plan(event, ctx, degree, len(meetings), full_buyers, candidates_of)
    short: dict[str, str] = {}
    for sid, bounds in problem.suppliers.items():
        want = ctx.firms[sid].floor
        if degree[sid] < want and want != 0:
            short[sid] = _why_short(plan, sid, bounds, want)
    lines = _shortfall_summary(plan, short) if short else []
    lines += _buyers_below_minimum(plan)
    lines += _requests_not_met(plan, meetings)
    return [*lines, *ctx.dropped_requests], short


def _why_short(plan: _Plan, sid: str, bounds: Bounds, want: int) -> str:
    """The first reason that keeps supplier ``sid`` below its floor of ``want`` meetings."""
    problem, ctx = plan.ctx.problem, plan.ctx
    own = plan.candidates_of.get(sid, [])
    usable = [
        c
        for c in own
        if problem.slots_of(c.buyer) & problem.slots_of(sid)
        and (c.interpreters is None or c.interpreters)
    ]
    if bounds.high < want:
        return (
            f"their cap ({bounds.high}: own max, role max or free slots) is below the "
            f"floor of {want}"
        )
    if not own:
        if sid in ctx.below_min:
            return (
                f"their best match score {ctx.below_min[sid]:.3f} is under min_score "
                f"{plan.event.min_score}; lower min_score or add a request"
            )
        if any(k[1] == sid for k in ctx.excluded):
            return "every buyer that listed them is marked declined or met before"
        return (
            "no attending buyer has them in its match list; add a request or a buyer "
            "with a matching requirement"
        )
    if not usable:
        needs = [c for c in own if c.interpreters is not None]
        if needs and all(c.interpreters == () for c in needs):
            return (
                f"they speak {', '.join(ctx.firms[sid].languages)} and their buyers do not; "
                "no interpreter covers both languages: add one"
            )
        return (
            "they share no free slot with any of their candidate buyers (availability "
            "windows, or interpreters' hours); widen the windows"
        )
    if all(c.buyer in plan.full_buyers for c in usable):
        names = ", ".join(
            f"{c.buyer} ({plan.degree[c.buyer]}/{problem.cap(c.buyer)})" for c in usable[:5]
        )
        return (
            f"every buyer that could meet them is full: {names}; raise buyer_max "
            "(what-if 'buyer_max+1') or ask a buyer to take one more meeting"
        )
    if plan.meetings >= plan.table_slots:
        return f"all {plan.table_slots} table-slots are used; add tables or slots"
    return (
        "the slots they and their candidate buyers share are taken by other meetings; "
        "more slots or wider availability would help"
    )


def _shortfall_summary(plan: _Plan, short: dict[str, str]) -> list[str]:
    """How many suppliers miss the floor, whether the event can hold the floor at all, and the
    commonest reasons."""
    problem, event = plan.ctx.problem, plan.event
    firms = plan.ctx.firms.values()
    floor_need = sum(min(f.floor, f.cap) for f in firms if f.role == "supplier")
    buyer_caps = sum(problem.cap(b) for b in problem.buyers)
    capacity = min(plan.table_slots, buyer_caps)
    lines = [
        f"{len(short)} of {len(problem.suppliers)} suppliers have fewer meetings than the "
        f"floor ({event.floor})."
    ]
    if floor_need > capacity:
        which = (
            f"tables × slots = {problem.n_tables} × {problem.n_slots} = {plan.table_slots}"
            if plan.table_slots <= buyer_caps
            else f"the buyers' maxima add up to {buyer_caps}"
        )
        lines.append(
            f"The floor needs at least {floor_need} meetings but the event holds at most "
            f"{capacity} ({which}). Add tables or slots, or raise buyer_max."
        )
    reasons = Counter(r.split(";")[0].split(":")[0] for r in short.values())
    for reason, count in reasons.most_common(4):
        lines.append(f"  {count} supplier(s): {reason}.")
    return lines


def _buyers_below_minimum(plan: _Plan) -> list[str]:
    problem = plan.ctx.problem
    return [
        f"Buyer {b} has {plan.degree[b]} meetings, below its minimum of {bounds.low} "
        f"({len([c for c in problem.candidates if c.buyer == b])} candidate suppliers "
        "after min_score, declined and met-before)."
        for b, bounds in problem.buyers.items()
        if plan.degree[b] < bounds.low
    ]


def _requests_not_met(plan: _Plan, meetings: Sequence[Meeting]) -> list[str]:
    met = {(m.buyer_id, m.supplier_id) for m in meetings}
    unmet = [
        c for c in plan.ctx.problem.candidates if c.request and (c.buyer, c.supplier) not in met
    ]
    lines = []
    for c in unmet[:_REQUESTS_LISTED]:
        why = (
            f"buyer {c.buyer} is full"
            if c.buyer in plan.full_buyers
            else "caps, slots or higher priorities bind"
        )
        lines.append(f"Request {c.buyer} ↔ {c.supplier} ({c.request}) is not met: {why}.")
    if len(unmet) > _REQUESTS_LISTED:
        lines.append(f"… and {len(unmet) - _REQUESTS_LISTED} more requests not met.")
    return lines
