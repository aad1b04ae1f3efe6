"""The workspace's learned ranker: train it from the stored feedback, show what is active, roll
back. The store-facing part of matcher.learn (learn sits below the store in the layers)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from matcher.engine import Engine, requirement_filters
from matcher.learn import (
    Buyer,
    CandidateTable,
    Outcome,
    TrainOptions,
    TrainReport,
    candidate_table,
    train,
)
from matcher.normalise import NormalisedSupplier, normalise_requirement
from matcher.retrieve import HybridRetriever
from matcher.schemas import Requirement
from matcher.services.index import SearchIndex
from matcher.store import Workspace

PAGE = 1000


def candidate_tables(
    engine: Engine,
    retriever: HybridRetriever,
    suppliers: Sequence[NormalisedSupplier],
    requirements: Sequence[Requirement],
    hard_filters: Collection[str],
    depth: int | None = None,
) -> dict[str, CandidateTable]:
    """Each requirement's retrieved candidates (its hard filters applied) as the learned ranker
    reads them, over an Engine or a live-index snapshot (its engine, retriever and suppliers)."""
    # Requests that differ only in who asks (id, buyer's country in ``extra``) share their
    # candidates: retrieved and scored once, then seen as each buyer's (CandidateTable.as_buyer).
    distinct: dict[str, Requirement] = {}
    for r in requirements:
        distinct.setdefault(_asked(r), r)
    normalised = [
        normalise_requirement(r, engine.taxonomy, engine.lexicon) for r in distinct.values()
    ]
    vectors = engine.encoder.encode_requirements(
        [r.text for r in normalised], batch_size=engine.settings.embed.batch_size
    )
    depth = depth or engine.settings.retrieve.candidates
    shared = {}
    for key, req, vector in zip(distinct, normalised, vectors, strict=True):
        filters = requirement_filters(req.requirement, hard_filters)
        candidates = retriever.retrieve(
            vector, req.lexical_text, filters, depth, req.translated_text
        )[:depth]
        shared[key] = candidate_table(engine.ranker, req, suppliers, candidates)
    return {
        r.requirement_id: shared[_asked(r)].as_buyer(r.requirement_id, Buyer.of(r))
        for r in requirements
    }


def _asked(requirement: Requirement) -> str:
    """What a requirement asks, without who asks it (what its candidates depend on)."""
    return requirement.model_dump_json(exclude={"requirement_id", "buyer_id", "extra"})


def engine_tables(
    engine: Engine, requirements: Sequence[Requirement], depth: int | None = None
) -> dict[str, CandidateTable]:
    """``candidate_tables`` over a built Engine under its settings' hard filters."""
    return candidate_tables(
        engine,
        engine.retriever_,
        engine.suppliers_,
        requirements,
        engine.settings.retrieve.requirement_filters,
        depth,
    )


def stored_outcomes(workspace: Workspace) -> list[Outcome]:
    """Every stored outcome that names its requirement (the others cannot be ranked again)."""
    out: list[Outcome] = []
    offset = 0
    while True:
        page, total = workspace.page_feedback(offset, PAGE)
        out.extend(
            Outcome(f.created_at, f.requirement_id, f.supplier_id, f.outcome)
            for f in page
            if f.requirement_id is not None
        )
        offset += len(page)
        if not page or offset >= total:
            return out


def train_ranker(
    workspace: Workspace,
    index: SearchIndex,
    hard_filters: Collection[str],
    options: TrainOptions | None = None,
) -> TrainReport:
    """Train from the workspace's feedback over the index it serves; store the model as the new
    active version when the promotion rule passes; record the attempt either way."""
    outcomes = stored_outcomes(workspace)
    wanted = {o.requirement_id for o in outcomes}
    requirements = [r for r in workspace.requirements() if r.requirement_id in wanted]
    snapshot = index.engine_view(hard_filters).snapshot
    engine = snapshot.engine
    tables = candidate_tables(
        engine, snapshot.retriever, snapshot.suppliers, requirements, hard_filters
    )
    active = workspace.learned_ranker(engine.ranker)
    result = train(engine.ranker, tables, outcomes, active, options)
    if result.model is not None:
        result.model.info = result.report.to_json()
        workspace.save_ranker(result.model)
    workspace.record_ranker_attempt(result.report.to_json())
    return result.report


def ranker_status(workspace: Workspace) -> dict[str, Any]:
    """The active ranker (its version, training window, held-out figures) and the last attempt."""
    return workspace.ranker_status()


def rollback_ranker(workspace: Workspace) -> dict[str, Any]:
    """Make the ranker active before the current one active again (the transparent scorer when
    the first learned version is rolled back); returns the status after."""
    workspace.rollback_ranker()
    return workspace.ranker_status()
