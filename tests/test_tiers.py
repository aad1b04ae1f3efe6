"""Supply-tier proposals: readiness rules, gaps, self-supply, the picture, the outputs, the CLI."""

from __future__ import annotations

import csv
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from matcher.cli.tiers import tiers_app
from matcher.config import Settings
from matcher.engine import Engine
from matcher.errors import ConfigError, InputDataError
from matcher.ingest import find_duplicate_firms, load_requirements, load_suppliers
from matcher.normalise import (
    NormalisedSupplier,
    canonical_certifications,
    load_taxonomy,
    normalise_supplier,
)
from matcher.schemas import Requirement, Supplier
from matcher.tiers import (
    DEFAULT_INPUTS,
    TRACKS,
    Chain,
    TierNetwork,
    TierProposer,
    assess,
    chains,
    draw_picture,
    firm_inputs,
    load_input_rules,
    machine_tonnage,
    needs_of,
    parse_quantity,
    picture_graph,
    read_given_inputs,
    select_buyers,
)

from .conftest import SAMPLE, write

TAXONOMY = load_taxonomy()
SVG = "{http://www.w3.org/2000/svg}"


def _settings() -> Settings:
    settings = Settings()
    settings.embed.encoder = "hashing"
    settings.embed.cache = False
    settings.retrieve.requirement_filters = []  # certifications are gaps, as run_tiers does
    return settings


def _profile(**fields: object) -> NormalisedSupplier:
    base: dict[str, object] = {"supplier_id": "S1", "name": "Công ty TNHH Thử", "description": "x"}
    return normalise_supplier(Supplier.model_validate({**base, **fields}), TAXONOMY)


# --- parsing, worked by hand ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("3,000,000 pcs/month", 3_000_000, "pcs"),
        ("5.000 bộ/tháng", 5_000, "sets"),
        ("1.305.000 sản phẩm/tháng", 1_305_000, "pcs"),
        ("20,000-100,000 pcs/month per part", 100_000, "pcs"),
        ("30k sets per month", 30_000, "sets"),
        ("37 bộ khuôn/tháng", 37, "moulds"),
        ("300 km/month", 300_000, "m"),
        ("12 machines/year", 1, "machines"),
        ("1,5 tấn/tháng", 1.5, "t"),
    ],
)
def test_parse_quantity(text: str, amount: float, unit: str) -> None:
    parsed = parse_quantity(text)
    assert parsed is not None
    assert parsed.amount == pytest.approx(amount)
    assert parsed.unit == unit


def test_parse_quantity_without_a_period_is_none() -> None:
    assert parse_quantity("") is None
    assert parse_quantity("large volumes") is None


@pytest.mark.parametrize(
    ("text", "tonnage"),
    [
        ("Nhà xưởng có 3 máy dập từ 250 đến 500 tấn, có dây chuyền dập liên hoàn.", 500),
        ("Machines 450-1300 ton needed. Around 30k sets per month.", 1300),
        ("Need injection machines from 1,300 ton, painting line.", 1300),
        ("13 máy ép đùn nhôm 600–2.500 tấn, dây chuyền anod hóa.", 2500),
        ("Lò trung tần 6 tấn/mẻ, dây chuyền làm khuôn cát.", None),  # a furnace charge
        ("Capacity 60 t/month of forgings.", None),  # a volume, not a machine
    ],
)
def test_machine_tonnage(text: str, tonnage: float | None) -> None:
    assert machine_tonnage(text) == tonnage


# --- readiness and gaps -----------------------------------------------------------------------
REQUIREMENT = Requirement(
    requirement_id="R1",
    buyer="Toyota Motor Vietnam",
    title="Stamped and welded brackets",
    description="Stamped brackets, press tonnage 300-800 t. Welded sub-assemblies.",
    required_certifications=["IATF 16949"],
    preferred_certifications=["ISO 14001"],
    processes=["stamping", "MIG welding"],
    materials=["SPCC"],
    quantity="10,000 sets/month",
)


