"""The types that flow between stages: Supplier, Requirement, Match and friends."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

SECTOR_CODES = ("I", "II", "III", "IV", "V", "VI")
CRITERIA_COLUMNS = tuple(f"criteria_{i}" for i in range(1, 8))
# A comma between two digits is a decimal ("1,5 mm"), not a separator. '/' is not a separator in
# general: it is part of names ("PC/ABS", "hàn MIG/TIG", "ISO/TS 16949"); sector codes and
# certificates (matcher.normalise) split on it themselves.
_LIST_SPLIT = re.compile(r"\s*(?:[;|\n]|(?<!\d),|,(?!\d))\s*")
_SECTOR_SPLIT = re.compile(r"\s*[;,/|\n]\s*")


def _split_list(value: object) -> object:
    """Cells hold lists as 'a; b, c' (semicolon, comma, pipe or newline); JSON may give a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in _LIST_SPLIT.split(value.strip()) if part]
    return value


def _split_sectors(value: object) -> object:
    if isinstance(value, str):
        return [part for part in _SECTOR_SPLIT.split(value.strip()) if part]
    return _split_list(value)


def canonical_tax_code(value: object) -> str:
    """'0101234567', '0101 234 567', 101234567 (Excel's number) or '0101234567-001' → canonical."""
    if isinstance(value, int) and not isinstance(value, bool):
        # Excel stores 0101234567 as the number 101234567: put the lost leading zero back.
        value = str(value).zfill(10)
    text = str(value)
    # Nine digits is a code whose leading zero a spreadsheet dropped (province codes 01-09)
    # before the file was saved as text: a CSV exported from Excel keeps '101234567'.
    match = re.fullmatch(r"(\d{9,10})(?:-?(\d{3}))?", re.sub(r"[\s.]", "", text))
    if match is None:
        raise ValueError(f"tax code {text!r} must be 10 digits, or 13 as '0101234567-001'")
    head, branch = match.groups()
    head = head.zfill(10)
    return head if branch is None else f"{head}-{branch}"


def _empty_to_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _to_bool(value: object) -> object:
    if isinstance(value, str):
        folded = value.strip().lower()
        if folded in {"", "0", "no", "false", "không", "khong", "n"}:
            return False
        if folded in {"1", "yes", "true", "có", "co", "y", "x"}:
            return True
    return value


MAX_ID_CHARS = 128


def check_id(value: str, what: str = "id") -> str:
    """The one id rule, for the CLI, the API and the store alike: ids travel in URL paths, file
    names and single-line logs, so an id is 1 to MAX_ID_CHARS printable characters on one line,
    without '/' and other than '.' or '..'. Returns the id; raises ValueError saying why not."""
    shown = repr(value[:40]) + ("…" if len(value) > 40 else "")
    if not value:
        raise ValueError(f"{what} must not be empty")
    if len(value) > MAX_ID_CHARS:
        raise ValueError(f"{what} {shown} has {len(value)} characters; at most {MAX_ID_CHARS}")
    if value != value.strip():
        raise ValueError(f"{what} {shown} starts or ends with a space")
    if "/" in value or value in (".", ".."):
        raise ValueError(f"{what} {shown}: no '/', and not '.' or '..' (ids are URL path parts)")
    # isprintable() is False for control, format, separator (other than ' '), surrogate and
    # unassigned characters: what a person cannot see or type does not belong in an id.
    bad = next((ch for ch in value if not ch.isprintable()), None)
    if bad is not None:
        raise ValueError(
            f"{what} {shown} holds the invisible character U+{ord(bad):04X}; "
            "ids are printable text on one line"
        )
    return value


def _record_id(value: str) -> str:
    return check_id(value)


RecordId = Annotated[str, AfterValidator(_record_id)]
StrList = Annotated[list[str], BeforeValidator(_split_list)]
SectorList = Annotated[list[str], BeforeValidator(_split_sectors)]
# Columns a register has beyond the known fields: header as written → cell text.
Extra = dict[str, str]
OptStr = Annotated[str | None, BeforeValidator(_empty_to_none)]
Flag = Annotated[bool, BeforeValidator(_to_bool)]
Score0to10 = Annotated[Annotated[float, Field(ge=0, le=10)] | None, BeforeValidator(_empty_to_none)]

# Bounds go on the inner int: a bound on "int | None" would be applied to None too.
NonNegInt = Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(_empty_to_none)]
Year = Annotated[Annotated[int, Field(ge=1900, le=2100)] | None, BeforeValidator(_empty_to_none)]
Tier = Annotated[Annotated[int, Field(ge=1, le=3)] | None, BeforeValidator(_empty_to_none)]


def _fold(text: str) -> str:
    # matcher.normalise.fold, repeated here because normalise imports this module.
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", stripped.lower()).split())


