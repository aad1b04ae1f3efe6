"""Normalise: Unicode NFC, accent folding, canonical certifications, bilingual taxonomy tags."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol, cast

from matcher.config import DEFAULT_CERTIFICATIONS, DEFAULT_TAXONOMY
from matcher.errors import InputDataError, Problem
from matcher.schemas import Requirement, Supplier
from matcher.text import chunk_text as chunk_text
from matcher.text import fold as fold
from matcher.text import nfc as nfc
from matcher.text import slugify as slugify

Facet = Literal["process", "material", "product", "sector"]
FACETS: tuple[Facet, ...] = ("process", "material", "product", "sector")


def buyer_id_of(requirement: Requirement) -> str:
    """A buyer's id (its participant id at events, what buyer keys bind to): ``buyer_id`` when
    the register gives one, else a slug of ``buyer``, so that every requirement of one buyer
    lands on one buyer."""
    return requirement.buyer_id or slugify(requirement.buyer)


# --- certifications ---------------------------------------------------------------------------
# Firms write one certificate many ways ("ISO9001:2015", "iso 9001", "Eco Partner Samsung") and
# several in one cell ("ISO9001:2015, IATF"). The aliases live in data/taxonomy/certifications.csv
# so organisers can add one without touching code.
_CERT_SEPARATORS = re.compile(r"[;,/|\n&+]|\s(?:và|va|and)\s", re.IGNORECASE)


@dataclass(frozen=True)
class CertificationTable:
    """Canonical certificate names, each with the regexes of its aliases over the cert key."""

    entries: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]

    def find(self, key: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, name) of known certificates in a key, longest first."""
        hits = [
            (m.start(), m.end(), name)
            for name, patterns in self.entries
            for pattern in patterns
            for m in pattern.finditer(key)
        ]
        # Longest first, so "iso ts 16949" wins over "16949" and "eco partner samsung" over
        # "eco partner"; then leftmost.
        hits.sort(key=lambda h: (h[0] - h[1], h[0]))
        taken: list[tuple[int, int, str]] = []
        for start, end, name in hits:
            if all(end <= s or start >= e for s, e, _ in taken):
                taken.append((start, end, name))
        return sorted(taken)


def _alias_regex(alias: str) -> str:
    # An alias is matched as whole words of the cert key, with every space optional so that
    # "iso 9001" also finds "iso9001".
    words = _cert_key(alias)[0].split()
    return r"(?<![a-z0-9])" + " ?".join(re.escape(w) for w in words) + r"(?![a-z0-9])"


def load_certifications(path: Path = DEFAULT_CERTIFICATIONS) -> CertificationTable:
    """Read the certificate alias table (name; aliases and regex patterns, ';'-separated)."""
    return _load_certifications_cached(str(path))


@lru_cache(maxsize=4)
def _load_certifications_cached(path: str) -> CertificationTable:
    entries: list[tuple[str, tuple[re.Pattern[str], ...]]] = []
    problems: list[Problem] = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row_no, row in enumerate(csv.DictReader(handle), start=2):
            name = nfc(row.get("name") or "")
            if not name:
                problems.append(Problem(path, row_no, "name", "empty certificate name"))
                continue
            aliases = [name, *(a for a in (row.get("aliases") or "").split(";") if a.strip())]
            regexes = [_alias_regex(a) for a in aliases if _cert_key(a)[0]]
            for pattern in (p.strip() for p in (row.get("patterns") or "").split(";")):
                if not pattern:
                    continue
                try:
                    re.compile(pattern)
                except re.error as exc:
                    problems.append(Problem(path, row_no, "patterns", f"{pattern!r}: {exc}"))
                    continue
                regexes.append(pattern)
            entries.append((name, tuple(re.compile(r) for r in dict.fromkeys(regexes))))
    if problems:
        raise InputDataError(problems)
    return CertificationTable(tuple(entries))


def _cert_key(text: str) -> tuple[str, list[int]]:
    """The text folded to 'a-z0-9 ' (one space between words), and each key char's source index.

    The index map lets a match on the key protect the original characters it covers, so the
    '/' of "ISO/TS 16949" is part of a name, not a separator.
    """
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = fold(ch)
        c = folded if len(folded) == 1 and folded.isascii() and folded.isalnum() else " "
        if c == " " and (not chars or chars[-1] == " "):
            continue
        chars.append(c)
        origin.append(i)
    if chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    return "".join(chars), origin


