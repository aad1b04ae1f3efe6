"""Exact top-k BM25 with MaxScore pruning against the exhaustive scoring the live index uses,
on a generated register (default 100k suppliers) and the bundled sample's requests: kept as the
record of a measured negative result (issue #13, benchmarks/README.md "BM25: MaxScore").

MaxScore (Turtle & Flood, IP&M 1995), term at a time, exact:
1. each distinct query term's bound is its count in the query times its largest score;
2. the strongest ``--seed`` terms are added up; the exact scores of their best k documents give
   θ, a lower bound of the k-th best score;
3. the weakest terms whose bounds sum to at most ``share`` · θ are non-essential; only the
   others' postings are added; θ is taken again from these fuller sums;
4. a document whose partial sum plus the non-essential bound is below θ cannot be in the top k;
   the rest are scored exactly from a forward index (document → terms), in token order, so that
   every score is the float32 sum ``TermCounts.scores`` gives (checked to the bit here).

Why it loses on this data: a 30-word request has ~50 tokens in the lexical field and ~165 in
the bilingual one, most of them common; a profile has ~415 distinct terms in the bilingual field.
Pruning leaves ~40-60 % of the postings to add, and every document left to score exactly costs
~2.5-3.5 µs of cache misses over its forward list, against ~1.2 ns per posting for the
exhaustive scatter, which streams its postings. ``--share`` / ``--seed`` trade one for the other.

Usage: python benchmarks/bm25_maxscore.py [--size 100000] [--k 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import cast

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.api_search import generate_register, sample_queries  # noqa: E402
from matcher.config import Settings  # noqa: E402
from matcher.engine import Engine, search_requirement  # noqa: E402
from matcher.lexical import TermCounts, bm25_idf, tokenize  # noqa: E402
from matcher.live.segments import lexical_tokens, translated_tokens  # noqa: E402
from matcher.normalise import normalise_requirement, normalise_supplier  # noqa: E402
from matcher.retrieve import _top_positive  # noqa: E402

Mask = npt.NDArray[np.bool_]
MARGIN = 1e-4  # relative slack of the pruning tests (see the module's docstring)
SEED_TERMS = 4  # the strongest terms added before θ is taken
SHARE = 0.3  # the non-essential terms' bounds may sum to this share of θ


@dataclass(frozen=True)
class Forward:
    """The postings transposed: document d's terms are ``terms[indptr[d]:indptr[d+1]]``, with
    their raw frequencies in ``tf``."""

    indptr: npt.NDArray[np.int64]
    terms: npt.NDArray[np.int32]
    tf: npt.NDArray[np.float32]

    @classmethod
    def of(
        cls,
        docs: npt.NDArray[np.integer],
        term_indptr: npt.NDArray[np.int64],
        tf: npt.NDArray[np.float32],
        n_docs: int,
    ) -> Forward:
        by_doc = np.argsort(docs, kind="stable")  # postings are term-major: terms stay sorted
        terms = np.repeat(np.arange(len(term_indptr) - 1, dtype=np.int32), np.diff(term_indptr))
        counts = np.bincount(docs, minlength=n_docs)
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return cls(indptr, terms[by_doc], tf[by_doc])


@dataclass(frozen=True)
class Term:
    """One distinct query term: its postings, their scores under the query's statistics, its
    idf and how often the query repeats it."""

    term: int  # the term's id in its TermCounts
    docs: npt.NDArray[np.int32]
    impacts: npt.NDArray[np.float32]
    largest: float  # max(impacts)
    idf: float
    count: int


class Query:
    """A tokenised query against one segment: ``terms`` distinct, ``tokens`` the distinct term of
    each token in the query's order (repeats included, as bm25s adds them)."""

    def __init__(
        self, terms: Sequence[Term], tokens: Sequence[int], norms: npt.NDArray[np.float64]
    ) -> None:
        self.terms = list(terms)
        self.tokens = np.asarray(tokens, dtype=np.int64)
        self.norms = norms

    def exact(self, forward: Forward, vocab: int, positions: npt.NDArray[np.int64]) -> Scores:
        """The exact float32 BM25 score of each position (what TermCounts.scores gives it)."""
        keys, slots = _table([t.term for t in self.terms])
        idf = np.array([t.idf for t in self.terms], dtype=np.float64)
        out = np.zeros(len(positions), dtype=np.float32)
        if len(positions) and len(self.terms):
            _kernels()[1](
                out,
                np.asarray(positions, dtype=np.int64),
                forward.indptr,
                forward.terms,
                forward.tf,
                self.norms,
                keys,
                slots,
                idf,
                self.tokens,
                np.zeros(len(self.terms), dtype=np.float32),
            )
        return out


Scores = npt.NDArray[np.float32]


