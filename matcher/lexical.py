"""Lexical index: BM25 (bm25s) over accent-folded words and syllable bigrams.

Vietnamese writes one syllable per token ("dập kim loại"), so single syllables are weak evidence;
adjacent-syllable bigrams ("dap_kim", "kim_loai") give BM25 the compound words back without a
word segmenter. Folding accents lets "dap" match text typed without diacritics.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from itertools import chain, pairwise
from pathlib import Path
from typing import Any, NoReturn, cast

import bm25s
import numpy as np
import numpy.typing as npt

from matcher.artifacts import REBUILD
from matcher.errors import IndexArtifactError
from matcher.normalise import fold

_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "is",
        "of",
        "on",
        "or",
        "our",
        "the",
        "to",
        "we",
        "with",
        "will",
        "va",
        "cac",
        "cua",
        "cho",
        "voi",
        "la",
        "co",
        "duoc",
        "nhung",
        "mot",
        "tai",
        "tu",
        "trong",
        "nay",
        "do",
        "de",
        "khi",
        "den",
    ]
)


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
        """BM25 (Lucene) of every document for the query tokens (repeats count, as in bm25s)."""
        out = np.zeros(len(self.lengths), dtype=np.float32)
        found = [(j, idf[t]) for t in tokens if (j := self.vocab.get(t)) is not None]
        if not found:
            return out
        terms = np.fromiter((j for j, _ in found), dtype=np.int64, count=len(found))
        weights = np.asarray([w for _, w in found], dtype=np.float32)
        _kernel()(
            out,
            self.docs,
            self.tf,
            self._norms(avg_length),
            self.indptr[terms],
            self.indptr[terms + 1],
            weights,
        )
        return out

    def _norms(self, avg_length: float) -> npt.NDArray[np.float64]:
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


def _accumulate(
    out: npt.NDArray[np.float32],
    docs: npt.NDArray[np.int64],
    tf: npt.NDArray[np.float32],
    norms: npt.NDArray[np.float64],
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    weights: npt.NDArray[np.float32],
) -> None:
    """Add each query token's BM25 term to the documents of its postings, token after token.

    bm25s's formula and order: idf · tf / (norm + tf) in float64 per posting, rounded to float32
    (what bm25s stores), added to the document's float32 score (what its query adds). A loop, not
    numpy: numpy needs a gather, a temporary and a scatter per step (np.add.at is slower still),
    and a query of ~80 tokens touches millions of postings in a 100k register.
    """
    for i in range(len(starts)):
        w = np.float64(weights[i])
        for j in range(starts[i], ends[i]):
            d = docs[j]
            f = np.float64(tf[j])
            out[d] += np.float32(w * (f / (norms[d] + f)))


@cache
def _kernel() -> Callable[..., None]:
    """``_accumulate`` compiled (numba is imported here, not with the module: it costs ~0.5 s);
    nogil, so that concurrent searches score on different cores."""
    import numba

    return cast(Callable[..., None], numba.njit(cache=True, nogil=True)(_accumulate))