def test_gaps_are_exactly_the_unmet_requirements() -> None:
    # Worked by hand: ISO 9001 only (IATF missing), stamps but does not weld, handles SPCC,
    # 5,000 < 10,000 sets, largest press 600 t < 800 t. Preferred ISO 14001 is not a gap.
    firm = _profile(
        description="Nhà xưởng có 3 máy dập từ 150 đến 600 tấn. Dập chi tiết thép tấm SPCC.",
        processes="dập kim loại",
        materials="thép tấm SPCC",
        certifications="ISO 9001:2015",
        monthly_capacity="5.000 bộ/tháng",
    )
    gaps = assess(needs_of(REQUIREMENT, TAXONOMY), firm, TAXONOMY)
    assert [(g.kind, g.item) for g in gaps] == [
        ("certification", "IATF 16949"),
        ("process", "Welding"),
        ("capacity", "10,000 sets/month"),
        ("equipment", "machines of 800 t"),
    ]
    assert [g.track for g in gaps] == [
        "certification consulting",
        "workforce training",  # welding is a skill track
        "technology renewal",
        "technology renewal",
    ]


def test_a_firm_meeting_everything_is_ready() -> None:
    firm = _profile(
        description="Presses from 200 to 1000 t with robot welding cells.",
        processes="stamping; MIG welding",
        materials="SPCC steel sheet",
        certifications="IATF16949; iso 14001",
        monthly_capacity="12,000 sets/month",
    )
    assert assess(needs_of(REQUIREMENT, TAXONOMY), firm, TAXONOMY) == []


def test_capacity_in_other_units_is_not_a_gap_but_missing_capacity_is() -> None:
    base = {"processes": "stamping; welding", "materials": "SPCC", "certifications": "IATF 16949"}
    base["description"] = "Presses up to 1000 t."
    other_unit = _profile(monthly_capacity="300 tấn/tháng", **base)
    unstated = _profile(**base)
    needs = needs_of(REQUIREMENT, TAXONOMY)
    assert assess(needs, other_unit, TAXONOMY) == []
    assert [g.detail for g in assess(needs, unstated, TAXONOMY)] == ["capacity not stated"]


# --- a firm's own inputs ----------------------------------------------------------------------
RULES = load_input_rules(DEFAULT_INPUTS, TAXONOMY)


def test_shipped_input_mapping_loads_against_the_taxonomy() -> None:
    assert len(RULES) > 50
    assert all(r.input_tag in TAXONOMY.entries for r in RULES)


def test_seat_maker_needs_foam_frames_cover_and_sewing() -> None:
    seat = _profile(supplier_id="S9", products="yên xe máy", description="Sản xuất yên xe máy.")
    wanted = firm_inputs(seat, RULES, TAXONOMY)
    # metal_stamping: seat rule (2) + motorbike-parts rule (1); the other seat rules 2 each;
    # fasteners (motorbike parts, 1) is left out by max_inputs=4.
    assert [w.requirement.requirement_id for w in wanted] == [
        "S9>metal_stamping",
        "S9>eva_pu_foam",
        "S9>synthetic_leather",
        "S9>garment_sewing",
    ]
    first = wanted[1].requirement
    assert first.buyer_id == "S9" and "Mút xốp PU" in first.description
    assert first.target_tier == 2


def test_in_house_capabilities_are_not_inputs_and_iatf_flows_down_iso_9001() -> None:
    stamper = _profile(
        processes="dập liên hoàn; mạ kẽm", certifications="IATF 16949", description="Dập, mạ."
    )
    wanted = firm_inputs(stamper, RULES, TAXONOMY)
    tags = [w.requirement.requirement_id.split(">")[1] for w in wanted]
    assert "mould_making" in tags and "electroplating" not in tags  # it plates in-house
    assert all(w.needs.certifications == ("ISO 9001",) for w in wanted)


def test_given_inputs_replace_derived_ones(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        "supplier_id,name,description,đầu vào\nS1,A,dập kim loại,khuôn dập; hạt nhựa ABS\n",
    )
    given = read_given_inputs(path)
    assert given == {"S1": ["khuôn dập", "hạt nhựa ABS"]}
    wanted = firm_inputs(_profile(processes="dập"), RULES, TAXONOMY, given["S1"])
    assert [w.requirement.requirement_id for w in wanted] == ["S1>input-1", "S1>input-2"]
    assert not any(w.derived for w in wanted)


