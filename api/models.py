"""Request and response bodies: every route takes and gives one of these, so the OpenAPI schema
is exact. Shapes marked "contract" are relied on from outside (issue #5): keep them."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.config import MAX_TOP_K
from matcher.events import ParticipantSpec
from matcher.schemas import Match, Requirement, Supplier
from matcher.store import ApiKey, Feedback, Outcome, Role

T = TypeVar("T")
Sector = Literal["I", "II", "III", "IV", "V", "VI"]
# Ids travel in URL paths: printable, no slash, bounded.
Id = str
ID_PATTERN = r"^[^/\s][^/]{0,63}$"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Page(BaseModel, Generic[T]):
    """A list: one page of ``data`` and ``count``, the number of items on every page together."""

    data: list[T]
    count: int


class ProblemOut(BaseModel):
    """One problem with a request or an uploaded file (row: spreadsheet row, header = 1)."""

    file: str
    row: int | None
    column: str | None
    message: str


class ErrorOut(BaseModel):
    """Every error answer: a sentence, and for bad input each problem found."""

    detail: str
    problems: list[ProblemOut] = []


# -- suppliers -------------------------------------------------------------------------------------
class SupplierOut(Supplier):
    """A supplier profile. Contact persons are null unless the caller may see them (organiser,
    admin, the supplier itself, or a buyer after a confirmed meeting)."""

    model_config = ConfigDict(extra="ignore")


class ImportOut(BaseModel):
    inserted: int
    updated: int
    duplicates: list[dict[str, Any]] = []


class DeletedOut(BaseModel):
    deleted: str


# -- requirements ----------------------------------------------------------------------------------
class RequirementIn(_Body):
    """Contract: ``title`` and ``description``; a buyer's key fills in the buyer, an organiser
    names it with ``buyer_id`` (and optionally ``buyer``, the display name)."""

    title: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1, max_length=20_000)
    buyer: str | None = Field(default=None, min_length=1, max_length=300)
    buyer_id: str | None = Field(default=None, min_length=1, max_length=200, pattern=ID_PATTERN)
    required_certifications: list[str] = []
    preferred_certifications: list[str] = []
    sector: list[Sector] = []
    province: str | None = Field(default=None, max_length=200)
    processes: list[str] = []
    materials: list[str] = []
    quantity: str | None = Field(default=None, max_length=200)
    target_tier: int | None = Field(default=None, ge=1, le=3)
    language: str | None = Field(default=None, max_length=50)


class RequirementOut(Requirement):
    """Contract: answers carry ``requirement_id``."""

    model_config = ConfigDict(extra="ignore")


# -- search and matches ----------------------------------------------------------------------------
class SearchFilters(_Body):
    """Hard filters: a supplier must hold every certification, be in one of the sectors and one
    of the provinces (empty = no filter)."""

    certifications: list[str] = Field(default=[], max_length=20)
    sectors: list[Sector] = Field(default=[], max_length=6)
    provinces: list[str] = Field(default=[], max_length=70)


class SearchIn(_Body):
    """Contract: ``{"query": "...", "top_k": 10, "filters": {...}}``."""

    query: str = Field(min_length=1, max_length=2000, description="What you need, any language.")
    top_k: int = Field(default=10, ge=1, le=MAX_TOP_K)
    filters: SearchFilters = SearchFilters()

    @field_validator("query")
    @classmethod
    def _not_blank(cls, query: str) -> str:
        # str.strip leaves zero-width spaces, BOMs, NUL and other controls: a query of only
        # those would search for nothing and still rank every supplier.
        if all(ch.isspace() or unicodedata.category(ch)[0] in "CZ" for ch in query):
            raise ValueError(
                "the query is empty (only spaces, zero-width or control characters): "
                "type what you need"
            )
        return query


class SearchPage(Page["MatchOut"]):
    """Search results; ``why_empty`` says which hard filter left none (null otherwise)."""

    why_empty: str | None = None


class MatchOut(BaseModel):
    """Contract: ``supplier_id``, ``score`` and ``explanation``; rank 1 is best."""

    supplier_id: str
    score: float
    explanation: str
    rank: int
    supplier_name: str
    matched_capabilities: list[str]
    certifications_met: list[str]
    certifications_missing: list[str]
    top_features: list[str]
    features: dict[str, float]

    @classmethod
    def of(cls, match: Match) -> MatchOut:
        return cls.model_validate(match.model_dump(exclude={"requirement_id"}))


# -- the store's records ---------------------------------------------------------------------------
# Answers that are the store's records: the subclasses only keep the schema's names (and, having
# no docstring, its descriptions: none).
class FeedbackOut(Feedback):
    pass


class KeyOut(ApiKey):
    pass


# -- feedback --------------------------------------------------------------------------------------
class FeedbackIn(_Body):
    """An outcome for a proposed match or a meeting. A buyer reports for its own requirements,
    a supplier for its own firm (naming the buyer), an organiser for anyone."""

    outcome: Outcome
    supplier_id: str | None = Field(default=None, min_length=1, max_length=64)
    buyer_id: str | None = Field(default=None, min_length=1, max_length=200)
    requirement_id: str | None = Field(default=None, min_length=1, max_length=64)
    event_id: str | None = Field(default=None, min_length=1, max_length=64)
    meeting_id: str | None = Field(default=None, min_length=1, max_length=64)
    note: str = Field(default="", max_length=2000)


# -- keys ------------------------------------------------------------------------------------------
class KeyIn(_Body):
    role: Role
    buyer_id: str | None = Field(default=None, min_length=1, max_length=200)
    supplier_id: str | None = Field(default=None, min_length=1, max_length=64)
    label: str = Field(default="", max_length=200)


class NewKeyOut(KeyOut):
    """The secret is shown once, here; the server keeps only its hash."""

    key: str


# -- events: the event itself is matcher.events.EventSpec, the format of event files ---------------
class ParticipantsIn(_Body):
    """Participants to add (an id already registered is replaced)."""

    participants: list[ParticipantSpec] = Field(min_length=1, max_length=5000)


class PlanIn(_Body):
    top_k: int = Field(default=20, ge=1, le=MAX_TOP_K, description="Candidates per requirement.")


class LocksIn(_Body):
    meeting_ids: list[str] = Field(min_length=1, max_length=5000)


class EventOut(BaseModel):
    event_id: str
    name: str
    participants: int
    locked: int
    planned: bool
    created_at: datetime
    updated_at: datetime
    spec: dict[str, Any]


class MeetingOut(BaseModel):
    meeting_id: str
    slot_start: str
    slot_end: str
    table: str
    buyer_id: str
    requirement_id: str
    supplier_id: str
    score: float
    interpreter: str
    buyer_name: str
    supplier_name: str
    request: str
    locked: bool
    explanation: str


class ScheduleOut(Page[MeetingOut]):
    kpis: dict[str, Any]
    diagnostics: list[str]


class PlanOut(BaseModel):
    event_id: str
    meetings: int
    kpis: dict[str, Any]
    diagnostics: list[str]


# -- tiers ---------------------------------------------------------------------------------------
class TiersIn(_Body):
    """Options of a supply-tier proposal (as `matcher tiers propose`); bounded so that one
    request stays cheap."""

    buyers: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        default=[],
        max_length=50,
        description="Only these assemblers (buyer id, name or part of a name); all when empty.",
    )
    top_k: int = Field(default=5, ge=1, le=20, description="Tier-1 firms per requirement.")
    lower_top_k: int = Field(default=3, ge=1, le=10, description="Firms per input below tier 1.")
    depth: int = Field(default=2, ge=1, le=3, description="Supplier tiers to propose.")
    certifications: Literal["gap", "filter"] = Field(
        default="gap",
        description="gap: a missing required certificate is a gap; filter: such firms left out.",
    )


class TierGapOut(BaseModel):
    kind: Literal["certification", "process", "material", "capacity", "equipment"]
    item: str
    detail: str
    track: Literal["certification consulting", "technology renewal", "workforce training"]


class TierNodeOut(BaseModel):
    """A network.json node: an assembler (tier 0) or a proposed supplier (its nearest tier)."""

    model_config = ConfigDict(extra="allow")

    id: str
    kind: Literal["buyer", "supplier"]
    tier: int


class TierEdgeOut(BaseModel):
    """A network.json edge: ``source`` supplies ``target`` for ``requirement_id``."""

    model_config = ConfigDict(extra="allow")

    source: str
    target: str
    requirement_id: str
    score: float
    status: Literal["ready", "needs"]
    gaps: list[TierGapOut]


class TiersOut(BaseModel):
    """Contract: network.json of `matcher tiers propose` plus its kpis.json."""

    nodes: list[TierNodeOut]
    edges: list[TierEdgeOut]
    kpis: dict[str, Any]


# -- health ----------------------------------------------------------------------------------------
class HealthOut(BaseModel):
    status: Literal["ok"]


class ReadyOut(BaseModel):
    """``degraded``: answering from an older index version because a newer one failed to load;
    ``not ready`` (HTTP 503): no version loads. ``reason`` names the fault and the fix."""

    status: Literal["ready", "degraded", "not ready"]
    suppliers: int
    version: str | None = None
    reason: str | None = None
