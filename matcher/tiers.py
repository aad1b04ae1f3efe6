"""Tiers: supply-network proposals (assembler ← tier-1 ← tier-2 …), readiness gaps, exports.

A buyer's requirement is answered by the engine's ranking (the same ``Engine.match`` as ``matcher
match``); every proposed firm's own inputs — given in its profile, or derived from its products and
processes through ``data/taxonomy/inputs.csv`` — become requirements for the tier below, answered
the same way. Every link is checked against what its requirement asks (certifications, processes,
materials, capacity, machine tonnage): "ready" when nothing is unmet, else "needs" with the exact
list of gaps, each assigned to the programme's support track that closes it.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
import textwrap
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

import networkx as nx

from matcher.config import Settings
from matcher.encoders import EmbeddingCache, Encoder, default_cache_path
from matcher.errors import ConfigError, InputDataError, Problem
from matcher.export import atomic_path, clean_text, safe_cell, write_table
from matcher.ingest import load_requirements, load_suppliers, read_rows
from matcher.normalise import (
    NormalisedSupplier,
    Taxonomy,
    canonical_certifications,
    firm_name_key,
    fold,
    nfc,
)
from matcher.pipeline import Engine, Reporter, SilentReporter
from matcher.resources import shipped
from matcher.schemas import DuplicateFirm, Match, Requirement, Supplier

log = logging.getLogger(__name__)

DEFAULT_INPUTS = shipped("data/taxonomy/inputs.csv")

Track = Literal["certification consulting", "technology renewal", "workforce training"]
TRACKS: tuple[Track, ...] = ("certification consulting", "technology renewal", "workforce training")
GapKind = Literal["certification", "process", "material", "capacity", "equipment"]
Status = Literal["ready", "needs"]
CertificationMode = Literal["gap", "filter"]

# Capabilities a firm gains mostly by training people (inspection, welding, sewing, embroidery)
# rather than by buying machines; every other missing process is a technology-renewal gap.
_SKILL_TAGS = frozenset({"dimensional_inspection", "welding", "garment_sewing", "embroidery"})
# IATF 16949 §8.4.2.3: an automotive supplier must require ISO 9001 of its own suppliers.
_FLOWDOWN = {"IATF 16949": "ISO 9001"}
# Header names under which a supplier file may give a firm's own inputs (folded).
_INPUT_HEADERS = frozenset(
    {
        "inputs",
        "input needs",
        "inputs needed",
        "dau vao",
        "nhu cau dau vao",
        "nguyen vat lieu dau vao",
        "vat tu dau vao",
    }
)
_EPSILON = 1e-6


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


class Quantity(NamedTuple):
    amount: float
    unit: str


_NUMBER = r"\d+(?:[.,]\d+)*"
_QUANTITY = re.compile(
    rf"(?P<low>{_NUMBER})(?:\s*[-–]\s*(?P<high>{_NUMBER}))?\s*(?P<k>k\b)?\s*(?P<unit>[^\d/]*?)\s*"
    r"(?:/|\bper\b|\bmoi\b|\bmot\b)\s*(?P<period>month|thang|year|nam)"
)
# Folded unit words → one canonical unit; a bare unit is compared only with the same unit.
_UNITS: tuple[tuple[str, str, float], ...] = (
    ("bo khuon", "moulds", 1),
    ("bo do ga", "sets", 1),
    ("fixture sets", "sets", 1),
    ("km", "m", 1000),
    ("m2", "m2", 1),
    ("sqft", "sqft", 1),
    ("pcs", "pcs", 1),
    ("pieces", "pcs", 1),
    ("parts", "pcs", 1),
    ("units", "pcs", 1),
    ("boards", "pcs", 1),
    ("enclosures", "pcs", 1),
    ("chi tiet", "pcs", 1),
    ("san pham", "pcs", 1),
    ("chiec", "pcs", 1),
    ("cai", "pcs", 1),
    ("sets", "sets", 1),
    ("bo", "sets", 1),
    ("pairs", "pairs", 1),
    ("doi", "pairs", 1),
    ("tonnes", "t", 1),
    ("tons", "t", 1),
    ("tan", "t", 1),
    ("t", "t", 1),
    ("moulds", "moulds", 1),
    ("molds", "moulds", 1),
    ("dies", "moulds", 1),
    ("khuon", "moulds", 1),
    ("m", "m", 1),
    ("met", "m", 1),
)


def parse_number(text: str) -> float:
    """'3,000,000' and '3.000.000' are thousands; '1,5' and '2.5' are decimals."""
    parts = re.split(r"[.,]", text)
    if len(parts) > 1 and all(len(p) == 3 for p in parts[1:]):
        return float("".join(parts))
    # '1,5.3' (mixed, not thousands): the last separator is the decimal point.
    return float("".join(parts[:-1]) + "." + parts[-1]) if len(parts) > 1 else float(text)


def parse_quantity(text: str | None) -> Quantity | None:
    """'3,000,000 pcs/month', '5.000 bộ/tháng', '30k sets per month' → a monthly Quantity."""
    if not text:
        return None
    folded = fold(text).replace("²", "2")
    hit = _QUANTITY.search(folded)
    if hit is None:
        return None
    amount = parse_number(hit.group("high") or hit.group("low"))
    if hit.group("k"):
        amount *= 1000
    if hit.group("period") in ("year", "nam"):
        amount /= 12
    words = hit.group("unit").strip()
    for prefix, unit, factor in _UNITS:
        if words == prefix or words.startswith(prefix + " "):
            return Quantity(amount * factor, unit)
    return Quantity(amount, words.split(" ")[0] if words else "")


_TONNAGE = re.compile(rf"({_NUMBER})\s*(?:t|tons?|tonnes?|tan)(?![\w/])(?!\s*(?:/|per\b))")
_MACHINE_WORDS = ("may", "press", "machine", "clamp", "tonnage", "luc kep")


def machine_tonnage(text: str) -> float | None:
    """The largest machine tonnage a text states ('presses of 150–750 t', 'máy dập 500 tấn')."""
    found = []
    for sentence in re.split(r"(?<=[.;!?])\s+", fold(text)):
        if any(word in sentence for word in _MACHINE_WORDS):
            found += [parse_number(n) for n in _TONNAGE.findall(sentence)]
    return max(found) if found else None


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


# --- a firm's own inputs --------------------------------------------------------------------------
@dataclass(frozen=True)
class InputRule:
    """A firm with ``tag`` (or naming one of ``terms``) needs ``input_tag`` from the tier below."""

    tag: str | None
    terms: tuple[str, ...]
    input_tag: str
    text_en: str
    text_vi: str


def load_input_rules(path: Path, taxonomy: Taxonomy) -> list[InputRule]:
    """Read the input mapping (tag, terms, input_tag, text_en, text_vi); reject it whole if bad."""
    rules: list[InputRule] = []
    problems: list[Problem] = []
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputDataError([Problem(str(path), None, None, f"cannot read: {exc}")]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = {"tag", "terms", "input_tag", "text_en", "text_vi"} - set(reader.fieldnames or [])
    if missing:
        raise InputDataError(
            [Problem(str(path), 1, c, "required column missing") for c in sorted(missing)]
        )
    for row_no, row in enumerate(reader, start=2):
        tag = (row["tag"] or "").strip() or None
        terms = tuple(fold(t) for t in (row["terms"] or "").split(";") if t.strip())
        input_tag = (row["input_tag"] or "").strip()
        if tag is not None and tag not in taxonomy.entries:
            problems.append(Problem(str(path), row_no, "tag", f"{tag!r} is not a taxonomy tag"))
        if tag is None and not terms:
            problems.append(Problem(str(path), row_no, "tag", "give a tag or some terms"))
        if input_tag not in taxonomy.entries:
            problems.append(
                Problem(str(path), row_no, "input_tag", f"{input_tag!r} is not a taxonomy tag")
            )
        text_en, text_vi = nfc(row["text_en"] or ""), nfc(row["text_vi"] or "")
        if not text_en:
            problems.append(Problem(str(path), row_no, "text_en", "must not be empty"))
        rules.append(InputRule(tag, terms, input_tag, text_en, text_vi))
    if problems:
        raise InputDataError(problems)
    return rules


def read_given_inputs(path: Path) -> dict[str, list[str]]:
    """A firm's own inputs from an optional 'inputs' / 'đầu vào' column of the supplier file."""
    headers, rows = read_rows(path)
    keys = {" ".join(fold(h).replace("_", " ").split()): h for h in headers}
    inputs_header = next((h for k, h in keys.items() if k in _INPUT_HEADERS), None)
    id_header = next((h for k, h in keys.items() if k in ("supplier id", "id")), None)
    if inputs_header is None or id_header is None:
        return {}
    out: dict[str, list[str]] = {}
    for raw in rows:
        cell = raw.cells.get(inputs_header)
        items = [nfc(p) for p in re.split(r"\s*[;|\n]\s*", str(cell or "")) if p.strip()]
        if items:
            out[str(raw.cells.get(id_header)).strip()] = items
    return out


