"""Planning an event: from an event, the register and the ranked matches to the meeting problem
(firms with their bounds and free slots, the pairs that may meet, the locked meetings), solved
(matcher.events.solver) into a conflict-free plan with KPIs and, where firms are left short, the
reasons in an organiser's words. ``plan_event`` is what the pipeline, the API and the CLI call;
matcher.events.replan plans again, matcher.events.agenda writes the files."""

from __future__ import annotations

import base64
import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from matcher.errors import ConfigError, InputDataError
from matcher.events.allocation import reserved_meetings
from matcher.events.check import check_against_register, participants_of
from matcher.events.diagnostics import diagnose
from matcher.events.event import (
    Event,
    available_slots,
    participant_max,
    participant_min,
)
from matcher.events.kpis import compute_kpis
from matcher.events.problem import (
    Allocation,
    Bounds,
    CandidatePair,
    Fixed,
    MeetingProblem,
    Placement,
    request_kind,
)
from matcher.events.reader import load_locked, read_event
from matcher.events.resolve import with_locked
from matcher.events.result import EventPlan, Firm, Meeting, PlanContext
from matcher.events.solver import solve_problem
from matcher.normalise import buyer_id_of, fold
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
    """A language as its ISO 639-1 code: 'Tiếng Nhật', 'Japanese' and 'ja' are all 'ja'."""
    folded = fold(text).replace("-", " ").strip()
    return _LANGUAGE_OF.get(folded, folded.split(" ")[0] if folded else folded)


def _languages(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted({language_code(v) for v in values if v.strip()}))


# --- the meeting problem of an event --------------------------------------------------------------
Pair = tuple[str, str]  # (buyer id, supplier id)
_WHO = {"mutual": "both sides", "buyer": "the buyer", "supplier": "the supplier"}


@dataclass
class _Firms:
    """The participants as firms, with their meeting bounds and free slots."""

    firms: dict[str, Firm] = field(default_factory=dict)
    buyers: dict[str, Bounds] = field(default_factory=dict)
    suppliers: dict[str, Bounds] = field(default_factory=dict)
    available: dict[str, frozenset[int]] = field(default_factory=dict)


@dataclass
class _Candidates:
    """The pairs that may meet, and what was left out on the way."""

    pairs: list[CandidatePair] = field(default_factory=list)
    index: dict[Pair, int] = field(default_factory=dict)
    below_min: dict[str, float] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    explanations: dict[Pair, str] = field(default_factory=dict)


def build_context(
    event: Event,
    matches: Sequence[Match],
    requirements: Sequence[Requirement],
    suppliers: Sequence[Supplier],
) -> PlanContext:
    """The meeting problem of an event (checked against the register first), with what building
    it left out and why."""
    problems = check_against_register(event, requirements, suppliers)
    if problems:
        raise InputDataError(problems)
    firms = _firms(event, requirements, suppliers)
    excluded: dict[Pair, str] = {(p.buyer, p.supplier): "met before" for p in event.met_before}
    excluded.update({(p.buyer, p.supplier): "declined" for p in event.declined})
    best = _best_matches(matches, requirements, firms)
    found = _candidates(event, firms, best, _requests(event, firms), excluded)
    locked, lock_ids = _locked(event, found.index)
    problem = MeetingProblem(
        n_slots=len(event.slots),
        n_tables=len(event.tables),
        buyers=firms.buyers,
        suppliers=firms.suppliers,
        candidates=found.pairs,
        available=firms.available,
        interpreter_slots={
            i.id: available_slots(i.available, event.slots) for i in event.interpreters
        },
        locked=locked,
        priority_suppliers=frozenset(s for s in firms.suppliers if firms.firms[s].priority),
        priorities=tuple(event.priorities),
        time_limit_s=event.time_limit_s,
    )
    problem.reserved = reserved_meetings(event.reserved_share, problem)
    return PlanContext(
        problem, firms.firms, excluded, found.below_min, found.explanations, lock_ids, found.dropped
    )


