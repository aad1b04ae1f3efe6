"""The simple methods a user could use instead of the engine, run on the same suites.

Each baseline maps (documents, queries) → a run {query id: {doc id: score}} of the top `depth`.
BM25 here is bm25s with its own English tokenizer and stop words, i.e. what one gets out of the
box, not the engine's folded, bigram-augmented, taxonomy-expanded lexical index.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from matcher.encoders import (
    CachedEncoder,
    EmbeddingCache,
    Encoder,
    Progress,
    default_cache_path,
    get_encoder,
)
from matcher.evaluation.metrics import RunDict
from matcher.retrieve import rrf_scores

BASELINES = ("bm25", "tfidf-word", "tfidf-char", "minilm", "e5", "rrf-bm25-e5")


def _top(scores: npt.NDArray[np.floating], ids: Sequence[str], depth: int) -> dict[str, float]:
    depth = min(depth, len(ids))
    top = np.argpartition(-scores, depth - 1)[:depth]
    top = top[np.argsort(-scores[top], kind="stable")]
    return {ids[i]: float(scores[i]) for i in top}


def bm25_run(
    doc_ids: Sequence[str],
    docs: Sequence[str],
    query_ids: Sequence[str],
    queries: Sequence[str],
    depth: int = 100,
) -> RunDict:
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(list(docs), stopwords="en", show_progress=False), show_progress=False
    )
    vocab = retriever.vocab_dict
    tokenized = bm25s.tokenize(list(queries), stopwords="en", return_ids=False, show_progress=False)
    run: RunDict = {}
    for qid, tokens in zip(query_ids, tokenized, strict=True):
        known = [t for t in tokens if t in vocab]
        if not known:
            run[qid] = {}
            continue
        run[qid] = _top(np.asarray(retriever.get_scores(known)), doc_ids, depth)
    return run


def tfidf_run(
    doc_ids: Sequence[str],
    docs: Sequence[str],
    query_ids: Sequence[str],
    queries: Sequence[str],
    analyzer: str = "word",
    depth: int = 100,
) -> RunDict:
    from sklearn.feature_extraction.text import TfidfVectorizer

    if analyzer == "word":
        vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english")
    else:
        vectorizer = TfidfVectorizer(
            sublinear_tf=True, analyzer="char_wb", ngram_range=(3, 5), max_features=200_000
        )
    d = vectorizer.fit_transform(list(docs))
    q = vectorizer.transform(list(queries))
    sims = (q @ d.T).toarray()
    return {qid: _top(sims[i], doc_ids, depth) for i, qid in enumerate(query_ids)}


def dense_vectors(
    encoder: Encoder,
    docs: Sequence[str],
    queries: Sequence[str],
    progress: Progress | None = None,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    d = encoder.encode_suppliers(list(docs), batch_size=32, progress=progress)
    q = encoder.encode_requirements(list(queries), batch_size=32, progress=progress)
    return d, q


def dense_run(
    doc_ids: Sequence[str],
    d: npt.NDArray[np.float32],
    query_ids: Sequence[str],
    q: npt.NDArray[np.float32],
    depth: int = 100,
) -> RunDict:
    sims = q @ d.T
    return {qid: _top(sims[i], doc_ids, depth) for i, qid in enumerate(query_ids)}


def rrf_run(runs: Sequence[RunDict], k: int = 60) -> RunDict:
    """Reciprocal rank fusion of several runs (Cormack et al. 2009)."""
    fused: RunDict = {}
    for qid in runs[0]:
        rankings = [list(run.get(qid, {})) for run in runs]
        ids = sorted({d for r in rankings for d in r})
        index = {d: i for i, d in enumerate(ids)}
        scores = rrf_scores([[index[d] for d in r] for r in rankings], k)
        fused[qid] = dict(
            sorted(((ids[i], s) for i, s in scores.items()), key=lambda item: -item[1])
        )
    return fused


def default_cache() -> EmbeddingCache:
    return EmbeddingCache(default_cache_path())


def cached_encoder(name: str) -> Encoder:
    return CachedEncoder(get_encoder(name), default_cache())
