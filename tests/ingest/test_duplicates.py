"""matcher/ingest/duplicates.py: the same firm twice, by tax code or by folded name."""

from __future__ import annotations

from pathlib import Path

from matcher.ingest import load_suppliers
from tests.conftest import write


def test_duplicate_firms_by_tax_code_and_folded_name(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        "supplier_id,name,tax_code,description\n"
        "S1,Công ty TNHH Cơ khí Hòa Bình,0101234567,a\n"
        "S2,Hoa Binh Mechanical,0101234567,b\n"
        "S3,CTCP Nhựa Sao Mai,,c\n"
        "S4,Nhua Sao Mai JSC,,d\n"
        "S5,Công ty TNHH MTV Nhựa Sao Mai,,e\n"
        "S6,Điện tử Sao Mai,,f\n",
    )
    result = load_suppliers(path)
    pairs = {(d.supplier_ids, d.reason) for d in result.duplicates}
    assert pairs == {(("S1", "S2"), "tax_code"), (("S3", "S4"), "name"), (("S3", "S5"), "name")}
