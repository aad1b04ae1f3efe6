"""Quantities in profile text: monthly volumes ('5.000 bộ/tháng') and machine tonnage ('presses
of 150–750 t'), parsed from Vietnamese or English so that a requirement can be checked against them.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from matcher.normalise import fold


class Quantity(NamedTuple):
    amount: float
    unit: str


_NUMBER = r"\d+(?:[.,]\d+)*"
_QUANTITY = re.compile(
    rf"(?P<low>{_NUMBER})(?:\s*[-–]\s*(?P<high>{_NUMBER}))?\s*(?P<k>k\b)?\s*(?P<unit>[^\d/]*?)\s*"
    r"(?:/|\bper\b|\bmoi\b|\bmot\b)\s*(?P<period>month|thang|year|nam)"
)
# Folded unit words → one canonical unit; a bare unit is compared only with the same unit.
_UNITS: tuple[tuple[str, str, float], ...] = (
    ("bo khuon", "moulds", 1),
    ("bo do ga", "sets", 1),
    ("fixture sets", "sets", 1),
    ("km", "m", 1000),
    ("m2", "m2", 1),
    ("sqft", "sqft", 1),
    ("pcs", "pcs", 1),
    ("pieces", "pcs", 1),
    ("parts", "pcs", 1),
    ("units", "pcs", 1),
    ("boards", "pcs", 1),
    ("enclosures", "pcs", 1),
    ("chi tiet", "pcs", 1),
    ("san pham", "pcs", 1),
    ("chiec", "pcs", 1),
    ("cai", "pcs", 1),
    ("sets", "sets", 1),
    ("bo", "sets", 1),
    ("pairs", "pairs", 1),
    ("doi", "pairs", 1),
    ("tonnes", "t", 1),
    ("tons", "t", 1),
    ("tan", "t", 1),
    ("t", "t", 1),
    ("moulds", "moulds", 1),
    ("molds", "moulds", 1),
    ("dies", "moulds", 1),
    ("khuon", "moulds", 1),
    ("m", "m", 1),
    ("met", "m", 1),
)


def parse_number(text: str) -> float:
    """'3,000,000' and '3.000.000' are thousands; '1,5' and '2.5' are decimals."""
    parts = re.split(r"[.,]", text)
    if len(parts) > 1 and all(len(p) == 3 for p in parts[1:]):
        return float("".join(parts))
    # '1,5.3' (mixed, not thousands): the last separator is the decimal point.
    return float("".join(parts[:-1]) + "." + parts[-1]) if len(parts) > 1 else float(text)


def parse_quantity(text: str | None) -> Quantity | None:
    """'3,000,000 pcs/month', '5.000 bộ/tháng', '30k sets per month' → a monthly Quantity."""
    if not text:
        return None
    folded = fold(text).replace("²", "2")
    hit = _QUANTITY.search(folded)
    if hit is None:
        return None
    amount = parse_number(hit.group("high") or hit.group("low"))
    if hit.group("k"):
        amount *= 1000
    if hit.group("period") in ("year", "nam"):
        amount /= 12
    words = hit.group("unit").strip()
    for prefix, unit, factor in _UNITS:
        if words == prefix or words.startswith(prefix + " "):
            return Quantity(amount * factor, unit)
    return Quantity(amount, words.split(" ")[0] if words else "")


_TONNAGE = re.compile(rf"({_NUMBER})\s*(?:t|tons?|tonnes?|tan)(?![\w/])(?!\s*(?:/|per\b))")
_MACHINE_WORDS = ("may", "press", "machine", "clamp", "tonnage", "luc kep")


def machine_tonnage(text: str) -> float | None:
    """The largest machine tonnage a text states ('presses of 150–750 t', 'máy dập 500 tấn')."""
    found = []
    for sentence in re.split(r"(?<=[.;!?])\s+", fold(text)):
        if any(word in sentence for word in _MACHINE_WORDS):
            found += [parse_number(n) for n in _TONNAGE.findall(sentence)]
    return max(found) if found else None