def top_k(
    query: Query,
    forward: Forward,
    vocab: int,
    n_docs: int,
    k: int,
    allowed: Mask | None = None,
    share: float = SHARE,
    seed_terms: int = SEED_TERMS,
) -> tuple[npt.NDArray[np.int64], Scores]:
    """Every document that can be among the ``k`` best allowed ones with a positive score, and
    its exact score; a superset of the top ``k`` (ties at the cut included), in no order.

    The caller orders them (score, then its tie key) and cuts at ``k``.
    """
    terms = sorted(query.terms, key=lambda t: -t.count * t.largest)
    bounds = np.array([t.count * t.largest for t in terms], dtype=np.float64)
    acc = np.zeros(n_docs, dtype=np.float32)
    add = _kernels()[0]
    seed = min(seed_terms, len(terms))
    for t in terms[:seed]:
        add(acc, t.docs, t.impacts, np.float32(t.count))
    theta = _theta(query, forward, vocab, acc, k, allowed)
    # The weakest terms whose bounds sum to at most share · θ are left out of the sums.
    weakest = np.cumsum(bounds[::-1])
    dropped = int(np.searchsorted(weakest, share * theta, side="right"))
    dropped = min(dropped, len(terms) - seed)
    essential = len(terms) - dropped
    for t in terms[seed:essential]:
        add(acc, t.docs, t.impacts, np.float32(t.count))
    rest = float(weakest[dropped - 1]) if dropped else 0.0
    # θ again from the fuller sums: higher, so fewer documents are left to score exactly (the
    # terms left out stay valid: their bounds sum to at most share · the lower θ).
    theta = max(theta, _theta(query, forward, vocab, acc, k, allowed))
    keep = acc > 0
    if allowed is not None:
        keep &= allowed
    if theta > 0:
        keep &= acc.astype(np.float64) * (1 + MARGIN) + rest * (1 + MARGIN) >= theta
    positions = np.flatnonzero(keep).astype(np.int64)
    scores = query.exact(forward, vocab, positions)
    positive = scores > 0
    return positions[positive], scores[positive]


def _theta(
    query: Query, forward: Forward, vocab: int, partial: Scores, k: int, allowed: Mask | None
) -> float:
    """The k-th best exact score among the k best allowed documents by ``partial`` (0 when fewer
    than k have a positive partial sum): a lower bound of the k-th best score overall."""
    mask = partial > 0
    if allowed is not None:
        mask &= allowed
    reached = np.flatnonzero(mask)
    if len(reached) < k:
        return 0.0
    best = reached[np.argpartition(-partial[reached], k - 1)[:k]]
    return float(query.exact(forward, vocab, best.astype(np.int64)).min())


def _accumulate(
    acc: npt.NDArray[np.float32],
    docs: npt.NDArray[np.int32],
    impacts: npt.NDArray[np.float32],
    count: np.float32,
) -> None:
    for j in range(len(docs)):
        acc[docs[j]] += count * impacts[j]


_HASH = 2654435761  # Knuth's multiplicative hash (2^32 / golden ratio)


