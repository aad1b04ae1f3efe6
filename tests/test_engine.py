"""matcher/engine.py: ``open_engine`` — the cache is used inside the block and detached after it,
and the three ways in (new, an index root, one version folder) give the same answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.config import SAMPLE_DIR, Settings
from matcher.encoders import CachedEncoder
from matcher.engine import cache_file, open_engine
from matcher.errors import WorkspaceError
from matcher.ingest import load_suppliers
from matcher.schemas import Supplier


@pytest.fixture(scope="module")
def suppliers() -> list[Supplier]:
    return load_suppliers(SAMPLE_DIR / "suppliers.csv").records[:40]


def test_the_cache_is_used_in_the_block_and_detached_after(
    tmp_path: Path, hashing_settings: Settings, suppliers: list[Supplier]
) -> None:
    cache = tmp_path / "cache.sqlite"
    with open_engine(hashing_settings, cache_path=cache) as engine:
        assert isinstance(engine.encoder, CachedEncoder)
        engine.build(suppliers)
    assert not isinstance(engine.encoder, CachedEncoder)
    assert cache.exists()
    # Still usable after the block, through the bare encoder.
    assert engine.search("dập kim loại", top_k=3)


def test_no_cache_path_means_no_cache(hashing_settings: Settings) -> None:
    with open_engine(hashing_settings) as engine:
        assert not isinstance(engine.encoder, CachedEncoder)


def test_a_saved_index_opens_by_root_or_by_version_with_the_same_answers(
    tmp_path: Path, hashing_settings: Settings, suppliers: list[Supplier]
) -> None:
    with open_engine(hashing_settings) as built:
        folder = built.build(suppliers).save(tmp_path / "index")
    expected = [m.supplier_id for m in built.search("injection moulding ABS", top_k=5)]
    with open_engine(hashing_settings, index_root=tmp_path / "index") as by_root:
        assert [
            m.supplier_id for m in by_root.search("injection moulding ABS", top_k=5)
        ] == expected
    with open_engine(hashing_settings, index_version=folder) as by_version:
        found = by_version.search("injection moulding ABS", top_k=5)
        assert [m.supplier_id for m in found] == expected


def test_an_empty_root_says_to_run_index(tmp_path: Path, hashing_settings: Settings) -> None:
    with (
        pytest.raises(WorkspaceError, match="run `matcher index`"),
        open_engine(hashing_settings, index_root=tmp_path),
    ):
        pass


def test_root_and_version_together_are_refused(tmp_path: Path) -> None:
    with (
        pytest.raises(ValueError, match="not both"),
        open_engine(index_root=tmp_path, index_version=tmp_path),
    ):
        pass


def test_cache_file_follows_the_setting(tmp_path: Path, hashing_settings: Settings) -> None:
    off = hashing_settings.model_copy(deep=True)
    off.embed.cache = False
    assert cache_file(off, tmp_path / "c.sqlite") is None
    on = hashing_settings.model_copy(deep=True)
    on.embed.cache = True
    assert cache_file(on, tmp_path / "c.sqlite") == tmp_path / "c.sqlite"
    assert cache_file(on) is not None  # the user's default cache
