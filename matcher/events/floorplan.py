"""The floor plan the floor staff print: for each slot, one page with every table as a card
naming who sits there (buyer, supplier, interpreter), free tables marked free. Labels are in
Vietnamese and English side by side: the staff and the visitors read different ones."""

from __future__ import annotations

import html
import math

from matcher.events.lists import interpreter_name
from matcher.events.result import EventPlan, Meeting
from matcher.export import clean_text

FLOOR_CSS = """
@page{size:A4 landscape;margin:10mm}
body{font-family:"DejaVu Sans","Noto Sans","Liberation Sans",Arial,sans-serif;margin:1.5em;
color:#222;font-size:10pt}
section.slot{break-after:page;margin-bottom:2em}section.slot:last-child{break-after:auto}
h1{font-size:1.2em;margin:0 0 .2em}h2{font-size:1.5em;margin:0 0 .6em}
div.grid{display:grid;grid-template-columns:repeat(var(--cols),1fr);gap:6px}
div.card{border:1.5px solid #333;border-radius:4px;padding:.4em .5em;min-height:5.2em}
div.card.free{border:1px dashed #aaa;color:#999}
div.card b.table{font-size:1.25em;display:block;margin-bottom:.2em}
div.card span{display:block}span.role{color:#666;font-size:.8em}
@media print{body{margin:0}}
"""


def _e(value: object) -> str:
    return html.escape(clean_text(str(value)), quote=True)


def _card(plan: EventPlan, table: str, m: Meeting | None) -> str:
    if m is None:
        return f'<div class="card free"><b class="table">{_e(table)}</b>trống · free</div>'
    lines = [
        f'<b class="table">{_e(table)}</b>',
        f'<span><span class="role">Bên mua · Buyer</span>{_e(plan.firms[m.buyer_id].name)}</span>',
        f'<span><span class="role">Nhà cung cấp · Supplier</span>'
        f"{_e(plan.firms[m.supplier_id].name)}</span>",
    ]
    if m.interpreter:
        lines.append(
            f'<span><span class="role">Phiên dịch · Interpreter</span>'
            f"{_e(interpreter_name(plan, m.interpreter))}</span>"
        )
    return f'<div class="card">{"".join(lines)}</div>'


def floorplan_html(plan: EventPlan) -> str:
    """The slot × table grid as HTML: one section (one printed page) per slot."""
    tables = plan.event.tables
    cols = max(1, min(6, math.ceil(math.sqrt(len(tables) * 1.5))))
    at = {(m.slot, m.table): m for m in plan.meetings}
    sections = []
    for i, slot in enumerate(plan.event.slots):
        cards = "".join(_card(plan, t, at.get((i, t))) for t in tables)
        used = sum((i, t) in at for t in tables)
        sections.append(
            '<section class="slot">'
            f"<h1>{_e(plan.event.name)} · Sơ đồ bàn · Floor plan</h1>"
            f"<h2>Lượt {i + 1} · Slot {i + 1} · {slot.start:%d/%m/%Y %H:%M}–{slot.end:%H:%M}"
            f" · {used}/{len(tables)} bàn · tables</h2>"
            f'<div class="grid" style="--cols:{cols}">{cards}</div></section>'
        )
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        f"<title>{_e(plan.event.name)} – floor plan</title><style>{FLOOR_CSS}</style></head>"
        f"<body>{''.join(sections)}</body></html>\n"
    )