@lru_cache(maxsize=65_536)
def _certificates_in(raw: str, path: str) -> tuple[str, ...]:
    table = _load_certifications_cached(path)
    text = nfc(raw)
    key, origin = _cert_key(text)
    spans = [(origin[s], origin[e - 1] + 1, name) for s, e, name in table.find(key)]
    # Split on the separators that no known name covers; a piece holding known names gives
    # those (the rest of it is a qualifier: "chứng nhận QC080000", "ISO 9001:2015 (BV)"), a piece
    # without one is a certificate of its own, kept as written.
    cuts = [
        m
        for m in _CERT_SEPARATORS.finditer(text)
        if all(m.end() <= s or m.start() >= e for s, e, _ in spans)
    ]
    edges = [0, *(x for m in cuts for x in (m.start(), m.end())), len(text)]
    out: list[str] = []
    for lo, hi in zip(edges[::2], edges[1::2], strict=True):
        names = [name for s, e, name in spans if s >= lo and e <= hi]
        if names:
            out.extend(names)
            continue
        piece = text[lo:hi].strip(" .:-–()[]'\"")
        # A piece with no letter is a year or a stray number ("ISO 9001, 2015"), not a name.
        if any(ch.isalpha() for ch in piece):
            out.append(piece.upper())
    return tuple(out)


def canonical_certifications(raws: Iterable[str], path: Path = DEFAULT_CERTIFICATIONS) -> list[str]:
    """Canonical, de-duplicated, in first-seen order; a cell may hold several certificates."""
    seen: dict[str, None] = {}
    for raw in raws:
        if raw.strip():
            seen.update(dict.fromkeys(_certificates_in(raw, str(path))))
    return list(seen)


def canonical_certification(raw: str, path: Path = DEFAULT_CERTIFICATIONS) -> str:
    """Map a certification as firms write it ('iso9001:2015', 'IATF16949') to one canonical name;
    for a cell holding several, the first."""
    found = canonical_certifications([raw], path)
    return found[0] if found else nfc(raw).upper()


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
    terms: tuple[str, ...]  # folded (matcher.normalise.fold), every term of the tag
    # Terms written "=term" in the CSV: matched with their diacritics (lower-cased NFC), because
    # folding makes them another word: nhôm (aluminium) / nhóm (group, a tariff heading), lốp
    # (tyre) / lớp (layer), gang (cast iron) / găng (glove), mô tơ (motor) / mô tô (motorcycle).
    # Their folded forms stay in ``terms`` (explanations use those only to withhold a claim).
    exact: tuple[str, ...] = ()


# A broad capability that a narrower one states: a shop that says "phay CNC" does CNC machining.
# The ranker's "required capabilities covered" and the explanation both read coverage this way.
NARROWER: dict[str, tuple[str, ...]] = {
    "cnc_machining": ("cnc_turning", "cnc_milling"),
}


def covered(wanted: Iterable[str], tags: frozenset[str] | set[str]) -> set[str]:
    """The wanted tags a profile with these tags covers (itself, or a narrower tag of it)."""
    return {t for t in wanted if t in tags or any(n in tags for n in NARROWER.get(t, ()))}


@dataclass
class Taxonomy:
    """A bilingual term table: Vietnamese and English terms map to one canonical tag."""

    entries: dict[str, TaxonomyEntry]
    _pattern: re.Pattern[str] = field(init=False, repr=False)
    _term_to_tag: dict[str, str] = field(init=False, repr=False)
    _exact_pattern: re.Pattern[str] | None = field(init=False, repr=False)
    _exact_to_tag: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._term_to_tag = {}
        self._exact_to_tag = {}
        for entry in self.entries.values():
            folded_exact = {fold(t) for t in entry.exact}
            for term in entry.terms:
                if term not in folded_exact:
                    self._term_to_tag.setdefault(term, entry.tag)
            for term in entry.exact:
                self._exact_to_tag.setdefault(term, entry.tag)
        self._pattern = _alternation(self._term_to_tag)
        self._exact_pattern = (
            _alternation(self._exact_to_tag, r"^\W_") if self._exact_to_tag else None
        )

    def tag(self, text: str) -> list[str]:
        """Tags whose terms occur in the text (accent-insensitive, except the ``exact`` terms,
        which keep their diacritics), in first-seen order."""
        folded = fold(text)
        hits = [(h.start(), self._term_to_tag[h.group(0)]) for h in self._pattern.finditer(folded)]
        if self._exact_pattern is not None:
            lowered = nfc(text).lower()
            exact = self._exact_pattern.finditer(lowered)
            hits += [(h.start(), self._exact_to_tag[h.group(0)]) for h in exact]
            hits.sort(key=lambda hit: hit[0])
        return list(dict.fromkeys(tag for _, tag in hits))

    def facet_of(self, tag: str) -> Facet:
        return self.entries[tag].facet

    def label(self, tag: str) -> str:
        return self.entries[tag].label_en


