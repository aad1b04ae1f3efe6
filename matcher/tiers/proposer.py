"""The proposer: links tier by tier, each requirement ranked by the engine's ``match`` and only
admissible firms kept (never the customer itself, its duplicate rows, or a link closing a cycle)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import networkx as nx

from matcher.errors import ConfigError
from matcher.normalise import NormalisedSupplier, Taxonomy, firm_name_key, fold
from matcher.progress import Reporter, SilentReporter
from matcher.schemas import DuplicateFirm, Match, Requirement
from matcher.tiers.inputs import InputRule, firm_inputs
from matcher.tiers.network import Buyer, Link, TierNetwork
from matcher.tiers.qualify import assess, needs_of


class RankedRegister(Protocol):
    """What the proposer needs of a register: its taxonomy, its live profiles and ranked matches
    (a built ``Engine`` is one; so is the live index's ``EngineView``)."""

    taxonomy: Taxonomy
    suppliers_: list[NormalisedSupplier]

    def match(
        self, requirements: Sequence[Requirement], top_k: int = 10, reporter: Reporter | None = None
    ) -> list[Match]: ...


@dataclass(eq=False)
class TierProposer:
    """Proposes links tier by tier with a built ``Engine``; the network is always acyclic.

    ``given_inputs``: firm id → its inputs as the register gives them (they replace the derived
    ones); ``duplicates``: rows the register flags as one firm, never proposed to each other.
    """

    engine: RankedRegister
    rules: Sequence[InputRule]
    top_k: int = 5
    lower_top_k: int = 3
    depth: int = 2
    max_inputs: int = 4
    given_inputs: dict[str, list[str]] | None = None
    duplicates: Sequence[DuplicateFirm] = ()

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
                given = (self.given_inputs or {}).get(firm, [])
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