def _firms(
    event: Event, requirements: Sequence[Requirement], suppliers: Sequence[Supplier]
) -> _Firms:
    """Each participant's name, languages (from the event, else the register), meeting bounds
    (a supplier's low bound is at least the floor) and free slots."""
    supplier_of = {s.supplier_id: s for s in suppliers}
    buyer_name: dict[str, str] = {}
    buyer_langs: dict[str, set[str]] = defaultdict(set)
    for r in requirements:
        bid = buyer_id_of(r)
        buyer_name.setdefault(bid, r.buyer)
        if r.language:
            buyer_langs[bid].add(r.language)
    out = _Firms()
    for p in participants_of(event, requirements, suppliers):
        cap = participant_max(event, p.id, p.role, p)
        low = participant_min(event, p.role, p)
        if p.role == "buyer":
            langs = _languages(p.languages or sorted(buyer_langs.get(p.id, set())))
            name = p.name or buyer_name.get(p.id, p.id)
            out.buyers[p.id] = Bounds(min(low, cap), cap)
            priority = False
        else:
            sup = supplier_of[p.id]
            langs = _languages(p.languages or sup.languages)
            name = p.name or sup.name
            low = max(low, event.floor)
            out.suppliers[p.id] = Bounds(min(low, cap), cap)
            priority = sup.priority_product or sup.key_product
        out.available[p.id] = available_slots(p.available, event.slots)
        out.firms[p.id] = Firm(p.id, p.role, name, langs, low, cap, priority)
    return out


def _best_matches(
    matches: Sequence[Match], requirements: Sequence[Requirement], firms: _Firms
) -> dict[Pair, Match]:
    """Each attending pair's best match over the buyer's requirements."""
    buyer_of_req = {r.requirement_id: buyer_id_of(r) for r in requirements}
    best: dict[Pair, Match] = {}
    for m in matches:
        owner = buyer_of_req.get(m.requirement_id)
        if owner is None or owner not in firms.buyers or m.supplier_id not in firms.suppliers:
            continue
        key = (owner, m.supplier_id)
        if key not in best or m.score > best[key].score:
            best[key] = m
    return best


def _requests(event: Event, firms: _Firms) -> dict[Pair, set[str]]:
    """Which sides asked for each pair ('buyer', 'supplier' or both)."""
    asked: dict[Pair, set[str]] = defaultdict(set)
    for req in event.requests:
        if req.from_id in firms.buyers and req.to_id in firms.suppliers:
            asked[(req.from_id, req.to_id)].add("buyer")
        elif req.from_id in firms.suppliers and req.to_id in firms.buyers:
            asked[(req.to_id, req.from_id)].add("supplier")
    return asked


def _candidates(
    event: Event,
    firms: _Firms,
    best: dict[Pair, Match],
    asked: dict[Pair, set[str]],
    excluded: dict[Pair, str],
) -> _Candidates:
    """The pairs that may meet: matched, requested or locked; less the declined and met-before
    pairs (unless locked) and, unless requested or locked, those under min_score."""
    locked_pairs = {(lk.buyer, lk.supplier) for lk in event.locked}
    interpreters = {i.id: _languages(i.languages) for i in event.interpreters}
    out = _Candidates()
    for key in sorted(set(best) | set(asked) | locked_pairs):
        bid, sid = key
        match = best.get(key)
        request = request_kind(asked.get(key, set()))
        if key in excluded and key not in locked_pairs:
            if request:
                out.dropped.append(
                    f"Request {bid} ↔ {sid} cannot be met: the pair is marked "
                    f"'{excluded[key]}' in the event file."
                )
            continue
        score = match.score if match is not None else 0.0
        if score < event.min_score and not request and key not in locked_pairs:
            out.below_min[sid] = max(out.below_min.get(sid, float("-inf")), score)
            continue
        able = _interpreters_for(firms.firms[bid], firms.firms[sid], interpreters)
        out.index[key] = len(out.pairs)
        requirement_id = match.requirement_id if match else ""
        out.pairs.append(CandidatePair(bid, sid, score, requirement_id, request, able))
        reason = match.explanation if match is not None else ""
        if request:
            reason = f"requested by {_WHO[request]}" + (f"; {reason}" if reason else "")
        out.explanations[key] = reason
    return out


def _interpreters_for(
    buyer: Firm, supplier: Firm, interpreters: dict[str, tuple[str, ...]]
) -> tuple[str, ...] | None:
    """None when the two share a language (or one side's languages are unknown), else the
    interpreters who speak one language of each side."""
    b_langs, s_langs = set(buyer.languages), set(supplier.languages)
    if not (b_langs and s_langs) or b_langs & s_langs:
        return None
    return tuple(
        i for i, langs in interpreters.items() if set(langs) & b_langs and set(langs) & s_langs
    )


def _locked(event: Event, index: dict[Pair, int]) -> tuple[list[Fixed], dict[int, str]]:
    """The locked meetings as candidate, slot and table indices, and their meeting ids."""
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
    return locked, lock_ids


