"""Interface language: Vietnamese and English, message catalogues, numbers and dates in locale.

Catalogues are the JSON files in ``api/pages/catalogues/``, one per part of the site (``core``:
the frame, sign-in, buyer and supplier pages; another part adds its own file, e.g.
``organiser.json``). Each maps a message id to its texts: ``{"nav.search": {"en": "Search",
"vi": "Tìm kiếm"}}``. Ids are unique across files (loading fails on a repeat, naming both
files), and every id has every language (tests/web/test_i18n.py checks). Texts may hold
``{name}`` fields, filled by ``translate(..., name=value)``.

Numbers and dates are formatted by Babel (CLDR data) in the chosen locale.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)
DEFAULT_LANG: Lang = "vi"
LANG_NAMES: dict[Lang, str] = {"vi": "Tiếng Việt", "en": "English"}


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every message id → {lang: text}, from all catalogue files (read once)."""
    merged: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    folder = files("api.pages") / "catalogues"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        messages: dict[str, dict[str, str]] = json.loads(entry.read_text(encoding="utf-8"))
        for message_id, texts in messages.items():
            if message_id in merged:
                raise ValueError(
                    f"message {message_id!r} is in both {origin[message_id]} and {entry.name}"
                )
            merged[message_id] = texts
            origin[message_id] = entry.name
    return merged


def translate(lang: Lang, message_id: str, **fields: object) -> str:
    """The message in ``lang`` (English when that text is missing, the id when both are),
    with its ``{fields}`` filled in."""
    texts = catalogue().get(message_id)
    text = message_id if texts is None else texts.get(lang) or texts.get("en") or message_id
    return text.format(**fields) if fields else text


def pick_lang(cookie: str | None, accept_language: str | None) -> Lang:
    """The language: the remembered choice, else the browser's first of ours, else Vietnamese."""
    if cookie in LANGS:
        return cookie
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return DEFAULT_LANG


def number(lang: Lang, value: float | int, digits: int = 0) -> str:
    """1234.5 → '1.234,5' (vi) or '1,234.5' (en)."""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=lang)


def moment(lang: Lang, value: datetime | str, zone: str | None = None) -> str:
    """A date (medium) and a time of day (short) in the locale, in ``zone`` when given:
    '20 thg 11, 2025 08:30' (vi), 'Nov 20, 2025, 8:30 AM' (en)."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    tz = ZoneInfo(zone) if zone else None
    return format_datetime(when, "medium", tzinfo=tz, locale=lang).replace(
        format_time(when, "medium", tzinfo=tz, locale=lang),
        format_time(when, "short", tzinfo=tz, locale=lang),
    )


def clock(lang: Lang, value: datetime | str, zone: str | None = None) -> str:
    """A time of day alone, short: '08:30' (vi), '8:30 AM' (en)."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return format_time(when, "short", tzinfo=ZoneInfo(zone) if zone else None, locale=lang)


def day(lang: Lang, value: date | str) -> str:
    """A date alone, medium: '20 thg 11, 2025' (vi), 'Nov 20, 2025' (en)."""
    return format_date(date.fromisoformat(value) if isinstance(value, str) else value,
                       "medium", locale=lang)  # fmt: skip
