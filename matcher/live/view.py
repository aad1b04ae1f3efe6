"""One snapshot of the live index seen as a built Engine: its taxonomy, its live profiles and
``match`` under a chosen set of hard filters — for consumers written against the Engine (the
tier proposer), so that they read the register the service serves instead of building another.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from matcher.engine import requirement_filters
from matcher.live.snapshot import Snapshot
from matcher.normalise import NormalisedSupplier, Taxonomy, normalise_requirement
from matcher.progress import Reporter, SilentReporter
from matcher.schemas import Match, Requirement


class EngineView:
    """Frozen at one snapshot: edits published after it are not seen by this view."""

    def __init__(self, snapshot: Snapshot, hard_filters: Collection[str]) -> None:
        self.snapshot = snapshot
        self.hard_filters = frozenset(hard_filters)
        self.taxonomy: Taxonomy = snapshot.engine.taxonomy
        n_delta = len(snapshot.suppliers) - snapshot.n_main
        live = np.concatenate([~snapshot.dead, np.ones(n_delta, dtype=bool)])
        # In id order, as a register read from the database is.
        self.suppliers_: list[NormalisedSupplier] = sorted(
            (s for s, alive in zip(snapshot.suppliers, live, strict=True) if alive),
            key=lambda s: s.supplier.supplier_id,
        )

    def match(
        self, requirements: Sequence[Requirement], top_k: int = 10, reporter: Reporter | None = None
    ) -> list[Match]:
        """Ranked suppliers for each requirement, as Engine.match, under this view's filters."""
        reporter = reporter or SilentReporter()
        if not self.suppliers_:
            return []
        engine = self.snapshot.engine
        normalised = [
            normalise_requirement(r, engine.taxonomy, engine.lexicon) for r in requirements
        ]
        distinct = list(dict.fromkeys(r.text for r in normalised))  # each text embedded once
        with reporter.stage("Embedding requirements", len(distinct)) as advance:
            vectors = engine.encoder.encode_requirements(
                distinct, batch_size=engine.settings.embed.batch_size, progress=advance
            )
        row = {text: i for i, text in enumerate(distinct)}
        out: list[Match] = []
        with reporter.stage("Ranking", len(normalised)) as advance:
            for req in normalised:
                vector = vectors[row[req.text]]
                filters = requirement_filters(req.requirement, self.hard_filters)
                out.extend(self.snapshot.rank(req, vector, filters, top_k))
                advance(1)
        return out
