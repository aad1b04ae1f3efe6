"""What the learned ranker reads about one requirement's candidates: the transparent ranker's
features and score (from its own ``rank``, so training and serving read the very same numbers),
and what outcomes can reveal beyond them — the buyer's country, sector and language, the
supplier's tier, certifications, languages, and response history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np
import numpy.typing as npt

from matcher.explain import explain
from matcher.learn.outcomes import History
from matcher.normalise import NormalisedRequirement, NormalisedSupplier, Taxonomy
from matcher.rank import FEATURES, SPREAD_GATED, TransparentRanker, spread_weights
from matcher.retrieve import Candidate
from matcher.schemas import Match, Requirement, Supplier

Matrix = npt.NDArray[np.float64]
EXTRA = (
    "buyer_country",
    "buyer_sector",
    "supplier_tier",
    "shared_language",
    "supplier_certifications",
    "history_volume",
    "history_positive",
    "history_declined",
)
CATEGORICAL = ("buyer_country", "buyer_sector")
COLUMNS = (*FEATURES, *EXTRA)
# Supplier signals crossed with each buyer country seen in training ("supplier_tier@JP": the
# tier when the buyer is from Japan, else -1). A buyer-level column is the same for every
# candidate of a requirement, so LambdaMART's pairwise gradients on it sum to zero and a tree
# cannot split on it first: crossed, what buyers of one country prefer is one split away.
CROSSED = ("supplier_tier", "shared_language", "supplier_certifications", "track_record")
# Where a register states the buyer's country and language (extra columns of a requirement);
# without them the country is unknown and the language is the request's own.
COUNTRY_KEYS = ("buyer_country", "country")
LANGUAGE_KEYS = ("buyer_language",)


class Ranker(Protocol):
    """What ranks one requirement's candidates: the transparent ranker or a learned one."""

    def rank(
        self,
        requirement: NormalisedRequirement,
        suppliers: Sequence[NormalisedSupplier],
        candidates: Sequence[Candidate],
        top_k: int,
    ) -> list[Match]: ...


@dataclass(frozen=True)
class Buyer:
    """What a requirement says about who asks: country, priority sector, language."""

    country: str | None = None
    sector: str | None = None
    language: str | None = None

    @classmethod
    def of(cls, requirement: Requirement) -> Buyer:
        extra = {k.strip().lower(): v for k, v in requirement.extra.items()}
        country = next((extra[k].strip().upper() for k in COUNTRY_KEYS if extra.get(k)), None)
        language = next((extra[k].strip().lower() for k in LANGUAGE_KEYS if extra.get(k)), None)
        return cls(
            country,
            requirement.sector[0] if requirement.sector else None,
            language or (requirement.language or "").strip().lower() or None,
        )


@dataclass(frozen=True)
class CandidateTable:
    """One requirement's candidates in retrieval order, with the transparent ranker's view."""

    requirement_id: str
    buyer: Buyer
    ids: list[str]
    profiles: list[Supplier]
    base: Matrix  # len(ids) × FEATURES
    transparent: npt.NDArray[np.float64]  # the transparent score of each candidate
    # What an explanation needs (matcher.explain): the request, the normalised candidates, each
    # one's feature row and the weights they were scored with.
    requirement: NormalisedRequirement | None = field(default=None, compare=False)
    normalised: list[NormalisedSupplier] = field(default_factory=list, compare=False)
    rows: list[dict[str, float]] = field(default_factory=list, compare=False)
    weights: dict[str, float] = field(default_factory=dict, compare=False)
    taxonomy: Taxonomy | None = field(default=None, compare=False)

    def __len__(self) -> int:
        return len(self.ids)

    def as_buyer(self, requirement_id: str, buyer: Buyer) -> CandidateTable:
        """The same candidates asked for by another buyer (the simulator's requests)."""
        return replace(self, requirement_id=requirement_id, buyer=buyer)

    def transparent_order(self) -> list[int]:
        """Candidate indices as the transparent ranker orders them (score, then id)."""
        return sorted(range(len(self)), key=lambda i: (-self.transparent[i], self.ids[i]))

    def explained(self, i: int, rank: int, score: float) -> Match:
        """Candidate ``i`` as the transparent ranker would explain it at this rank and score."""
        if self.requirement is None or self.taxonomy is None:
            raise ValueError("this table was built without what explanations need")
        return explain(
            self.requirement,
            self.normalised[i],
            rank,
            score,
            self.rows[i],
            self.weights,
            self.taxonomy,
        )


