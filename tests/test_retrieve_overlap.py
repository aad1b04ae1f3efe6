"""A search that runs its dense half on a pool thread beside BM25 (HybridRetriever ``overlap``,
switched on by matcher/live/ for large registers) returns exactly what the sequential one does:
the same candidates in the same order with the same scores, filtered or not, and under
concurrent searches."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from matcher.config import SAMPLE_DIR, Settings
from matcher.engine import Engine, search_requirement
from matcher.ingest import load_suppliers
from matcher.normalise import normalise_requirement
from matcher.retrieve import Filters, HybridRetriever

QUERIES = [
    ("progressive die metal stamping for automotive brackets", Filters()),
    ("ép phun nhựa ABS cho vỏ điện thoại", Filters.build(certifications=["ISO 9001"])),
    ("CNC machining aluminium housings", Filters.build(provinces=["Hà Nội"])),
    ("wire harness assembly", Filters.build(certifications=["IATF 16949"])),
]


@pytest.fixture(scope="module")
def engine() -> Engine:
    settings = Settings.for_encoder("hashing")
    return Engine(settings).build(load_suppliers(SAMPLE_DIR / "suppliers.csv").records)


def _twin(retriever: HybridRetriever, overlap: bool) -> HybridRetriever:
    return HybridRetriever(
        retriever.dense,
        retriever.lexical,
        retriever.masks,
        candidates=retriever.candidates,
        rrf_k=retriever.rrf_k,
        translated=retriever.translated,
        order=retriever.order,
        overlap=overlap,
    )


def test_overlapped_retrieval_equals_the_sequential_one(engine: Engine) -> None:
    sequential, overlapped = (_twin(engine.retriever_, o) for o in (False, True))
    for text, filters in QUERIES:
        req = normalise_requirement(search_requirement(text), engine.taxonomy, engine.lexicon)
        vector = engine.encoder.encode_requirements([req.text])[0]
        args = (vector, req.lexical_text, filters, 10, req.translated_text)
        expected = sequential.retrieve(*args)
        assert expected, text
        assert overlapped.retrieve(*args) == expected


def test_concurrent_overlapped_searches_each_get_their_own_answer(engine: Engine) -> None:
    sequential, overlapped = (_twin(engine.retriever_, o) for o in (False, True))
    vectors = engine.encoder.encode_requirements([t for t, _ in QUERIES])
    args = [(v, t, f, 10) for v, (t, f) in zip(vectors, QUERIES, strict=True)] * 6
    expected = [sequential.retrieve(*a) for a in args]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda a: overlapped.retrieve(*a), args)) == expected
