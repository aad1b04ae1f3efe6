"""A 20,000-supplier slice of real GeBIZ procurement text: the same top-10 on 1, 2 and 4 shards
on Ray (and 3 in-process) as in one process (the hashing encoder: CI embeds nothing for hours).

The one-process reference (index and top-10) is computed once for the module, and so is the
Ray Data embedding of the slice (cluster.embed, which no shard count changes): each shard count
then cuts, indexes, writes, loads and serves its own shard set from it (cluster.write_shards,
what cluster.build runs after embedding), as `--engine ray` does."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from matcher.distributed import serve
from matcher.distributed.cluster import Embedded, embed, write_shards
from matcher.engine import Engine
from matcher.evaluation.suites import external_dir, load_suite
from matcher.schemas import Requirement, Supplier
from tests.distributed.conftest import hashing_settings, local_shards, ranked

SIZE = 20_000
AWARDS = external_dir() / "gebiz_sg_procurement" / "gebiz_awards_joined.csv"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not AWARDS.exists(), reason="../shared/data/external is not here"),
]


def gebiz_slice() -> tuple[list[Supplier], list[Requirement]]:
    """The suite's firm profiles, then one profile per award (a winner and its one tender, so
    tenders with several winners give identical profiles: ties) until there are SIZE."""
    suite = load_suite("gebiz")
    suppliers = list(suite.suppliers)
    with open(AWARDS, encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle)):
            if len(suppliers) == SIZE:
                break
            suppliers.append(
                Supplier(
                    supplier_id=f"award:{number}",
                    name=row["supplier_name"],
                    description=row["tender_description_orig"],
                    customers=[row["agency"]],
                )
            )
    return suppliers, suite.part("test")[:120]


Register = tuple[list[Supplier], list[Requirement], Engine, list[tuple[str, int, str, float]]]


@pytest.fixture(scope="module")
def register() -> Register:
    """The slice, its requirements, the one-process engine and its top-10 of each."""
    suppliers, requirements = gebiz_slice()
    settings = hashing_settings()
    settings.index.exact_below = 10 * SIZE  # exact in one process as in every shard
    engine = Engine(settings).build(suppliers)
    return suppliers, requirements, engine, ranked(engine.match(requirements, 10))


@pytest.fixture(scope="module")
def embedded(register: Register, local_ray: None) -> Embedded:
    return embed(register[0], register[2].settings)


def test_in_process_shards(register: Register) -> None:
    """Three shards in this process: cuts that none of the Ray counts below make (the same
    Shard code; test_merge.py cuts a register with twins across every cut at 2, 3 and 7)."""
    suppliers, requirements, engine, expected = register
    assert len(suppliers) == SIZE
    assert ranked(local_shards(engine, 3).match(requirements, 10)) == expected


@pytest.mark.parametrize("shards", [1, 2, 4])
def test_shards_on_ray(register: Register, embedded: Embedded, tmp_path: Path, shards: int) -> None:
    _, requirements, engine, expected = register
    assert len(embedded.rows) == SIZE
    write_shards(embedded, tmp_path, shards, engine.encoder.model_id, engine.encoder.dim)
    with serve(tmp_path, Engine(engine.settings)) as scatter:
        assert len(scatter.shards) == shards
        matches = scatter.match(requirements, 10)
    assert ranked(matches) == expected