# Registers name the sector as often as they code it (Decree 111/2015, amended by 205/2025).
_SECTOR_NAMES = {
    "det may": "I",
    "textile": "I",
    "textile and garment": "I",
    "da giay": "II",
    "leather and footwear": "II",
    "footwear": "II",
    "dien tu": "III",
    "electronics": "III",
    "o to": "IV",
    "san xuat lap rap o to": "IV",
    "automobile": "IV",
    "automotive": "IV",
    "co khi": "V",
    "co khi che tao": "V",
    "mechanical engineering": "V",
    "cong nghe cao": "VI",
    "cong nghiep cong nghe cao": "VI",
    "high tech": "VI",
    "high tech industry": "VI",
}
_SECTOR_CODE_FIRST = re.compile(r"(VI|IV|V|I{1,3})(?:\s*[-–.:)]\s*|\s+)\S", re.IGNORECASE)


def _check_sectors(values: list[str]) -> list[str]:
    out = []
    for raw in values:
        code = raw.strip().upper()
        if code not in SECTOR_CODES:
            named = _fold(raw).removeprefix("nganh ").removeprefix("cong nghiep ho tro ")
            first = _SECTOR_CODE_FIRST.match(raw.strip())  # "V - Cơ khí chế tạo"
            if named in _SECTOR_NAMES:
                code = _SECTOR_NAMES[named]
            elif first is not None:
                code = first.group(1).upper()
            else:
                raise ValueError(
                    f"sector {raw!r} is not one of {', '.join(SECTOR_CODES)} "
                    "(or a sector name such as 'Cơ khí chế tạo')"
                )
        out.append(code)
    return out


class _Record(BaseModel):
    # coerce_numbers_to_str: spreadsheets hand ids and codes over as numbers.
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid", coerce_numbers_to_str=True)


class Supplier(_Record):
    """A supplier firm's capability profile as registered (raw, before normalisation)."""

    supplier_id: RecordId = Field(min_length=1)
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    name_en: OptStr = None
    tax_code: OptStr = None
    processes: StrList = []
    materials: StrList = []
    products: StrList = []
    certifications: StrList = []
    sector: SectorList = []
    province: OptStr = None
    district: OptStr = None
    industrial_park: OptStr = None
    ownership: Annotated[
        Literal["domestic", "fdi", "jv"] | None, BeforeValidator(_empty_to_none)
    ] = None
    employees: NonNegInt = None
    founded_year: Year = None
    tier: Tier = None
    customers: StrList = []
    monthly_capacity: OptStr = None
    languages: StrList = []
    contact_name: OptStr = None
    contact_email: OptStr = None
    contact_phone: OptStr = None
    criteria_1: Score0to10 = None
    criteria_2: Score0to10 = None
    criteria_3: Score0to10 = None
    criteria_4: Score0to10 = None
    criteria_5: Score0to10 = None
    criteria_6: Score0to10 = None
    criteria_7: Score0to10 = None
    priority_product: Flag = False
    key_product: Flag = False
    extra: Extra = {}

    @field_validator("tax_code", mode="before")
    @classmethod
    def _tax_code_number(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return canonical_tax_code(value)
        return value

    @field_validator("tax_code")
    @classmethod
    def _tax_code(cls, value: str | None) -> str | None:
        return None if value is None else canonical_tax_code(value)

    @field_validator("sector")
    @classmethod
    def _sector(cls, values: list[str]) -> list[str]:
        return _check_sectors(values)

    @field_validator("ownership", mode="before")
    @classmethod
    def _ownership(cls, value: object) -> object:
        if isinstance(value, str):
            aliases = {
                "trong nước": "domestic",
                "trong nuoc": "domestic",
                "fdi": "fdi",
                "nước ngoài": "fdi",
                "liên doanh": "jv",
                "joint venture": "jv",
            }
            return aliases.get(value.strip().lower(), value.strip().lower())
        return value

    def criteria_scores(self) -> list[float]:
        """The programme's 7 general criteria scores that are present."""
        return [v for c in CRITERIA_COLUMNS if (v := getattr(self, c)) is not None]


class Requirement(_Record):
    """A buyer's requirement (what an assembler wants to source)."""

    requirement_id: RecordId = Field(min_length=1)
    buyer: str = Field(min_length=1)
    description: str = Field(min_length=1)
    title: OptStr = None
    buyer_id: OptStr = None
    required_certifications: StrList = []
    preferred_certifications: StrList = []
    sector: SectorList = []
    province: OptStr = None
    processes: StrList = []
    materials: StrList = []
    quantity: OptStr = None
    target_tier: Tier = None
    language: OptStr = None
    extra: Extra = {}

    @field_validator("sector")
    @classmethod
    def _sector(cls, values: list[str]) -> list[str]:
        return _check_sectors(values)


class DuplicateFirm(BaseModel):
    """Two rows that look like the same firm under different ids."""

    supplier_ids: tuple[str, str]
    rows: tuple[int, int]
    reason: Literal["tax_code", "name"]
    value: str


class Match(BaseModel):
    """One ranked proposal: a supplier for a requirement, with its score and reasons."""

    requirement_id: str
    supplier_id: str
    rank: int
    score: float
    supplier_name: str = ""
    matched_capabilities: list[str] = []
    certifications_met: list[str] = []
    certifications_missing: list[str] = []
    top_features: list[str] = []
    features: dict[str, float] = {}
    explanation: str = ""
