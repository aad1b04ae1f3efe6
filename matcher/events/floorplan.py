"""The floor plan the floor staff print: for each slot, one page with every table as a card
naming who sits there (buyer, supplier, interpreter), free tables marked free. Labels are in
Vietnamese and English side by side: the staff and the visitors read different ones."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

from matcher.events.lists import interpreter_name
from matcher.events.result import EventPlan, Meeting
from matcher.export import clean_text

FLOOR_CSS = """
@page{size:A4 landscape;margin:8mm}
body{font-family:"DejaVu Sans","Noto Sans","Liberation Sans",Arial,sans-serif;margin:1.5em;
color:#222;line-height:1.2}
section.slot{break-after:page;margin-bottom:2em}section.slot:last-child{break-after:auto}
h1{font-size:11pt;margin:0 0 .2em}h2{font-size:14pt;margin:0 0 .4em}
table{width:100%;table-layout:fixed;border-collapse:separate;border-spacing:1.5mm}
td{border:1.5px solid #333;border-radius:4px;padding:.3em .45em;vertical-align:top}
td.free{border:1px dashed #aaa;color:#999}td.none{border:none}
b.table{font-size:1.25em;display:block}span{display:block}span.role{color:#666;font-size:.8em}
@media print{body{margin:0}}
"""
# The page the grid must fit (mm): landscape A4 less the margins and the two headings. The type
# size is chosen so that the tallest card of each row, estimated from the text, fits the page:
# WeasyPrint cannot shrink to fit, and a slot spilling onto a second page is what floor staff
# must not get. DejaVu Sans averages about 0.58 em a character; lines are 1.2 em.
_GRID_MM = (281.0, 170.0)
_CHAR_EM, _LINE_EM, _PT_MM = 0.58, 1.2, 0.3528
_SIZES = (10.0, 9.0, 8.0, 7.0, 6.5, 6.0, 5.5, 5.0)


def _e(value: object) -> str:
    return html.escape(clean_text(str(value)), quote=True)


def _card_lines(plan: EventPlan, m: Meeting | None) -> list[tuple[str, float]]:
    """A card's lines as (text, size in em)."""
    if m is None:
        return [("trống · free", 1.0)]
    lines = [("Bên mua · Buyer", 0.8), (plan.firms[m.buyer_id].name, 1.0)]
    lines += [("Nhà cung cấp · Supplier", 0.8), (plan.firms[m.supplier_id].name, 1.0)]
    if m.interpreter:
        lines += [("Phiên dịch · Interpreter", 0.8), (interpreter_name(plan, m.interpreter), 1.0)]
    return lines


def _type_size(rows: Sequence[Sequence[list[tuple[str, float]]]], cols: int) -> float:
    """The largest type size (pt) at which every row of cards fits the page."""
    width_mm = _GRID_MM[0] / cols - 4.0  # border spacing and padding
    for size in _SIZES:
        em_mm = size * _PT_MM

        def height(lines: list[tuple[str, float]], em_mm: float = em_mm) -> float:
            wrapped = sum(
                em * max(1, math.ceil(len(text) * _CHAR_EM * em * em_mm / width_mm))
                for text, em in lines
            )
            return (1.25 + wrapped) * _LINE_EM * em_mm + 3.0

        if sum(max(height(card) for card in row) for row in rows) <= _GRID_MM[1]:
            return size
    return _SIZES[-1]


def _card(plan: EventPlan, table: str, m: Meeting | None) -> str:
    head = f'<b class="table">{_e(table)}</b>'
    if m is None:
        return f'<td class="free">{head}trống · free</td>'
    lines = _card_lines(plan, m)
    body = "".join(
        f'<span class="role">{_e(text)}</span>' if em < 1 else f"<span>{_e(text)}</span>"
        for text, em in lines
    )
    return f"<td>{head}{body}</td>"


def floorplan_html(plan: EventPlan) -> str:
    """The slot × table grid as HTML: one section (one printed page) per slot."""
    tables = plan.event.tables
    cols = max(1, min(10, math.ceil(math.sqrt(len(tables) * 2))))
    at = {(m.slot, m.table): m for m in plan.meetings}
    sections = []
    for i, slot in enumerate(plan.event.slots):
        chunks = [tables[k : k + cols] for k in range(0, len(tables), cols)]
        size = _type_size([[_card_lines(plan, at.get((i, t))) for t in c] for c in chunks], cols)
        rows = "".join(
            "<tr>"
            + "".join(_card(plan, t, at.get((i, t))) for t in chunk)
            + '<td class="none"></td>' * (cols - len(chunk))
            + "</tr>"
            for chunk in chunks
        )
        used = sum((i, t) in at for t in tables)
        sections.append(
            '<section class="slot">'
            f"<h1>{_e(plan.event.name)} · Sơ đồ bàn · Floor plan</h1>"
            f"<h2>Lượt {i + 1} · Slot {i + 1} · {slot.start:%d/%m/%Y %H:%M}–{slot.end:%H:%M}"
            f" · {used}/{len(tables)} bàn · tables</h2>"
            f'<table style="font-size:{size:.1f}pt">{rows}</table></section>'
        )
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        f"<title>{_e(plan.event.name)} – floor plan</title><style>{FLOOR_CSS}</style></head>"
        f"<body>{''.join(sections)}</body></html>\n"
    )
