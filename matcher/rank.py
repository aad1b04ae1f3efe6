"""Rank: features per (requirement, supplier) → a transparent weighted score → an explanation.

Every feature lies in [0, 1] so that a weight reads as "how much this criterion can move the
score". Features that are constant within one requirement (e.g. no preferred certifications) do
not change the order, only the level.
"""

from __future__ import annotations

import json
import math
import threading
import weakref
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from matcher.config import DEFAULT_WEIGHTS
from matcher.errors import ConfigError
from matcher.explain import explain
from matcher.normalise import (
    NARROWER,
    NormalisedRequirement,
    NormalisedSupplier,
    Taxonomy,
    fold,
)
from matcher.retrieve import Candidate
from matcher.schemas import Match

FEATURES = (
    "dense",
    "lexical",
    "translated",
    "fusion",
    "taxonomy",
    "taxonomy_process",
    "taxonomy_material",
    "taxonomy_product",
    "certifications",
    "criteria",
    "tier",
    "sector",
    "location",
    "customer",
    "track_record",
    "completeness",
)
# Signal gating ("gated": true in the weights file): per requirement, a gated feature's weight is
# scaled by how far its signal can be trusted for that request, in [0, 1], and what is withheld is
# spread over the other features in proportion to their weights, so the balance they were tuned
# for stays (and so does the total, so scores of requirements remain comparable).
# The taxonomy is trusted when the request has taxonomy tags and the lexicon does *not* read it
# nearly word for word. It is a coarse bridge of ~100 hand-listed tags whose Vietnamese and
# English term lists are not parallel ("sợi" tags "dạng sợi monofilament", whose English twin
# "monofilament" has no tag; "lưu hóa" tags rubber moulding, "vulcanised" does not), so a
# cross-lingual pair often disagrees on a tag that both texts state, and the few candidates that
# share it push the right one down. Where the lexicon reads the request (translation coverage ≥
# LEXICON_READS[1]) the translated field carries the language bridge and the taxonomy's weight
# goes to the other signals; below LEXICON_READS[0] (trade registers, Japanese and Korean
# requests) it keeps all of it, linearly in between. The bounds were chosen on the suites'
# development parts (benchmarks/tune_weights.py --lexicon-reads; models/README.md). Gating the
# translated field by the same coverage was measured too and did not help on the dev parts.
GATES = {
    "taxonomy": "taxonomy_trust",
    "taxonomy_process": "taxonomy_trust",
    "taxonomy_material": "taxonomy_trust",
    "taxonomy_product": "taxonomy_trust",
}
# What availability() reports per requirement (the columns Engine.candidate_features appends);
# the taxonomy's trust is derived from them (gate_shares).
AVAILABILITY = ("translation_coverage", "has_tags")
LEXICON_READS = (0.7, 0.9)

# Coverage features whose weight follows how rare full coverage is among a requirement's
# candidates. When most candidates cover the requested tags (tariff lines of one chapter all say
# "of iron or steel"), the feature mostly pushes down the few that do not, which are as often the
# right answer; when few do, it is the best evidence there is. So each such feature keeps its
# weight × (1 − the share of candidates at its best value), and the rest goes to the fusion of
# the retrieval lists (matcher.rank.spread_weights; "tied_coverage_to" in the weights file).
SPREAD_GATED = ("taxonomy", "taxonomy_process", "taxonomy_material", "taxonomy_product")

_PROFILE_FIELDS = (
    "tax_code",
    "processes",
    "materials",
    "products",
    "certifications",
    "sector",
    "district",
    "employees",
    "founded_year",
    "customers",
    "monthly_capacity",
)


def load_weights(path: Path = DEFAULT_WEIGHTS) -> dict[str, float]:
    """Read the weights file; unknown features are an error naming the valid ones, missing = 0."""
    raw = _read_weights_file(path)["weights"]
    unknown = set(raw) - set(FEATURES)
    if unknown:
        raise ConfigError(f"{path}: unknown features {sorted(unknown)}; valid: {FEATURES}")
    return {f: float(raw.get(f, 0.0)) for f in FEATURES}


def load_gating(path: Path = DEFAULT_WEIGHTS) -> bool:
    """Whether the weights file asks for signal gating (``"gated": true``; default false)."""
    return bool(_read_weights_file(path).get("gated", False))


def load_spread_target(path: Path = DEFAULT_WEIGHTS) -> str | None:
    """The feature that tied coverage weight moves to (``"tied_coverage_to"``), or None."""
    target = _read_weights_file(path).get("tied_coverage_to")
    if target is not None and target not in FEATURES:
        raise ConfigError(
            f"{path}: tied_coverage_to {target!r} is not a feature; valid: {FEATURES}"
        )
    return cast(str | None, target)


