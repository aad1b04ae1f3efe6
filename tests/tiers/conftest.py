"""What the tier tests share: the taxonomy and input mapping, a firm profile, hashing settings, and
the network proposed once per session on the sample register (the tests only read it)."""

from __future__ import annotations

import pytest

from matcher.config import Settings
from matcher.engine import Engine
from matcher.ingest import load_requirements, load_suppliers
from matcher.normalise import NormalisedSupplier, load_taxonomy, normalise_supplier
from matcher.schemas import Supplier
from matcher.tiers import (
    DEFAULT_INPUTS,
    Chain,
    TierNetwork,
    TierProposer,
    chains,
    load_input_rules,
    select_buyers,
)
from tests.conftest import SAMPLE

TAXONOMY = load_taxonomy()
RULES = load_input_rules(DEFAULT_INPUTS, TAXONOMY)
BUYERS = ("Honda", "Toyota", "Samsung")


def tier_settings() -> Settings:
    """The hashing encoder, no cache; certifications are gaps, as ``run_tiers`` makes them."""
    settings = Settings()
    settings.embed.encoder = "hashing"
    settings.embed.cache = False
    settings.retrieve.requirement_filters = []
    return settings


def profile(**fields: object) -> NormalisedSupplier:
    """A normalised firm S1 with ``fields`` over a minimal profile."""
    base: dict[str, object] = {"supplier_id": "S1", "name": "Công ty TNHH Thử", "description": "x"}
    return normalise_supplier(Supplier.model_validate({**base, **fields}), TAXONOMY)


@pytest.fixture(scope="session")
def network() -> TierNetwork:
    suppliers = load_suppliers(SAMPLE / "suppliers.csv")
    requirements = select_buyers(load_requirements(SAMPLE / "requirements.csv").records, BUYERS)
    engine = Engine(tier_settings()).build(suppliers.records)
    proposer = TierProposer(engine, RULES, top_k=4, lower_top_k=2, duplicates=suppliers.duplicates)
    return proposer.propose(requirements)


@pytest.fixture(scope="session")
def all_chains(network: TierNetwork) -> list[Chain]:
    return chains(network)
