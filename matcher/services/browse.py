"""The register as an organiser browses it: suppliers filtered by sector, province, certificate
and tier, each firm that looks like another flagged (same tax code, or same name once legal
forms, case and diacritics are set aside), and the values each filter can take with their counts.

Filtering runs over the whole register in memory: a programme's register holds thousands of
firms at most, and the duplicate check needs every firm anyway.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from matcher.ingest import find_duplicate_firms
from matcher.normalise import canonical_certification, fold
from matcher.schemas import DuplicateFirm, Supplier
from matcher.store import Workspace


@dataclass(frozen=True)
class RegisterFilters:
    """What a supplier must have to be listed (None: no filter). Province is compared with case
    and diacritics folded, a certificate by its canonical name ('iso9001' = 'ISO 9001')."""

    sector: str | None = None
    province: str | None = None
    certificate: str | None = None
    tier: int | None = None

    def admits(self, supplier: Supplier) -> bool:
        if self.sector and self.sector not in supplier.sector:
            return False
        if self.province and fold(supplier.province or "") != fold(self.province):
            return False
        if self.certificate:
            wanted = canonical_certification(self.certificate)
            if wanted not in {canonical_certification(c) for c in supplier.certifications}:
                return False
        return self.tier is None or supplier.tier == self.tier


@dataclass(frozen=True)
class Duplicate:
    """Another firm of the register that looks like this one, and why."""

    other_id: str
    reason: str  # "tax_code" or "name"
    value: str


@dataclass
class RegisterView:
    """One page of the filtered register, with the duplicates of each listed firm."""

    suppliers: list[Supplier]
    matched: int  # firms passing the filters, on every page
    total: int  # firms in the register
    duplicates: dict[str, list[Duplicate]] = field(default_factory=dict)
    duplicate_pairs: int = 0
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def flag_duplicates(pairs: Sequence[DuplicateFirm]) -> dict[str, list[Duplicate]]:
    """Each firm of a duplicate pair → the other firm(s) it looks like."""
    out: dict[str, list[Duplicate]] = {}
    for pair in pairs:
        first, second = pair.supplier_ids
        out.setdefault(first, []).append(Duplicate(second, pair.reason, pair.value))
        out.setdefault(second, []).append(Duplicate(first, pair.reason, pair.value))
    return out


def facets(suppliers: Sequence[Supplier]) -> dict[str, list[tuple[str, int]]]:
    """The values each filter can take in the register, with how many firms have each."""
    sector: Counter[str] = Counter(s for x in suppliers for s in x.sector)
    province: Counter[str] = Counter(x.province for x in suppliers if x.province)
    certificate: Counter[str] = Counter(
        c for x in suppliers for c in {canonical_certification(c) for c in x.certifications}
    )
    tier: Counter[str] = Counter(str(x.tier) for x in suppliers if x.tier is not None)
    return {
        "sector": sorted(sector.items()),
        "province": sorted(province.items(), key=lambda kv: fold(kv[0])),
        "certificate": sorted(certificate.items()),
        "tier": sorted(tier.items()),
    }


def browse_suppliers(
    suppliers: Sequence[Supplier], filters: RegisterFilters, offset: int = 0, limit: int = 50
) -> RegisterView:
    """The page of ``suppliers`` (in their order) passing ``filters``; duplicates are found over
    the whole register, so a listed firm is flagged even when its twin is filtered out."""
    everyone = list(suppliers)
    pairs = find_duplicate_firms(everyone, list(range(1, len(everyone) + 1)))
    flags = flag_duplicates(pairs)
    kept = [s for s in everyone if filters.admits(s)]
    page = kept[max(0, offset) : max(0, offset) + max(0, limit)]
    return RegisterView(
        suppliers=page,
        matched=len(kept),
        total=len(everyone),
        duplicates={s.supplier_id: flags[s.supplier_id] for s in page if s.supplier_id in flags},
        duplicate_pairs=len(pairs),
        facets=facets(everyone),
    )


def browse_register(
    workspace: Workspace, filters: RegisterFilters, offset: int = 0, limit: int = 50
) -> RegisterView:
    """``browse_suppliers`` over the workspace's register (ordered by supplier id)."""
    return browse_suppliers(workspace.suppliers(), filters, offset, limit)
