"""Dense index: FAISS inner product on L2-normalised vectors (= cosine).

Exact (IndexFlatIP) below ``exact_below`` vectors, HNSW above. Filters are applied inside the
search with an IDSelector, so a filtered query still returns k hits whenever k suppliers qualify;
if HNSW's graph walk finds fewer (a very selective filter), we fall back to an exact scan of the
allowed subset, which is cheap precisely because the subset is small.

With chunked profiles the top rows may repeat owners, so k owners need more than k rows: HNSW
asks for k × the mean rows per owner × 1.25 (efSearch at least that) and, if fewer than k owners
come back, asks again with twice the rows (at most three walks) before the exact scan, which
over 100k rows costs several walks. A flat index asks what it always asked, so its answers
(every test and quality suite: below ``exact_below``) stay bit for bit.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, NoReturn

import faiss as _faiss
import numpy as np
import numpy.typing as npt

from matcher.artifacts import REBUILD
from matcher.config import IndexSettings
from matcher.encoders import Vectors, thread_count
from matcher.errors import IndexArtifactError

log = logging.getLogger(__name__)

# faiss ships partial SWIG stubs without SearchParameters' keyword arguments.
faiss: Any = _faiss

Mask = npt.NDArray[np.bool_]
# HNSW with chunked rows: ask for the owners' mean rows-per-owner × k × this margin (repeated
# owners among the top rows are a little denser than the mean), and ask again at most this many
# times in all, each with twice the rows, before an exact scan.
_ROW_MARGIN = 1.25
_HNSW_ASKS = 3


def dense_params(settings: IndexSettings) -> dict[str, int]:
    """DenseIndex's arguments from the index settings: one place for every build and load."""
    return {
        "exact_below": settings.exact_below,
        "hnsw_m": settings.hnsw_m,
        "ef_search": settings.hnsw_ef_search,
    }


