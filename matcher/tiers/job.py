"""The job behind `matcher tiers propose` and ``POST /v1/tiers/propose``: build the engine, propose
the network (``propose_network``, nothing written), and for the CLI read the files and write every
output and the picture (``run_tiers``)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypedDict, Unpack

import networkx as nx

from matcher.config import HardFilter, Settings
from matcher.encoders import Encoder
from matcher.engine import cache_file, open_engine
from matcher.errors import ConfigError
from matcher.ingest import load_requirements, load_suppliers
from matcher.progress import Reporter, SilentReporter
from matcher.schemas import DuplicateFirm, Requirement, Supplier
from matcher.tiers.chain import Chain, chains
from matcher.tiers.inputs import DEFAULT_INPUTS, InputRule, load_input_rules, read_given_inputs
from matcher.tiers.network import TierNetwork
from matcher.tiers.picture import busiest_buyer, draw_picture, picture_graph
from matcher.tiers.proposer import RankedRegister, TierProposer, select_buyers
from matcher.tiers.report import kpis, write_network

CertificationMode = Literal["gap", "filter"]


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


class ProposalOptions(TypedDict, total=False):
    """The keywords of ``propose_network`` that ``run_tiers`` passes on (the defaults are there)."""

    top_k: int
    lower_top_k: int
    depth: int
    max_inputs: int
    certifications: CertificationMode
    inputs_path: Path
    settings: Settings | None
    encoder: Encoder | None
    cache_path: Path | None


def check_options(options: ProposalOptions) -> None:
    """Reject a bad option, named as the CLI names it; one not given keeps its (valid) default."""
    counts = (
        ("--top", options.get("top_k")),
        ("--top-lower", options.get("lower_top_k")),
        ("--depth", options.get("depth")),
    )
    for name, value in counts:
        if value is not None and value < 1:
            raise ConfigError(f"{name} must be at least 1, got {value}")
    certifications = options.get("certifications", "gap")
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
    check_options(
        {
            "top_k": top_k,
            "lower_top_k": lower_top_k,
            "depth": depth,
            "certifications": certifications,
        }
    )
    settings = (settings or Settings()).model_copy(deep=True)
    settings.retrieve.requirement_filters = hard_filters(settings, certifications)
    timings = timings if timings is not None else {}
    start = time.perf_counter()
    with open_engine(
        settings, cache_path=cache_file(settings, cache_path), encoder=encoder
    ) as engine:
        rules = load_input_rules(inputs_path, engine.taxonomy)
        timings["ingest"] = timings.get("ingest", 0.0) + time.perf_counter() - start
        t = time.perf_counter()
        engine.build(suppliers, reporter)
        timings["index"] = time.perf_counter() - t
        t = time.perf_counter()
        found = propose_over(
            engine, requirements, rules, top_k, lower_top_k, depth, max_inputs,
            given_inputs, duplicates, reporter,
        )  # fmt: skip
        timings["propose"] = time.perf_counter() - t
    return found


def hard_filters(settings: Settings, certifications: CertificationMode) -> list[HardFilter]:
    """The hard filters a proposal ranks under: the settings' own, less certifications in
    "gap" mode — a missing required certificate is the gap the programme's consulting track
    closes, so firms lacking one stay in the ranking and are labelled "needs", not hidden."""
    hard = list(settings.retrieve.requirement_filters)
    return [f for f in hard if f != "certifications"] if certifications == "gap" else hard


def propose_over(
    register: RankedRegister,
    requirements: Sequence[Requirement],
    rules: Sequence[InputRule],
    top_k: int = 5,
    lower_top_k: int = 3,
    depth: int = 2,
    max_inputs: int = 4,
    given_inputs: dict[str, list[str]] | None = None,
    duplicates: Sequence[DuplicateFirm] = (),
    reporter: Reporter | None = None,
) -> tuple[TierNetwork, list[Chain]]:
    """The network and its chains over a register already ranked (a built Engine, or the live
    index's view): what ``propose_network`` does once its Engine is built."""
    proposer = TierProposer(
        register, rules, top_k, lower_top_k, depth, max_inputs, given_inputs, duplicates
    )
    network = proposer.propose(requirements, reporter or SilentReporter())
    return network, chains(network)


def run_tiers(
    suppliers_path: Path,
    requirements_path: Path,
    out: Path,
    *,
    buyers: Sequence[str] = (),
    picture_buyer: str | None = None,
    picture_sector: str | None = None,
    picture_chains: int = 12,
    picture_formats: Sequence[str] = ("png", "svg"),
    reporter: Reporter | None = None,
    **options: Unpack[ProposalOptions],
) -> TiersSummary:
    """Propose the supply network for the buyers' requirements and write every output to ``out``.

    ``options`` are ``propose_network``'s (``ProposalOptions``, defaults there). Every input (both
    files, the input mapping, the options) is checked before any model is loaded or anything is
    written.
    """
    reporter = reporter or SilentReporter()
    check_options(options)
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
        reporter=reporter,
        timings=timings,
        **options,
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
                chosen = picture_buyer or busiest_buyer(all_chains, requirements)
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
