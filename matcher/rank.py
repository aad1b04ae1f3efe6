"""Rank: features per (requirement, supplier) → a transparent weighted score → an explanation.

Every feature lies in [0, 1] so that a weight reads as "how much this criterion can move the
score". Features that are constant within one requirement (e.g. no preferred certifications) do
not change the order, only the level.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from matcher.config import DEFAULT_WEIGHTS
from matcher.errors import ConfigError
from matcher.explain import explain
from matcher.normalise import (
    NormalisedRequirement,
    NormalisedSupplier,
    Taxonomy,
    covered,
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


def _minmax(values: Sequence[float]) -> list[float]:
    low, high = min(values), max(values)
    if high - low < 1e-9:
        return [1.0 if high > 0 else 0.0 for _ in values]
    return [(v - low) / (high - low) for v in values]


class TransparentRanker:
    """score = Σ weight_f · feature_f, with the contributions kept for the explanation."""

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

    def weights_for(self, requirement: NormalisedRequirement) -> dict[str, float]:
        """The weights this requirement is scored with (gated by its signals' availability)."""
        if not self.gated:
            return self.weights
        return effective_weights(self.weights, availability(requirement))

    def features(
        self,
        requirement: NormalisedRequirement,
        suppliers: Sequence[NormalisedSupplier],
        candidates: Sequence[Candidate],
    ) -> list[dict[str, float]]:
        if not candidates:
            return []
        # Per-requirement min-max: cosine levels differ by encoder and BM25 by query length, but
        # the spread among this requirement's candidates is what ranks them.
        dense = _minmax([c.dense for c in candidates])
        top_lexical = max(c.lexical for c in candidates)
        top_translated = max(c.translated for c in candidates)
        wanted = {t for t in requirement.tags if not t.startswith("sector_")}
        # The same coverage per facet, so the weights can tell a process the buyer needs from a
        # material word every line of a chapter shares ("of iron or steel").
        by_facet = {
            facet: {t for t in wanted if self.taxonomy.facet_of(t) == facet}
            for facet in ("process", "material", "product")
        }
        preferred = requirement.preferred_certifications
        sectors = set(requirement.requirement.sector)
        province = fold(requirement.requirement.province or "")
        buyer = fold(requirement.requirement.buyer)
        rows = []
        for cand, dense_norm in zip(candidates, dense, strict=True):
            s = suppliers[cand.position]
            criteria = s.supplier.criteria_scores()
            criteria_score = 0.8 * (sum(criteria) / (10 * len(criteria))) if criteria else 0.0
            criteria_score += 0.1 * s.supplier.priority_product + 0.1 * s.supplier.key_product
            tier = 0.0
            if requirement.requirement.target_tier and s.supplier.tier:
                tier = 1.0 - abs(requirement.requirement.target_tier - s.supplier.tier) / 2
            filled = sum(bool(getattr(s.supplier, f)) for f in _PROFILE_FIELDS)
            rows.append(
                {
                    "dense": dense_norm,
                    "lexical": cand.lexical / top_lexical if top_lexical > 0 else 0.0,
                    "fusion": cand.rrf,
                    "translated": cand.translated / top_translated if top_translated > 0 else 0.0,
                    "taxonomy": len(covered(wanted, s.tags)) / len(wanted) if wanted else 0.0,
                    **{
                        f"taxonomy_{facet}": len(covered(tags, s.tags)) / len(tags) if tags else 0.0
                        for facet, tags in by_facet.items()
                    },
                    "certifications": len(preferred & s.certifications) / len(preferred)
                    if preferred
                    else 0.0,
                    "criteria": criteria_score,
                    "tier": tier,
                    "sector": float(bool(sectors & set(s.supplier.sector))),
                    "location": float(
                        bool(province) and fold(s.supplier.province or "") == province
                    ),
                    "customer": float(buyer in s.customers),
                    # log-scaled so that the 20th customer adds less than the 2nd
                    "track_record": min(
                        1.0, math.log1p(len(s.supplier.customers)) / math.log1p(20)
                    ),
                    "completeness": filled / len(_PROFILE_FIELDS),
                    "cosine": cand.dense,  # raw, shown to people; not weighted
                }
            )
        return rows

    def rank(
        self,
        requirement: NormalisedRequirement,
        suppliers: Sequence[NormalisedSupplier],
        candidates: Sequence[Candidate],
        top_k: int,
    ) -> list[Match]:
        feats = self.features(requirement, suppliers, candidates)
        weights = self.weights_for(requirement)
        if self.tied_coverage_to is not None and feats:
            columns = {f: [row[f] for row in feats] for f in SPREAD_GATED}
            weights = spread_weights(weights, columns, self.tied_coverage_to)
        scored = []
        for cand, f in zip(candidates, feats, strict=True):
            score = sum(weights[name] * f[name] for name in FEATURES)
            scored.append((score, cand, f))
        scored.sort(key=lambda item: (-item[0], suppliers[item[1].position].supplier.supplier_id))
        return [
            explain(requirement, suppliers[cand.position], rank, score, f, weights, self.taxonomy)
            for rank, (score, cand, f) in enumerate(scored[:top_k], start=1)
        ]
