"""PDF agendas and the floor plan (WeasyPrint, from the same HTML): the text a reader gets out
of the PDF holds the Vietnamese names exactly, the floor plan has a page per slot, and a machine
without the PDF library gets an error that says how to install it."""

from __future__ import annotations

import io
import sys
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner, Result

from matcher.errors import ConfigError
from matcher.events import EventPlan, agenda_pdf, floorplan_pdf, write_event_outputs
from matcher.events.lists import by_firm
from tests.events.conftest import EVENTS
from tests.events.test_agenda import NO_MEETING, PROFILES
from tests.workbooks import check_workbook


def _pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _flat(text: str) -> str:
    # Line breaks fall where the layout wraps a cell; a name may span two lines.
    return " ".join(text.split())


def test_a_pdf_agenda_holds_the_vietnamese_names_exactly(plan: EventPlan) -> None:
    pages = _pages(agenda_pdf(plan, "canon-vietnam", "vi", PROFILES))
    text = _flat(" ".join(pages))
    assert unicodedata.is_normalized("NFC", text)  # precomposed, as written, not decomposed
    partners = {plan.firms[m.supplier_id].name for m in by_firm(plan)["canon-vietnam"]}
    assert {"Cơ khí An Phát", "Nhựa Minh Long"} <= partners
    for name in (*partners - {'=HYPERLINK("http://x")'}, "Hà (I1)", "Lê Thanh Yến"):
        assert name in text, name
    for label in ("Lịch gặp", "Thời gian", "Bàn", "Đối tác", "Nhu cầu", "Phiên dịch"):
        assert label in text
    assert "KCN Thăng Long, Hà Nội · dập kim loại tấm" in text  # S1's public profile line


def test_a_pdf_agenda_in_both_languages_starts_english_on_its_own_page(
    small_plan: EventPlan,
) -> None:
    pages = [_flat(p) for p in _pages(agenda_pdf(small_plan, "S3", "both"))]
    assert len(pages) == 2
    assert NO_MEETING[("vi", "supplier")] in pages[0] and "Đúc Hòa Bình" in pages[0]
    assert NO_MEETING[("en", "supplier")] in pages[1] and "Đúc Hòa Bình" in pages[1]


def test_the_floor_plan_has_a_page_per_slot_naming_who_sits_where(plan: EventPlan) -> None:
    pages = [_flat(p) for p in _pages(floorplan_pdf(plan))]
    assert len(pages) == len(plan.event.slots) == 3
    for i, page in enumerate(pages):
        assert f"Slot {i + 1}" in page and "Sơ đồ bàn" in page
        here = [m for m in plan.meetings if m.slot == i]
        for m in here:
            assert plan.firms[m.buyer_id].name in page
            if m.supplier_id != "S2":  # S2's name is a formula, checked in test_exports_safety
                assert plan.firms[m.supplier_id].name in page
        assert page.count("trống · free") == len(plan.event.tables) - len(here)


@pytest.mark.slow
def test_event_folder_with_pdf_holds_every_agenda_and_the_floor_plan(
    plan: EventPlan, tmp_path: Path
) -> None:
    files = write_event_outputs(plan, tmp_path / "o", PROFILES, pdf=True)
    assert {f"agendas/{pid}.pdf" for pid in plan.firms} <= set(files)
    assert "floorplan.pdf" in files and "floorplan.html" in files
    # laid out as one document and cut per firm: the same pages as one agenda_pdf each
    for pid in ("S1", "canon-vietnam", "honda-vietnam"):
        pages = _pages((tmp_path / "o" / "agendas" / f"{pid}.pdf").read_bytes())
        assert len(pages) == 2 and pages == _pages(agenda_pdf(plan, pid, "both", PROFILES))


def test_without_weasyprint_the_error_says_how_to_install(
    plan: EventPlan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as when not installed
    with pytest.raises(ConfigError, match=r"pip install weasyprint.*apt-get install libpango"):
        agenda_pdf(plan, "S1")
    with pytest.raises(ConfigError, match="brew install pango"):
        write_event_outputs(plan, tmp_path / "o", pdf=True)
    assert not (tmp_path / "o").exists()  # checked before anything is written


def _plan_cli(out: Path, *options: str) -> Result:
    from matcher.cli import app

    args = ["event", "plan", str(EVENTS / "event.yaml"), "--out", str(out), "-e", "hashing"]
    args += ["--suppliers", str(EVENTS / "suppliers.csv")]
    args += ["--requirements", str(EVENTS / "requirements.csv"), *options]
    return CliRunner().invoke(app, args)


def test_event_plan_pdf_without_weasyprint_stops_before_planning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    result = _plan_cli(tmp_path / "event", "--pdf")
    assert result.exit_code == 1
    assert "pip install weasyprint" in " ".join(result.output.split())
    assert not (tmp_path / "event").exists()


@pytest.mark.slow
def test_event_plan_pdf_writes_the_pdfs_and_readable_workbooks(tmp_path: Path) -> None:
    out = tmp_path / "event"
    result = _plan_cli(out, "--pdf")
    assert result.exit_code == 0, result.output
    assert len(_pages((out / "floorplan.pdf").read_bytes())) == 3
    assert {p.stem for p in (out / "agendas").glob("*.pdf")} == {
        p.stem for p in (out / "ics").glob("*.ics")
    }
    text = _flat(" ".join(_pages((out / "agendas" / "S3.pdf").read_bytes())))
    assert "Đúc Hòa Bình" in text and "Lịch gặp" in text and "Agenda" in text
    check_workbook(out / "schedule.xlsx", {"schedule": ("slot_start", "slot_end")})
    check_workbook(out / "matching_lists.xlsx", {"buyers": ("slot_start",)})


# The longest name in the sample register has 69 characters (the median 34).
LONG = "Công ty TNHH Sản xuất và Thương mại Cơ khí Chính xác Đại Hưng Thịnh Vượng"
TYPICAL = "Công ty TNHH Sản xuất và Thương mại Kỹ thuật Nam Hoàng"


@pytest.mark.parametrize(
    ("n_tables", "name"),
    [(25, LONG), pytest.param(60, TYPICAL, marks=pytest.mark.slow)],
    ids=["25-long-names", "60-typical-names"],
)
def test_a_full_floor_keeps_one_page_per_slot(plan: EventPlan, n_tables: int, name: str) -> None:
    """Every table taken, by firms with long Vietnamese names and an interpreter: still one
    page per slot (the cards' type shrinks as the rows grow)."""
    tables = [f"T{t:02d}" for t in range(1, n_tables + 1)]
    event = plan.event.model_copy(update={"tables": tables, "slots": plan.event.slots[:2]})
    firms = {pid: replace(f, name=f"{name} {pid}") for pid, f in plan.firms.items()}
    model = plan.meetings[0]
    meetings = [
        replace(model, slot=i, slot_start=s.start, slot_end=s.end, table=t, interpreter="I1")
        for i, s in enumerate(event.slots)
        for t in tables
    ]
    full = replace(plan, event=event, firms=firms, meetings=meetings)
    pages = [_flat(p) for p in _pages(floorplan_pdf(full))]
    assert len(pages) == len(event.slots) == 2
    assert all(f"{n_tables}/{n_tables} bàn" in p and "trống" not in p for p in pages)
    assert all(p.count("Bên mua · Buyer") == n_tables for p in pages)
