"""The two BM25s agree to the bit: bm25s (matcher/lexical.py: LexicalIndex, the batch index) and
the live index's own term counts (TermCounts, scored per segment under the live register's
statistics). bm25s is pinned in pyproject.toml; a release that changes its formula, its idf, its
float32 arithmetic or its defaults fails these tests, so a bump of the pin is checked here."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from matcher.config import Settings
from matcher.engine import Engine
from matcher.ingest import load_suppliers
from matcher.lexical import LexicalIndex, TermCounts, bm25_idf, tokenize
from matcher.live import LiveIndex
from matcher.store import SupplierRow, Workspace
from tests.conftest import SAMPLE

QUERIES = [
    "dập kim loại tấm",
    "metal stamping ISO 9001",
    "ép phun nhựa ABS",
    "plastic injection moulding of housings",
    "gia công CNC chính xác",
    "anodizing aluminium titanium",
    "sơn tĩnh điện powder coating",
    "zirconium",  # in no profile: every score 0
]


def test_term_counts_score_as_bm25s_to_the_bit() -> None:
    rng = random.Random(1)
    words = [
        "dap",
        "kim",
        "loai",
        "ep",
        "phun",
        "nhua",
        "metal",
        "stamping",
        "steel",
        "cnc",
        "welding",
        "coating",
    ]
    for _ in range(30):
        texts = [" ".join(rng.choices(words, k=rng.randint(1, 25))) for _ in range(40)]
        query = " ".join(rng.choices(words, k=rng.randint(1, 6)))
        counts = TermCounts([tokenize(t) for t in texts])
        tokens = [t for t in tokenize(query) if counts.doc_freq(t) > 0]
        idf = {t: bm25_idf(counts.doc_freq(t), len(texts)) for t in tokens}
        mine = counts.scores(tokens, idf, int(counts.lengths.sum()) / len(texts))
        reference = LexicalIndex().build(texts, [str(i) for i in range(40)]).scores(query)
        assert np.array_equal(mine, reference)


@pytest.mark.parametrize("bilingual", [False, True], ids=["lexicon off", "shipped lexicon"])
def test_the_live_index_scores_as_bm25s_over_the_same_register(
    tmp_path: Path, hashing_settings: Settings, bilingual: bool
) -> None:
    """Main segment, tombstones and delta against bm25s indexing the live register at once."""
    if not bilingual:
        hashing_settings.normalise.lexicon = "off"
    register = load_suppliers(SAMPLE / "suppliers.csv").records[:120]
    ws = Workspace(tmp_path / "ws")
    ws.upsert_suppliers(register)
    live = LiveIndex.open(tmp_path / "ws", hashing_settings)
    # Edits that change every statistic: the document count, frequencies and mean length.
    edited = [
        s.model_copy(update={"description": f"{s.description}. Anodizing aluminium, titanium."})
        for s in register[5:15]
    ]
    added = [
        s.model_copy(update={"supplier_id": f"NEW{i}", "description": s.description * 3})
        for i, s in enumerate(register[40:45])
    ]
    gone = [s.supplier_id for s in register[60:70]]
    ws.upsert_suppliers([*edited, *added])
    live.upsert([*edited, *added])
    with Session(ws.engine) as session, session.begin():
        session.execute(delete(SupplierRow).where(SupplierRow.supplier_id.in_(gone)))
    live.delete(gone)

    snapshot = live._snapshot
    assert snapshot.delta is not None and snapshot.dead.any()  # both segments in play
    batch = Engine(hashing_settings).build(ws.suppliers())
    position = {s.supplier.supplier_id: p for p, s in enumerate(snapshot.suppliers)}
    # Delta rows come after the main rows: the last one of an id is its live row.
    rows = [position[s.supplier.supplier_id] for s in batch.suppliers_]
    dead = np.flatnonzero(snapshot.dead)
    fields = [(snapshot.retriever.lexical, batch.lexical_)]
    if bilingual:
        assert snapshot.retriever.translated is not None and batch.translated_ is not None
        fields.append((snapshot.retriever.translated, batch.translated_))
    for segmented, reference in fields:
        for query in QUERIES:
            scores = segmented.scores(query)
            assert np.array_equal(scores[rows], reference.scores(query)), query
            assert not scores[dead].any()
