"""A buyer's search as the web pages show it: one page of ranked suppliers, how many matched,
and facet counts (sector, province, certification) to narrow the search with.

Facets count over the best ``POOL`` suppliers for the words alone (no filter): each count says
how many of those a filter value keeps. Certifications are counted as the filter compares them
(canonical names: 'ISO9001:2015' and 'iso 9001' are both 'ISO 9001'). The page of results is
cut from the best ``POOL`` that pass the filters."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from matcher.normalise import canonical_certifications
from matcher.retrieve import Filters
from matcher.schemas import Match, Supplier
from matcher.services.search import Searchable, search
from matcher.store import Workspace

POOL = 100  # the API's top_k bound: suppliers ranked per search
FACET_VALUES = 12  # values shown a facet, most frequent first


@dataclass
class Facets:
    sector: list[tuple[str, int]] = field(default_factory=list)
    province: list[tuple[str, int]] = field(default_factory=list)
    certification: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Browse:
    """One page of a search: its matches with their profiles, the total, facets, and which
    filter emptied it (when one did)."""

    matches: list[tuple[Match, Supplier]]
    total: int
    facets: Facets
    why_empty: str | None
    page: int
    pages: int


def facet_counts(suppliers: list[Supplier]) -> Facets:
    sector: Counter[str] = Counter()
    province: Counter[str] = Counter()
    certification: Counter[str] = Counter()
    for s in suppliers:
        sector.update(set(s.sector))
        if s.province:
            province[s.province] += 1
        certification.update(set(canonical_certifications(s.certifications)))

    def top(counts: Counter[str]) -> list[tuple[str, int]]:
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_VALUES]

    return Facets(top(sector), top(province), top(certification))


def browse(
    index: Searchable,
    workspace: Workspace,
    text: str,
    filters: Filters,
    page: int = 1,
    page_size: int = 10,
) -> Browse:
    """Page ``page`` (1-based, clamped to the last) of the search, with facets."""
    found = search(index, text, POOL, filters)
    pool = found.matches if filters.is_empty() else search(index, text, POOL).matches
    profiles = workspace.suppliers_by_id(m.supplier_id for m in [*found.matches, *pool])
    pages = max(1, -(-len(found.matches) // page_size))
    page = min(max(page, 1), pages)
    start = (page - 1) * page_size
    shown = [
        (m, profile)
        for m in found.matches[start : start + page_size]
        if (profile := profiles.get(m.supplier_id)) is not None
    ]
    facets = facet_counts([p for m in pool if (p := profiles.get(m.supplier_id)) is not None])
    return Browse(shown, len(found.matches), facets, found.why_empty, page, pages)