class DenseIndex:
    """Rows are vectors; each row belongs to one supplier (its owner).

    With one vector per supplier, rows and suppliers coincide. With long profiles split into
    chunks, a supplier owns several rows and scores as its best chunk (max-sim), so a firm with
    fifty past contracts is not blurred into one average vector. Rows are stored grouped by owner.
    """

    FILES = ("vectors.npy", "owners.npy", "dense.faiss")  # what save writes and load opens

    def __init__(self, exact_below: int = 50_000, hnsw_m: int = 32, ef_search: int = 128) -> None:
        self.exact_below = exact_below
        self.hnsw_m = hnsw_m
        self.ef_search = ef_search

    def build(
        self, vectors: Vectors, ids: list[str], owners: npt.NDArray[np.int64] | None = None
    ) -> DenseIndex:
        owners = np.arange(len(ids), dtype=np.int64) if owners is None else np.asarray(owners)
        if vectors.ndim != 2 or vectors.shape[0] != len(owners):
            raise ValueError(f"{vectors.shape[0]} vectors for {len(owners)} rows")
        if len(owners) and (np.any(np.diff(owners) < 0) or owners[-1] >= len(ids)):
            raise ValueError("rows must be grouped by owner, owners in 0..len(ids)-1")
        rows = np.ascontiguousarray(vectors, dtype=np.float32)
        self.ids_ = list(ids)
        self.owners_ = owners.astype(np.int64)
        dim = int(vectors.shape[1])
        index: Any
        if len(owners) < self.exact_below:
            index = faiss.IndexFlatIP(dim)
        else:
            index = faiss.IndexHNSWFlat(dim, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 200
        faiss.omp_set_num_threads(thread_count())  # a search in this thread may have set 1
        index.add(rows)
        self.index_ = index
        self._starts()
        return self

    @property
    def vectors_(self) -> npt.NDArray[np.float32]:
        """The rows, read in place from FAISS's own storage (read-only): the register holds
        its vectors once, not a numpy copy beside FAISS's (1.46 GiB each at 1M x 384)."""
        return faiss_rows(self.index_)

    def _starts(self) -> None:
        # starts_[p] .. starts_[p+1] are supplier p's rows.
        self.starts_ = np.searchsorted(self.owners_, np.arange(len(self.ids_) + 1))
        self.chunked_ = len(self.owners_) != len(self.ids_)

    @property
    def kind(self) -> str:
        return "flat" if isinstance(self.index_, faiss.IndexFlat) else "hnsw"

    def max_sim(self, query: Vectors, positions: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        """Each supplier's best cosine to the query over its rows."""
        query = query.reshape(-1)
        # einsum, not BLAS: each row's product does not depend on which rows are beside it, so a
        # cosine is the same bits whatever the candidate set (or shard) it is computed in.
        if not self.chunked_:
            return np.asarray(np.einsum("ij,j->i", self.vectors_[positions], query), np.float32)
        # All candidates' rows in one product, then the maximum of each supplier's run of rows
        # (a Python loop per candidate was a fifth of a search's time).
        positions = np.asarray(positions, dtype=np.int64)
        first = self.starts_[positions]
        counts = self.starts_[positions + 1] - first
        out = np.full(len(positions), -1.0, dtype=np.float32)
        some = counts > 0
        if some.any():
            first, counts = first[some], counts[some]
            heads = np.cumsum(counts) - counts  # where each supplier's run starts in ``rows``
            rows = np.repeat(first - heads, counts) + np.arange(int(counts.sum()))
            scores = np.asarray(np.einsum("ij,j->i", self.vectors_[rows], query), np.float32)
            out[some] = np.maximum.reduceat(scores, heads)
        return out

    def search(
        self,
        queries: Vectors,
        k: int,
        allowed: Mask | None = None,
        denied: Mask | None = None,
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        """Top-k (scores, supplier positions) per query; -1 pads when fewer than k qualify.

        ``denied`` masks suppliers that must never come back whatever the filter (deleted or
        replaced ones awaiting compaction in matcher/live/); unlike a mask of the allowed, a
        few denied rows cost a small selector, not one listing every other row.
        """
        n = len(self.ids_)
        k = max(1, min(k, n))
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, int(self.index_.d))
        if denied is not None and allowed is not None:
            allowed, denied = allowed & ~denied, None
        if denied is not None and not denied.any():
            denied = None
        row_allowed = allowed[self.owners_] if allowed is not None else None
        k_rows = self._rows_for(k)
        selector: Any = None
        if row_allowed is not None:
            selector = faiss.IDSelectorBatch(np.flatnonzero(row_allowed).astype(np.int64))
            n_allowed = int(allowed.sum()) if allowed is not None else n
        elif denied is not None:
            row_allowed = ~denied[self.owners_]
            inner = faiss.IDSelectorBatch(np.flatnonzero(~row_allowed).astype(np.int64))
            selector = faiss.IDSelectorNot(inner)  # ``inner`` stays referenced until we return
            n_allowed = n - int(denied.sum())
        else:
            n_allowed = n
        # One query is one short scan or graph walk: FAISS's OpenMP team would only wait at its
        # barriers for a descheduled sibling (18x slower on a busy 2-core box, 10k flat). The
        # setting is the calling thread's own (an OpenMP ICV), so concurrent searches and a
        # batch job in another thread keep theirs.
        faiss.omp_set_num_threads(1 if len(queries) == 1 else thread_count())
        want = min(k, n_allowed)
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        positions = np.full((len(queries), k), -1, dtype=np.int64)
        short: list[int] = list(range(len(queries)))
        for _ in range(_HNSW_ASKS if self.kind == "hnsw" else 1):
            row_scores, rows = self.index_.search(
                queries[short], max(k_rows, 1), params=self._params(k_rows, selector)
            )
            still: list[int] = []
            for j, q in enumerate(short):
                owners, best = self._owners(row_scores[j], rows[j])
                if len(owners) < want:
                    still.append(q)
                else:
                    self._put(scores, positions, q, owners, best, k)
            short = still
            if not short or k_rows >= len(self.owners_):
                break
            # HNSW's walk or repeated owners fell short: a wider walk is far cheaper than the
            # exact scan below over every row (100k rows: ~2 ms a walk against ~15 ms a scan).
            k_rows = min(len(self.owners_), 2 * k_rows)
        for q in short:
            # Still short (a flat index asked enough; a selective filter): an exact scan of the
            # allowed rows.
            owners, best = self._exact(queries[q], row_allowed)
            self._put(scores, positions, q, owners, best, k)
        return scores, positions

    def _rows_for(self, k: int) -> int:
        """How many rows to ask FAISS for so that k distinct owners come back.

        Flat: k × 2 × the most rows an owner has on average, rounded up (what it always asked:
        the answer is exact either way, and this keeps ties at the cut where they were). HNSW:
        the rows an owner really has on average (1.15 at 100k with 128-word chunks, not the
        rounded 2 that made efSearch 400 at k = 100) with a margin; search asks again with
        twice the rows when the walk brings fewer than k owners.
        """
        n_rows, n = len(self.owners_), max(len(self.ids_), 1)
        if not self.chunked_:
            return min(n_rows, k)
        if self.kind == "flat":
            return min(n_rows, k * 2 * int(np.ceil(n_rows / n)))
        return min(n_rows, int(np.ceil(k * _ROW_MARGIN * n_rows / n)))

    def _params(self, k_rows: int, selector: Any) -> Any:
        if self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=max(self.ef_search, k_rows))
            if selector is not None:
                params.sel = selector
            return params
        return faiss.SearchParameters(sel=selector) if selector is not None else None

    def _owners(
        self, row_scores: npt.NDArray[np.float32], rows: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """The distinct owners of one query's rows (FAISS's order: best first, -1 pads last)
        with each one's best score, i.e. its first row's."""
        valid = rows >= 0
        owners, best = self.owners_[rows[valid]], row_scores[valid]
        if self.chunked_:
            owners, first = np.unique(owners, return_index=True)
            best = best[first]
        return owners, best

    @staticmethod
    def _put(
        scores: npt.NDArray[np.float32],
        positions: npt.NDArray[np.int64],
        q: int,
        owners: npt.NDArray[np.int64],
        best: npt.NDArray[np.float32],
        k: int,
    ) -> None:
        # Ties fall to the lower position (FAISS keeps the first-scanned rows at its cut):
        # one total order, which a merge of shards (matcher/distributed/) reproduces.
        top = np.lexsort((owners, -best))[:k]
        scores[q, : len(top)] = best[top]
        positions[q, : len(top)] = owners[top]

    def _exact(
        self, query: Vectors, row_allowed: Mask | None
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        subset = np.flatnonzero(row_allowed) if row_allowed is not None else None
        rows = self.vectors_ if subset is None else self.vectors_[subset]
        owners = self.owners_ if subset is None else self.owners_[subset]
        sims = rows @ query
        best = np.full(len(self.ids_), -np.inf, dtype=np.float32)
        np.maximum.at(best, owners, sims)
        present = np.flatnonzero(np.isfinite(best))
        return present.astype(np.int64), best[present]

    def save(self, folder: Path) -> None:
        np.save(folder / "vectors.npy", self.vectors_)
        np.save(folder / "owners.npy", self.owners_)
        faiss.write_index(self.index_, str(folder / "dense.faiss"))

    @classmethod
    def load(
        cls, folder: Path, ids: list[str], dim: int | None = None, **params: Any
    ) -> DenseIndex:
        """Load what ``save`` wrote, checked against the manifest's ``dim`` and the ids.

        Raises IndexArtifactError naming the file for anything unreadable or inconsistent
        (pickled arrays are refused: np.load runs no pickle). dim: the manifest's (default: the
        vectors').
        """
        index = cls(**params)
        # Mapped, not read: only its header is checked here; the rows are FAISS's (vectors_).
        vectors = _array(folder / "vectors.npy", mapped=True)
        owners = _array(folder / "owners.npy")
        if dim is None:
            dim = int(vectors.shape[-1]) if vectors.ndim else 0
        if vectors.ndim != 2 or vectors.dtype != np.float32 or vectors.shape[1] != dim:
            _bad(
                folder / "vectors.npy",
                f"holds {vectors.dtype} {vectors.shape}, not (rows, {dim}) float32",
            )
        if owners.shape != (len(vectors),) or owners.dtype != np.int64:
            _bad(
                folder / "owners.npy",
                f"holds {owners.dtype} {owners.shape}, not ({len(vectors)},) int64",
            )
        if len(owners) and (np.any(np.diff(owners) < 0) or owners[0] < 0 or owners[-1] >= len(ids)):
            _bad(folder / "owners.npy", f"rows are not grouped by owner in 0..{len(ids) - 1}")
        path = folder / "dense.faiss"
        try:
            faiss_index = faiss.read_index(str(path))
        except (RuntimeError, OSError, MemoryError) as exc:
            _bad(path, f"unreadable by FAISS ({str(exc).splitlines()[0] if str(exc) else exc!r})")
        if faiss_index.d != dim or faiss_index.ntotal != len(vectors):
            _bad(
                path,
                f"holds {faiss_index.ntotal} vectors of dimension {faiss_index.d}, "
                f"the manifest {len(vectors)} of dimension {dim}",
            )
        del vectors
        index.owners_, index.index_ = owners, faiss_index
        index.ids_ = list(ids)
        index._starts()
        return index


def _bad(path: Path, why: str) -> NoReturn:
    raise IndexArtifactError(f"{path}: {why}; {REBUILD}")


class _Rows:
    """FAISS's float storage as a numpy array interface that keeps its index alive: an array
    made from it (and every view of that array) holds the index, so the memory cannot be freed
    under a caller that kept the rows."""

    def __init__(self, index: Any, address: int, shape: tuple[int, int]) -> None:
        self.index = index
        self.__array_interface__ = {
            "data": (address, True),  # read-only: a write would change the index's rows
            "shape": shape,
            "typestr": "<f4",
            "version": 3,
        }


def faiss_rows(index: Any) -> npt.NDArray[np.float32]:
    """The float32 rows a flat or HNSW-flat FAISS index stores, without a copy."""
    storage = faiss.downcast_index(index.storage) if hasattr(index, "storage") else index
    n, d = int(storage.ntotal), int(storage.d)
    if n == 0:
        return np.zeros((0, d), dtype=np.float32)
    flat = faiss.rev_swig_ptr(storage.get_xb(), n * d)
    address = int(flat.__array_interface__["data"][0])
    return np.asarray(_Rows(index, address, (n, d)))


def _array(path: Path, mapped: bool = False) -> npt.NDArray[Any]:
    """A saved array, never unpickled (``mapped``: memory-mapped, its pages read on use)."""
    try:
        array: npt.NDArray[Any] = np.load(
            path, allow_pickle=False, mmap_mode="r" if mapped else None
        )
    except (OSError, ValueError, EOFError) as exc:
        _bad(path, f"not a plain .npy array ({exc})")
    if not isinstance(array, np.ndarray):
        _bad(path, "not a single .npy array")
    return array
