"""`matcher index --engine ray` on a workspace: embedded in shards on a local Ray, merged into the
workspace's one index, which then searches (and serves, through the live index) with the same
top-10 as an index built in one process."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from matcher import jobs
from matcher.cli import app
from matcher.distributed import merged_vectors
from matcher.engine import open_engine
from matcher.errors import IndexArtifactError
from matcher.live import LiveIndex
from matcher.retrieve import Filters
from matcher.schemas import Requirement, Supplier
from matcher.services.search import search
from matcher.store import Workspace
from tests.distributed.conftest import SMALL, hashing_settings

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("local_ray")]


def workspace(root: Path, suppliers: list[Supplier]) -> Path:
    Workspace(root).upsert_suppliers(suppliers)
    return root


def top10(root: Path, texts: list[str], filters: Filters | None = None) -> list[list[str]]:
    """`matcher search` for each text, the index loaded once (what search_workspace opens)."""
    settings = hashing_settings()
    with open_engine(settings, index_root=Workspace(root).index_dir) as engine:
        found = [search(engine, t, 10, filters).matches for t in texts]
    return [[f"{m.supplier_id}:{m.score}" for m in matches] for matches in found]


def test_a_workspace_indexed_on_ray_searches_as_a_local_index(
    sample: tuple[list[Supplier], list[Requirement]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    suppliers, requirements = sample
    local = workspace(tmp_path / "local", suppliers)
    jobs.build_workspace_index(local, hashing_settings())
    on_ray = workspace(tmp_path / "ray", suppliers)
    # The command a user runs, with the settings hashing_settings() gives (the environment).
    monkeypatch.setenv("MATCHER_EMBED__CACHE", "false")
    monkeypatch.setenv("MATCHER_THREADS", "1")
    shard_dir = tmp_path / "shards"
    result = CliRunner().invoke(
        app,
        [
            "index",
            "-w",
            str(on_ray),
            "--encoder",
            "hashing",
            "--engine",
            "ray",
            "--shards",
            "3",
            "--shard-dir",
            str(shard_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"indexed {len(suppliers)} suppliers" in result.output
    assert not list(shard_dir.glob("cnht-shards-*"))  # the shards are removed once merged

    # The same artifact: the rows FAISS searches, to the bit, and the same profiles.
    (a,) = Workspace(local).index_dir.glob("v-*")
    (b,) = Workspace(on_ray).index_dir.glob("v-*")
    for name in ("vectors.npy", "owners.npy", "suppliers.jsonl"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name

    texts = [r.description for r in requirements[:25]]
    assert top10(on_ray, texts) == top10(local, texts)
    one = jobs.search_workspace(on_ray, texts[0], 10, None, hashing_settings()).matches
    assert [f"{m.supplier_id}:{m.score}" for m in one] == top10(local, texts[:1])[0]
    some = Filters.build(provinces=[suppliers[0].province]) if suppliers[0].province else None
    assert top10(on_ray, texts[:5], some) == top10(local, texts[:5], some)
    # The server's path: the live index of the workspace.
    served = LiveIndex.open(on_ray, hashing_settings())
    reference = LiveIndex.open(local, hashing_settings())
    for text in texts[:5]:
        got = [(m.supplier_id, m.score) for m in served.search(text, 10)]
        assert got == [(m.supplier_id, m.score) for m in reference.search(text, 10)]


def test_shards_of_another_register_are_refused(
    sample: tuple[list[Supplier], list[Requirement]], small_set: Path
) -> None:
    suppliers = sample[0][:SMALL]
    vectors, owners, _ = merged_vectors(small_set, suppliers)
    assert len(vectors) == len(owners) and np.all(np.diff(owners) >= 0)
    swapped = [suppliers[1], suppliers[0], *suppliers[2:]]
    with pytest.raises(IndexArtifactError, match=r"shard-000.*profiles\.jsonl"):
        merged_vectors(small_set, swapped)
    with pytest.raises(IndexArtifactError, match=f"the shard set holds {SMALL} suppliers"):
        merged_vectors(small_set, suppliers[:-1])