@dataclass(frozen=True)
class InputNeed:
    """One input a firm needs: the lower tier's requirement and its checkable needs."""

    requirement: Requirement
    needs: Needs
    derived: bool  # from the mapping (True) or given in the firm's profile (False)


def firm_inputs(
    profile: NormalisedSupplier,
    rules: Sequence[InputRule],
    taxonomy: Taxonomy,
    given: Sequence[str] = (),
    max_inputs: int = 4,
    level: int = 1,
) -> list[InputNeed]:
    """The inputs a firm at ``level`` needs: given ones if any, else derived from the mapping.

    Derived inputs skip what the firm does itself (a stamper with its own plating line needs no
    plater) and keep the ``max_inputs`` called for by most of its products and processes (a
    rule that fires on a named product counts twice).
    """
    s = profile.supplier
    flowdown = [_FLOWDOWN[c] for c in sorted(profile.certifications) if c in _FLOWDOWN]
    target_tier = level + 1 if level + 1 <= 3 else None
    common: dict[str, Any] = {
        "buyer": s.name,
        "buyer_id": s.supplier_id,
        "required_certifications": flowdown,
        "sector": list(s.sector),
        "target_tier": target_tier,
    }
    out: list[InputNeed] = []
    if given:
        for number, item in enumerate(given, start=1):
            tags = [t for t in taxonomy.tag(item) if taxonomy.facet_of(t) != "sector"]
            req = Requirement(
                requirement_id=f"{s.supplier_id}>input-{number}",
                title=item,
                description=item,
                **common,
            )
            needs = Needs(
                requirement_id=req.requirement_id,
                certifications=tuple(flowdown),
                processes=frozenset(t for t in tags if taxonomy.facet_of(t) != "material"),
                capabilities=frozenset(t for t in tags if taxonomy.facet_of(t) == "material"),
                offer_only=True,
            )
            out.append(InputNeed(req, needs, derived=False))
        return out
    offered = offer_tags(profile, taxonomy)
    stated = fold("; ".join([*s.products, *s.processes, s.name_en or ""]))
    votes: Counter[str] = Counter()
    texts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for rule in rules:
        named = any(
            re.search(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])", stated) for term in rule.terms
        )
        fired = named or (rule.tag is not None and rule.tag in offered)
        if fired and rule.input_tag not in offered:
            # A product named in the profile ("yên xe") says more than a broad tag ("xe máy").
            votes[rule.input_tag] += 2 if named else 1
            if (rule.text_en, rule.text_vi) not in texts[rule.input_tag]:
                texts[rule.input_tag].append((rule.text_en, rule.text_vi))
    # Counter.most_common keeps first-seen order among ties: the file's order breaks ties.
    for input_tag, _ in votes.most_common(max_inputs):
        entry = taxonomy.entries[input_tag]
        english = "; ".join(en for en, _ in texts[input_tag])
        vietnamese = "; ".join(vi for _, vi in texts[input_tag])
        req = Requirement(
            requirement_id=f"{s.supplier_id}>{input_tag}",
            title=f"{entry.label_en} / {entry.label_vi}",
            description=f"{english}. {vietnamese}.",
            processes=[entry.label_en] if entry.facet == "process" else [],
            materials=[entry.label_en] if entry.facet == "material" else [],
            **common,
        )
        needs = Needs(
            requirement_id=req.requirement_id,
            certifications=tuple(flowdown),
            processes=frozenset({input_tag}),
            offer_only=True,
        )
        out.append(InputNeed(req, needs, derived=True))
    return out


