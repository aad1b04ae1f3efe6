"""Lexical index: BM25 (bm25s) over accent-folded words and syllable bigrams.

Vietnamese writes one syllable per token ("dập kim loại"), so single syllables are weak evidence;
adjacent-syllable bigrams ("dap_kim", "kim_loai") give BM25 the compound words back without a
word segmenter. Folding accents lets "dap" match text typed without diacritics.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import bm25s
import numpy as np
import numpy.typing as npt

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


class LexicalIndex:
    """BM25 over the suppliers' lexical texts; positions align with the dense index."""

    def build(self, texts: list[str], ids: list[str]) -> LexicalIndex:
        self.ids_ = list(ids)
        self.bm25_ = bm25s.BM25()
        self.bm25_.index([tokenize(t) for t in texts], show_progress=False)
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
        index = cls()
        index.ids_ = list(ids)
        index.bm25_ = bm25s.BM25.load(str(folder), show_progress=False)
        index._vocab = set(index.bm25_.vocab_dict)
        return index