def test_bad_input_mapping_is_rejected_with_row_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path / "inputs.csv",
        "tag,terms,input_tag,text_en,text_vi\nmetal_stamping,,no_such_tag,Dies,Khuôn\n",
    )
    with pytest.raises(InputDataError) as info:
        load_input_rules(path, TAXONOMY)
    assert (info.value.row, info.value.column) == (2, "input_tag")


# --- a firm never supplies its own inputs -----------------------------------------------------
def test_a_firm_is_never_proposed_for_its_own_inputs() -> None:
    # The seat maker also stamps, so it is the best text match for its own stamped frames;
    # the firm it duplicates (same tax code) is the same firm and must be left out too.
    rows = [
        Supplier(
            supplier_id="S1",
            name="Yên Xe Minh",
            tax_code="0100000001",
            description="Sản xuất yên xe máy, dập khung yên thép, may áo yên.",
            products=["yên xe máy"],
            processes=["may"],
        ),
        Supplier(
            supplier_id="S2",
            name="Yên Xe Minh Chi nhánh",
            tax_code="0100000001",
            description="Dập khung yên xe máy bằng thép.",
            processes=["dập kim loại"],
        ),
        Supplier(
            supplier_id="S3",
            name="Cơ khí Dập Hà",
            description="Dập kim loại, chi tiết dập thép tấm.",
            processes=["dập kim loại"],
        ),
        Supplier(
            supplier_id="S4",
            name="Mút Xốp An",
            description="Sản xuất mút xốp PU cho đệm yên.",
            products=["mút PU"],
        ),
    ]
    duplicates = find_duplicate_firms(rows, list(range(2, len(rows) + 2)))
    assert [d.supplier_ids for d in duplicates] == [("S1", "S2")]
    engine = Engine(_settings()).build(rows)
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


# --- the sample register ----------------------------------------------------------------------
BUYERS = ("Honda", "Toyota", "Samsung")


@pytest.fixture(scope="module")
def network() -> TierNetwork:
    suppliers = load_suppliers(SAMPLE / "suppliers.csv")
    requirements = select_buyers(load_requirements(SAMPLE / "requirements.csv").records, BUYERS)
    engine = Engine(_settings()).build(suppliers.records)
    proposer = TierProposer(engine, RULES, top_k=4, lower_top_k=2, duplicates=suppliers.duplicates)
    return proposer.propose(requirements)


@pytest.fixture(scope="module")
def all_chains(network: TierNetwork) -> list[Chain]:
    return chains(network)


def test_sample_has_three_assemblers_with_chains_of_depth_two(all_chains: list[Chain]) -> None:
    deep = {c.buyer for c in all_chains if c.depth >= 2}
    assert len(deep) >= 3


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


def test_chain_score_is_the_geometric_mean(all_chains: list[Chain]) -> None:
    chain = next(c for c in all_chains if c.depth == 2)
    a, b = (link.score for link in chain.links)
    assert chain.score == pytest.approx(math.sqrt(a * b))
    assert [c.score for c in all_chains] == sorted((c.score for c in all_chains), reverse=True)


def test_network_json_contract(network: TierNetwork) -> None:
    data = json.loads(json.dumps(network.to_json()))
    assert set(data) == {"nodes", "edges"}
    ids = {n["id"] for n in data["nodes"]}
    assert len(ids) == len(data["nodes"])
    kinds = {n["id"]: n["kind"] for n in data["nodes"]}
    for node in data["nodes"]:
        assert {"id", "kind", "tier"} <= set(node)
        assert node["kind"] in ("buyer", "supplier")
        assert (node["tier"] == 0) == (node["kind"] == "buyer")
    assert sum(k == "buyer" for k in kinds.values()) == 3
    for edge in data["edges"]:
        assert {"source", "target", "requirement_id", "score", "status", "gaps"} <= set(edge)
        assert kinds[edge["source"]] == "supplier" and edge["target"] in ids
        assert edge["status"] in ("ready", "needs")
        assert isinstance(edge["gaps"], list) and isinstance(edge["score"], float)
        assert (edge["status"] == "ready") == (edge["gaps"] == [])
        assert all(g["track"] in TRACKS for g in edge["gaps"])


