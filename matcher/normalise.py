"""Normalise: Unicode NFC, accent folding, canonical certifications, bilingual taxonomy tags."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol, cast

from matcher.config import DEFAULT_TAXONOMY
from matcher.errors import InputDataError, Problem
from matcher.schemas import Requirement, Supplier

Facet = Literal["process", "material", "product", "sector"]
FACETS: tuple[Facet, ...] = ("process", "material", "product", "sector")


def nfc(text: str) -> str:
    """Unicode NFC with runs of whitespace collapsed: one spelling for one text."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics ("Đúc áp lực" → "duc ap luc")."""
    # NFD splits base letters from combining marks; đ/Đ is a letter of its own, not a mark.
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return re.sub(r"\s+", " ", stripped.lower()).strip()


def chunk_text(text: str, max_words: int | None) -> list[str]:
    """Split a long profile into pieces of at most ~max_words words, for max-sim embedding.

    " | " separates records (e.g. one past contract each) and always ends a chunk; inside a record,
    whole sentences are packed greedily, so a chunk never cuts a sentence unless the sentence
    alone is longer than the limit.
    """
    if max_words is None:
        return [text]
    chunks: list[str] = []
    for record in (r.strip() for r in text.split(" | ")):
        if not record:
            continue
        current: list[str] = []
        for sentence in re.split(r"(?<=[.;!?])\s+", record):
            words = sentence.split()
            while len(words) > max_words:  # one very long sentence: hard split
                if current:
                    chunks.append(" ".join(current))
                    current = []
                chunks.append(" ".join(words[:max_words]))
                words = words[max_words:]
            if current and len(current) + len(words) > max_words:
                chunks.append(" ".join(current))
                current = []
            current.extend(words)
        if current:
            chunks.append(" ".join(current))
    return chunks or [text]


# --- certifications ---------------------------------------------------------------------------
# Regexes over the folded, punctuation-free form; order matters only for readability.
_CERT_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\b(iatf|iso ?ts) ?16949", "IATF 16949"),
    (r"\biso ?9001", "ISO 9001"),
    (r"\biso ?14001", "ISO 14001"),
    (r"\biso ?45001", "ISO 45001"),
    (r"\bohsas ?18001", "ISO 45001"),  # OHSAS 18001 was superseded by ISO 45001 (2018)
    (r"\biso ?13485", "ISO 13485"),
    (r"\biso ?50001", "ISO 50001"),
    (r"\biso ?27001", "ISO 27001"),
    (r"\biso ?17025", "ISO/IEC 17025"),
    (r"\bqc ?080000", "QC 080000"),
    (r"\b(samsung )?eco ?partner( samsung)?\b", "Samsung Eco-Partner"),
    (r"\b(rba|eicc)\b", "RBA"),
    (r"\brohs\b", "RoHS"),
    (r"\breach\b", "REACH"),
    (r"\bul\b", "UL"),
    (r"\bgmp\b", "GMP"),
)


def canonical_certification(raw: str) -> str:
    """Map a certification as firms write it ('iso9001:2015', 'IATF16949') to one canonical name."""
    key = re.sub(r"[^a-z0-9 ]+", " ", fold(raw))
    key = re.sub(r"\s+", " ", key).strip()
    for pattern, name in _CERT_PATTERNS:
        if re.search(pattern, key):
            return name
    return nfc(raw).upper()


def canonical_certifications(raws: Iterable[str]) -> list[str]:
    """Canonical, de-duplicated, in first-seen order."""
    seen: dict[str, None] = {}
    for raw in raws:
        if raw.strip():
            seen.setdefault(canonical_certification(raw), None)
    return list(seen)


# --- company names ----------------------------------------------------------------------------
_COMPANY_WORDS = re.compile(
    r"\b(cong ty|cty|ctcp|tnhh|mtv|mot thanh vien|co phan|cp|jsc|joint stock company|joint stock|"
    r"company limited|company|co ltd|ltd|limited|llc|inc|corporation|corp|group|tap doan)\b"
)


def firm_name_key(name: str) -> str:
    """A name folded for duplicate detection: no diacritics, company-type words or punctuation."""
    key = re.sub(r"[^a-z0-9 ]+", " ", fold(name))
    key = _COMPANY_WORDS.sub(" ", key)
    return re.sub(r"\s+", " ", key).strip()


# --- taxonomy ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class TaxonomyEntry:
    tag: str
    facet: Facet
    label_en: str
    label_vi: str
    terms: tuple[str, ...]


@dataclass
class Taxonomy:
    """A bilingual term table: Vietnamese and English terms map to one canonical tag."""

    entries: dict[str, TaxonomyEntry]
    _pattern: re.Pattern[str] = field(init=False, repr=False)
    _term_to_tag: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._term_to_tag = {}
        for entry in self.entries.values():
            for term in entry.terms:
                self._term_to_tag.setdefault(term, entry.tag)
        # Longest terms first so "dap lien hoan" wins over "dap"; word boundaries on both sides.
        terms = sorted(self._term_to_tag, key=len, reverse=True)
        alternation = "|".join(re.escape(t) for t in terms) or r"(?!x)x"
        self._pattern = re.compile(rf"(?<![a-z0-9])(?:{alternation})(?![a-z0-9])")

    def tag(self, text: str) -> list[str]:
        """Tags whose terms occur in the text (accent-insensitive), in first-seen order."""
        found: dict[str, None] = {}
        for hit in self._pattern.finditer(fold(text)):
            found.setdefault(self._term_to_tag[hit.group(0)], None)
        return list(found)

    def facet_of(self, tag: str) -> Facet:
        return self.entries[tag].facet

    def label(self, tag: str) -> str:
        return self.entries[tag].label_en


