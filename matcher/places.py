"""Places: Vietnam's provinces and Hanoi's districts, found in a free-text address
("Lô 5, KCN Bắc Thăng Long, huyện Đông Anh, TP. Hà Nội" → Hà Nội, Đông Anh)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from matcher.config import DEFAULT_PLACES
from matcher.errors import InputDataError, Problem
from matcher.normalise import fold, nfc


def _key(text: str) -> str:
    # Folded, punctuation as spaces: "TP. HCM" → "tp hcm", "Bà Rịa - Vũng Tàu" → "ba ria vung tau".
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


@dataclass(frozen=True)
class Place:
    province: str | None
    district: str | None


def _pattern(names: Iterable[str]) -> re.Pattern[str]:
    # Longest first, so "nam tu liem" wins over a shorter name inside it; whole words only.
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alternation or '(?!x)x'})(?![a-z0-9])")


@dataclass
class Places:
    """Province and district names with their aliases, keyed accent-insensitively."""

    provinces: dict[str, str]  # key → canonical province
    districts: dict[str, tuple[str, str]]  # key → (canonical district, its province)

    def __post_init__(self) -> None:
        self._provinces = _pattern(self.provinces)
        self._districts = _pattern(self.districts)

    def province(self, text: str) -> str | None:
        """The canonical province a text names ('HCMC' → 'Hồ Chí Minh'), or None."""
        return self.provinces.get(_key(text))

    def parse(self, address: str) -> Place:
        """Province and district of an address, or None where it names none.

        Vietnamese addresses run from the street to the province, so the last name found wins:
        a street named after a province ("123 Hải Phòng, Thanh Khê, Đà Nẵng") comes first.
        """
        key = _key(address)
        provinces = [self.provinces[m.group(0)] for m in self._provinces.finditer(key)]
        province = provinces[-1] if provinces else None
        districts = [self.districts[m.group(0)] for m in self._districts.finditer(key)]
        if province is not None:
            districts = [d for d in districts if d[1] == province]
        if not districts:
            return Place(province, None)
        district, of = districts[-1]
        return Place(province or of, district)


def load_places(path: Path = DEFAULT_PLACES) -> Places:
    """Read the places table (kind, name, province, aliases ';'-separated)."""
    return _load_places_cached(str(path))


@lru_cache(maxsize=4)
def _load_places_cached(path: str) -> Places:
    provinces: dict[str, str] = {}
    districts: dict[str, tuple[str, str]] = {}
    ambiguous: set[str] = set()
    problems: list[Problem] = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row_no, row in enumerate(csv.DictReader(handle), start=2):
            kind = (row.get("kind") or "").strip()
            name = nfc(row.get("name") or "")
            names = [name, *(a for a in (row.get("aliases") or "").split(";") if a.strip())]
            if not name:
                problems.append(Problem(path, row_no, "name", "empty place name"))
            elif kind == "province":
                provinces.update({_key(n): name for n in names})
            elif kind == "district":
                parent = provinces.get(_key(row.get("province") or ""))
                if parent is None:
                    problems.append(
                        Problem(path, row_no, "province", "not a province listed above it")
                    )
                    continue
                for n in names:
                    # A district name shared by two provinces says nothing on its own.
                    if _key(n) in districts and districts[_key(n)][1] != parent:
                        ambiguous.add(_key(n))
                    districts[_key(n)] = (name, parent)
            else:
                problems.append(Problem(path, row_no, "kind", f"{kind!r} not province or district"))
    if problems:
        raise InputDataError(problems)
    return Places(provinces, {k: v for k, v in districts.items() if k not in ambiguous})