def _svg_counts(path: Path) -> tuple[int, int, int]:
    root = ET.parse(path).getroot()
    groups = list(root.iter(f"{SVG}g"))
    nodes = sum(
        len(list(g.iter(f"{SVG}use"))) for g in groups if g.get("id", "").startswith("nodes-")
    )
    edges = sum(g.get("id", "").startswith("edge-") for g in groups)
    labels = sum(g.get("id", "").startswith("label-") for g in groups)
    return nodes, edges, labels


def test_picture_renders_the_expected_nodes_and_edges(
    network: TierNetwork, all_chains: list[Chain], tmp_path: Path
) -> None:
    graph = picture_graph(network, all_chains, buyer="Honda", max_chains=6)
    chosen = sorted(
        (c for c in all_chains if c.buyer == "Honda Vietnam"), key=lambda c: (-c.depth, -c.score)
    )[:6]
    assert set(graph) == {n for c in chosen for n in c.path()}
    assert set(graph.edges) == {(link.source, link.target) for c in chosen for link in c.links}
    paths = [tmp_path / "honda.svg", tmp_path / "honda.png"]
    draw_picture(graph, paths, "Honda")
    assert _svg_counts(paths[0]) == (graph.number_of_nodes(), graph.number_of_edges(), len(graph))
    assert paths[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ConfigError, match="buyers:"):
        picture_graph(network, all_chains, buyer="Nobody")


# --- the command line -------------------------------------------------------------------------
def _slice(tmp_path: Path) -> tuple[Path, Path]:
    with open(SAMPLE / "suppliers.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    suppliers = tmp_path / "suppliers.csv"
    with open(suppliers, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows[:151])  # header + 150 firms
    return suppliers, SAMPLE / "requirements.csv"


def test_cli_propose_writes_every_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHER_EMBED__CACHE", "false")
    suppliers, requirements = _slice(tmp_path)
    out = tmp_path / "out"
    args = ["propose", "--suppliers", str(suppliers), "--requirements", str(requirements)]
    args += ["--out", str(out), "--encoder", "hashing", "--buyer", "Honda", "--buyer", "Canon"]
    args += ["--top", "3", "--top-lower", "2", "-q"]
    result = CliRunner().invoke(tiers_app, args)
    assert result.exit_code == 0, result.output
    for name in ("network.json", "network.graphml", "network.png", "network.svg", "chains.csv"):
        assert (out / name).stat().st_size > 0
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["assemblers"] == 2 and kpis["assemblers_with_chains_depth_2"] >= 1
    assert set(kpis["gaps"]["by_track"]) == set(TRACKS)
    book = load_workbook(out / "gaps.xlsx", read_only=True)
    assert book.sheetnames == ["by firm", *TRACKS]
    graph = nx.read_graphml(out / "network.graphml")
    data = json.loads((out / "network.json").read_text(encoding="utf-8"))
    assert graph.number_of_edges() == len(data["edges"])


def test_cli_reports_bad_input_with_file_row_column(tmp_path: Path) -> None:
    bad = write(tmp_path / "s.csv", "supplier_id,name,description,tier\nS1,A,stamping,7\n")
    args = ["propose", "--suppliers", str(bad), "--requirements", str(SAMPLE / "requirements.csv")]
    result = CliRunner().invoke(tiers_app, [*args, "--out", str(tmp_path / "o"), "-e", "hashing"])
    assert result.exit_code == 1
    assert "row 2" in result.output and "column 'tier'" in result.output
    assert not (tmp_path / "o").exists()


def test_cli_help_has_an_example() -> None:
    result = CliRunner().invoke(tiers_app, ["propose", "--help"])
    assert result.exit_code == 0 and "Example: matcher tiers propose" in result.output