# --- the network ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Link:
    """A proposed supply link: ``source`` supplies ``target`` for ``requirement_id``."""

    source: str
    target: str
    requirement_id: str
    tier: int  # the source's tier in this link: 1 supplies an assembler directly
    rank: int
    score: float
    gaps: tuple[Gap, ...]
    existing: bool  # the source already lists the target among its customers
    preferred_missing: tuple[str, ...] = ()

    @property
    def status(self) -> Status:
        return "needs" if self.gaps else "ready"


@dataclass(frozen=True)
class Buyer:
    buyer_id: str
    name: str
    sectors: tuple[str, ...]
    requirement_ids: tuple[str, ...]


@dataclass
class TierNetwork:
    """Assemblers, proposed firms by tier, and the links between them."""

    buyers: dict[str, Buyer]
    suppliers: dict[str, NormalisedSupplier]
    requirements: dict[str, Requirement]
    needs: dict[str, Needs]
    links: list[Link]
    inputs: dict[str, list[str]] = field(default_factory=dict)  # firm → its input requirement ids

    def supplier_tiers(self) -> dict[str, list[int]]:
        tiers: dict[str, set[int]] = defaultdict(set)
        for link in self.links:
            tiers[link.source].add(link.tier)
        return {s: sorted(t) for s, t in sorted(tiers.items())}

    def nodes(self) -> list[dict[str, Any]]:
        """The network.json nodes: buyers (tier 0) then suppliers (their nearest tier)."""
        rows: list[dict[str, Any]] = [
            {
                "id": b.buyer_id,
                "kind": "buyer",
                "tier": 0,
                "name": b.name,
                "sectors": list(b.sectors),
                "requirements": list(b.requirement_ids),
            }
            for b in self.buyers.values()
        ]
        for supplier_id, tiers in self.supplier_tiers().items():
            s = self.suppliers[supplier_id].supplier
            rows.append(
                {
                    "id": supplier_id,
                    "kind": "supplier",
                    "tier": tiers[0],
                    "tiers": tiers,
                    "name": s.name,
                    "name_en": s.name_en,
                    "sectors": list(s.sector),
                    "current_tier": s.tier,
                    "customers": list(s.customers),
                    "products": list(s.products),
                    "inputs": self.inputs.get(supplier_id, []),
                }
            )
        return rows

    def edges(self) -> list[dict[str, Any]]:
        return [
            {
                "source": link.source,
                "target": link.target,
                "requirement_id": link.requirement_id,
                "score": link.score,
                "status": link.status,
                "gaps": [g.as_dict() for g in link.gaps],
                "tier": link.tier,
                "rank": link.rank,
                "existing": link.existing,
                "preferred_missing": list(link.preferred_missing),
            }
            for link in self.links
        ]

    def to_json(self) -> dict[str, Any]:
        return {"nodes": self.nodes(), "edges": self.edges()}

    def graph(self) -> nx.MultiDiGraph:
        """The network as a networkx multigraph (GraphML-safe scalar attributes)."""
        g = nx.MultiDiGraph()
        for node in self.nodes():
            attrs = {
                k: "; ".join(map(str, v)) if isinstance(v, list) else ("" if v is None else v)
                for k, v in node.items()
                if k != "id"
            }
            g.add_node(node["id"], **attrs)
        for edge in self.edges():
            attrs = {k: v for k, v in edge.items() if k not in ("source", "target")}
            attrs["gaps"] = json.dumps(attrs["gaps"], ensure_ascii=False)
            attrs["preferred_missing"] = "; ".join(attrs["preferred_missing"])
            g.add_edge(edge["source"], edge["target"], key=edge["requirement_id"], **attrs)
        return g