def candidate_table(
    base: TransparentRanker,
    requirement: NormalisedRequirement,
    suppliers: Sequence[NormalisedSupplier],
    candidates: Sequence[Candidate],
) -> CandidateTable:
    """The transparent ranker's features and scores of every candidate, in candidate order.

    Scored as TransparentRanker.rank scores (its features, its gated and spread weights), but
    without explaining every candidate: only those a ranker returns are explained
    (tests/test_learning.py checks the scores against ``rank``'s).
    """
    rows = base.features(requirement, suppliers, candidates)
    weights = base.weights_for(requirement)
    if base.tied_coverage_to is not None and rows:
        columns = {f: [row[f] for row in rows] for f in SPREAD_GATED}
        weights = spread_weights(weights, columns, base.tied_coverage_to)
    matrix = np.array([[row[f] for f in FEATURES] for row in rows], dtype=np.float64)
    matrix = matrix.reshape(len(rows), len(FEATURES))
    scores = [sum(weights[name] * row[name] for name in FEATURES) for row in rows]
    normalised = [suppliers[c.position] for c in candidates]
    return CandidateTable(
        requirement.requirement.requirement_id,
        Buyer.of(requirement.requirement),
        [s.supplier.supplier_id for s in normalised],
        [s.supplier for s in normalised],
        matrix,
        np.array(scores, dtype=np.float64),
        requirement,
        normalised,
        rows,
        weights,
        base.taxonomy,
    )


@dataclass(frozen=True)
class Vocabulary:
    """Category codes of the categorical columns, fixed at training time (unseen → missing)."""

    countries: tuple[str, ...]
    sectors: tuple[str, ...]

    @classmethod
    def fit(cls, tables: Sequence[CandidateTable]) -> Vocabulary:
        return cls(
            tuple(sorted({t.buyer.country for t in tables if t.buyer.country})),
            tuple(sorted({t.buyer.sector for t in tables if t.buyer.sector})),
        )

    def code(self, values: tuple[str, ...], value: str | None) -> float:
        return float(values.index(value)) if value in values else float("nan")

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the learned ranker reads, in order: COLUMNS, then the crossed ones."""
        return (*COLUMNS, *(f"{name}@{c}" for c in self.countries for name in CROSSED))


def feature_matrix(table: CandidateTable, history: History, vocab: Vocabulary) -> Matrix:
    """The vocabulary's columns for every candidate; NaN where a value is unknown (LightGBM's
    missing)."""
    buyer = table.buyer
    country = vocab.code(vocab.countries, buyer.country)
    sector = vocab.code(vocab.sectors, buyer.sector)
    rows = []
    for profile in table.profiles:
        languages = {lang.strip().lower() for lang in profile.languages}
        shared = float(buyer.language in languages) if buyer.language and languages else np.nan
        rows.append(
            [
                country,
                sector,
                float(profile.tier) if profile.tier else np.nan,
                shared,
                min(1.0, len(profile.certifications) / 5),
                *history.features(profile.supplier_id),
            ]
        )
    extra = np.array(rows, dtype=np.float64).reshape(len(table), len(EXTRA))
    plain = np.hstack([table.base, extra])
    sources = plain[:, [COLUMNS.index(name) for name in CROSSED]]
    crossed = [
        np.nan_to_num(sources, nan=-1.0) if c == buyer.country else np.full_like(sources, -1.0)
        for c in vocab.countries
    ]
    return np.hstack([plain, *crossed])


def tables_by_id(tables: Sequence[CandidateTable]) -> Mapping[str, CandidateTable]:
    return {t.requirement_id: t for t in tables}
