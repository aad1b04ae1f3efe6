"""One immutable state of the live index: main segment, delta segment, tombstones; what a
search reads from start to end without a lock."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from matcher.encoders import Vectors
from matcher.engine import Engine
from matcher.index import Mask
from matcher.learn import Ranker
from matcher.live.segments import (
    NO_DEAD,
    DeadStats,
    Order,
    Segment,
    SegmentedBM25,
    SegmentedDense,
    SegmentedMasks,
    TwoPass,
)
from matcher.normalise import (
    NormalisedRequirement,
    NormalisedSupplier,
)
from matcher.retrieve import Filters, HybridRetriever
from matcher.schemas import Match, Supplier

# From this many live suppliers a search runs its dense half on a second thread beside BM25
# (HybridRetriever's ``overlap``): each takes milliseconds there, the hand-off ~0.05 ms.
OVERLAP_FROM = 20_000


# -- snapshot --------------------------------------------------------------------------------------
def _id_order(ids: Sequence[str]) -> tuple[npt.NDArray[np.str_], Order]:
    """Sorted ids, and each row's sort key 2·rank (delta rows slot in at the odd keys)."""
    array = np.asarray(ids, dtype=np.str_)
    ranks = np.empty(len(ids), dtype=np.float64)
    ranks[np.argsort(array, kind="stable")] = np.arange(len(ids), dtype=np.float64)
    return np.sort(array), 2 * ranks


class Snapshot:
    """One immutable state of the index: main segment, delta segment, tombstones.

    Never mutated after construction: readers hold a reference for the length of one search.
    """

    def __init__(
        self,
        engine: Engine,
        version: str | None,
        main: Segment | None,
        delta: Segment | None,
        dead: Mask,
        dead_stats: tuple[DeadStats, DeadStats],
        main_order: tuple[npt.NDArray[np.str_], Order],
    ) -> None:
        self.engine, self.version, self.main, self.delta = engine, version, main, delta
        self.dead, self.dead_stats, self.main_order = dead, dead_stats, main_order
        n_main, n_delta = len(dead), len(delta) if delta is not None else 0
        self.n_main = n_main
        self.size = n_main - int(dead.sum()) + n_delta
        self.edits = int(dead.sum()) + n_delta
        self.suppliers: list[NormalisedSupplier] = [
            *(main.suppliers if main is not None else []),
            *(delta.suppliers if delta is not None else []),
        ]
        order = np.concatenate([main_order[1], self._delta_order()])
        live = np.concatenate([~dead, np.ones(n_delta, dtype=bool)])
        settings = engine.settings.retrieve
        bilingual = engine.lexicon is not None
        two_pass = TwoPass(
            settings.lexical_two_pass_from,
            settings.lexical_two_pass_common,
            settings.lexical_two_pass_pool,
        )
        self.retriever = HybridRetriever(
            SegmentedDense(
                main.dense if main is not None else None,
                delta.dense if delta is not None else None,
                dead,
                order,
            ),
            SegmentedBM25(
                main.lexical if main is not None else None,
                delta.lexical if delta is not None else None,
                dead,
                dead_stats[0],
                two_pass,
            ),
            SegmentedMasks(
                main.masks if main is not None else None,
                delta.masks if delta is not None else None,
                live,
            ),
            candidates=settings.candidates,
            rrf_k=settings.rrf_k,
            translated=SegmentedBM25(
                main.translated if main is not None else None,
                delta.translated if delta is not None else None,
                dead,
                dead_stats[1],
                two_pass,
            )
            if bilingual
            else None,
            order=order,
            overlap=self.size >= OVERLAP_FROM,
        )

    @classmethod
    def build(cls, engine: Engine, version: str | None, main: Segment | None) -> Snapshot:
        n = len(main) if main is not None else 0
        ids = [s.supplier.supplier_id for s in main.suppliers] if main is not None else []
        return cls(
            engine,
            version,
            main,
            None,
            np.zeros(n, dtype=bool),
            (NO_DEAD, NO_DEAD),
            _id_order(ids),
        )

    def _delta_order(self) -> Order:
        # Key between the main rows' even keys 2·rank: a delta id sorting before main rank i gets
        # a key in (2i − 1, 2i), ordered among such delta ids by the id itself.
        if self.delta is None:
            return np.zeros(0, dtype=np.float64)
        ids = np.asarray([s.supplier.supplier_id for s in self.delta.suppliers], dtype=np.str_)
        by_id = np.argsort(ids, kind="stable")
        slots = np.searchsorted(self.main_order[0], ids[by_id], side="left")
        keys = np.empty(len(ids), dtype=np.float64)
        keys[by_id] = 2 * slots - 1 + (np.arange(len(ids)) + 1) / (len(ids) + 1)
        return keys

    def supplier(self, supplier_id: str) -> Supplier | None:
        """The live profile of a supplier, None if absent or deleted."""
        if self.delta is not None and supplier_id in self.delta.position:
            return self.delta.suppliers[self.delta.position[supplier_id]].supplier
        if self.main is not None:
            p = self.main.position.get(supplier_id)
            if p is not None and not self.dead[p]:
                return self.main.suppliers[p].supplier
        return None

    def rank(
        self,
        req: NormalisedRequirement,
        vector: Vectors,
        filters: Filters,
        top_k: int,
        ranker: Ranker | None = None,
    ) -> list[Match]:
        """``ranker``: the workspace's learned ranker when one is active, else the engine's."""
        candidates = self.retriever.retrieve(
            vector, req.lexical_text, filters, top_k, req.translated_text
        )
        return (ranker or self.engine.ranker).rank(req, self.suppliers, candidates, top_k)