class TierProposer:
    """Proposes links tier by tier with a built ``Engine``; the network is always acyclic."""

    def __init__(
        self,
        engine: Engine,
        rules: Sequence[InputRule],
        top_k: int = 5,
        lower_top_k: int = 3,
        depth: int = 2,
        max_inputs: int = 4,
        given_inputs: dict[str, list[str]] | None = None,
        duplicates: Sequence[DuplicateFirm] = (),
    ) -> None:
        self.engine = engine
        self.rules = rules
        self.top_k = top_k
        self.lower_top_k = lower_top_k
        self.depth = depth
        self.max_inputs = max_inputs
        self.given_inputs = given_inputs or {}
        self.duplicates = duplicates

    def propose(
        self, requirements: Sequence[Requirement], reporter: Reporter | None = None
    ) -> TierNetwork:
        reporter = reporter or SilentReporter()
        if self.depth < 1:
            raise ConfigError(f"--depth must be at least 1, got {self.depth}")
        taxonomy = self.engine.taxonomy
        profiles = {p.supplier.supplier_id: p for p in self.engine.suppliers_}
        self._same_firm = self._firm_groups(profiles)
        buyers = _buyers(requirements)
        clash = sorted(set(buyers) & set(profiles))
        if clash:
            raise ConfigError(
                f"buyer id(s) {', '.join(clash)} are also supplier ids; give buyers their own "
                "buyer_id so that the network's node ids stay unique"
            )
        network = TierNetwork(
            buyers=buyers,
            suppliers=profiles,
            requirements={r.requirement_id: r for r in requirements},
            needs={r.requirement_id: needs_of(r, taxonomy) for r in requirements},
            links=[],
        )
        self._graph = nx.DiGraph()
        self._graph.add_nodes_from(buyers)
        customer_of = {
            r.requirement_id: (r.buyer_id or r.buyer, r.buyer, r.buyer) for r in requirements
        }
        frontier = self._add_links(network, requirements, customer_of, 1, self.top_k, reporter)
        expanded: set[str] = set()
        for level in range(2, self.depth + 1):
            input_reqs: list[Requirement] = []
            for firm in sorted(frontier - expanded):
                expanded.add(firm)
                given = self.given_inputs.get(firm, [])
                wanted = firm_inputs(
                    profiles[firm], self.rules, taxonomy, given, self.max_inputs, level - 1
                )
                network.inputs[firm] = [w.requirement.requirement_id for w in wanted]
                for want in wanted:
                    network.requirements[want.requirement.requirement_id] = want.requirement
                    network.needs[want.requirement.requirement_id] = want.needs
                    input_reqs.append(want.requirement)
                    firm_profile = profiles[firm].supplier
                    customer_of[want.requirement.requirement_id] = (
                        firm,
                        firm_profile.name,
                        firm_profile.name_en or firm_profile.name,
                    )
            if not input_reqs:
                break
            frontier = self._add_links(
                network, input_reqs, customer_of, level, self.lower_top_k, reporter
            )
        return network

    def _firm_groups(self, profiles: dict[str, NormalisedSupplier]) -> dict[str, set[str]]:
        # Rows the register flags as one firm (same tax code or name) count as the same firm.
        groups: dict[str, set[str]] = {sid: {sid} for sid in profiles}
        for d in self.duplicates:
            first, second = d.supplier_ids
            if first in groups and second in groups:
                merged = groups[first] | groups[second]
                for sid in merged:
                    groups[sid] = merged
        return groups

    def _add_links(
        self,
        network: TierNetwork,
        requirements: Sequence[Requirement],
        customer_of: dict[str, tuple[str, str, str]],
        level: int,
        k: int,
        reporter: Reporter,
    ) -> set[str]:
        """Rank suppliers for ``requirements`` and add up to ``k`` admissible links for each."""
        # Ask for more than k: the firm itself, its duplicates and its customers are dropped.
        slack = max(
            (
                len(nx.descendants(self._graph, t))
                for t, _, _ in customer_of.values()
                if t in self._graph
            ),
            default=0,
        )
        matches = self.engine.match(requirements, k + slack + 3, reporter)
        by_requirement: dict[str, list[Match]] = defaultdict(list)
        for m in matches:
            by_requirement[m.requirement_id].append(m)
        taxonomy = self.engine.taxonomy
        sources: set[str] = set()
        with reporter.stage(f"Tier {level} links", len(requirements)) as advance:
            for req in requirements:
                target, target_name, target_name_en = customer_of[req.requirement_id]
                needs = network.needs[req.requirement_id]
                own_keys = {firm_name_key(target_name), firm_name_key(target_name_en)} - {""}
                kept = 0
                for m in by_requirement.get(req.requirement_id, []):
                    if kept == k:
                        break
                    if not self._admissible(m.supplier_id, target, own_keys, network):
                        continue
                    profile = network.suppliers[m.supplier_id]
                    link = Link(
                        source=m.supplier_id,
                        target=target,
                        requirement_id=req.requirement_id,
                        tier=level,
                        rank=kept + 1,
                        score=m.score,
                        gaps=tuple(assess(needs, profile, taxonomy)),
                        existing=bool(
                            {fold(target_name), fold(target_name_en)} & profile.customers
                        ),
                        preferred_missing=tuple(
                            c for c in needs.preferred if c not in profile.certifications
                        ),
                    )
                    network.links.append(link)
                    self._graph.add_edge(link.source, link.target)
                    sources.add(link.source)
                    kept += 1
                advance(1)
        return sources

    def _admissible(
        self, source: str, target: str, own_keys: set[str], network: TierNetwork
    ) -> bool:
        """Never the customer itself (or its duplicate rows), never a link closing a cycle."""
        if source == target or source in self._same_firm.get(target, set()):
            return False
        profile = network.suppliers[source].supplier
        names = {firm_name_key(profile.name), firm_name_key(profile.name_en or "")} - {""}
        if names & own_keys:
            return False
        return not (source in self._graph and nx.has_path(self._graph, target, source))


def _buyers(requirements: Sequence[Requirement]) -> dict[str, Buyer]:
    sectors: dict[str, dict[str, None]] = defaultdict(dict)
    reqs: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    for r in requirements:
        buyer_id = r.buyer_id or r.buyer
        names.setdefault(buyer_id, r.buyer)
        reqs[buyer_id].append(r.requirement_id)
        for code in r.sector:
            sectors[buyer_id].setdefault(code, None)
    return {b: Buyer(b, names[b], tuple(sectors[b]), tuple(reqs[b])) for b in names}


def select_buyers(requirements: Sequence[Requirement], wanted: Sequence[str]) -> list[Requirement]:
    """The requirements of the named buyers (id or name; accent-insensitive, part of a name ok)."""
    if not wanted:
        return list(requirements)
    keep: set[str] = set()
    all_buyers = sorted({r.buyer_id or r.buyer for r in requirements})
    for name in wanted:
        key = fold(name)
        exact = {
            r.buyer_id or r.buyer
            for r in requirements
            if key in (fold(r.buyer), fold(r.buyer_id or ""))
        }
        found = exact or {r.buyer_id or r.buyer for r in requirements if key in fold(r.buyer)}
        if not found:
            raise ConfigError(f"--buyer {name!r} matches no buyer; buyers: {', '.join(all_buyers)}")
        keep |= found
    return [r for r in requirements if (r.buyer_id or r.buyer) in keep]


# --- chains ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Chain:
    """A path buyer ← tier-1 ← tier-2 …; its score is the geometric mean of the link scores."""

    links: tuple[Link, ...]  # from the buyer's link downwards

    @property
    def buyer(self) -> str:
        return self.links[0].target

    @property
    def depth(self) -> int:
        return len(self.links)

    @property
    def score(self) -> float:
        # Geometric mean: one weak link pulls the chain down more than an arithmetic mean would,
        # yet chains of different depths stay comparable (a product would punish depth).
        logs = [math.log(max(link.score, _EPSILON)) for link in self.links]
        return math.exp(sum(logs) / len(logs))

    @property
    def status(self) -> Status:
        return "ready" if all(link.status == "ready" for link in self.links) else "needs"

    def path(self) -> list[str]:
        return [self.buyer, *(link.source for link in self.links)]


