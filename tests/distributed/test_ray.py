"""`--engine ray` on a local Ray: the same matches as one process with 1, 2 and 4 shards, and
whole answers when workers die mid-run."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import ray.cloudpickle

from matcher import jobs
from matcher.config import SAMPLE_DIR
from matcher.distributed import RayOptions, build, serve
from matcher.distributed.cluster import Embedder, ShardServer
from matcher.engine import Engine
from matcher.errors import IndexArtifactError
from matcher.schemas import Requirement, Supplier
from tests.distributed.conftest import hashing_settings, ranked

# The dying workers below are defined here: Ray ships them by value, so its worker processes
# need not import the tests.
ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # type: ignore[no-untyped-call]

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("local_ray")]


def run(out: Path, engine: RayOptions | None) -> str:
    jobs.run_match(
        SAMPLE_DIR / "suppliers.csv",
        SAMPLE_DIR / "requirements.csv",
        out,
        10,
        hashing_settings(),
        ray=engine,
    )
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def local_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    return run(tmp_path_factory.mktemp("local") / "matches.csv", None)


@pytest.mark.parametrize("shards", [1, 2, 4])
def test_the_same_matches_file_as_one_process(local_file: str, tmp_path: Path, shards: int) -> None:
    written = run(tmp_path / "matches.csv", RayOptions(shards=shards, shard_dir=tmp_path))
    assert written == local_file
    assert not list(tmp_path.glob("cnht-shards-*"))  # the shards of a batch run are removed


class DiesOnce:
    """Kills its worker process the first time it is called while ``marker`` exists."""

    marker: Path

    def maybe_die(self) -> None:
        if self.marker.exists():
            self.marker.unlink()
            os._exit(1)  # no clean-up, no exception: the process is gone mid-call


class DyingShard(ShardServer, DiesOnce):
    def search(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.maybe_die()
        return super().search(*args, **kwargs)


class DyingEmbedder(Embedder, DiesOnce):
    def __call__(self, batch):  # type: ignore[no-untyped-def]
        self.maybe_die()
        return super().__call__(batch)


def test_killed_workers_are_retried_and_the_answer_is_whole(
    sample: tuple[list[Supplier], list[Requirement]],
    sample_engine: Engine,
    tmp_path: Path,
) -> None:
    suppliers, requirements = sample
    settings = hashing_settings()
    DyingEmbedder.marker = tmp_path / "embedder.dies"
    DyingShard.marker = tmp_path / "shard.dies"
    DyingEmbedder.marker.touch()
    encoder = sample_engine.encoder
    root = tmp_path / "shards"
    build(suppliers, settings, root, 2, encoder.model_id, encoder.dim, embedder=DyingEmbedder)
    assert not DyingEmbedder.marker.exists()  # an encoder actor did die during the build
    DyingShard.marker.touch()
    with serve(root, Engine(settings), DyingShard) as scatter:
        matches = scatter.match(requirements, 10)
    assert not DyingShard.marker.exists()  # and a shard actor during the search
    assert ranked(matches) == ranked(sample_engine.match(requirements, 10))


def test_a_damaged_shard_is_refused_by_name(small_set: Path) -> None:
    shard = next(small_set.glob("shard-001/v-*"))
    (shard / "manifest.json").write_text("{}")
    with (
        pytest.raises(IndexArtifactError, match="shard-001"),
        serve(small_set, Engine(hashing_settings())),
    ):
        pass