def _read_weights_file(path: Path) -> dict[str, Any]:
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(payload.get("weights"), dict):
            raise KeyError("weights")
    except (OSError, KeyError, AttributeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read ranker weights from {path}: {exc}") from None
    return cast(dict[str, Any], payload)


def gate_shares(
    availability: Mapping[str, float], lexicon_reads: tuple[float, float] | None = None
) -> dict[str, float]:
    """How much of each gated signal a requirement keeps, in [0, 1] (see GATES)."""
    low, high = lexicon_reads or LEXICON_READS
    coverage = min(1.0, max(0.0, availability.get("translation_coverage", 0.0)))
    unread = (
        1.0 if coverage <= low else 0.0 if coverage >= high else (high - coverage) / (high - low)
    )
    has_tags = min(1.0, max(0.0, availability.get("has_tags", 1.0)))
    return {"taxonomy_trust": has_tags * unread}


def effective_weights(
    weights: Mapping[str, float],
    availability: Mapping[str, float],
    lexicon_reads: tuple[float, float] | None = None,
) -> dict[str, float]:
    """One requirement's weights: each gated signal's weight × its share (gate_shares), what is
    withheld spread over the other features in proportion to their weights.

    The total stays the same, so scores of requirements remain comparable; when the other
    features carry no weight, the withheld weight stays withheld.
    """
    shares = gate_shares(availability, lexicon_reads)
    out = dict(weights)
    withheld = 0.0
    for feature, key in GATES.items():
        kept = out[feature] * shares[key]
        withheld += out[feature] - kept
        out[feature] = kept
    rest = sum(v for f, v in out.items() if f not in GATES)
    if withheld > 0 and rest > 0:
        for f in out:
            if f not in GATES:
                out[f] += withheld * out[f] / rest
    return out


def spread_weights(
    weights: Mapping[str, float], columns: Mapping[str, Sequence[float]], to: str
) -> dict[str, float]:
    """One requirement's weights after the coverage spread gate (see SPREAD_GATED).

    ``columns`` holds each gated feature's values over the requirement's candidates; the total
    weight stays the same.
    """
    out = dict(weights)
    for feature in SPREAD_GATED:
        values = columns.get(feature, ())
        top = max(values, default=0.0)
        if top <= 0:
            continue
        share = sum(v >= top - 1e-9 for v in values) / len(values)
        withheld = out[feature] * share
        out[feature] -= withheld
        out[to] += withheld
    return out


def availability(requirement: NormalisedRequirement) -> dict[str, float]:
    """What this requirement carries that the gates read (see GATES and gate_shares)."""
    wanted = [t for t in requirement.tags if not t.startswith("sector_")]
    return {
        "translation_coverage": requirement.translation_coverage,
        "has_tags": 1.0 if wanted else 0.0,
    }


# The order of a match's ``features`` as shown (explanations, exports): the order the ranker has
# always written them in, with the raw cosine last.
_SHOWN = (
    "dense",
    "lexical",
    "fusion",
    "translated",
    *(f for f in FEATURES if f not in ("dense", "lexical", "fusion", "translated")),
    "cosine",
)
_COLUMN = {f: i for i, f in enumerate(FEATURES)}
_FACETS = ("process", "material", "product")
# What a supplier contributes without regard to the requirement: criteria, track record,
# completeness, tier (0 = none), folded province, sectors, its tags as a bit set (_TagBits),
# whether a customer folds to "" (what an unnamed buyer matches). Once per profile object.
_Static = tuple[float, float, float, float, str, frozenset[str], int, bool]


def _minmax(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-9:
        return np.full(len(values), 1.0 if high > 0 else 0.0)
    return (values - low) / (high - low)


class _TagBits:
    """A bit per tag, given on first sight, so that a profile's tags are one int and "does it
    hold any tag that satisfies this wanted one" one AND (numpy over all candidates at once)
    rather than a set test per (candidate, tag)."""

    def __init__(self) -> None:
        self._bit: dict[str, int] = {}
        self._lock = threading.Lock()

    def mask(self, tags: Iterable[str]) -> int:
        bits = self._bit
        out = 0
        for tag in tags:
            bit = bits.get(tag)
            if bit is None:
                with self._lock:  # two threads must never give two tags one bit
                    bit = bits.setdefault(tag, len(bits))
            out |= 1 << bit
        return out


def _static(s: NormalisedSupplier, bits: _TagBits) -> _Static:
    criteria = s.supplier.criteria_scores()
    score = 0.8 * (sum(criteria) / (10 * len(criteria))) if criteria else 0.0
    score += 0.1 * s.supplier.priority_product + 0.1 * s.supplier.key_product
    filled = sum(bool(getattr(s.supplier, f)) for f in _PROFILE_FIELDS)
    return (
        score,
        # log-scaled so that the 20th customer adds less than the 2nd
        min(1.0, math.log1p(len(s.supplier.customers)) / math.log1p(20)),
        filled / len(_PROFILE_FIELDS),
        float(s.supplier.tier or 0),
        fold(s.supplier.province or ""),
        frozenset(s.supplier.sector),
        bits.mask(s.tags),
        "" in s.customers,
    )


class _StaticMemo:
    """_static per profile object, keyed by its id and checked by a weak reference (profiles are
    unhashable dataclasses, never mutated once normalised), so that a profile is folded and
    counted once however many requirements it is a candidate for. Thread-safe enough for its
    use: a lost race computes the same tuple twice."""

    def __init__(self) -> None:
        self._rows: dict[int, tuple[weakref.ref[NormalisedSupplier], _Static]] = {}
        self._prune_at = 4096
        self.bits = _TagBits()

    def rows(self, suppliers: Sequence[NormalisedSupplier]) -> list[_Static]:
        out = []
        rows = self._rows
        for s in suppliers:
            hit = rows.get(id(s))
            if hit is None or hit[0]() is not s:
                hit = (weakref.ref(s), _static(s, self.bits))
                rows[id(s)] = hit
            out.append(hit[1])
        if len(rows) > self._prune_at:  # drop profiles that no snapshot holds any more
            self._rows = {k: v for k, v in rows.items() if v[0]() is not None}
            self._prune_at = max(4096, 2 * len(self._rows))
        return out


class TransparentRanker:
    """score = Σ weight_f · feature_f, with the contributions kept for the explanation.

    The features of all candidates of a requirement are computed at once as one matrix
    (``feature_matrix``: a row per candidate, a column per FEATURES entry); only the top-k that
    are returned are turned into explained matches.
    """

    def __init__(
        self,
        weights: dict[str, float],
        taxonomy: Taxonomy,
        rrf_k: int = 60,
        gated: bool = False,
        tied_coverage_to: str | None = None,
    ) -> None:
        self.weights = weights
        self.taxonomy = taxonomy
        self.rrf_k = rrf_k
        self.gated = gated
        self.tied_coverage_to = tied_coverage_to
        self._memo = _StaticMemo()

    def weights_for(self, requirement: NormalisedRequirement) -> dict[str, float]:
        """The weights this requirement is scored with (gated by its signals' availability)."""
        if not self.gated:
            return self.weights
        return effective_weights(self.weights, availability(requirement))

    def feature_matrix(
        self,
        requirement: NormalisedRequirement,
        suppliers: Sequence[NormalisedSupplier],
        candidates: Sequence[Candidate],
    ) -> npt.NDArray[np.float64]:
        """Every feature of every candidate: shape (len(candidates), len(FEATURES)), columns in
        FEATURES order, each in [0, 1]."""
        n = len(candidates)
        out = np.zeros((n, len(FEATURES)), dtype=np.float64)
        if not n:
            return out
        profiles = [suppliers[c.position] for c in candidates]
        raw = np.array([(c.dense, c.lexical, c.translated, c.rrf) for c in candidates])
        # Per-requirement min-max: cosine levels differ by encoder and BM25 by query length, but
        # the spread among this requirement's candidates is what ranks them.
        out[:, _COLUMN["dense"]] = _minmax(raw[:, 0])
        for column, name in ((1, "lexical"), (2, "translated")):
            top = float(raw[:, column].max())
            if top > 0:
                out[:, _COLUMN[name]] = raw[:, column] / top
        out[:, _COLUMN["fusion"]] = raw[:, 3]
        # One pass over the memo, then one column per field (zip transposes in C).
        criteria, track, complete, tiers, provinces, held_sectors, tags, blank = zip(
            *self._memo.rows(profiles), strict=True
        )
        self._taxonomy_columns(out, requirement, tags)
        preferred = requirement.preferred_certifications
        if preferred:
            held = [len(preferred & s.certifications) for s in profiles]
            out[:, _COLUMN["certifications"]] = np.array(held, dtype=np.float64) / len(preferred)
        out[:, _COLUMN["criteria"]] = criteria
        out[:, _COLUMN["track_record"]] = track
        out[:, _COLUMN["completeness"]] = complete
        target = requirement.requirement.target_tier
        if target:
            tier = np.array(tiers, dtype=np.float64)
            out[:, _COLUMN["tier"]] = np.where(tier > 0, 1.0 - np.abs(target - tier) / 2, 0.0)
        sectors = set(requirement.requirement.sector)
        if sectors:
            out[:, _COLUMN["sector"]] = [not sectors.isdisjoint(row) for row in held_sectors]
        province = fold(requirement.requirement.province or "")
        if province:
            out[:, _COLUMN["location"]] = np.array(provinces, dtype=object) == province
        buyer = fold(requirement.requirement.buyer)
        # A search names no buyer: then only a blank customer name matches (the memo's flag).
        out[:, _COLUMN["customer"]] = [buyer in s.customers for s in profiles] if buyer else blank
        return out

    def _taxonomy_columns(
        self,
        out: npt.NDArray[np.float64],
        requirement: NormalisedRequirement,
        tags: Sequence[int],
    ) -> None:
        """Coverage of the requested tags, overall and per facet, so that the weights can tell a
        process the buyer needs from a material word every line of a chapter shares ("of iron
        or steel"). One boolean per (candidate, wanted tag), from which every column is a mean.
        ``tags``: each candidate's tags as _TagBits gave them."""
        wanted = sorted(t for t in requirement.tags if not t.startswith("sector_"))
        if not wanted:
            return
        hits = self.tag_hits(wanted, tags)
        out[:, _COLUMN["taxonomy"]] = hits.sum(axis=1) / len(wanted)
        facets = [self.taxonomy.facet_of(t) for t in wanted]
        for facet in _FACETS:
            mine = [i for i, f in enumerate(facets) if f == facet]
            if mine:
                out[:, _COLUMN[f"taxonomy_{facet}"]] = hits[:, mine].sum(axis=1) / len(mine)

    def tag_hits(self, wanted: Sequence[str], tags: Sequence[int]) -> npt.NDArray[np.float64]:
        """1.0 where a candidate (a row; ``tags`` from _TagBits) covers a wanted tag (a column).

        A tag is covered by itself or a narrower tag (matcher.normalise.covered), so each wanted
        tag becomes the bits of the tags that satisfy it, and coverage one AND per candidate,
        done by numpy over Python ints (object arrays: the bits may outnumber 64)."""
        bits = self._memo.bits
        satisfy = np.array([bits.mask((t, *NARROWER.get(t, ()))) for t in wanted], dtype=object)
        held = np.array(tags, dtype=object)
        hits: npt.NDArray[np.float64] = ((held[:, None] & satisfy[None, :]) != 0).astype(float)
        return hits

    def features(
        self,
        requirement: NormalisedRequirement,
        suppliers: Sequence[NormalisedSupplier],
        candidates: Sequence[Candidate],
    ) -> list[dict[str, float]]:
        """``feature_matrix`` as one dict per candidate, with the raw ``cosine`` beside."""
        matrix = self.feature_matrix(requirement, suppliers, candidates)
        return [_shown(row, cand) for row, cand in zip(matrix.tolist(), candidates, strict=True)]

    def scores(
        self, requirement: NormalisedRequirement, matrix: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.float64], dict[str, float]]:
        """Each row's score and the weights it was scored with (gates and spread applied)."""
        weights = self.weights_for(requirement)
        if self.tied_coverage_to is not None and len(matrix):
            columns = {f: matrix[:, _COLUMN[f]].tolist() for f in SPREAD_GATED}
            weights = spread_weights(weights, columns, self.tied_coverage_to)
        # Column by column in FEATURES order: the same additions, in the same order, as summing
        # one candidate's contributions, so that ties (and their order by id) stay exact.
        total = np.zeros(len(matrix), dtype=np.float64)
        for name, column in _COLUMN.items():
            total = total + weights[name] * matrix[:, column]
        return total, weights

    def rank(
        self,
        requirement: NormalisedRequirement,
        suppliers: Sequence[NormalisedSupplier],
        candidates: Sequence[Candidate],
        top_k: int,
    ) -> list[Match]:
        matrix = self.feature_matrix(requirement, suppliers, candidates)
        scores, weights = self.scores(requirement, matrix)
        # Only the candidates that can reach the top_k are sorted by (score, id): those scoring at
        # least the top_k-th best score, ties at that cut included, so the order is a full sort's.
        keep: Sequence[int] = range(len(candidates))
        if 0 < top_k < len(candidates):
            cut = np.partition(scores, len(scores) - top_k)[len(scores) - top_k]
            keep = np.flatnonzero(scores >= cut).tolist()
        values = {i: float(scores[i]) for i in keep}
        ids = {i: suppliers[candidates[i].position].supplier.supplier_id for i in keep}
        order = sorted(keep, key=lambda i: (-values[i], ids[i]))[:top_k]
        return [
            explain(
                requirement,
                suppliers[candidates[i].position],
                rank,
                values[i],
                _shown(matrix[i].tolist(), candidates[i]),
                weights,
                self.taxonomy,
            )
            for rank, i in enumerate(order, start=1)
        ]


def _shown(row: list[float], candidate: Candidate) -> dict[str, float]:
    values = dict(zip(FEATURES, row, strict=True))
    values["cosine"] = candidate.dense  # raw, shown to people; not weighted
    return {name: values[name] for name in _SHOWN}
