"""The meeting problem as plain ids and indices, shared by allocation and scheduling (no pydantic,
no solver): who may meet whom with what score, each firm's bounds and free slots, the locked
meetings; and what the solvers give back, an Allocation of pairs and Placements in slots."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from matcher.events.spec import DEFAULT_PRIORITIES, PriorityTier

RequestKind = Literal["", "buyer", "supplier", "mutual"]


def request_kind(sides: set[str]) -> RequestKind:
    """A pair's request from the sides that asked ('buyer', 'supplier'): both, one or none."""
    if len(sides) == 2:
        return "mutual"
    if "buyer" in sides:
        return "buyer"
    return "supplier" if sides else ""


class Bounds(NamedTuple):
    """A participant's meeting bounds: ``low`` is a soft target (floor / minimum), ``high`` hard."""

    low: int
    high: int


@dataclass(frozen=True)
class CandidatePair:
    """A pair that may meet. ``interpreters`` is None when the two sides share a language (or one
    side's languages are unknown), else the interpreters who speak one language of each side."""

    buyer: str
    supplier: str
    score: float
    requirement_id: str = ""
    request: RequestKind = ""
    interpreters: tuple[str, ...] | None = None

    @property
    def needs_interpreter(self) -> bool:
        return self.interpreters is not None


@dataclass(frozen=True)
class Placement:
    """One scheduled meeting: candidate index, slot index, table index, interpreter id."""

    candidate: int
    slot: int
    table: int
    interpreter: str | None = None
    locked: bool = False


@dataclass(frozen=True)
class Fixed(Placement):
    """A locked meeting: a placement given before planning, which every plan keeps."""

    locked: bool = True


@dataclass
class MeetingProblem:
    """Everything allocation and scheduling need, as plain ids and indices (no pydantic)."""

    n_slots: int
    n_tables: int
    buyers: dict[str, Bounds]
    suppliers: dict[str, Bounds]
    candidates: list[CandidatePair]
    available: dict[str, frozenset[int]] = field(default_factory=dict)  # missing = every slot
    interpreter_slots: dict[str, frozenset[int]] = field(default_factory=dict)
    locked: list[Fixed] = field(default_factory=list)
    priority_suppliers: frozenset[str] = frozenset()
    reserved: int = 0
    priorities: tuple[PriorityTier, ...] = DEFAULT_PRIORITIES
    time_limit_s: float = 30.0
    # CP-SAT's portfolio only includes its LP-based workers from about 8 up; with 2 it cannot
    # prove even small allocations optimal in 30 s (measured), so 8 even on a 2-core machine.
    workers: int = 8

    def slots_of(self, pid: str) -> frozenset[int]:
        return self.available.get(pid, frozenset(range(self.n_slots)))

    def cap(self, pid: str) -> int:
        """A participant's hard cap: its own max, never more than its free slots."""
        bounds = self.buyers.get(pid) or self.suppliers[pid]
        return min(bounds.high, len(self.slots_of(pid)))

    def only_caps_bind(self) -> bool:
        """True when nothing but caps, slots and tables limits the plan: no windows, no
        interpreters needed, nothing locked. Then allocation + edge colouring is exact."""
        everyone = frozenset(range(self.n_slots))
        return (
            not self.locked
            and all(s == everyone for s in self.available.values())
            and not any(c.needs_interpreter for c in self.candidates)
        )


@dataclass
class TierResult:
    tier: PriorityTier
    value: int
    bound: float
    status: str
    seconds: float


@dataclass
class Allocation:
    """The chosen candidates (indices), slots when the joint model chose them, interpreters."""

    chosen: list[int]
    slot_of: dict[int, int] = field(default_factory=dict)
    interpreter_of: dict[int, str] = field(default_factory=dict)
    tiers: list[TierResult] = field(default_factory=list)
    seconds: float = 0.0
    # True when the solver stopped (time limit) below the plan it was started from, which was
    # then kept: the plan is a lower bound, not the solver's own.
    kept_start: bool = False

    @property
    def status(self) -> str:
        statuses = {t.status for t in self.tiers}
        return "OPTIMAL" if statuses <= {"OPTIMAL"} else "FEASIBLE"

    @property
    def gap(self) -> float:
        """The largest relative room any tier may still have over the plan (0 = proven optimal):
        (bound - value) / value, tier by tier, from the solver's bound."""
        return max(
            (max(0.0, (t.bound - t.value) / max(1.0, abs(t.value))) for t in self.tiers),
            default=0.0,
        )