def _alternation(terms: Iterable[str], letter: str = "a-z0-9") -> re.Pattern[str]:
    # Longest term first at each position ("dap lien hoan" wins over "dap"), word boundaries on
    # both sides. On folded text a letter is ASCII (Japanese and Korean terms sit inside unspaced
    # text); the exact terms are Vietnamese, where a letter with diacritics is a letter too.
    return re.compile(rf"(?<![{letter}])(?:{_trie(terms)})(?![{letter}])")


def _trie(terms: Iterable[str]) -> str:
    """The terms as one regex with shared prefixes factored out (a trie), greedy optional tails.

    It matches what the alternation of the terms sorted longest first matches, at the same
    positions (the longest term that ends on a word boundary, backtracking to shorter ones), and
    runs ~13x faster, since the regex engine no longer tries every term at every position: tagging
    was the largest cost of building an index (2.4 ms per profile). The parity is tested
    (tests/test_taxonomy_mirror.py) against the plain alternation.
    """
    root: dict[str, Any] = {}
    for term in terms:
        node = root
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        kids = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not kids:
            return ""
        body = kids[0] if len(kids) == 1 else "(?:" + "|".join(kids) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root) or r"(?!x)x"


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
            written = [
                term.strip()
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
                if term.strip().removeprefix("=").strip()
            ]
            exact = [nfc(t[1:]).lower() for t in written if t.startswith("=")]
            entries[tag] = TaxonomyEntry(
                tag=tag,
                facet=cast(Facet, facet),  # checked against FACETS above
                label_en=nfc(row.get("label_en") or tag),
                label_vi=nfc(row.get("label_vi") or ""),
                terms=tuple(dict.fromkeys(fold(t.removeprefix("=")) for t in written)),
                exact=tuple(dict.fromkeys(exact)),
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
    text: str  # the whole profile: names, description, processes, materials, products
    lexical_text: str  # what BM25 indexes: original words plus canonical tag labels (VI and EN)
    customers: frozenset[str] = frozenset()  # folded names, to compare with a requirement's buyer
    translated_text: str = ""  # the text's terms in the other language (matcher.lexicon)
    # What the dense encoder reads: the capability text without the firm's names (see
    # capability_text); empty means the same as ``text``.
    embed_text: str = ""

    def chunks(self, max_words: int | None) -> list[str]:
        """The pieces the dense index embeds for this supplier (max-sim over them)."""
        return chunk_text(self.embed_text or self.text, max_words)


@dataclass(frozen=True)
class NormalisedRequirement:
    requirement: Requirement
    required_certifications: frozenset[str]
    preferred_certifications: frozenset[str]
    tags: frozenset[str]
    text: str
    lexical_text: str
    translated_text: str = ""
    translation_coverage: float = 0.0  # share of the request's words the lexicon translates


def _expand(taxonomy: Taxonomy, tags: Iterable[str]) -> str:
    # Query/profile expansion: a Vietnamese term brings the English label and vice versa, so the
    # lexical index can match "dập kim loại" to "metal stamping".
    return " ".join(
        f"{taxonomy.entries[t].label_en} {taxonomy.entries[t].label_vi}" for t in sorted(tags)
    )


class Translator(Protocol):
    def translate(self, text: str) -> str: ...

    def coverage(self, text: str) -> float: ...


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
        embed_text=capability_text(supplier),
    )


def capability_text(supplier: Supplier) -> str:
    """What a supplier can make and do, in its own words: the text the dense encoder embeds.

    The firm's names stay out. A name is mostly proper nouns and legal forms ("Công ty TNHH …",
    a code, a founder's name) that pull a mean-pooled embedding away from the capability; on
    hs-vi2en, where each document's name is its tariff code, the engine's dense signal was 12%
    below e5 on the bare descriptions because of it. Names still reach the lexical fields, where
    a trade word in a name ("Nhựa", "Precision") counts as a keyword.
    """
    parts = [
        supplier.description,
        "; ".join(supplier.processes),
        "; ".join(supplier.materials),
        "; ".join(supplier.products),
    ]
    return nfc(". ".join(p for p in parts if p)) or nfc(supplier.name)


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
        translation_coverage=lexicon.coverage(text) if lexicon is not None else 0.0,
    )