def _table(terms: Sequence[int]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    """An open-addressing table of the query's distinct term ids (-1 empty, at most a quarter
    full, a power of two in size), and each entry's slot: a few KiB that stay in L1 cache while
    the kernel looks up every term of every candidate document."""
    size = 64
    while size < 4 * len(terms):
        size *= 2
    keys = np.full(size, -1, dtype=np.int64)
    slots = np.zeros(size, dtype=np.int32)
    for s, term in enumerate(terms):
        h = (term * _HASH) & (size - 1)
        while keys[h] != -1:
            h = (h + 1) & (size - 1)
        keys[h], slots[h] = term, s
    return keys, slots


def _exact(
    out: npt.NDArray[np.float32],
    positions: npt.NDArray[np.int64],
    indptr: npt.NDArray[np.int64],
    terms: npt.NDArray[np.int32],
    tf: npt.NDArray[np.float32],
    norms: npt.NDArray[np.float64],
    keys: npt.NDArray[np.int64],
    slots: npt.NDArray[np.int32],
    idf: npt.NDArray[np.float64],
    tokens: npt.NDArray[np.int64],
    values: npt.NDArray[np.float32],
) -> None:
    """Each document's query-term scores by the formula of matcher/lexical.py ``_fill``
    (idf · tf / (norm + tf) in float64, rounded to float32), summed in token order from 0 in
    float32 (an absent term adds 0, which changes no float32 sum): bm25s's bits. A document's
    terms are looked up in the query's table (``_table``)."""
    mask = len(keys) - 1
    for i in range(len(positions)):
        d = positions[i]
        values[:] = 0.0
        for p in range(indptr[d], indptr[d + 1]):
            term = np.int64(terms[p])
            h = (term * 2654435761) & mask
            while keys[h] != -1:
                if keys[h] == term:
                    s = slots[h]
                    f = np.float64(tf[p])
                    values[s] = np.float32(idf[s] * (f / (norms[d] + f)))
                    break
                h = (h + 1) & mask
        total = np.float32(0.0)
        for j in range(len(tokens)):
            total += values[tokens[j]]
        out[i] = total


@cache
def _kernels() -> tuple[Callable[..., None], Callable[..., None]]:
    import numba

    jit = numba.njit(cache=False, nogil=True)
    return cast(Callable[..., None], jit(_accumulate)), cast(Callable[..., None], jit(_exact))


# -- the driver ------------------------------------------------------------------------------------
def make_query(counts: TermCounts, text: str) -> tuple[list[str], dict[str, np.float32], float]:
    """Tokens, idf and mean length as the live index scores one segment (SegmentedBM25)."""
    n = len(counts)
    words = tokenize(text)
    idf = {t: bm25_idf(counts.doc_freq(t), n) for t in set(words) if counts.doc_freq(t) > 0}
    return [t for t in words if t in idf], idf, float(counts.lengths.sum()) / n


def prepared(
    counts: TermCounts, tokens: list[str], idf: dict[str, np.float32], avg: float
) -> Query:
    slots: dict[int, int] = {}
    order: list[int] = []
    counts_of: list[int] = []
    words: list[str] = []
    for t in tokens:
        j = counts.vocab[t]
        if j not in slots:
            slots[j] = len(counts_of)
            counts_of.append(0)
            words.append(t)
        counts_of[slots[j]] += 1
        order.append(slots[j])
    terms = []
    for (j, s), word in zip(slots.items(), words, strict=True):
        impacts = counts.impacts(j, idf[word], avg)
        docs = counts.docs[counts.indptr[j] : counts.indptr[j + 1]]
        terms.append(Term(j, docs, impacts, float(impacts.max()), float(idf[word]), counts_of[s]))
    return Query(terms, order, counts.norms(avg))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--k", type=int, default=100, help="the retriever's depth")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    engine = Engine(Settings.for_encoder("hashing"))
    start = time.perf_counter()
    suppliers = [normalise_supplier(s, engine.taxonomy, engine.lexicon)
                 for s in generate_register(args.size)]  # fmt: skip
    fields = {
        "lexical": TermCounts([lexical_tokens(s) for s in suppliers]),
        "bilingual": TermCounts([translated_tokens(s) for s in suppliers]),
    }
    forwards = {name: Forward.of(c.docs, c.indptr, c.tf, len(c)) for name, c in fields.items()}
    print(f"{args.size:,} generated suppliers normalised and indexed in "
          f"{time.perf_counter() - start:.0f} s", flush=True)  # fmt: skip
    queries = []
    for text in sample_queries():
        req = normalise_requirement(search_requirement(text), engine.taxonomy, engine.lexicon)
        queries.append({"lexical": req.lexical_text,
                        "bilingual": f"{req.lexical_text} {req.translated_text}"})  # fmt: skip

    def exhaustive(name: str, text: str) -> tuple[list[int], int]:
        counts = fields[name]
        scores = counts.scores(*make_query(counts, text))
        return _top_positive(scores, args.k), 0

    def pruned(share: float, seed: int) -> Callable[[str, str], tuple[list[int], int]]:
        def run(name: str, text: str) -> tuple[list[int], int]:
            counts = fields[name]
            query = prepared(counts, *make_query(counts, text))
            pos, scores = top_k(query, forwards[name], len(counts.vocab), len(counts), args.k,
                                share=share, seed_terms=seed)  # fmt: skip
            ranked = pos[np.lexsort((pos, -scores))][: args.k]
            return [int(p) for p in ranked], len(pos)

        return run

    methods: dict[str, Callable[[str, str], tuple[list[int], int]]] = {"exhaustive": exhaustive}
    for seed in (2, 4):
        for share in (0.3, 0.5, 0.7):
            methods[f"MaxScore seed {seed}, share {share}"] = pruned(share, seed)
    # Every method's top-k equals the exhaustive one, and its scores are the exhaustive bits.
    for q in queries:
        for name, text in q.items():
            expected = exhaustive(name, text)[0]
            for label, method in methods.items():
                assert method(name, text)[0] == expected, (label, name, text)
    rows = []
    for label, method in methods.items():
        times, scored = [], []
        for _ in range(args.rounds):
            for q in queries:
                t = time.perf_counter()
                for name, text in q.items():
                    scored.append(method(name, text)[1])
                times.append(time.perf_counter() - t)
        rows.append((label, statistics.median(times) * 1000, statistics.median(scored)))
    base = rows[0][1]
    print("\n| method | both fields p50 ms | × exhaustive | documents scored exactly (median) |")
    print("|---|---:|---:|---:|")
    for label, ms, scored in rows:
        print(f"| {label} | {ms:.2f} | {ms / base:.2f} | {scored:,.0f} |")
    print(
        f"\n{args.size:,} suppliers, {len(queries)} sample requests (first 30 words), top "
        f"{args.k}, {args.rounds} rounds; every method's lists equal the exhaustive ones."
    )


if __name__ == "__main__":
    main()
