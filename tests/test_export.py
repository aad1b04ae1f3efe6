"""matcher/export.py: the three formats carry the same rows, lists become "; "-joined cells,
a register's own columns come out prefixed, and a failed write leaves the old file whole.
(What the cells may contain — formulas, control characters — is tests/test_exports_safety.py.)"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from matcher.errors import ConfigError
from matcher.export import (
    EXTRA_PREFIX,
    MATCH_COLUMNS,
    atomic_path,
    extra_columns,
    write_matches,
    write_table,
    write_workbook,
)
from matcher.schemas import Match, Supplier

MATCHES = [
    Match(
        requirement_id="R1",
        supplier_id=f"S{i}",
        rank=i,
        score=1 / i,
        supplier_name=f"Công ty {i}",
        matched_capabilities=["stamping", "welding"],
        certifications_met=["ISO 9001"],
        explanation="covers stamping",
    )
    for i in (1, 2)
]
SUPPLIERS = {
    "S1": Supplier(supplier_id="S1", name="A", description="d", extra={"Mã số thuế": "0101"}),
    "S2": Supplier(supplier_id="S2", name="B", description="d", extra={"Quy mô": "50"}),
}


def read(path: Path) -> list[dict[str, str]]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    if path.suffix == ".jsonl":
        lines = path.read_text(encoding="utf-8").splitlines()
        return [{k: "" if v is None else str(v) for k, v in json.loads(x).items()} for x in lines]
    rows = list(load_workbook(path, read_only=True)["matches"].iter_rows(values_only=True))
    header = [str(c) for c in rows[0]]
    # A sheet's trailing empty cells are not stored: pad each row back to the header.
    padded = [tuple(r) + (None,) * (len(header) - len(r)) for r in rows[1:]]
    return [
        {h: "" if v is None else str(v) for h, v in zip(header, r, strict=True)} for r in padded
    ]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl"])
def test_every_format_carries_the_same_rows(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"matches{suffix}"
    write_matches(MATCHES, path, SUPPLIERS)
    rows = read(path)
    assert list(rows[0]) == [*MATCH_COLUMNS, EXTRA_PREFIX + "Mã số thuế", EXTRA_PREFIX + "Quy mô"]
    assert [r["supplier_id"] for r in rows] == ["S1", "S2"]
    assert rows[0]["matched_capabilities"] == "stamping; welding"
    assert rows[0]["supplier_name"] == "Công ty 1"
    assert (rows[0][EXTRA_PREFIX + "Mã số thuế"], rows[1][EXTRA_PREFIX + "Mã số thuế"]) == (
        "0101",
        "",
    )


def test_extra_columns_keep_the_register_order_and_are_prefixed() -> None:
    assert extra_columns(SUPPLIERS) == [EXTRA_PREFIX + "Mã số thuế", EXTRA_PREFIX + "Quy mô"]
    assert extra_columns({}) == []


def test_an_unknown_suffix_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"use one of \.csv, \.xlsx, \.jsonl"):
        write_table([{"a": 1}], ["a"], tmp_path / "out.txt")
    assert not list(tmp_path.iterdir())


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "matches.csv"
    write_matches(MATCHES, path)
    before = path.read_bytes()
    with pytest.raises(RuntimeError), atomic_path(path) as tmp:
        tmp.write_text("half a file")
        raise RuntimeError("disk full")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["matches.csv"]


def test_a_workbook_holds_each_sheet_in_order(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    write_workbook(
        [("gaps", ["firm", "gap"], [{"firm": "S1", "gap": "IATF"}]), ("firms", ["firm"], [])], path
    )
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["gaps", "firms"]
    assert list(book["gaps"].iter_rows(values_only=True)) == [("firm", "gap"), ("S1", "IATF")]
