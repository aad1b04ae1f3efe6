"""The proposer: never the customer itself or its duplicate rows, no cycles, and every link's
gaps exactly what its requirement asks and the firm lacks (on the sample register)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from matcher.engine import Engine
from matcher.ingest import load_suppliers
from matcher.normalise import canonical_certifications
from matcher.schemas import Requirement
from matcher.tiers import (
    TierNetwork,
    TierProposer,
    assess,
    machine_tonnage,
    needs_of,
    parse_quantity,
)
from tests.conftest import write
from tests.tiers.conftest import RULES, TAXONOMY, tier_settings

SEAT_FIRMS = """supplier_id,name,tax_code,description,products,processes
S1,Yên Xe Minh,0100000001,"Sản xuất yên xe máy, dập khung yên thép, may áo yên.",yên xe máy,may
S2,Yên Xe Minh Chi nhánh,0100000001,Dập khung yên xe máy bằng thép.,,dập kim loại
S3,Cơ khí Dập Hà,,"Dập kim loại, chi tiết dập thép tấm.",,dập kim loại
S4,Mút Xốp An,,Sản xuất mút xốp PU cho đệm yên.,mút PU,
"""


def test_a_firm_is_never_proposed_for_its_own_inputs(tmp_path: Path) -> None:
    # The seat maker also stamps, so it is the best text match for its own stamped frames;
    # the firm it duplicates (same tax code) is the same firm and must be left out too.
    loaded = load_suppliers(write(tmp_path / "suppliers.csv", SEAT_FIRMS))
    duplicates = loaded.duplicates
    assert [d.supplier_ids for d in duplicates] == [("S1", "S2")]
    engine = Engine(tier_settings()).build(loaded.records)
    requirement = Requirement(
        requirement_id="R1", buyer="Honda Vietnam", description="Motorbike seats, yên xe máy"
    )
    network = TierProposer(engine, RULES, top_k=1, lower_top_k=3, duplicates=duplicates).propose(
        [requirement]
    )
    assert [(link.source, link.tier) for link in network.links if link.tier == 1] == [("S1", 1)]
    own = [link for link in network.links if link.target == "S1"]
    assert own and {link.source for link in own} <= {"S3", "S4"}
    assert nx.is_directed_acyclic_graph(nx.DiGraph(network.graph()))


def test_no_ready_link_violates_a_hard_requirement(network: TierNetwork) -> None:
    ready = [link for link in network.links if link.status == "ready"]
    assert ready
    for link in ready:
        req = network.requirements[link.requirement_id]
        profile = network.suppliers[link.source]
        required = set(canonical_certifications(req.required_certifications))
        assert required <= profile.certifications, (link, required)
        wanted = needs_of(req, TAXONOMY) if link.tier == 1 else network.needs[req.requirement_id]
        assert wanted.processes <= profile.tags
        need, have = wanted.quantity, parse_quantity(profile.supplier.monthly_capacity)
        if need is not None and have is not None and need.unit == have.unit:
            assert have.amount >= need.amount
        if wanted.tonnage is not None:
            assert (machine_tonnage(profile.supplier.description) or 0) >= wanted.tonnage


def test_every_link_lists_exactly_its_unmet_requirements(network: TierNetwork) -> None:
    needing = [link for link in network.links if link.status == "needs"]
    assert needing and any(g.kind == "certification" for link in needing for g in link.gaps)
    for link in network.links:
        expected = assess(
            network.needs[link.requirement_id], network.suppliers[link.source], TAXONOMY
        )
        assert list(link.gaps) == expected
        assert (link.status == "ready") == (not link.gaps)


def test_no_self_supply_and_no_cycles(network: TierNetwork) -> None:
    for link in network.links:
        assert link.source != link.target
        assert network.requirements[link.requirement_id].buyer_id != link.source
    for firm, input_ids in network.inputs.items():
        assert all(
            link.source != firm for link in network.links if link.requirement_id in input_ids
        )
    assert nx.is_directed_acyclic_graph(nx.DiGraph(network.graph()))