# --- planning -------------------------------------------------------------------------------------
def prepare_event(
    event_path: Path | str,
    requirements: Sequence[Requirement],
    suppliers: Sequence[Supplier],
    locked_path: Path | str | None = None,
) -> Event:
    """Load an event file (and a locked-meetings file for a re-plan) and check both against the
    register; raises InputDataError with every problem of every stage that could run (the
    file's fields, times and consistency, the locked meetings, the register) before anything is
    computed or written."""
    event, problems = read_event(event_path)
    if event is None:
        raise InputDataError(problems)
    if locked_path is not None:
        try:
            event = with_locked(event, load_locked(locked_path, event))
        except InputDataError as exc:  # with_locked checks the event again: no repeats
            problems += [p for p in exc.problems if p not in problems]
    problems += check_against_register(event, requirements, suppliers)
    if problems:
        raise InputDataError(problems)
    return event


def plan_event(
    event: Event,
    matches: Sequence[Match],
    requirements: Sequence[Requirement],
    suppliers: Sequence[Supplier],
    warm: Sequence[Meeting] | None = None,
    guard: bool = True,
) -> EventPlan:
    """Choose and schedule the meetings of an event (locked meetings in ``event.locked`` stay).

    ``warm``: the meetings of a plan that is feasible for this event too (the plan a what-if
    changes); the solver starts from it, and the plan is never below it in its priorities, nor
    (``guard``, for a change that only adds capacity) in meetings or total score (see
    solver.solve_problem)."""
    ctx = build_context(event, matches, requirements, suppliers)
    start = _warm_start(event, ctx, warm) if warm is not None else None
    allocation, placements, method = solve_problem(ctx.problem, start, guard)
    meetings = _meetings(event, ctx, placements)
    diagnostics, short = diagnose(event, ctx, meetings)
    kpis = compute_kpis(event, ctx, meetings, allocation, method, diagnostics)
    titles = {r.requirement_id: r.title or r.description[:80] for r in requirements}
    return EventPlan(event, meetings, ctx.firms, kpis, diagnostics, short, titles)


def _warm_start(event: Event, ctx: PlanContext, meetings: Sequence[Meeting]) -> Allocation:
    """Another plan's meetings as an allocation of this event's problem (pairs by their ids,
    slots by their start); ConfigError when one does not fit, as it then is no warm start."""
    index = {(c.buyer, c.supplier): i for i, c in enumerate(ctx.problem.candidates)}
    chosen: list[int] = []
    slot_of: dict[int, int] = {}
    interpreter_of: dict[int, str] = {}
    for m in meetings:
        c = index.get((m.buyer_id, m.supplier_id))
        slot = event.slot_index(m.slot_start)
        if c is None or slot is None:
            raise ConfigError(
                f"meeting {m.meeting_id} ({m.buyer_id} ↔ {m.supplier_id} at "
                f"{m.slot_start.isoformat()}) does not fit this event: not a warm start"
            )
        chosen.append(c)
        slot_of[c] = slot
        if m.interpreter:
            interpreter_of[c] = m.interpreter
    return Allocation(sorted(chosen), slot_of, interpreter_of)


def meeting_id(buyer: str, supplier: str, digits: int = 8) -> str:
    """A meeting's id, from its pair: the same pair gets the same id in every plan and re-plan
    of an event (agendas, calendar UIDs and locks keep pointing at the same meeting), and an id
    never names another pair. 8 base-32 digits (40 bits) of a BLAKE2 hash: two pairs of one event
    share them with odds of about n² / 2⁴¹ (1 in 2 million for 1,000 meetings);
    ``meeting_ids`` lengthens both ids then. A counter would need the previous plan's ids at
    every re-plan and what-if."""
    digest = hashlib.blake2b(f"{buyer}\x1f{supplier}".encode(), digest_size=20).digest()
    return "M" + base64.b32encode(digest).decode("ascii")[:digits]


def meeting_ids(pairs: Sequence[Pair], taken: Iterable[str] = ()) -> dict[Pair, str]:
    """Ids for these pairs, none equal to another's or to a ``taken`` one (the locked meetings'
    own ids): a clash, which the hash makes very rare, lengthens the clashing ids to 32 digits."""
    ids = {pair: meeting_id(*pair) for pair in dict.fromkeys(pairs)}
    seen = Counter([*ids.values(), *taken])
    return {pair: meeting_id(*pair, 32) if seen[m] > 1 else m for pair, m in ids.items()}


def _meetings(event: Event, ctx: PlanContext, placements: Sequence[Placement]) -> list[Meeting]:
    pairs = [
        (ctx.problem.candidates[p.candidate].buyer, ctx.problem.candidates[p.candidate].supplier)
        for p in placements
        if p.candidate not in ctx.lock_ids
    ]
    ids = meeting_ids(pairs, ctx.lock_ids.values())
    out = []
    for p in placements:
        cand = ctx.problem.candidates[p.candidate]
        slot = event.slots[p.slot]
        out.append(
            Meeting(
                meeting_id=ctx.lock_ids.get(p.candidate) or ids[(cand.buyer, cand.supplier)],
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
