"""Explain: one ranked (requirement, supplier) pair as a Match with reasons a person can check.

Every claim ("Matches X", "not stated: Y", "holds / lacks Z") must be true of the profile text; the
features come from matcher.rank, the labels from the taxonomy. tests/test_explain.py checks every
claim over the sample against the profiles with word stems of its own.
"""

from __future__ import annotations

import re
from functools import lru_cache

from matcher.normalise import NARROWER, NormalisedRequirement, NormalisedSupplier, Taxonomy, fold
from matcher.schemas import Match

# Labels of the ranking features, for the "Top factors" part of an explanation.
FEATURE_LABELS = {
    "dense": "semantic similarity",
    "lexical": "keyword match",
    "translated": "keyword match across languages",
    "fusion": "agreement of semantic and keyword search",
    "taxonomy": "required capabilities covered",
    "taxonomy_process": "required processes covered",
    "taxonomy_material": "required materials covered",
    "taxonomy_product": "required products covered",
    "certifications": "preferred certifications held",
    "criteria": "programme criteria score",
    "tier": "tier fit",
    "sector": "same priority sector",
    "location": "in the requested province",
    "customer": "already supplies this buyer",
    "track_record": "number of current customers",
    "completeness": "profile completeness",
}


@lru_cache(maxsize=512)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    alternation = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alternation or r'(?!x)x'})(?![a-z0-9])")


def _profile_text(supplier: NormalisedSupplier) -> str:
    # The fields the supplier's tags come from (normalise_supplier), names excluded.
    s = supplier.supplier
    return _folded(" ; ".join([s.description, *s.processes, *s.materials, *s.products]))


@lru_cache(maxsize=8192)
def _folded(text: str) -> str:
    # Folding a whole profile was most of a search's ranking time (each of the top 10, every
    # query); the same firms come back query after query.
    return fold(text)


def _mentioned(taxonomy: Taxonomy, tag: str, text: str) -> bool:
    """Whether any term of the tag occurs in the folded text, even inside another tag's term.

    Tagging takes the longest term at each position, so "gia công tôn tấm" is sheet-metal work
    and not also steel sheet; such a profile does mention the steel sheet, so "not stated" would
    be false. Used only to withhold that claim, never to make a "Matches" claim.
    """
    return _terms_pattern(taxonomy.entries[tag].terms).search(text) is not None


def explain(
    requirement: NormalisedRequirement,
    supplier: NormalisedSupplier,
    rank: int,
    score: float,
    f: dict[str, float],
    weights: dict[str, float],
    taxonomy: Taxonomy,
) -> Match:
    """The Match row of one ranked supplier, with reasons checkable against the profile."""
    wanted = {t for t in requirement.tags if not t.startswith("sector_")}
    matched_tags = set(wanted & supplier.tags)
    missing_tags = []
    text = _profile_text(supplier)
    for tag in sorted(wanted - supplier.tags):
        if narrower := [n for n in NARROWER.get(tag, ()) if n in supplier.tags]:
            matched_tags.update(narrower)
        elif not _mentioned(taxonomy, tag, text):
            missing_tags.append(tag)
    if not matched_tags:
        # Only the sectors the firm declares: a sector word in its text may be a customer's name
        # ("Samsung Electronics Vietnam"), which says nothing about the firm itself.
        declared = {f"sector_{code}" for code in supplier.supplier.sector}
        matched_tags = {t for t in requirement.tags if t.startswith("sector_")} & declared
    matched = [taxonomy.label(t) for t in sorted(matched_tags)]
    missing_caps = [taxonomy.label(t) for t in missing_tags]
    required = sorted(requirement.required_certifications)
    preferred = sorted(requirement.preferred_certifications)
    met = [c for c in required + preferred if c in supplier.certifications]
    # Required ones can be missing too when certifications are not a hard filter (settings).
    missing = [c for c in required + preferred if c not in supplier.certifications]
    contributions = sorted(
        (c, n) for c, n in ((weights[n] * f.get(n, 0.0), n) for n in weights) if c > 0
    )[::-1]
    top = [f"{FEATURE_LABELS[n]} (+{c:.2f})" for c, n in contributions[:3]]
    parts = []
    if matched:
        parts.append("Matches " + ", ".join(matched))
    if missing_caps:
        parts.append("not stated: " + ", ".join(missing_caps))
    held_required = [c for c in required if c in supplier.certifications]
    held_preferred = [c for c in preferred if c in supplier.certifications]
    if held_required:
        parts.append("holds required " + ", ".join(held_required))
    if held_preferred:
        parts.append("holds preferred " + ", ".join(held_preferred))
    if lacking := [c for c in required if c not in supplier.certifications]:
        parts.append("LACKS REQUIRED " + ", ".join(lacking))
    if lacking := [c for c in preferred if c not in supplier.certifications]:
        parts.append("lacks preferred " + ", ".join(lacking))
    parts.append(f"semantic similarity {f['cosine']:.2f}")
    # model_construct: every field is built here with its declared type, and validating ten
    # matches again cost ~0.2 ms of a search's ~10 at 100k suppliers.
    return Match.model_construct(
        requirement_id=requirement.requirement.requirement_id,
        supplier_id=supplier.supplier.supplier_id,
        rank=rank,
        score=round(score, 6),
        supplier_name=supplier.supplier.name,
        matched_capabilities=matched,
        certifications_met=met,
        certifications_missing=missing,
        top_features=top,
        features={k: round(v, 6) for k, v in f.items()},
        explanation="; ".join(parts) + ". Top factors: " + ", ".join(top) + ".",
    )
