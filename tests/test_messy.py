"""The messy sample register: the committed files are the generator's, the reader recovers every
firm's facts from them, and the sample's labels and quality carry over (suite sample-messy)."""

from __future__ import annotations

import csv
import importlib.util
import random
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from matcher.config import Settings
from matcher.evaluation import MESSY_DIR, evaluate_suite, load_suite, read_labels
from matcher.ingest import load_suppliers
from matcher.normalise import canonical_certifications, fold
from matcher.schemas import Supplier
from tests.conftest import REPO, SAMPLE


@cache
def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_messy", REPO / "data" / "make_messy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def _original() -> dict[str, Supplier]:
    """Sample firms by tax code."""
    return {s.tax_code or "": s for s in load_suppliers(SAMPLE / "suppliers.csv").records}


@cache
def _messy(name: str = "suppliers.xlsx") -> dict[str, Supplier]:
    """Messy-register firms by tax code, read the way a user's file is read."""
    records = load_suppliers(MESSY_DIR / name).records
    assert len(records) == 398
    by_tax = {s.tax_code or "": s for s in records}
    assert len(by_tax) == 398  # every firm kept its own tax code
    return by_tax


def test_committed_files_are_the_generators_output(tmp_path: Path) -> None:
    gen = _generator()
    with open(gen.SOURCE, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    table, counts = gen.messy_rows(rows, random.Random(gen.SEED))
    counts["__with_en"] = sum(1 for r in rows if r["name_en"])
    blocks = gen.write_xlsx(table, tmp_path / "suppliers.xlsx")
    gen.write_csv(table, tmp_path / "suppliers.csv")
    gen.write_readme(counts, len(rows), blocks, tmp_path / "README.md")
    for name in ("suppliers.xlsx", "suppliers.csv", "README.md"):
        assert (tmp_path / name).read_bytes() == (MESSY_DIR / name).read_bytes(), (
            f"{name} is stale: run .venv/bin/python data/make_messy.py"
        )
    # The mess is there in the stated amounts (a minority typed without diacritics).
    assert 0.05 < counts["row typed without diacritics"] / len(rows) < 0.15
    assert blocks >= 10 and counts["certificates respelt"] > 100


def test_messy_register_has_no_id_column_and_real_layout() -> None:
    import openpyxl  # deferred like matcher.ingest does

    book = openpyxl.load_workbook(MESSY_DIR / "suppliers.xlsx", read_only=False)
    sheet = book.worksheets[0]
    assert str(sheet["A1"].value).startswith("DANH SÁCH DOANH NGHIỆP CNHT")
    headers = [c.value for c in sheet[5]]
    assert headers[:4] == ["STT", "Tên doanh nghiệp", "Tên tiếng Anh", "Mã số thuế"]
    assert not {"supplier_id", "ID", "Mã DN"} & set(headers)
    assert any(r.min_col == r.max_col == headers.index("Lĩnh vực") + 1 for r in sheet.merged_cells)


def test_messy_register_loads_all_firms() -> None:
    assert set(_messy()) == set(_original())
    assert len({s.supplier_id for s in _messy().values()}) == 398


# The ';' CSV is the same sheet as Excel's CSV export: its lost-zero tax codes are 9-digit text.
@pytest.mark.parametrize("name", ["suppliers.xlsx", "suppliers.csv"])
def test_certificates_sectors_provinces_are_recovered(name: str) -> None:
    messy = _messy(name)
    wrong: dict[str, list[str]] = {"certifications": [], "sector": [], "province": []}
    for tax, firm in _original().items():
        got = messy[tax]
        if set(canonical_certifications(got.certifications)) != set(
            canonical_certifications(firm.certifications)
        ):
            wrong["certifications"].append(f"{tax}: {got.certifications} vs {firm.certifications}")
        if got.sector != firm.sector:
            wrong["sector"].append(f"{tax}: {got.sector} vs {firm.sector}")
        if fold(got.province or "") != fold(firm.province or ""):
            wrong["province"].append(f"{tax}: {got.province!r} vs {firm.province!r}")
    assert wrong == {"certifications": [], "sector": [], "province": []}


def test_districts_are_recovered_from_the_address() -> None:
    messy = _messy()
    wrong = [
        f"{tax}: {messy[tax].district!r} vs {firm.district!r}"
        for tax, firm in _original().items()
        if fold(messy[tax].district or "") != fold(firm.district or "")
    ]
    assert wrong == []


def test_untouched_fields_survive() -> None:
    messy = _messy()
    same = [
        "employees",
        "founded_year",
        "tier",
        "ownership",
        "languages",
        "contact_email",
        "contact_phone",
        "monthly_capacity",
        "priority_product",
        "key_product",
        "criteria_1",
        "criteria_7",
    ]
    for tax, firm in _original().items():
        got = messy[tax]
        assert {f: getattr(got, f) for f in same} == {f: getattr(firm, f) for f in same}, tax
        # Lists keep their items (one per line or ';'); only diacritics may be missing.
        assert [fold(p) for p in got.products] == [fold(p) for p in firm.products], tax


def test_labels_follow_the_firms_through_the_tax_code() -> None:
    suite = load_suite("sample-messy")
    sample = load_suite("sample")
    ids = {s.supplier_id for s in suite.suppliers}
    tax_of = {s.supplier_id: s.tax_code for s in sample.suppliers}
    messy_id = {s.tax_code: s.supplier_id for s in suite.suppliers}
    labels = read_labels(SAMPLE / "labels.csv")
    assert suite.split == sample.split
    assert [r.requirement_id for r in suite.requirements] == [
        r.requirement_id for r in sample.requirements
    ]
    for rid, judged in labels.items():
        assert set(suite.qrels[rid]) <= ids
        assert suite.qrels[rid] == {messy_id[tax_of[sid]]: g for sid, g in judged.items()}
    assert sum(map(len, suite.qrels.values())) == 1120


@pytest.mark.slow
def test_messy_register_scores_like_the_clean_one(hashing_settings: Settings) -> None:
    """The same firms, read from the messy XLSX, rank (nearly) as well as from the clean CSV."""
    scores = {
        name: evaluate_suite(name, methods=["engine"], settings=hashing_settings)[0]["ndcg@10"]
        for name in ("sample", "sample-messy")
    }
    print(f"nDCG@10 (test part, hashing encoder): {scores}")
    assert scores["sample-messy"] == pytest.approx(scores["sample"], rel=0.05)
