"""Scatter a batch of requirements to the shards, merge their top lists, rank as one process does.

The merge is exact for exact (flat) indexes: every list of one process is a top-N under one
total order (score, then the lower position first: matcher/index.py and matcher/retrieve.py), so
the top-N of the union of each shard's top-N is the global one; BM25 is scored in every shard
under the register's statistics (shard.GlobalStats); reciprocal rank fusion then runs over the
merged lists with matcher.retrieve.rrf_scores, and the ranker over the merged candidates, whose
features it normalises over all of them, exactly as in one process.

``Shards`` is what the driver needs of the shards: local ``Shard`` objects (tests, one process)
or Ray actors (cluster.py) behind the same calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from matcher.config import Settings
from matcher.distributed.shard import Floats, GlobalStats, Hits, Ints, Query, Shard
from matcher.encoders import Encoder
from matcher.engine import Engine, embed_requirements, requirement_filters
from matcher.lexical import tokenize
from matcher.lexicon import Lexicon
from matcher.normalise import (
    NormalisedRequirement,
    NormalisedSupplier,
    Taxonomy,
)
from matcher.progress import Reporter, SilentReporter
from matcher.rank import TransparentRanker
from matcher.retrieve import Candidate, Filters, describe_empty, rrf_scores
from matcher.schemas import Match, Requirement

# Requirements per scatter: bounds what the driver holds (hits and candidate profiles) at once.
BATCH = 256


class Shards(Protocol):
    """Every shard answers the same call; results come back in shard order."""

    def __len__(self) -> int: ...

    def doc_freqs(self, terms: dict[str, list[str]]) -> list[dict[str, Ints]]: ...

    def search(self, queries: list[Query], stats: GlobalStats, depth: int) -> list[list[Hits]]: ...

    def profiles(self, positions: list[Ints]) -> list[list[NormalisedSupplier]]: ...

    def counts(self, filters: Filters) -> list[dict[str, int]]: ...


class LocalShards:
    """Shards held in this process (the reference for the Ray actors, and the tests')."""

    def __init__(self, shards: Sequence[Shard]) -> None:
        self.shards = list(shards)

    def __len__(self) -> int:
        return len(self.shards)

    def doc_freqs(self, terms: dict[str, list[str]]) -> list[dict[str, Ints]]:
        return [s.doc_freqs(terms) for s in self.shards]

    def search(self, queries: list[Query], stats: GlobalStats, depth: int) -> list[list[Hits]]:
        return [s.search(queries, stats, depth) for s in self.shards]

    def profiles(self, positions: list[Ints]) -> list[list[NormalisedSupplier]]:
        return [s.profiles(p) for s, p in zip(self.shards, positions, strict=True)]

    def counts(self, filters: Filters) -> list[dict[str, int]]:
        return [s.counts(filters) for s in self.shards]


class Scatter:
    """The driver of a sharded register: embeds requirements, asks the shards, ranks."""

    def __init__(
        self,
        shards: Shards,
        settings: Settings,
        encoder: Encoder,
        taxonomy: Taxonomy,
        lexicon: Lexicon | None,
        ranker: TransparentRanker,
        register: dict[str, Any],
    ) -> None:
        self.shards = shards
        self.settings = settings
        self.encoder = encoder
        self.taxonomy = taxonomy
        self.lexicon = lexicon
        self.ranker = ranker
        self.n_docs = int(register["count"])
        self.lengths: dict[str, int] = dict(register["lengths"])
        self.bilingual = bool(register["bilingual"])

    @classmethod
    def over(cls, shards: Shards, engine: Engine, register: dict[str, Any]) -> Scatter:
        """The driver of ``shards`` with ``engine``'s settings, encoder, taxonomy and ranker."""
        return cls(
            shards,
            engine.settings,
            engine.encoder,
            engine.taxonomy,
            engine.lexicon,
            engine.ranker,
            register,
        )

    def match(
        self, requirements: Sequence[Requirement], top_k: int = 10, reporter: Reporter | None = None
    ) -> list[Match]:
        """What Engine.match gives for the same register, requirement by requirement."""
        reporter = reporter or SilentReporter()
        embedded = embed_requirements(
            requirements, self.taxonomy, self.lexicon, self.encoder, self.settings, reporter
        )
        depth = max(top_k, self.settings.retrieve.candidates)
        out: list[Match] = []
        with reporter.stage("Ranking on the shards", len(embedded)) as advance:
            for start in range(0, len(embedded), BATCH):
                pairs = embedded[start : start + BATCH]
                batch = [r for r, _ in pairs]
                queries = [self._query(r, vector) for r, vector in pairs]
                out.extend(self._rank_batch(batch, queries, depth, top_k))
                advance(len(batch))
        return out

    def _query(self, req: NormalisedRequirement, vector: Floats) -> Query:
        tokens = {"lexical": tokenize(req.lexical_text)}
        if self.bilingual and req.translated_text:
            # The bilingual field: query and profiles each carry their terms in both languages.
            tokens["translated"] = tokenize(f"{req.lexical_text} {req.translated_text}")
        filters = requirement_filters(req.requirement, self.settings.retrieve.requirement_filters)
        return Query(np.asarray(vector, dtype=np.float32), tokens, filters)

    def stats(self, queries: Sequence[Query]) -> GlobalStats:
        """The register's BM25 statistics for the batch's terms: each shard's counts, summed."""
        terms: dict[str, list[str]] = {}
        for name in self.lengths:
            terms[name] = sorted({t for q in queries for t in q.tokens.get(name, ())})
        freqs = self.shards.doc_freqs(terms)
        return GlobalStats.from_shards(self.n_docs, self.lengths, terms, freqs)

    def _rank_batch(
        self,
        batch: Sequence[NormalisedRequirement],
        queries: list[Query],
        depth: int,
        top_k: int,
    ) -> list[Match]:
        per_shard = self.shards.search(queries, self.stats(queries), depth)
        merged = [
            merge([hits[q] for hits in per_shard], depth, self.settings.retrieve.rrf_k)
            for q in range(len(queries))
        ]
        # Every candidate's profile, fetched once per batch from the shard that holds it.
        wanted: list[set[int]] = [set() for _ in range(len(self.shards))]
        for candidates, owner in merged:
            for c in candidates:
                wanted[owner[c.position]].add(c.position)
        asked = [np.array(sorted(w), dtype=np.int64) for w in wanted]
        profiles: dict[int, NormalisedSupplier] = {}
        for positions, found in zip(asked, self.shards.profiles(asked), strict=True):
            profiles.update(zip(positions.tolist(), found, strict=True))
        out: list[Match] = []
        for req, (candidates, _) in zip(batch, merged, strict=True):
            mine = [profiles[c.position] for c in candidates]
            local = [c._replace(position=i) for i, c in enumerate(candidates)]
            out.extend(self.ranker.rank(req, mine, local, top_k))
        return out

    def why_empty(self, requirement: Requirement) -> str:
        """Which hard filter left a requirement without a qualifying supplier (Engine.why_empty)."""
        filters = requirement_filters(requirement, self.settings.retrieve.requirement_filters)
        totals: dict[str, int] = {}
        for counts in self.shards.counts(filters):
            for name, n in counts.items():
                totals[name] = totals.get(name, 0) + n
        return describe_empty(totals, self.n_docs)


def merge(hits: Sequence[Hits], depth: int, rrf_k: int) -> tuple[list[Candidate], dict[int, int]]:
    """One requirement's candidates from every shard's hits (in shard order), as
    HybridRetriever.retrieve gives them over the whole register; and each candidate's shard."""
    lists: list[list[int]] = []
    for name in ("dense", "lexical", "translated"):
        parts = [h.lists[name] for h in hits if name in h.lists]
        if not parts:
            continue
        scores = np.concatenate([s for s, _ in parts])
        positions = np.concatenate([p for _, p in parts])
        order = np.lexsort((positions, -scores))[:depth]  # best first, ties to the lower position
        lists.append(positions[order].tolist())
    fused = rrf_scores(lists, k=rrf_k)
    best = len(lists) / (rrf_k + 1)
    dense_rank = {p: r for r, p in enumerate(lists[0], start=1)} if lists else {}
    lexical_rank = {p: r for r, p in enumerate(lists[1], start=1)} if len(lists) > 1 else {}
    values: dict[int, tuple[float, float, float]] = {}
    owner: dict[int, int] = {}
    for shard, h in enumerate(hits):
        for p, cos, lex, tr in zip(
            h.positions.tolist(),
            h.cosine.tolist(),
            h.lexical.tolist(),
            h.translated.tolist(),
            strict=True,
        ):
            values[p] = (cos, lex, tr)
            owner[p] = shard
    out = [
        Candidate(
            position=p,
            dense=values[p][0],
            lexical=values[p][1],
            dense_rank=dense_rank.get(p),
            lexical_rank=lexical_rank.get(p),
            rrf=fused[p] / best,
            translated=values[p][2],
        )
        for p in fused
    ]
    out.sort(key=lambda c: (-c.rrf, c.position))
    return out, owner
