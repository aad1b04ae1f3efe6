"""Dense index: FAISS inner product on L2-normalised vectors (= cosine).

Exact (IndexFlatIP) below ``exact_below`` vectors, HNSW above. Filters are applied inside the
search with an IDSelector, so a filtered query still returns k hits whenever k suppliers qualify;
if HNSW's graph walk finds fewer (a very selective filter), we fall back to an exact scan of the
allowed subset, which is cheap precisely because the subset is small.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import faiss as _faiss
import numpy as np
import numpy.typing as npt

from matcher.embed import Vectors

log = logging.getLogger(__name__)

# faiss ships partial SWIG stubs without SearchParameters' keyword arguments.
faiss: Any = _faiss

Mask = npt.NDArray[np.bool_]


class DenseIndex:
    """Positions 0..n-1 in the index are positions in ``ids_``."""

    def __init__(self, exact_below: int = 50_000, hnsw_m: int = 32, ef_search: int = 128) -> None:
        self.exact_below = exact_below
        self.hnsw_m = hnsw_m
        self.ef_search = ef_search

    def build(self, vectors: Vectors, ids: list[str]) -> DenseIndex:
        if vectors.ndim != 2 or vectors.shape[0] != len(ids):
            raise ValueError(f"{vectors.shape[0]} vectors for {len(ids)} ids")
        self.vectors_ = np.ascontiguousarray(vectors, dtype=np.float32)
        self.ids_ = list(ids)
        dim = int(vectors.shape[1])
        index: Any
        if len(ids) < self.exact_below:
            index = faiss.IndexFlatIP(dim)
        else:
            index = faiss.IndexHNSWFlat(dim, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 200
        index.add(self.vectors_)
        self.index_ = index
        return self

    @property
    def kind(self) -> str:
        return "flat" if isinstance(self.index_, faiss.IndexFlat) else "hnsw"

    def search(
        self, queries: Vectors, k: int, allowed: Mask | None = None
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        """Top-k (scores, positions) per query; position -1 pads when fewer than k qualify."""
        n = len(self.ids_)
        k = max(1, min(k, n))
        params: Any = None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(np.flatnonzero(allowed).astype(np.int64))
            if self.kind == "hnsw":
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(self.ef_search, k))
            else:
                params = faiss.SearchParameters(sel=selector)
        elif self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=max(self.ef_search, k))
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        scores, positions = self.index_.search(queries, k, params=params)
        want = min(k, int(allowed.sum()) if allowed is not None else n)
        short = (positions >= 0).sum(axis=1) < want
        if short.any():
            subset = np.flatnonzero(allowed) if allowed is not None else np.arange(n)
            for row in np.flatnonzero(short):
                exact = self.vectors_[subset] @ queries[row]
                order = np.argsort(-exact)[:k]
                scores[row, :] = -np.inf
                positions[row, :] = -1
                scores[row, : len(order)] = exact[order]
                positions[row, : len(order)] = subset[order]
        return scores.astype(np.float32), positions.astype(np.int64)

    def save(self, folder: Path) -> None:
        np.save(folder / "vectors.npy", self.vectors_)
        faiss.write_index(self.index_, str(folder / "dense.faiss"))

    @classmethod
    def load(cls, folder: Path, ids: list[str], **params: Any) -> DenseIndex:
        index = cls(**params)
        index.vectors_ = np.load(folder / "vectors.npy")
        index.index_ = faiss.read_index(str(folder / "dense.faiss"))
        index.ids_ = list(ids)
        return index