def chains(network: TierNetwork) -> list[Chain]:
    """Every maximal chain from an assembler down the proposed links, best score first."""
    supplied_by: dict[str, list[Link]] = defaultdict(list)
    for link in network.links:
        if link.tier > 1:
            supplied_by[link.target].append(link)
    out: list[Chain] = []

    def walk(prefix: tuple[Link, ...]) -> None:
        below = [
            link for link in supplied_by.get(prefix[-1].source, []) if link.tier > prefix[-1].tier
        ]
        if not below:
            out.append(Chain(prefix))
        for link in below:
            walk((*prefix, link))

    for link in network.links:
        if link.tier == 1:
            walk((link,))
    out.sort(key=lambda c: (-c.score, c.path()))
    return out


# --- KPIs and gap lists ---------------------------------------------------------------------------
def kpis(network: TierNetwork, all_chains: Sequence[Chain]) -> dict[str, Any]:
    """Programme figures: direct suppliers by sector, links by status and tier, gaps by type."""
    direct = [link for link in network.links if link.tier == 1]
    direct_firms = {link.source for link in direct}
    ready_firms = {link.source for link in direct if link.status == "ready"}
    by_sector: dict[str, dict[str, int]] = {}
    for firm in sorted(direct_firms):
        for code in network.suppliers[firm].supplier.sector or ["?"]:
            row = by_sector.setdefault(code, {"firms": 0, "ready": 0})
            row["firms"] += 1
            row["ready"] += firm in ready_firms
    by_tier: dict[str, dict[str, int]] = {}
    for link in network.links:
        row = by_tier.setdefault(str(link.tier), {"ready": 0, "needs": 0})
        row[link.status] += 1
    gap_kinds: Counter[str] = Counter()
    gap_tracks: Counter[str] = Counter()
    certs: Counter[str] = Counter()
    firms_by_track: dict[str, set[str]] = defaultdict(set)
    for link in network.links:
        for gap in link.gaps:
            gap_kinds[gap.kind] += 1
            gap_tracks[gap.track] += 1
            firms_by_track[gap.track].add(link.source)
            if gap.kind == "certification":
                certs[gap.item] += 1
    deep: Counter[str] = Counter()
    for chain in all_chains:
        if chain.depth >= 2:
            deep[chain.buyer] += 1
    tiers = network.supplier_tiers()
    return {
        "assemblers": len(network.buyers),
        "assemblers_with_chains_depth_2": sum(1 for b in network.buyers if deep[b]),
        "requirements": sum(len(b.requirement_ids) for b in network.buyers.values()),
        "requirements_with_proposal": len({link.requirement_id for link in direct}),
        "firms_in_network": len(tiers),
        "firms_at_several_tiers": sum(1 for t in tiers.values() if len(t) > 1),
        "direct_suppliers": {
            "firms": len(direct_firms),
            "ready_firms": len(ready_firms),
            "already_supplying": len({link.source for link in direct if link.existing}),
            "by_sector": dict(sorted(by_sector.items())),
        },
        "links": {
            "total": len(network.links),
            "ready": sum(1 for link in network.links if link.status == "ready"),
            "needs": sum(1 for link in network.links if link.status == "needs"),
            "by_tier": by_tier,
        },
        "chains": {
            "total": len(all_chains),
            "ready": sum(1 for c in all_chains if c.status == "ready"),
            "max_depth": max((c.depth for c in all_chains), default=0),
            "depth_2_or_more": sum(1 for c in all_chains if c.depth >= 2),
            "by_assembler": {b: deep[b] for b in sorted(network.buyers) if deep[b]},
        },
        "gaps": {
            "by_kind": dict(sorted(gap_kinds.items())),
            "by_track": {t: gap_tracks[t] for t in TRACKS},
            "firms_by_track": {t: len(firms_by_track[t]) for t in TRACKS},
            "by_certification": dict(certs.most_common()),
        },
    }


GAP_COLUMNS = (
    "track",
    "supplier_id",
    "supplier_name",
    "gap_kind",
    "gap",
    "detail",
    "links",
    "customers",
    "requirement_ids",
)
FIRM_COLUMNS = (
    "supplier_id",
    "supplier_name",
    "tiers",
    "links_ready",
    "links_needing",
    *TRACKS,
)


def gap_rows(network: TierNetwork) -> list[dict[str, Any]]:
    """One row per (track, firm, gap), with the links that gap blocks; sorted by track then firm."""
    grouped: dict[tuple[Track, str, str, str], dict[str, Any]] = {}
    for link in network.links:
        for gap in link.gaps:
            key = (gap.track, link.source, gap.kind, gap.item)
            row = grouped.setdefault(
                key,
                {
                    "track": gap.track,
                    "supplier_id": link.source,
                    "supplier_name": network.suppliers[link.source].supplier.name,
                    "gap_kind": gap.kind,
                    "gap": gap.item,
                    "details": {},
                    "customers": {},
                    "requirement_ids": {},
                },
            )
            row["details"].setdefault(gap.detail, None)
            row["customers"].setdefault(link.target, None)
            row["requirement_ids"].setdefault(link.requirement_id, None)
    rows: list[dict[str, Any]] = []
    for track, firm, kind, item in sorted(grouped, key=lambda k: (TRACKS.index(k[0]), *k[1:])):
        row = grouped[(track, firm, kind, item)]
        rows.append(
            {
                **{c: row[c] for c in ("track", "supplier_id", "supplier_name", "gap_kind", "gap")},
                "detail": "; ".join(row["details"]),
                "links": len(row["requirement_ids"]),
                "customers": "; ".join(row["customers"]),
                "requirement_ids": "; ".join(row["requirement_ids"]),
            }
        )
    return rows