def load_taxonomy(path: Path = DEFAULT_TAXONOMY) -> Taxonomy:
    """Read the taxonomy CSV (tag, facet, labels, terms_en/vi and optional terms_ja/ko)."""
    return _load_taxonomy_cached(str(path))


@lru_cache(maxsize=4)
def _load_taxonomy_cached(path: str) -> Taxonomy:
    entries: dict[str, TaxonomyEntry] = {}
    problems: list[Problem] = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row_no, row in enumerate(csv.DictReader(handle), start=2):
            facet = (row.get("facet") or "").strip()
            tag = (row.get("tag") or "").strip()
            if facet not in FACETS:
                problems.append(Problem(path, row_no, "facet", f"{facet!r} not in {FACETS}"))
                continue
            if not tag or tag in entries:
                problems.append(Problem(path, row_no, "tag", f"empty or repeated tag {tag!r}"))
                continue
            terms = [
                fold(term)
                # terms_ja / terms_ko are optional: Japanese and Korean requests get tags too.
                for column in (
                    "terms_en",
                    "terms_vi",
                    "terms_ja",
                    "terms_ko",
                    "label_en",
                    "label_vi",
                )
                for term in (row.get(column) or "").split(";")
                if term.strip()
            ]
            entries[tag] = TaxonomyEntry(
                tag=tag,
                facet=cast(Facet, facet),  # checked against FACETS above
                label_en=nfc(row.get("label_en") or tag),
                label_vi=nfc(row.get("label_vi") or ""),
                terms=tuple(dict.fromkeys(terms)),
            )
    if problems:
        raise InputDataError(problems)
    return Taxonomy(entries)


# --- profiles ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class NormalisedSupplier:
    """A supplier ready for embedding and ranking."""

    supplier: Supplier
    certifications: frozenset[str]
    tags: frozenset[str]
    text: str  # what the encoders embed
    lexical_text: str  # what BM25 indexes: original words plus canonical tag labels (VI and EN)
    customers: frozenset[str] = frozenset()  # folded names, to compare with a requirement's buyer
    translated_text: str = ""  # the text's terms in the other language (matcher.lexicon)


@dataclass(frozen=True)
class NormalisedRequirement:
    requirement: Requirement
    required_certifications: frozenset[str]
    preferred_certifications: frozenset[str]
    tags: frozenset[str]
    text: str
    lexical_text: str
    translated_text: str = ""


def _expand(taxonomy: Taxonomy, tags: Iterable[str]) -> str:
    # Query/profile expansion: a Vietnamese term brings the English label and vice versa, so the
    # lexical index can match "dập kim loại" to "metal stamping".
    return " ".join(
        f"{taxonomy.entries[t].label_en} {taxonomy.entries[t].label_vi}" for t in sorted(tags)
    )


class Translator(Protocol):
    def translate(self, text: str) -> str: ...


def normalise_supplier(
    supplier: Supplier, taxonomy: Taxonomy, lexicon: Translator | None = None
) -> NormalisedSupplier:
    parts = [
        supplier.name,
        supplier.name_en or "",
        supplier.description,
        "; ".join(supplier.processes),
        "; ".join(supplier.materials),
        "; ".join(supplier.products),
    ]
    text = nfc(". ".join(p for p in parts if p))
    facet_text = nfc(
        " ; ".join(
            [supplier.description, *supplier.processes, *supplier.materials, *supplier.products]
        )
    )
    tags = set(taxonomy.tag(facet_text))
    tags.update(
        f"sector_{code}" for code in supplier.sector if f"sector_{code}" in taxonomy.entries
    )
    lexical = f"{text} {_expand(taxonomy, tags)}"
    return NormalisedSupplier(
        supplier=supplier,
        certifications=frozenset(canonical_certifications(supplier.certifications)),
        tags=frozenset(tags),
        text=text,
        lexical_text=lexical,
        customers=frozenset(fold(c) for c in supplier.customers),
        translated_text=lexicon.translate(text) if lexicon is not None else "",
    )


def normalise_requirement(
    requirement: Requirement, taxonomy: Taxonomy, lexicon: Translator | None = None
) -> NormalisedRequirement:
    parts = [
        requirement.title or "",
        requirement.description,
        "; ".join(requirement.processes),
        "; ".join(requirement.materials),
    ]
    text = nfc(". ".join(p for p in parts if p))
    tags = set(taxonomy.tag(text))
    return NormalisedRequirement(
        requirement=requirement,
        required_certifications=frozenset(
            canonical_certifications(requirement.required_certifications)
        ),
        preferred_certifications=frozenset(
            canonical_certifications(requirement.preferred_certifications)
        ),
        tags=frozenset(tags),
        text=text,
        lexical_text=f"{text} {_expand(taxonomy, tags)}",
        translated_text=lexicon.translate(text) if lexicon is not None else "",
    )
