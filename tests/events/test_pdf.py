"""PDF agendas and the floor plan (WeasyPrint, from the same HTML): the text a reader gets out
of the PDF holds the Vietnamese names exactly, the floor plan has a page per slot, and a machine
without the PDF library gets an error that says how to install it."""

from __future__ import annotations

import io
import sys
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from matcher.errors import ConfigError
from matcher.events import EventPlan, agenda_pdf, floorplan_pdf, write_event_outputs
from matcher.events.lists import by_firm
from tests.events.test_agenda import NO_MEETING, PROFILES


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
    assert len(_pages((tmp_path / "o" / "agendas" / "S1.pdf").read_bytes())) == 2


def test_without_weasyprint_the_error_says_how_to_install(
    plan: EventPlan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as when not installed
    with pytest.raises(ConfigError, match=r"pip install weasyprint.*apt-get install libpango"):
        agenda_pdf(plan, "S1")
    with pytest.raises(ConfigError, match="brew install pango"):
        write_event_outputs(plan, tmp_path / "o", pdf=True)
    assert not (tmp_path / "o").exists()  # checked before anything is written
