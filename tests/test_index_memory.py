"""A register holds its vectors once: DenseIndex reads its rows from FAISS's own storage (issue
#16: a 1M x 384 register is 1.46 GiB of float32, and it used to be held twice)."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from matcher.index import DenseIndex

ROWS, DIM = 4_000, 384  # 6 MiB of float32: any numpy copy of it shows in tracemalloc
SIZE = ROWS * DIM * 4


def unit_rows(seed: int = 3) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(ROWS, DIM)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def ids() -> list[str]:
    return [f"s{i}" for i in range(ROWS // 2)]


def owners() -> np.ndarray:
    return np.repeat(np.arange(ROWS // 2, dtype=np.int64), 2)  # two chunks per supplier


@pytest.mark.parametrize("exact_below", [1 << 40, 1])  # flat, and HNSW
def test_a_built_index_keeps_no_numpy_copy_of_its_rows(exact_below: int) -> None:
    vectors = unit_rows()
    expected = vectors.copy()
    gc.collect()
    tracemalloc.start()  # numpy's buffers are traced; FAISS's C++ storage is not
    try:
        index = DenseIndex(exact_below=exact_below, hnsw_m=8).build(vectors, ids(), owners())
        del vectors
        gc.collect()
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held < SIZE / 10, f"{held / 2**20:.1f} MiB of numpy arrays held by the index"
    rows = index.vectors_
    assert np.array_equal(rows, expected)  # the same bits, read in place
    assert not rows.flags.writeable


def test_loading_reads_the_rows_once(tmp_path: Path) -> None:
    vectors = unit_rows()
    DenseIndex().build(vectors, ids(), owners()).save(tmp_path)
    gc.collect()
    tracemalloc.start()
    try:
        index = DenseIndex.load(tmp_path, ids(), DIM)
        gc.collect()
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # vectors.npy is mapped for its header only; the rows are FAISS's, read from dense.faiss.
    assert peak < SIZE / 10 and held < SIZE / 10, (held, peak)
    assert np.array_equal(index.vectors_, vectors)
    # Supplier 2 owns rows 4 and 5: its max-sim is computed on the rows read from FAISS.
    best = np.einsum("ij,j->i", vectors[4:6], vectors[5]).max()
    assert index.max_sim(vectors[5], np.array([2]))[0] == best


def test_the_rows_outlive_the_index_object() -> None:
    vectors = unit_rows()
    index = DenseIndex().build(vectors, ids(), owners())
    part = index.vectors_[100:110]  # a view of FAISS's storage
    del index
    gc.collect()
    np.testing.assert_array_equal(part, vectors[100:110])  # its index is kept alive by the view
