"""Qualify: what a requirement asks in checkable form (``Needs``), and the gaps a firm's profile
leaves against it, each assigned to the programme's support track that closes it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from matcher.normalise import NormalisedSupplier, Taxonomy, canonical_certifications, nfc
from matcher.schemas import Requirement
from matcher.tiers.quantities import Quantity, machine_tonnage, parse_quantity

Track = Literal["certification consulting", "technology renewal", "workforce training"]
TRACKS: tuple[Track, ...] = ("certification consulting", "technology renewal", "workforce training")
GapKind = Literal["certification", "process", "material", "capacity", "equipment"]

# Capabilities a firm gains mostly by training people (inspection, welding, sewing, embroidery)
# rather than by buying machines; every other missing process is a technology-renewal gap.
_SKILL_TAGS = frozenset({"dimensional_inspection", "welding", "garment_sewing", "embroidery"})


# --- gaps -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Gap:
    """One unmet requirement of a proposed link, and the support track that closes it."""

    kind: GapKind
    item: str  # what is missing: "IATF 16949", "Metal stamping", "machines of 800 t"
    detail: str  # what the profile says against it
    track: Track

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "item": self.item, "detail": self.detail, "track": self.track}


# --- what a requirement asks, in checkable form ---------------------------------------------------
@dataclass(frozen=True)
class Needs:
    """What one requirement asks of a supplier: the basis of both readiness and the gap list."""

    requirement_id: str
    certifications: tuple[str, ...] = ()  # required, canonical
    preferred: tuple[str, ...] = ()  # preferred, canonical: reported, never a gap
    processes: frozenset[str] = frozenset()  # taxonomy tags, every one needed
    capabilities: frozenset[str] = frozenset()  # taxonomy tags, any one enough
    materials: frozenset[str] = frozenset()  # taxonomy tags, experience with any one enough
    quantity: Quantity | None = None
    quantity_text: str = ""
    tonnage: float | None = None
    offer_only: bool = False  # an input: the firm must make or do it, not merely use it


def needs_of(requirement: Requirement, taxonomy: Taxonomy) -> Needs:
    """A buyer requirement's needs: its stated processes (all), materials (any), volume, tonnage."""
    text = nfc(f"{requirement.title or ''}. {requirement.description}")
    stated = "; ".join(requirement.processes)
    processes = _facet(taxonomy, taxonomy.tag(stated or text), "process")
    # Without a process, the product asked for is the capability (e.g. "rubber outsoles").
    capabilities = frozenset() if processes else _facet(taxonomy, taxonomy.tag(text), "product")
    materials = _facet(taxonomy, taxonomy.tag("; ".join(requirement.materials)), "material")
    return Needs(
        requirement_id=requirement.requirement_id,
        certifications=tuple(sorted(canonical_certifications(requirement.required_certifications))),
        preferred=tuple(sorted(canonical_certifications(requirement.preferred_certifications))),
        processes=processes,
        capabilities=capabilities,
        materials=materials,
        quantity=parse_quantity(requirement.quantity),
        quantity_text=requirement.quantity or "",
        tonnage=machine_tonnage(text),
    )


def _facet(taxonomy: Taxonomy, tags: Iterable[str], facet: str) -> frozenset[str]:
    return frozenset(t for t in tags if taxonomy.facet_of(t) == facet)


def offer_tags(profile: NormalisedSupplier, taxonomy: Taxonomy) -> frozenset[str]:
    """What a firm makes or does (its processes and products), not what it consumes."""
    s = profile.supplier
    stated = "; ".join([*s.processes, *s.products])
    return frozenset(taxonomy.tag(stated)) if stated.strip() else profile.tags


def assess(needs: Needs, profile: NormalisedSupplier, taxonomy: Taxonomy) -> list[Gap]:
    """Every requirement in ``needs`` that the profile does not meet; empty means ready."""
    gaps: list[Gap] = []
    for cert in needs.certifications:
        if cert not in profile.certifications:
            gaps.append(
                Gap("certification", cert, "required, not held", "certification consulting")
            )
    have = offer_tags(profile, taxonomy) if needs.offer_only else profile.tags
    missing = "not among its processes or products" if needs.offer_only else "not stated in profile"
    for tag in sorted(needs.processes - have):
        track: Track = "workforce training" if tag in _SKILL_TAGS else "technology renewal"
        # An input material the firm does not make (e.g. rubber compound) is still a material.
        kind: GapKind = "material" if taxonomy.facet_of(tag) == "material" else "process"
        gaps.append(Gap(kind, taxonomy.label(tag), missing, track))
    if needs.capabilities and not needs.capabilities & have:
        labels = " or ".join(taxonomy.label(t) for t in sorted(needs.capabilities))
        gaps.append(Gap("process", labels, missing, "technology renewal"))
    if needs.materials and not needs.materials & profile.tags:
        labels = " or ".join(taxonomy.label(t) for t in sorted(needs.materials))
        gaps.append(Gap("material", labels, "no experience stated", "workforce training"))
    if needs.quantity is not None:
        stated = profile.supplier.monthly_capacity
        capacity = parse_quantity(stated)
        if not stated:
            gaps.append(
                Gap("capacity", needs.quantity_text, "capacity not stated", "technology renewal")
            )
        elif (
            capacity is not None
            and capacity.unit == needs.quantity.unit
            and capacity.amount < needs.quantity.amount
        ):
            gaps.append(
                Gap("capacity", needs.quantity_text, f"states {stated}", "technology renewal")
            )
    if needs.tonnage is not None:
        largest = machine_tonnage(profile.supplier.description)
        item = f"machines of {needs.tonnage:g} t"
        if largest is None:
            gaps.append(Gap("equipment", item, "no machine tonnage stated", "technology renewal"))
        elif largest < needs.tonnage:
            gaps.append(
                Gap("equipment", item, f"largest stated {largest:g} t", "technology renewal")
            )
    return gaps
