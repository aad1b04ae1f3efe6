"""Lexical index: BM25 (bm25s) over accent-folded words and syllable bigrams.

Vietnamese writes one syllable per token ("dập kim loại"), so single syllables are weak evidence;
adjacent-syllable bigrams ("dap_kim", "kim_loai") give BM25 the compound words back without a
word segmenter. Folding accents lets "dap" match text typed without diacritics.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from itertools import chain, pairwise
from pathlib import Path
from typing import Any, NamedTuple, NoReturn, cast

import bm25s
import numpy as np
import numpy.typing as npt

from matcher.artifacts import REBUILD
from matcher.errors import IndexArtifactError
from matcher.normalise import fold

_TOKEN = re.compile(r"[a-z0-9]+")
# fmt: off
_STOP = frozenset([  # English and Vietnamese (accent-folded) function words
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "of", "on", "or",
    "our", "the", "to", "we", "with", "will", "va", "cac", "cua", "cho", "voi", "la", "co",
    "duoc", "nhung", "mot", "tai", "tu", "trong", "nay", "do", "de", "khi", "den"
])
# fmt: on


def tokenize(text: str) -> list[str]:
    """Folded word tokens (stop words dropped) plus bigrams of adjacent kept tokens."""
    words = [
        w for w in _TOKEN.findall(fold(text)) if w not in _STOP and (len(w) > 1 or w.isdigit())
    ]
    return words + [f"{a}_{b}" for a, b in pairwise(words)]


_NO_WORDS = "\x00"  # never a token: _TOKEN matches word characters only

# The files bm25s writes for an index without a corpus; load opens these only ("lucene" needs no
# non-occurrence array).
PARAMS, VOCAB = "params.index.json", "vocab.index.json"
SCORES = ("data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy")


class LexicalIndex:
    """BM25 over the suppliers' lexical texts; positions align with the dense index."""

    FILES = (PARAMS, VOCAB, *SCORES)  # what save writes and load opens

    def build(self, texts: list[str], ids: list[str]) -> LexicalIndex:
        self.ids_ = list(ids)
        self.bm25_ = bm25s.BM25()
        corpus = [tokenize(t) for t in texts]
        # The raw counts of the same tokens, for an index that scores under statistics of its own
        # (matcher/live/ reads them instead of tokenising every profile a second time).
        self.counts_: TermCounts | None = TermCounts(corpus)
        if corpus and not any(corpus):
            # bm25s cannot index a corpus without a single word ("max() arg is an empty
            # sequence"); profiles like "x" have none. A term tokenize never yields gives it a
            # vocabulary, and no query can match it, so every score stays 0.
            corpus[0] = [_NO_WORDS]
        self.bm25_.index(corpus, show_progress=False)
        self._vocab = set(self.bm25_.vocab_dict)
        return self

    def scores(self, query: str) -> npt.NDArray[np.float32]:
        """BM25 score of every supplier for the query (0 where no term matches)."""
        tokens = [t for t in tokenize(query) if t in self._vocab]
        if not tokens:
            return np.zeros(len(self.ids_), dtype=np.float32)
        return np.asarray(self.bm25_.get_scores(tokens), dtype=np.float32)

    def search(
        self, query: str, k: int, allowed: npt.NDArray[np.bool_] | None = None
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        """Top-k (scores, positions) with score > 0, filtered by ``allowed``."""
        scores = self.scores(query)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0).astype(np.float32)
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > k:
            top = np.argpartition(-scores[candidates], k - 1)[:k]
            candidates = candidates[top]
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
        return scores[order], order.astype(np.int64)

    def save(self, folder: Path) -> None:
        self.bm25_.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, ids: list[str]) -> LexicalIndex:
        """Load what ``save`` wrote, checked against the ids (one BM25 document each).

        Raises IndexArtifactError naming the file for anything unreadable or inconsistent.
        """
        params = _json_object(folder / PARAMS)
        if params.get("method") != "lucene" or params.get("num_docs") != len(ids):
            _bad(
                folder / PARAMS,
                f"method {params.get('method')!r} over {params.get('num_docs')!r} documents, "
                f"expected 'lucene' over {len(ids)}",
            )
        vocab = _json_object(folder / VOCAB)
        codes = sorted(vocab.values()) if all(type(v) is int for v in vocab.values()) else None
        if codes != list(range(len(vocab))):
            _bad(folder / VOCAB, "not a map of terms to the numbers 0..n-1")
        try:
            bm25 = bm25s.BM25.load(str(folder), show_progress=False, allow_pickle=False)
        except (OSError, ValueError, TypeError, KeyError) as exc:
            _bad(folder, f"BM25 index unreadable ({exc})")
        data, indices, indptr = (bm25.scores[k] for k in ("data", "indices", "indptr"))
        if (
            not all(isinstance(a, np.ndarray) and a.ndim == 1 for a in (data, indices, indptr))
            or len(data) != len(indices)
            or not 1 <= len(indptr) <= len(vocab) + 1
            or indptr[0] != 0
            or indptr[-1] != len(data)
            or np.any(np.diff(indptr) < 0)
            or (len(indices) and (indices.min() < 0 or indices.max() >= len(ids)))
        ):
            _bad(folder / SCORES[2], "BM25 score matrix is inconsistent with the vocabulary")
        index = cls()
        index.ids_ = list(ids)
        index.bm25_ = bm25
        index.counts_ = None  # not saved: matcher/live/ tokenises the loaded profiles
        index._vocab = set(bm25.vocab_dict)
        return index


