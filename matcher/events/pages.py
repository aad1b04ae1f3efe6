"""A participant's printable agenda as HTML, in Vietnamese, English or both (a printed page per
language): when, at which table, with whom (the counterpart's public profile line, languages and,
on a buyer's confirmed meeting, its contact person), for which requirement, with which
interpreter, and why. matcher.events.pdf renders the same page as PDF."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Literal

from matcher.events.lists import by_firm, interpreter_name
from matcher.events.profiles import Profile
from matcher.events.result import EventPlan, Firm, Meeting
from matcher.export import clean_text

Language = Literal["vi", "en"]
AgendaLanguage = Literal["vi", "en", "both"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")

# One catalogue per language. A firm without meetings reads a sentence written for it, not the
# organiser's diagnostic (which names caps and what-if options; matching_lists.xlsx keeps it).
TEXT: dict[Language, dict[str, str]] = {
    "vi": {
        "title": "Lịch gặp",
        "time": "Thời gian",
        "table": "Bàn",
        "with": "Đối tác",
        "requirement": "Nhu cầu",
        "interpreter": "Phiên dịch",
        "why": "Lý do đề xuất",
        "meetings": "{n} cuộc gặp",
        "buyer": "Bên mua",
        "supplier": "Nhà cung cấp",
        "languages": "Ngôn ngữ",
        "contact": "Liên hệ",
        "confirmed": "đã xác nhận",
        "none_buyer": (
            "Chưa có cuộc gặp nào được xếp lịch cho quý doanh nghiệp tại {event}. Nếu quý "
            "doanh nghiệp muốn gặp một nhà cung cấp cụ thể, xin vui lòng liên hệ Ban tổ chức."
        ),
        "none_supplier": (
            "Chưa có cuộc gặp nào được xếp lịch cho quý doanh nghiệp tại {event}. Nếu quý "
            "doanh nghiệp muốn gặp một doanh nghiệp mua hàng cụ thể, xin vui lòng liên hệ "
            "Ban tổ chức."
        ),
    },
    "en": {
        "title": "Agenda",
        "time": "Time",
        "table": "Table",
        "with": "Meeting with",
        "requirement": "Requirement",
        "interpreter": "Interpreter",
        "why": "Why this meeting",
        "meetings": "{n} meeting(s)",
        "buyer": "Buyer",
        "supplier": "Supplier",
        "languages": "Languages",
        "contact": "Contact",
        "confirmed": "confirmed",
        "none_buyer": (
            "No meeting has been scheduled for you at {event}. If you would like to meet a "
            "particular supplier, please ask the organisers."
        ),
        "none_supplier": (
            "No meeting has been scheduled for you at {event}. If you would like to meet a "
            "particular buyer, please ask the organisers."
        ),
    },
}
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

CSS = """
@page{size:A4;margin:14mm 12mm}
body{font-family:"DejaVu Sans","Noto Sans","Liberation Sans",Arial,sans-serif;margin:2em;
color:#222;font-size:10.5pt}
h1{font-size:1.5em;margin:0}p.sub{color:#555;margin:.2em 0 0}
section.page+section.page{break-before:page;margin-top:3em}
table{border-collapse:collapse;width:100%;margin-top:1em}
th,td{border:1px solid #bbb;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#eee}td.time{white-space:nowrap}td.why{font-size:.85em;color:#444}
small{color:#555}p.none{font-size:1.1em;margin-top:1.5em}
@media print{body{margin:0}a{color:inherit}}
"""


def _html(value: object) -> str:
    """A field as HTML text: cleaned as for a spreadsheet (no control characters, no lone
    surrogates), then every markup character escaped, quotes included."""
    return html.escape(clean_text(str(value)), quote=True)


def day_text(plan: EventPlan, lang: Language) -> str:
    """The event's day(s) as that language writes dates: '20/11/2025' or '20 November 2025'."""
    days = sorted({s.start.date() for s in plan.event.slots})
    if lang == "vi":
        shown = [f"{d:%d/%m/%Y}" for d in days]
    else:
        shown = [f"{d.day} {_MONTHS[d.month - 1]} {d.year}" for d in days]
    return ", ".join(shown)


def _row(
    plan: EventPlan,
    firm: Firm,
    m: Meeting,
    text: Mapping[str, str],
    profiles: Mapping[str, Profile],
    days: int,
) -> str:
    e = _html
    partner = m.supplier_id if firm.role == "buyer" else m.buyer_id
    other = plan.firms[partner]
    profile = profiles.get(partner)
    start = m.slot_start.strftime("%d/%m %H:%M" if days > 1 else "%H:%M")
    who = [f"<strong>{e(other.name)}</strong> <small>({e(partner)})</small>"]
    if profile is not None and profile.line:
        who.append(f'<br><small class="profile">{e(profile.line)}</small>')
    if other.languages:
        who.append(f"<br><small>{e(text['languages'])}: {e(', '.join(other.languages))}</small>")
    # A supplier's contact person on a buyer's confirmed meeting only (matcher.events.profiles).
    if firm.role == "buyer" and m.locked and profile is not None and profile.contact:
        who.append(
            f'<br><small class="contact">{e(text["contact"])} ({e(text["confirmed"])}): '
            f"{e(profile.contact)}</small>"
        )
    return (
        "<tr>"
        f'<td class="time">{e(start)}–{e(m.slot_end.strftime("%H:%M"))}</td>'
        f'<td class="table">{e(m.table)}</td>'
        f'<td class="who">{"".join(who)}</td>'
        f'<td class="requirement">{e(plan.requirement_titles.get(m.requirement_id, ""))}</td>'
        f'<td class="interpreter">{e(interpreter_name(plan, m.interpreter))}</td>'
        f'<td class="why">{e(m.explanation)}</td>'
        "</tr>"
    )


def agenda_section(
    plan: EventPlan,
    participant_id: str,
    lang: Language,
    profiles: Mapping[str, Profile] | None = None,
) -> str:
    """One participant's agenda in one language, as an HTML <section>."""
    firm = plan.firms[participant_id]
    text = TEXT[lang]
    e = _html
    own = by_firm(plan).get(participant_id, [])
    days = len({s.start.date() for s in plan.event.slots})
    rows = [_row(plan, firm, m, text, profiles or {}, days) for m in own]
    heads = ("time", "table", "with", "requirement", "interpreter", "why")
    body = (
        "<table><thead><tr>"
        + "".join(f"<th>{e(text[h])}</th>" for h in heads)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        if rows
        else f'<p class="none">{e(text["none_" + firm.role].format(event=plan.event.name))}</p>'
    )
    parts = [plan.event.name, day_text(plan, lang), plan.event.location or ""]
    parts += [text["meetings"].format(n=len(own)), f"{text[firm.role]} {firm.id}"]
    return (
        f'<section class="page" lang="{lang}"><h1>{e(firm.name)}</h1>'
        f'<p class="sub">{e(text["title"])} · {" · ".join(e(p) for p in parts if p)}</p>'
        f"{body}</section>"
    )


def agenda_html(
    plan: EventPlan,
    participant_id: str,
    lang: AgendaLanguage = "both",
    profiles: Mapping[str, Profile] | None = None,
) -> str:
    """A printable agenda page for one participant (plain HTML5, no scripts): Vietnamese,
    English, or both (Vietnamese first; each language starts a printed page)."""
    langs = LANGUAGES if lang == "both" else (lang,)
    firm = plan.firms[participant_id]
    sections = "".join(agenda_section(plan, participant_id, la, profiles) for la in langs)
    return (
        f'<!DOCTYPE html>\n<html lang="{langs[0]}"><head><meta charset="utf-8">'
        f"<title>{_html(plan.event.name)} – {_html(firm.name)}</title><style>{CSS}</style>"
        f"</head><body>{sections}</body></html>\n"
    )
