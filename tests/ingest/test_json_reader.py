"""matcher/ingest/json_reader.py: arrays and JSONL, records split on line feeds only, numbers as
written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.errors import InputDataError
from matcher.ingest import load_requirements, load_suppliers


def test_json_and_jsonl(tmp_path: Path) -> None:
    rows = [
        {
            "requirement_id": "R1",
            "buyer": "Canon",
            "description": "PCB assembly",
            "required_certifications": ["ISO 9001"],
        }
    ]
    (tmp_path / "r.json").write_text(json.dumps(rows))
    (tmp_path / "r.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    for name in ("r.json", "r.jsonl"):
        (req,) = load_requirements(tmp_path / name).records
        assert req.required_certifications == ["ISO 9001"]
    (tmp_path / "bad.jsonl").write_text('{"requirement_id": "R1"\n')
    with pytest.raises(InputDataError, match="row 1: invalid JSON"):
        load_requirements(tmp_path / "bad.jsonl")


def test_jsonl_splits_only_on_line_feeds_and_keeps_number_text(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"supplier_id": 1e400, "name": "A", "description": "a\u2028b\u0085c"}\n'
        '{"supplier_id": 0.10, "name": "B", "description": "d"}\r\n',
        encoding="utf-8",
    )
    result = load_suppliers(path)
    assert [s.supplier_id for s in result.records] == ["1e400", "0.10"]
    assert result.rows == [1, 2]
