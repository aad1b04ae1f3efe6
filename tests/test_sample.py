"""The bundled sample: its shape (fast) and the demo end to end with the real model (slow)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from matcher.evaluate import read_labels
from matcher.ingest import load_requirements, load_suppliers
from matcher.pipeline import run_demo
from tests.conftest import SAMPLE


def test_sample_register_is_realistic_and_clean() -> None:
    suppliers = load_suppliers(SAMPLE / "suppliers.csv")
    requirements = load_requirements(SAMPLE / "requirements.csv")
    assert len(suppliers.records) >= 300
    assert len(requirements.records) >= 60
    assert len({r.buyer for r in requirements.records}) >= 15
    assert suppliers.duplicates == []
    vietnamese = sum(
        any(ch in s.description for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệ") for s in suppliers.records
    )
    assert 0.4 < vietnamese / len(suppliers.records) < 0.95  # bilingual, mostly Vietnamese


def test_labels_point_at_real_records() -> None:
    qrels = read_labels(SAMPLE / "labels.csv")
    supplier_ids = {s.supplier_id for s in load_suppliers(SAMPLE / "suppliers.csv").records}
    requirement_ids = {
        r.requirement_id for r in load_requirements(SAMPLE / "requirements.csv").records
    }
    assert len(qrels) >= 60
    assert set(qrels) <= requirement_ids
    for judged in qrels.values():
        assert set(judged) <= supplier_ids
        assert set(judged.values()) <= {1, 2}


@pytest.mark.model
@pytest.mark.slow
def test_demo_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_demo(out)
    for name in ("matches.csv", "matches.xlsx", "summary.json"):
        assert (out / name).stat().st_size > 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary == result
    with open(out / "matches.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len({r["requirement_id"] for r in rows}) == summary["requirements"]
    # Measured 2026-11-27 (e5 + BM25 + taxonomy): see models/README.md. A floor, not a target:
    # it catches a broken encoder, index or ranker (BM25 alone scores far lower on this sample).
    assert summary["quality"]["ndcg@10"] >= 0.75  # measured 0.823
    # The sample event is planned too, into the output contract.
    assert (out / "event" / "schedule.csv").exists() and (out / "event" / "kpis.json").exists()
    assert summary["event"]["meetings"] > 100
    assert len(list((out / "event" / "ics").glob("*.ics"))) > 100