def firm_rows(network: TierNetwork, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per proposed firm: its links by status and its gaps per support track."""
    per_track: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in rows:
        per_track[(row["supplier_id"], row["track"])].append(row["gap"])
    out: list[dict[str, Any]] = []
    for firm, tiers in network.supplier_tiers().items():
        links = [link for link in network.links if link.source == firm]
        out.append(
            {
                "supplier_id": firm,
                "supplier_name": network.suppliers[firm].supplier.name,
                "tiers": "; ".join(map(str, tiers)),
                "links_ready": sum(1 for link in links if link.status == "ready"),
                "links_needing": sum(1 for link in links if link.status == "needs"),
                **{t: "; ".join(per_track.get((firm, t), [])) for t in TRACKS},
            }
        )
    return out


def write_gaps_xlsx(network: TierNetwork, path: Path) -> None:
    """gaps.xlsx: a per-firm summary sheet, then one sheet per support track (formula-safe)."""
    from openpyxl import Workbook

    rows = gap_rows(network)
    book = Workbook(write_only=True)
    sheets: list[tuple[str, Sequence[str], Sequence[dict[str, Any]]]] = [
        ("by firm", FIRM_COLUMNS, firm_rows(network, rows))
    ]
    sheets += [(t, GAP_COLUMNS, [r for r in rows if r["track"] == t]) for t in TRACKS]
    for title, columns, sheet_rows in sheets:
        ws = book.create_sheet(title)
        ws.append([safe_cell(c) for c in columns])
        for row in sheet_rows:
            ws.append([safe_cell(row.get(c)) for c in columns])
    with atomic_path(path) as tmp:
        book.save(tmp)


CHAIN_COLUMNS = ("rank", "buyer", "requirement_id", "path", "depth", "score", "status", "gaps")


def chain_rows(all_chains: Sequence[Chain]) -> list[dict[str, Any]]:
    return [
        {
            "rank": rank,
            "buyer": c.buyer,
            "requirement_id": c.links[0].requirement_id,
            "path": " ← ".join(c.path()),
            "depth": c.depth,
            "score": round(c.score, 6),
            "status": c.status,
            "gaps": sum(len(link.gaps) for link in c.links),
        }
        for rank, c in enumerate(all_chains, start=1)
    ]


# --- the picture ----------------------------------------------------------------------------------
_TIER_COLOURS = ("#1f4e79", "#2e86c1", "#85c1e9", "#d6eaf8")
_STATUS_COLOURS = {"ready": "#1e8449", "needs": "#d35400"}
_COMPANY_WORDS = re.compile(
    r"\b(Công ty|TNHH|MTV|Cổ phần|CTCP|Co\.,? ?Ltd\.?|JSC|Company|Limited|Ltd\.?)\b", re.IGNORECASE
)


def short_name(name: str) -> str:
    """A firm's name without its company-type words, for picture labels."""
    return re.sub(r"\s+", " ", _COMPANY_WORDS.sub(" ", name)).strip(" ,.") or name


def picture_graph(
    network: TierNetwork,
    all_chains: Sequence[Chain],
    buyer: str | None = None,
    sector: str | None = None,
    max_chains: int = 12,
) -> nx.DiGraph:
    """The best chains of one assembler (or one sector) as a layered graph to draw.

    Parallel links between two firms are drawn once: the best score, "ready" if any is ready.
    """
    if (buyer is None) == (sector is None):
        raise ConfigError("draw either one buyer or one sector")
    if buyer is not None:
        key = fold(buyer)
        found = network.buyers.values()
        ids = {b.buyer_id for b in found if key in (fold(b.buyer_id), fold(b.name))}
        ids = ids or {b.buyer_id for b in found if key in fold(b.name)}
        if not ids:
            choices = ", ".join(sorted(network.buyers))
            raise ConfigError(f"--picture-buyer {buyer!r} is not in the network; buyers: {choices}")
        chosen = [c for c in all_chains if c.buyer in ids]
    else:
        code = (sector or "").strip().upper()
        chosen = [
            c
            for c in all_chains
            if code
            in (
                network.requirements[c.links[0].requirement_id].sector
                or network.buyers[c.buyer].sectors
            )
        ]
        if not chosen:
            raise ConfigError(f"--picture-sector {sector!r}: no proposed chain in that sector")
    chosen = sorted(chosen, key=lambda c: (-c.depth, -c.score, c.path()))[:max_chains]
    layer: dict[str, int] = {}
    for c in chosen:
        for position, node in enumerate(c.path()):
            layer[node] = min(layer.get(node, position), position)
    g = nx.DiGraph()
    # Nodes are added layer by layer, each ordered by where its customers sit, so that the
    # layout (which keeps insertion order within a layer) crosses fewer edges.
    order: dict[str, float] = {}
    for depth in range(max(layer.values(), default=-1) + 1):
        here = [n for n in layer if layer[n] == depth]
        for n in here:
            above = [order[t] for c in chosen for s, t in _pairs(c) if s == n and t in order]
            order[n] = sum(above) / len(above) if above else 0.0
        for index, n in enumerate(sorted(here, key=lambda n: (order[n], n))):
            order[n] = float(index)
            g.add_node(n, layer=depth, label=_label(network, n))
    for c in chosen:
        for link in c.links:
            old = g.get_edge_data(link.source, link.target)
            status = link.status
            if old is not None:
                status = "ready" if "ready" in (status, old["status"]) else "needs"
                score = max(old["score"], link.score)
            else:
                score = link.score
            g.add_edge(link.source, link.target, score=score, status=status)
    return g


def _pairs(chain: Chain) -> list[tuple[str, str]]:
    return [(link.source, link.target) for link in chain.links]


def _label(network: TierNetwork, node: str) -> str:
    if node in network.buyers:
        return textwrap.fill(network.buyers[node].name, 16)
    s = network.suppliers[node].supplier
    name = textwrap.shorten(short_name(s.name_en or s.name), 34, placeholder="…")
    return f"{node}\n" + textwrap.fill(name, 17)


def draw_picture(graph: nx.DiGraph, paths: Sequence[Path], title: str) -> None:
    """Draw a layered network (buyer on top) to each path (.png / .svg), atomically.

    Artists carry SVG ids (nodes-tier-N, edge-N, label-N) so a test or a reader can count them.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    layers = nx.get_node_attributes(graph, "layer")
    widest = max(Counter(layers.values()).values(), default=1)
    depth = max(layers.values(), default=0) + 1
    fig = Figure(figsize=(max(8.0, 1.7 * widest), 2.4 * depth + 1.6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    pos = nx.multipartite_layout(graph, subset_key="layer", align="horizontal", scale=widest)
    # multipartite_layout stacks layers bottom-up; put the assembler on top.
    pos = {n: (x, -float(layers[n])) for n, (x, _) in pos.items()}
    for tier in range(depth):
        nodes = [n for n in graph if layers[n] == tier]
        collection = nx.draw_networkx_nodes(
            graph,
            pos,
            nodelist=nodes,
            ax=ax,
            node_shape="s" if tier == 0 else "o",
            node_size=1400 if tier == 0 else 700,
            node_color=_TIER_COLOURS[min(tier, len(_TIER_COLOURS) - 1)],
            edgecolors="#34495e",
        )
        collection.set_gid(f"nodes-tier-{tier}")
    edges = list(graph.edges(data=True))
    arrows = nx.draw_networkx_edges(
        graph,
        pos,
        edgelist=[(u, v) for u, v, _ in edges],
        ax=ax,
        arrows=True,
        arrowstyle="-|>",
        arrowsize=12,
        edge_color=[_STATUS_COLOURS[d["status"]] for _, _, d in edges],
        width=[0.8 + 2.5 * float(d["score"]) for _, _, d in edges],
        style=["solid" if d["status"] == "ready" else "dashed" for _, _, d in edges],
        node_size=900,
        # Curved, so that a link between two firms of one layer does not run through a third.
        connectionstyle="arc3,rad=0.12",
    )
    for index, arrow in enumerate(arrows):
        arrow.set_gid(f"edge-{index}")
    # Labels sit under their node, where no edge of a layered drawing arrives.
    label_pos = {n: (x, y - 0.16) for n, (x, y) in pos.items()}
    labels = nx.draw_networkx_labels(
        graph,
        label_pos,
        labels=nx.get_node_attributes(graph, "label"),
        ax=ax,
        font_size=7,
        verticalalignment="top",
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85},
    )
    for index, text in enumerate(labels.values()):
        text.set_gid(f"label-{index}")
    legend = [
        Line2D([0], [0], color=_STATUS_COLOURS["ready"], lw=2, label="ready"),
        Line2D([0], [0], color=_STATUS_COLOURS["needs"], lw=2, ls="--", label="needs (gaps)"),
    ]
    legend += [
        Line2D(
            [0],
            [0],
            marker="s" if t == 0 else "o",
            color="w",
            markersize=10,
            markerfacecolor=_TIER_COLOURS[t],
            label="assembler" if t == 0 else f"tier {t}",
        )
        for t in range(min(depth, len(_TIER_COLOURS)))
    ]
    ax.legend(
        handles=legend, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False
    )
    ax.set_title(title, fontsize=10)
    ax.margins(x=0.08, y=0.15)
    ax.set_axis_off()
    fig.tight_layout()
    for path in paths:
        with atomic_path(path) as tmp, matplotlib.rc_context({"svg.fonttype": "none"}):
            fig.savefig(tmp, format=path.suffix.lstrip(".").lower(), dpi=150)


# --- the job the CLI runs -------------------------------------------------------------------------
@dataclass
class TiersSummary:
    """What one `matcher tiers propose` run did."""

    out: Path
    kpis: dict[str, Any]
    picture: list[Path]
    picture_scope: str
    picture_nodes: int
    picture_edges: int
    duplicates: list[DuplicateFirm]
    seconds: dict[str, float]
    outputs: list[str]


def _write_json(data: Any, path: Path) -> None:
    # clean_text: a lone surrogate in a firm's name (JSON input can carry one) is not UTF-8.
    with atomic_path(path) as tmp:
        tmp.write_text(clean_text(json.dumps(data, indent=2, ensure_ascii=False)), encoding="utf-8")


def _xml_safe(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The graph with every text attribute and node name cleaned: GraphML is XML, which refuses
    control characters and lone surrogates."""

    def fix(value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    out = nx.MultiDiGraph()
    for node, attrs in graph.nodes(data=True):
        out.add_node(fix(node), **{k: fix(v) for k, v in attrs.items()})
    for source, target, key, attrs in graph.edges(keys=True, data=True):
        out.add_edge(
            fix(source), fix(target), key=fix(key), **{k: fix(v) for k, v in attrs.items()}
        )
    return out


def write_network(network: TierNetwork, all_chains: Sequence[Chain], out: Path) -> list[str]:
    """network.json, network.graphml, chains.csv, gaps.xlsx and kpis.json into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    _write_json(network.to_json(), out / "network.json")
    with atomic_path(out / "network.graphml") as tmp:
        nx.write_graphml(_xml_safe(network.graph()), tmp)
    write_table(chain_rows(all_chains), CHAIN_COLUMNS, out / "chains.csv")
    write_gaps_xlsx(network, out / "gaps.xlsx")
    _write_json(kpis(network, all_chains), out / "kpis.json")
    return ["network.json", "network.graphml", "chains.csv", "gaps.xlsx", "kpis.json"]


def _check_options(top_k: int, lower_top_k: int, depth: int, certifications: str) -> None:
    for name, value in (("--top", top_k), ("--top-lower", lower_top_k), ("--depth", depth)):
        if value < 1:
            raise ConfigError(f"{name} must be at least 1, got {value}")
    if certifications not in ("gap", "filter"):
        raise ConfigError(f"--certifications {certifications!r}: use 'gap' or 'filter'")


def propose_network(
    suppliers: Sequence[Supplier],
    requirements: Sequence[Requirement],
    *,
    given_inputs: dict[str, list[str]] | None = None,
    duplicates: Sequence[DuplicateFirm] = (),
    top_k: int = 5,
    lower_top_k: int = 3,
    depth: int = 2,
    max_inputs: int = 4,
    certifications: CertificationMode = "gap",
    inputs_path: Path = DEFAULT_INPUTS,
    settings: Settings | None = None,
    encoder: Encoder | None = None,
    cache_path: Path | None = None,
    reporter: Reporter | None = None,
    timings: dict[str, float] | None = None,
) -> tuple[TierNetwork, list[Chain]]:
    """Propose the supply network over records already in memory (a register, a workspace).

    ``requirements`` are the assemblers' (already selected, see ``select_buyers``); the
    network and its chains are returned, nothing is written. ``timings`` (if given) gets the
    seconds spent on the engine and input rules ("ingest", added), "index" and "propose".
    """
    _check_options(top_k, lower_top_k, depth, certifications)
    settings = (settings or Settings()).model_copy(deep=True)
    reporter = reporter or SilentReporter()
    timings = timings if timings is not None else {}
    if certifications == "gap":
        # A missing required certificate is the gap the programme's consulting track closes, so
        # firms lacking one stay in the ranking and are labelled "needs" instead of hidden.
        settings.retrieve.requirement_filters = [
            f for f in settings.retrieve.requirement_filters if f != "certifications"
        ]
    start = time.perf_counter()
    cache = EmbeddingCache(cache_path or default_cache_path()) if settings.embed.cache else None
    try:
        engine = Engine(settings, encoder=encoder, cache=cache)
        rules = load_input_rules(inputs_path, engine.taxonomy)
        timings["ingest"] = timings.get("ingest", 0.0) + time.perf_counter() - start
        t = time.perf_counter()
        engine.build(suppliers, reporter)
        timings["index"] = time.perf_counter() - t
        t = time.perf_counter()
        proposer = TierProposer(
            engine, rules, top_k, lower_top_k, depth, max_inputs, given_inputs, duplicates
        )
        network = proposer.propose(requirements, reporter)
        timings["propose"] = time.perf_counter() - t
    finally:
        if cache is not None:
            cache.close()
    return network, chains(network)


def run_tiers(
    suppliers_path: Path,
    requirements_path: Path,
    out: Path,
    *,
    buyers: Sequence[str] = (),
    top_k: int = 5,
    lower_top_k: int = 3,
    depth: int = 2,
    max_inputs: int = 4,
    certifications: CertificationMode = "gap",
    inputs_path: Path = DEFAULT_INPUTS,
    picture_buyer: str | None = None,
    picture_sector: str | None = None,
    picture_chains: int = 12,
    picture_formats: Sequence[str] = ("png", "svg"),
    settings: Settings | None = None,
    reporter: Reporter | None = None,
    cache_path: Path | None = None,
    encoder: Encoder | None = None,
) -> TiersSummary:
    """Propose the supply network for the buyers' requirements and write every output to ``out``.

    Every input (both files, the input mapping, the options) is checked before any model is
    loaded or anything is written.
    """
    reporter = reporter or SilentReporter()
    _check_options(top_k, lower_top_k, depth, certifications)
    bad_formats = sorted(set(picture_formats) - {"png", "svg"})
    if bad_formats:
        raise ConfigError(f"picture format(s) {bad_formats}: use png and/or svg")
    if picture_buyer is not None and picture_sector is not None:
        raise ConfigError("give --picture-buyer or --picture-sector, not both")
    timings: dict[str, float] = {}
    start = time.perf_counter()
    loaded = load_suppliers(suppliers_path)
    requirements = select_buyers(load_requirements(requirements_path).records, buyers)
    given = read_given_inputs(suppliers_path)
    timings["ingest"] = time.perf_counter() - start
    network, all_chains = propose_network(
        loaded.records,
        requirements,
        given_inputs=given,
        duplicates=loaded.duplicates,
        top_k=top_k,
        lower_top_k=lower_top_k,
        depth=depth,
        max_inputs=max_inputs,
        certifications=certifications,
        inputs_path=inputs_path,
        settings=settings,
        encoder=encoder,
        cache_path=cache_path,
        reporter=reporter,
        timings=timings,
    )
    t = time.perf_counter()
    outputs = write_network(network, all_chains, out)
    summary_kpis = kpis(network, all_chains)
    scope, graph, pictures = "", nx.DiGraph(), []
    if all_chains:
        with reporter.stage("Drawing", None) as advance:
            if picture_sector is not None:
                scope = f"sector {picture_sector.strip().upper()}"
                graph = picture_graph(
                    network, all_chains, sector=picture_sector, max_chains=picture_chains
                )
            else:
                chosen = picture_buyer or _busiest_buyer(all_chains, requirements)
                scope = network.buyers[chosen].name if chosen in network.buyers else chosen
                graph = picture_graph(network, all_chains, buyer=chosen, max_chains=picture_chains)
            pictures = [out / f"network.{fmt}" for fmt in picture_formats]
            title = f"Proposed supply network: {scope} (best {picture_chains} chains)"
            draw_picture(graph, pictures, title)
            advance(1)
        outputs += [p.name for p in pictures]
    timings["write"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - start
    return TiersSummary(
        out=out,
        kpis=summary_kpis,
        picture=pictures,
        picture_scope=scope,
        picture_nodes=graph.number_of_nodes(),
        picture_edges=graph.number_of_edges(),
        duplicates=loaded.duplicates,
        seconds=timings,
        outputs=outputs,
    )


def _busiest_buyer(all_chains: Sequence[Chain], requirements: Sequence[Requirement]) -> str:
    """The buyer with the most chains of depth ≥ 2 (the first buyer on ties)."""
    order = {r.buyer_id or r.buyer: i for i, r in reversed(list(enumerate(requirements)))}
    counts = Counter(c.buyer for c in all_chains if c.depth >= 2) or Counter(
        c.buyer for c in all_chains
    )
    return min(counts, key=lambda b: (-counts[b], order.get(b, 0)))


__all__ = [
    "DEFAULT_INPUTS",
    "TRACKS",
    "Chain",
    "Gap",
    "InputRule",
    "Link",
    "Needs",
    "TierNetwork",
    "TierProposer",
    "TiersSummary",
    "assess",
    "chains",
    "draw_picture",
    "firm_inputs",
    "kpis",
    "load_input_rules",
    "machine_tonnage",
    "needs_of",
    "parse_quantity",
    "picture_graph",
    "propose_network",
    "run_tiers",
    "select_buyers",
]
