"""matcher/export.py: the three formats carry the same rows, lists become "; "-joined cells,
a register's own columns come out prefixed, and a failed write leaves the old file whole.
(What the cells may contain — formulas, control characters — is tests/test_exports_safety.py.)"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from matcher.errors import ConfigError
from matcher.export import (
    BUYER_LIST_COLUMNS,
    EXTRA_PREFIX,
    MATCH_COLUMNS,
    SUPPLIER_LIST_COLUMNS,
    atomic_path,
    extra_columns,
    write_matches,
    write_table,
    write_workbook,
)
from matcher.schemas import Match, Requirement, Supplier
from tests.workbooks import check_workbook, cover_values

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


REGISTER = {
    "S1": Supplier(
        supplier_id="S1",
        name="Cơ khí An Phát",
        description="d",
        province="Hà Nội",
        contact_name="Lê Thanh Yến",
        contact_email="yen@anphat.example.vn",
        extra={"note": "private"},
    ),
    "S2": Supplier(supplier_id="S2", name="Nhựa Minh Long", description="d", province="Bắc Ninh"),
}
REQUIREMENTS = {
    "R1": Requirement(
        requirement_id="R1", buyer="Honda Vietnam", title="Seat frames", description="x"
    ),
    "R2": Requirement(
        requirement_id="R2", buyer="Canon Vietnam", description="Moulded covers " * 9
    ),
}
RANKED = [
    Match(requirement_id="R1", supplier_id="S2", rank=1, score=0.8, explanation="moulds"),
    Match(requirement_id="R1", supplier_id="S1", rank=2, score=0.6, explanation="stamps"),
    Match(requirement_id="R2", supplier_id="S1", rank=1, score=0.9, explanation="covers"),
]


def test_matches_workbook_has_a_cover_and_a_list_per_side(tmp_path: Path) -> None:
    path = tmp_path / "matches.xlsx"
    write_matches(RANKED, path, REGISTER, REQUIREMENTS)
    book = check_workbook(path)
    assert book.sheetnames == ["cover", "buyers", "suppliers", "matches"]
    cover = cover_values(book)
    assert (cover["Suppliers in the register"], cover["Requirements"], cover["Buyers"]) == (2, 2, 2)
    assert (cover["Proposals"], cover["Suppliers proposed"]) == (3, 2)
    assert isinstance(cover["Made"], datetime)
    buyers = [dict(zip(BUYER_LIST_COLUMNS, r, strict=True)) for r in _rows(book["buyers"])]
    # by buyer (Canon before Honda), then requirement, then rank; names, titles and provinces
    assert [(r["buyer"], r["requirement_id"], r["rank"]) for r in buyers] == [
        ("Canon Vietnam", "R2", 1),
        ("Honda Vietnam", "R1", 1),
        ("Honda Vietnam", "R1", 2),
    ]
    assert buyers[1]["requirement"] == "Seat frames" and buyers[1]["province"] == "Bắc Ninh"
    assert (
        buyers[0]["requirement"].startswith("Moulded covers")
        and len(buyers[0]["requirement"]) == 80
    )
    assert buyers[0]["supplier_name"] == "Cơ khí An Phát" and buyers[0]["why"] == "covers"
    assert buyers[0]["contact_email"] == "yen@anphat.example.vn"
    assert buyers[1]["contact_name"] is None  # S2 registered no contact person
    suppliers = [dict(zip(SUPPLIER_LIST_COLUMNS, r, strict=True)) for r in _rows(book["suppliers"])]
    assert [(r["supplier_id"], r["requirement_id"]) for r in suppliers] == [
        ("S1", "R2"),
        ("S1", "R1"),
        ("S2", "R1"),
    ]


def test_a_matches_workbook_without_contacts_leaves_out_personal_data(tmp_path: Path) -> None:
    path = tmp_path / "matches.xlsx"
    write_matches(RANKED, path, REGISTER, REQUIREMENTS, contacts=False)
    book = check_workbook(path)
    header = next(book["buyers"].iter_rows(values_only=True))
    assert not set(header) & {"contact_name", "contact_email", "contact_phone"}
    cells = {
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
    }
    assert not cells & {"Lê Thanh Yến", "yen@anphat.example.vn", "private"}


def _rows(ws: Any) -> list[tuple[Any, ...]]:
    return list(ws.iter_rows(min_row=2, values_only=True))


def test_every_sheet_gets_widths_frozen_header_filter_and_real_times(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    when = datetime(2025, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    rows = [{"at": when, "what": "x" * 200}, {"at": None, "what": "=1+1"}]
    write_workbook([("s", ["at", "what"], rows)], path, cover=[("Run", "test")])
    book = check_workbook(path, {"s": ("at",)})
    ws = book["s"]
    assert ws["A2"].value == datetime(2025, 11, 20, 9, 0)  # wall-clock time of its zone
    assert ws.column_dimensions["B"].width == 60  # capped: one long cell does not win
    assert ws["B3"].value == "'=1+1"  # still escaped