def _bad(path: Path, why: str) -> NoReturn:
    raise IndexArtifactError(f"{path}: {why}; {REBUILD}")


def _json_object(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        _bad(path, f"not valid JSON ({exc})")
    if not isinstance(value, dict):
        _bad(path, "not a JSON object")
    return value


# -- BM25 under caller-supplied corpus statistics (for a segmented, incrementally edited index) --
# bm25s's defaults, which LexicalIndex uses: method "lucene", k1 = 1.5, b = 0.75.
BM25_K1 = 1.5
BM25_B = 0.75


def bm25_idf(df: int, n_docs: int) -> np.float32:
    """Lucene's BM25 idf, log(1 + (N − df + 0.5) / (df + 0.5)), as bm25s stores it (float32).

    Kamphuis, de Vries, Boytsov & Lin, "Which BM25 do you mean?", ECIR 2020.
    """
    return np.float32(math.log(1 + (n_docs - df + 0.5) / (df + 0.5)))


class TermCounts:
    """Raw term frequencies of one segment's documents, a column of postings per term.

    bm25s bakes the corpus statistics (document count, document frequencies, mean length) into
    the scores it stores, so a segment indexed on its own would score under its own IDF. Keeping
    raw frequencies lets a segmented index (matcher/live/) score every segment under the
    statistics of the whole live register, and get the float32 scores bm25s gives for that
    register indexed at once: the same operations in the same order.
    """

    def __init__(self, token_lists: Sequence[Sequence[str]]) -> None:
        n = max(len(token_lists), 1)
        lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
        # Term ids in first-seen order; map and chain keep the per-token work in C.
        vocab = {t: i for i, t in enumerate(dict.fromkeys(chain.from_iterable(token_lists)))}
        terms = np.fromiter(
            map(vocab.__getitem__, chain.from_iterable(token_lists)),
            dtype=np.int64,
            count=int(lengths.sum()),
        )
        docs = np.repeat(np.arange(len(token_lists), dtype=np.int64), lengths)
        # One key per (term, doc) pair, sorted term-major: postings come out grouped by term.
        keys, counts = np.unique(terms * n + docs, return_counts=True)
        pair_terms = keys // n
        self.vocab = vocab
        self.lengths = lengths
        self.docs = keys % n
        self.tf = counts.astype(np.float32)
        self.indptr = np.searchsorted(pair_terms, np.arange(len(vocab) + 1)).astype(np.int64)
        self.df = np.diff(self.indptr)

    def __len__(self) -> int:
        return len(self.lengths)

    def doc_freq(self, term: str) -> int:
        j = self.vocab.get(term)
        return 0 if j is None else int(self.df[j])

    def scores(
        self, tokens: Sequence[str], idf: Mapping[str, np.float32], avg_length: float
    ) -> npt.NDArray[np.float32]:
        """BM25 (Lucene) of every document for the query tokens (repeats count, as in bm25s).

        Token after token in the query's order, each adding its float32 term score to the
        documents of its postings (bm25s's order, so the float32 sums are its sums). A term's
        scores under the current statistics are kept (``impacts``), so a term seen in an earlier
        query costs one pass of additions, not a division per posting."""
        out = np.zeros(len(self.lengths), dtype=np.float32)
        add = _kernels().add
        for t in tokens:
            j = self.vocab.get(t)
            if j is not None:
                add(
                    out,
                    self.docs[self.indptr[j] : self.indptr[j + 1]],
                    self.impacts(j, idf[t], avg_length),
                )
        return out

    def common_terms(self, min_df: int) -> CommonTerms:
        """The terms of more than ``min_df`` documents as a dense table (see CommonTerms); built
        once per threshold and kept (the segment's counts never change)."""
        cached: CommonTerms | None = self.__dict__.get("_common")
        if cached is None or cached.min_df != min_df:
            cached = self._common = CommonTerms(self, min_df)
        return cached

    def impacts(self, term: int, idf: np.float32, avg_length: float) -> npt.NDArray[np.float32]:
        """The term's BM25 score in each document of its postings, float32 as bm25s stores it:
        idf · tf / (norm + tf) in float64, rounded once. Computed once per (idf, mean length)
        and kept in a bounded LRU (an edit changes both, and with them every score)."""
        memo: _ImpactMemo | None = self.__dict__.get("_impact_memo")
        if memo is None:
            # At most one float32 per posting, as bm25s's own stored scores: the memo can hold
            # every term at once, so a cycle of queries never evicts what the next one needs.
            memo = self.__dict__.setdefault("_impact_memo", _ImpactMemo(max(len(self.docs), 1)))
        key = (term, float(idf), avg_length)
        found = memo.get(key)
        if found is not None:
            return found
        start, end = int(self.indptr[term]), int(self.indptr[term + 1])
        values = np.empty(end - start, dtype=np.float32)
        _kernels().fill(
            values,
            self.docs[start:end],
            self.tf[start:end],
            np.array([0, end - start], dtype=np.int64),
            self.norms(avg_length),
            np.zeros(1, dtype=np.int64),
            np.array([idf], dtype=np.float32),
        )
        memo.put(key, values)
        return values

    def norms(self, avg_length: float) -> npt.NDArray[np.float64]:
        """Each document's k1·(1 − b + b·length / mean length), as bm25s computes it; kept for
        the last mean length asked (an edit changes it)."""
        cached: tuple[float, npt.NDArray[np.float64]] | None = self.__dict__.get("_norms_at")
        if cached is not None and cached[0] == avg_length:
            return cached[1]
        norms = np.asarray(
            BM25_K1 * ((1 - BM25_B) + BM25_B * self.lengths / avg_length), dtype=np.float64
        )
        self._norms_at = (avg_length, norms)
        return norms


class CommonTerms:
    """A segment's common terms (more than ``min_df`` documents each) as a dense document × term
    table of their frequencies, for the second pass of a two-pass BM25 (matcher/live/segments.py).

    The first pass scores every document with the query's other terms, whose postings are a
    fraction of the whole (on the generated 100k register, the terms of more than a fifth of the
    documents are 2 % of the vocabulary and 36-40 % of the postings, and 70-80 % of a request's);
    this table then adds the common terms to a shortlist only: a row per document, so a
    shortlisted document costs one short read instead of a search in every long posting list
    (the galloping search that was tried first cost ~60 ns a (document, term) pair in cache
    misses, more than the pass it saved).
    """

    def __init__(self, counts: TermCounts, min_df: int) -> None:
        self.min_df = min_df
        common = np.flatnonzero(counts.df > min_df)
        terms = list(counts.vocab)  # term ids are the vocabulary's insertion order
        self.column = {terms[j]: c for c, j in enumerate(common.tolist())}
        spans = [(int(counts.indptr[j]), int(counts.indptr[j + 1])) for j in common]
        top = max((float(counts.tf[a:b].max()) for a, b in spans if b > a), default=0.0)
        dtype = np.uint8 if top <= 255 else np.uint16 if top <= 65535 else np.float32
        self.table = np.zeros((len(counts), len(common)), dtype=dtype)
        for c, (a, b) in enumerate(spans):
            self.table[counts.docs[a:b], c] = counts.tf[a:b]

    def add_to(
        self,
        out: npt.NDArray[np.float32],
        positions: npt.NDArray[np.int64],
        tokens: Sequence[str],
        idf: Mapping[str, np.float32],
        norms: npt.NDArray[np.float64],
    ) -> None:
        """Add the common ``tokens``' BM25 term scores at ``positions`` to ``out`` (in place),
        token after token in the query's order (repeats count, as in ``TermCounts.scores``)."""
        columns = np.fromiter((self.column[t] for t in tokens), dtype=np.int64, count=len(tokens))
        weights = np.fromiter((idf[t] for t in tokens), dtype=np.float32, count=len(tokens))
        if len(columns) and len(positions):
            _kernels().add_common(out, positions, self.table, columns, weights, norms)


class ImpactTable:
    """One segment's BM25 term scores under one fixed set of statistics (each term's idf, the
    mean length): a float32 per posting, filled term by term the first time a query needs it.

    A live snapshot's statistics never change (matcher/live/segments.py keeps a table per
    snapshot and field), so a term's scores are computed once per snapshot, and a query's whole
    first pass is one kernel call over its tokens' postings, where ``TermCounts.scores`` makes a
    memo lookup and a kernel call per token (~125 a search at 100k, ~2 ms of Python in all).
    Same formula and same additions in the same order: the scores are ``TermCounts.scores``'s,
    to the bit. Pages of ``values`` are touched only as terms fill them.
    """

    def __init__(self, counts: TermCounts, avg_length: float) -> None:
        self.counts = counts
        self.norms = counts.norms(avg_length)
        self.values = np.empty(len(counts.docs), dtype=np.float32)
        self.ready = np.zeros(len(counts.vocab), dtype=bool)
        self._lock = threading.Lock()

    def scores(
        self,
        tokens: Sequence[str],
        idf: Mapping[str, np.float32],
        out: npt.NDArray[np.float32] | None = None,
    ) -> npt.NDArray[np.float32]:
        """BM25 of every document for ``tokens`` (repeats count; tokens outside this segment's
        vocabulary add nothing), added to ``out`` (zeros when None) in the query's order."""
        vocab = self.counts.vocab
        known = [t for t in tokens if t in vocab]
        terms = np.fromiter(map(vocab.__getitem__, known), dtype=np.int64, count=len(known))
        if out is None:
            out = np.zeros(len(self.counts), dtype=np.float32)
        if not len(terms):
            return out
        missing = np.unique(terms[~self.ready[terms]])
        if len(missing):
            with self._lock:  # one filler per term: a second search waits, then reads
                missing = missing[~self.ready[missing]]
                if len(missing):
                    term_of = {vocab[t]: t for t in known}
                    weights = np.array([idf[term_of[j]] for j in missing.tolist()], np.float32)
                    c = self.counts
                    _kernels().fill(
                        self.values, c.docs, c.tf, c.indptr, self.norms, missing, weights
                    )
                    self.ready[missing] = True
        _kernels().add_terms(out, self.counts.docs, self.counts.indptr, self.values, terms)
        return out


class _ImpactMemo:
    """Recently used terms' score arrays, at most ``budget`` postings in all (least recently
    used dropped first: scores under statistics an edit has since changed age out); shared by
    concurrent searches."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.held = 0
        self._items: OrderedDict[tuple[int, float, float], npt.NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[int, float, float]) -> npt.NDArray[np.float32] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[int, float, float], values: npt.NDArray[np.float32]) -> None:
        if len(values) > self.budget:
            return
        values.flags.writeable = False
        with self._lock:
            if key in self._items:
                return
            self._items[key] = values
            self.held += len(values)
            while self.held > self.budget:
                _, dropped = self._items.popitem(last=False)
                self.held -= len(dropped)


def _add(
    out: npt.NDArray[np.float32], docs: npt.NDArray[np.int64], values: npt.NDArray[np.float32]
) -> None:
    """Add one query token's scores to its documents' float32 totals (what bm25s's query does).
    A loop, not numpy: ``out[docs] += values`` is a gather, a temporary and a scatter."""
    for j in range(len(docs)):
        out[docs[j]] += values[j]


def _add_common(
    out: npt.NDArray[np.float32],
    positions: npt.NDArray[np.int64],
    table: npt.NDArray[np.generic],
    columns: npt.NDArray[np.int64],
    idfs: npt.NDArray[np.float32],
    norms: npt.NDArray[np.float64],
) -> None:
    """CommonTerms.add_to's loop: per position, its row of the table, the query's common terms
    in the query's order; each term score is the expression ``_fill`` uses (the same float32)."""
    for i in range(len(positions)):
        p = positions[i]
        total = out[i]
        for q in range(len(columns)):
            f = np.float64(table[p, columns[q]])
            if f > 0:
                total += np.float32(np.float64(idfs[q]) * (f / (norms[p] + f)))
        out[i] = total


def _fill(
    values: npt.NDArray[np.float32],
    docs: npt.NDArray[np.int64],
    tf: npt.NDArray[np.float32],
    indptr: npt.NDArray[np.int64],
    norms: npt.NDArray[np.float64],
    terms: npt.NDArray[np.int64],
    idfs: npt.NDArray[np.float32],
) -> None:
    """Each of ``terms``' postings' BM25 scores, written in place (a table aligned with the
    postings, or one term's slice): bm25s's formula in bm25s's arithmetic, idf · tf / (norm +
    tf) in float64 per posting, rounded to float32 (what bm25s stores)."""
    for i in range(len(terms)):
        j = terms[i]
        w = np.float64(idfs[i])
        for p in range(indptr[j], indptr[j + 1]):
            f = np.float64(tf[p])
            values[p] = np.float32(w * (f / (norms[docs[p]] + f)))


def _add_terms(
    out: npt.NDArray[np.float32],
    docs: npt.NDArray[np.int64],
    indptr: npt.NDArray[np.int64],
    values: npt.NDArray[np.float32],
    terms: npt.NDArray[np.int64],
) -> None:
    """ImpactTable's query: ``_add`` for each term in turn, in one call."""
    for i in range(len(terms)):
        j = terms[i]
        for p in range(indptr[j], indptr[j + 1]):
            out[docs[p]] += values[p]


class _Kernels(NamedTuple):
    add: Callable[..., None]
    add_common: Callable[..., None]
    fill: Callable[..., None]
    add_terms: Callable[..., None]


@cache
def _kernels() -> _Kernels:
    """The loops above compiled (numba is imported here, not with the module: it costs ~0.5 s);
    nogil, so that concurrent searches score on different cores."""
    import numba

    jit = numba.njit(cache=True, nogil=True)
    return _Kernels(
        *(cast(Callable[..., None], jit(k)) for k in (_add, _add_common, _fill, _add_terms))
    )
