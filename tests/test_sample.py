"""The bundled sample: its shape. (The demo end to end runs from the wheel: test_shipped.py.)"""

from __future__ import annotations

from matcher.evaluation import read_labels
from matcher.ingest import load_requirements, load_suppliers
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


# The demo end to end with the real model runs from the installed wheel: tests/test_shipped.py.
