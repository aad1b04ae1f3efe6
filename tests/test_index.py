from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.artifacts import current_version, read_manifest, write_version
from matcher.errors import IndexArtifactError
from matcher.index import DenseIndex
from matcher.lexical import LexicalIndex, tokenize


def _unit(rng: np.random.Generator, n: int, d: int = 16) -> np.ndarray:
    x = rng.normal(size=(n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(5, 300),
    k=st.integers(1, 20),
    seed=st.integers(0, 10_000),
    share=st.floats(0.0, 1.0),
    hnsw=st.booleans(),
)
def test_filtered_search_returns_k_whenever_k_qualify(
    n: int, k: int, seed: int, share: float, hnsw: bool
) -> None:
    rng = np.random.default_rng(seed)
    vectors = _unit(rng, n)
    index = DenseIndex(exact_below=1 if hnsw else 10**9, hnsw_m=8).build(
        vectors, [f"S{i}" for i in range(n)]
    )
    allowed = rng.random(n) < share
    _, positions = index.search(vectors[:3], k, allowed)
    expected = min(k, int(allowed.sum()), n)
    for row in positions:
        hits = row[row >= 0]
        assert len(hits) == expected
        assert allowed[hits].all()
    if not hnsw:  # exact search: the best allowed vector is first
        best = (
            np.flatnonzero(allowed)[np.argmax(vectors[np.flatnonzero(allowed)] @ vectors[0])]
            if allowed.any()
            else None
        )
        if best is not None:
            assert positions[0, 0] == best


def test_dense_index_roundtrip(tmp_path: Path) -> None:
    vectors = _unit(np.random.default_rng(0), 50)
    ids = [f"S{i}" for i in range(50)]
    index = DenseIndex().build(vectors, ids)
    index.save(tmp_path)
    loaded = DenseIndex.load(tmp_path, ids)
    a = index.search(vectors[:2], 5)
    b = loaded.search(vectors[:2], 5)
    np.testing.assert_array_equal(a[1], b[1])


def test_tokenize_folds_accents_and_adds_syllable_bigrams() -> None:
    assert tokenize("Dập kim loại và ép nhựa") == [
        "dap",
        "kim",
        "loai",
        "ep",
        "nhua",
        "dap_kim",
        "kim_loai",
        "loai_ep",
        "ep_nhua",
    ]


def test_lexical_index_accent_insensitive_with_filter() -> None:
    texts = ["Dập kim loại tấm", "Ép phun nhựa", "dap kim loai chinh xac"]
    index = LexicalIndex().build(texts, ["S1", "S2", "S3"])
    _, positions = index.search("dập kim loại", 5)
    assert set(positions.tolist()) == {0, 2}
    _, positions = index.search("dập kim loại", 5, np.array([False, True, True]))
    assert positions.tolist() == [2]
    assert index.search("unknown words only", 5)[1].tolist() == []


def _fill(files: dict[str, bytes]):  # type: ignore[no-untyped-def]
    def fill(folder: Path) -> None:
        for name, data in files.items():
            (folder / name).write_bytes(data)

    return fill


def test_artifact_versions_swap_atomically(tmp_path: Path) -> None:
    first = write_version(tmp_path, _fill({"a.bin": b"one"}), {"count": 1})
    assert current_version(tmp_path) == first
    assert read_manifest(first)["count"] == 1

    def broken(folder: Path) -> None:
        (folder / "a.bin").write_bytes(b"half")
        raise KeyboardInterrupt  # the writer is killed mid-way

    with pytest.raises(KeyboardInterrupt):
        write_version(tmp_path, broken, {"count": 2})
    assert current_version(tmp_path) == first
    assert (first / "a.bin").read_bytes() == b"one"
    assert not list(tmp_path.glob(".staging-*"))
    second = write_version(tmp_path, _fill({"a.bin": b"two"}), {"count": 2})
    assert current_version(tmp_path) == second


def test_corrupt_artifact_is_detected(tmp_path: Path) -> None:
    folder = write_version(tmp_path, _fill({"a.bin": b"one"}), {})
    (folder / "a.bin").write_bytes(b"bit rot")
    with pytest.raises(IndexArtifactError, match="checksum"):
        read_manifest(folder)


def test_chunked_index_scores_a_supplier_by_its_best_chunk() -> None:
    # Supplier 0 owns rows 0-1, supplier 1 owns row 2, supplier 2 owns rows 3-5.
    vectors = np.eye(6, dtype=np.float32)
    owners = np.array([0, 0, 1, 2, 2, 2])
    index = DenseIndex().build(vectors, ["A", "B", "C"], owners)
    query = np.zeros(6, dtype=np.float32)
    query[4], query[1] = 1.0, 0.5
    scores, positions = index.search(query, 3)
    assert positions[0].tolist() == [2, 0, 1]
    np.testing.assert_allclose(scores[0], [1.0, 0.5, 0.0])
    np.testing.assert_allclose(index.max_sim(query, np.array([0, 2])), [0.5, 1.0])
    _, positions = index.search(query, 3, np.array([True, True, False]))
    assert positions[0].tolist() == [0, 1, -1]


def test_chunked_index_roundtrip(tmp_path: Path) -> None:
    vectors = _unit(np.random.default_rng(1), 9)
    owners = np.array([0, 0, 0, 1, 2, 2, 3, 3, 3])
    ids = ["A", "B", "C", "D"]
    index = DenseIndex().build(vectors, ids, owners)
    index.save(tmp_path)
    loaded = DenseIndex.load(tmp_path, ids)
    np.testing.assert_array_equal(index.search(vectors[:2], 4)[1], loaded.search(vectors[:2], 4)[1])
    with pytest.raises(ValueError, match="grouped by owner"):
        DenseIndex().build(vectors, ids, owners[::-1].copy())
