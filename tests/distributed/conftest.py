"""One local Ray for the whole package (starting one costs seconds), and the registers both
engines are compared on."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from matcher.config import SAMPLE_DIR, Settings
from matcher.distributed import LocalShards, Scatter, Shard
from matcher.distributed.shard import aligned_cuts, summed_lengths
from matcher.engine import Engine
from matcher.ingest import load_requirements, load_suppliers
from matcher.schemas import Match, Requirement, Supplier


def hashing_settings() -> Settings:
    settings = Settings()
    settings.embed.encoder = "hashing"  # deterministic and fast: CI has no embedding cache
    settings.embed.cache = False
    # FAISS scans one query on one thread, as each shard actor does: a multi-threaded scan can
    # give a row other last bits, and exact ties (identical profiles) then fall differently.
    settings.threads = 1
    return settings


@pytest.fixture(scope="session")
def local_ray() -> Iterator[None]:
    import ray

    from matcher.distributed import connect

    connect(num_cpus=2)
    yield
    ray.shutdown()


@pytest.fixture(scope="session")
def sample() -> tuple[list[Supplier], list[Requirement]]:
    suppliers = load_suppliers(SAMPLE_DIR / "suppliers.csv").records
    return suppliers, load_requirements(SAMPLE_DIR / "requirements.csv").records


@pytest.fixture(scope="session")
def sample_engine(sample: tuple[list[Supplier], list[Requirement]]) -> Engine:
    return Engine(hashing_settings()).build(sample[0])


SMALL = 40  # the suppliers of the small shard set the refusal tests damage or mismatch


@pytest.fixture(scope="session")
def small_built(
    local_ray: None,
    sample: tuple[list[Supplier], list[Requirement]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """A 2-shard set of the sample's first SMALL suppliers, built on Ray once per session."""
    from matcher.distributed import build
    from matcher.encoders import get_encoder

    root = tmp_path_factory.mktemp("small-set")
    encoder = get_encoder("hashing")
    build(sample[0][:SMALL], hashing_settings(), root, 2, encoder.model_id, encoder.dim)
    return root


@pytest.fixture
def small_set(small_built: Path, tmp_path: Path) -> Path:
    """A test's own copy of the small shard set (free to damage)."""
    return Path(shutil.copytree(small_built, tmp_path / "small-set", symlinks=True))


def local_shards(engine: Engine, n: int) -> Scatter:
    """The engine's register cut into ``n`` in-process shards (its own vectors and profiles)."""
    count = len(engine.suppliers_)
    starts = engine.dense_.starts_
    bounds = aligned_cuts(np.diff(starts), n)  # as cluster.build cuts
    bilingual = engine.lexicon is not None
    shards = []
    for lo, hi in itertools.pairwise(bounds):
        rows = slice(int(starts[lo]), int(starts[hi]))
        shards.append(
            Shard.build(
                np.arange(lo, hi, dtype=np.int64),
                engine.suppliers_[lo:hi],
                engine.dense_.vectors_[rows],
                engine.dense_.owners_[rows] - lo,
                engine.settings,
                bilingual,
                {"bilingual": bilingual},
            )
        )
    lengths = summed_lengths(shard.meta for shard in shards)
    register: dict[str, Any] = {"count": count, "lengths": lengths, "bilingual": bilingual}
    return Scatter.over(LocalShards(shards), engine, register)


def ranked(matches: list[Match]) -> list[tuple[str, int, str, float]]:
    return [(m.requirement_id, m.rank, m.supplier_id, m.score) for m in matches]
