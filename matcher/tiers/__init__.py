"""Tiers: supply-network proposals (assembler ← tier-1 ← tier-2 …), readiness gaps, exports.

A buyer's requirement is answered by the engine's ranking (the same ``Engine.match`` as ``matcher
match``); every proposed firm's own inputs — given in its profile, or derived from its products and
processes through ``data/taxonomy/inputs.csv`` — become requirements for the tier below, answered
the same way. Every link is checked against what its requirement asks (certifications, processes,
materials, capacity, machine tonnage): "ready" when nothing is unmet, else "needs" with the exact
list of gaps, each assigned to the programme's support track that closes it.

The package owns that proposal, one concern a module; data flows down this list:

- ``quantities``: monthly volumes and machine tonnage parsed from profile text.
- ``qualify``: ``Needs`` (what a requirement asks, checkable) and ``assess`` → the ``Gap`` list.
- ``inputs``: a firm's own inputs (given, or derived by ``InputRule``) as lower-tier requirements.
- ``network``: the model: ``Buyer``, ``Link``, ``TierNetwork`` (``network.json``, a networkx graph).
- ``proposer``: ``TierProposer`` grows the network tier by tier with the engine, kept acyclic.
- ``chain``: ``Chain`` and ``chains``, the paths buyer ← tier-1 ← tier-2, best first.
- ``report``: KPIs, gap lists, the chain table and the files they are written to.
- ``picture``: the best chains of one buyer or sector, drawn to PNG / SVG.
- ``job``: ``propose_network`` (records in memory, nothing written) and ``run_tiers`` (files in,
  every output written), what the CLI and the API call.
"""

from __future__ import annotations

from matcher.tiers.chain import Chain, chains
from matcher.tiers.inputs import (
    DEFAULT_INPUTS,
    InputNeed,
    InputRule,
    firm_inputs,
    load_input_rules,
    read_given_inputs,
)
from matcher.tiers.job import (
    CertificationMode,
    ProposalOptions,
    TiersSummary,
    check_options,
    hard_filters,
    propose_network,
    propose_over,
    run_tiers,
)
from matcher.tiers.network import Buyer, Link, Status, TierNetwork
from matcher.tiers.picture import busiest_buyer, draw_picture, picture_graph, short_name
from matcher.tiers.proposer import RankedRegister, TierProposer, select_buyers
from matcher.tiers.qualify import TRACKS, Gap, GapKind, Needs, Track, assess, needs_of, offer_tags
from matcher.tiers.quantities import Quantity, machine_tonnage, parse_number, parse_quantity
from matcher.tiers.report import (
    CHAIN_COLUMNS,
    FIRM_COLUMNS,
    GAP_COLUMNS,
    chain_rows,
    firm_rows,
    gap_rows,
    kpis,
    write_gaps_xlsx,
    write_network,
)

__all__ = [
    "CHAIN_COLUMNS",
    "DEFAULT_INPUTS",
    "FIRM_COLUMNS",
    "GAP_COLUMNS",
    "TRACKS",
    "Buyer",
    "CertificationMode",
    "Chain",
    "Gap",
    "GapKind",
    "InputNeed",
    "InputRule",
    "Link",
    "Needs",
    "ProposalOptions",
    "Quantity",
    "RankedRegister",
    "Status",
    "TierNetwork",
    "TierProposer",
    "TiersSummary",
    "Track",
    "assess",
    "busiest_buyer",
    "chain_rows",
    "chains",
    "check_options",
    "draw_picture",
    "firm_inputs",
    "firm_rows",
    "gap_rows",
    "hard_filters",
    "kpis",
    "load_input_rules",
    "machine_tonnage",
    "needs_of",
    "offer_tags",
    "parse_number",
    "parse_quantity",
    "picture_graph",
    "propose_network",
    "propose_over",
    "read_given_inputs",
    "run_tiers",
    "select_buyers",
    "short_name",
    "write_gaps_xlsx",
    "write_network",
]
