"""A bilingual (Vietnamese ↔ English) term lexicon learned from aligned phrase pairs.

Why learned and not hand-written: the taxonomy covers the programme's core vocabulary (~100
capabilities), but suppliers and buyers also name materials, products and machines the taxonomy
never will. Vietnam's bilingual tariff nomenclature pairs ~17k Vietnamese and English product
phrases line by line; word associations learned from it (Dice coefficient over co-occurrence in
aligned lines) translate "thép không gỉ" to "stainless steel" well enough for BM25 to match
across languages.

The engine reads a lexicon learnt once, offline, by `data/build_lexicon.py` and shipped as
`models/lexicon.json` (its provenance is inside the file and in models/README.md); the raw
nomenclature never ships and is never read at run time. The evaluation of the `hs-*` suites,
whose queries and documents are nomenclature lines, builds a clean lexicon without the evaluated
chapters (`clean_lexicon`) so that no test line's own translation is learnt.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from matcher.errors import ConfigError
from matcher.normalise import Taxonomy, nfc

_TOKEN = re.compile(r"\w+")
EVAL_CHAPTERS = ("39", "40", "48", "73", "74", "76", "84", "85", "87", "90", "96")


def _vi_terms(text: str) -> set[str]:
    # Diacritics kept: folding would merge nhôm (aluminium) with nhóm (group).
    words = [w for w in _TOKEN.findall(nfc(text).lower()) if not w.isdigit()]
    return set(words) | {f"{a}_{b}" for a, b in pairwise(words)}


def _en_terms(text: str) -> set[str]:
    return {w for w in _TOKEN.findall(text.lower()) if not w.isdigit() and len(w) > 1}


@dataclass
class Lexicon:
    """term → translations, both directions in one table (Vietnamese and English keys)."""

    entries: dict[str, list[str]]

    def coverage(self, text: str) -> float:
        """Share of the text's words the lexicon knows: how far its translation can be trusted.

        0 for a text in a language the lexicon does not cover (a Japanese request), so the
        ranker can lean on the signals that do read it (matcher.rank.effective_weights).
        """
        words = {w for w in _TOKEN.findall(nfc(text).lower()) if not w.isdigit() and len(w) > 1}
        if not words:
            return 0.0
        return sum(w in self.entries for w in words) / len(words)

    def translate(self, text: str) -> str:
        """The translations of every known term of the text, space-separated (for BM25)."""
        out: list[str] = []
        for term in sorted(_vi_terms(text) | _en_terms(text)):
            out.extend(self.entries.get(term, ()))
        return " ".join(out)

    def save(self, path: Path, provenance: Mapping[str, object] | None = None) -> None:
        """Write atomically: ``{"format": 1, "provenance": {...}, "entries": {...}}``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"format": 1, "provenance": dict(provenance or {}), "entries": self.entries}
        tmp = path.with_suffix(".tmp")
        # One entry a line: the shipped artifact diffs readably when it is rebuilt.
        body = ",\n".join(
            f"{json.dumps(term, ensure_ascii=False)}: {json.dumps(tr, ensure_ascii=False)}"
            for term, tr in sorted(self.entries.items())
        )
        head = json.dumps({k: v for k, v in payload.items() if k != "entries"}, ensure_ascii=False)
        tmp.write_text(head[:-1] + ', "entries": {\n' + body + "\n}}\n", encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        return cls(read_lexicon_file(path)["entries"])


def read_lexicon_file(path: Path) -> dict[str, Any]:
    """The artifact's JSON (entries and provenance); a clear error when it is not one."""
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(
            f"cannot read the lexicon {path}: {exc}; rebuild it with data/build_lexicon.py"
        ) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("entries"), dict):
        raise ConfigError(f"{path} is not a lexicon file (no 'entries' table)")
    return payload


@lru_cache(maxsize=4)
def load_lexicon(path: Path) -> Lexicon:
    """A lexicon file, read once per process (the service and the CLI share it)."""
    return Lexicon.load(path)


def learn_lexicon(
    pairs: Iterable[tuple[str, str]], min_count: int = 2, min_dice: float = 0.3, top: int = 3
) -> Lexicon:
    """Dice association between the terms of aligned (Vietnamese, English) phrases."""
    count_vi: Counter[str] = Counter()
    count_en: Counter[str] = Counter()
    joint: dict[str, Counter[str]] = defaultdict(Counter)
    for vi, en in pairs:
        v, e = _vi_terms(vi), _en_terms(en)
        count_vi.update(v)
        count_en.update(e)
        for term in v:
            joint[term].update(e)
    entries: dict[str, list[str]] = {}
    reverse: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for term, n in count_vi.items():
        if n < min_count:
            continue
        scored = []
        for en, both in joint[term].most_common(20):
            dice = 2 * both / (n + count_en[en])
            if both >= min_count and dice >= min_dice:
                scored.append((dice, en))
                reverse[en].append((dice, term.replace("_", " ")))
        if scored:
            entries[term] = [en for _, en in sorted(scored, reverse=True)[:top]]
    for en, scored in reverse.items():
        entries.setdefault(en, [vi for _, vi in sorted(scored, reverse=True)[:top]])
    return Lexicon(entries)


def taxonomy_pairs(taxonomy: Taxonomy) -> list[tuple[str, str]]:
    """The taxonomy's own labels as aligned pairs (always available)."""
    return [(e.label_vi, e.label_en) for e in taxonomy.entries.values() if e.label_vi]


def nomenclature_pairs(
    path: Path, exclude_chapters: Iterable[str] = EVAL_CHAPTERS
) -> list[tuple[str, str]]:
    """Aligned description lines of the bilingual tariff nomenclature, minus excluded chapters."""
    excluded = set(exclude_chapters)
    with open(path, encoding="utf-8", newline="") as handle:
        return [
            (r["desc_vi"].strip("- "), r["desc_en"].strip("- "))
            for r in csv.DictReader(handle)
            if r["chapter"] not in excluded
        ]


def taxonomy_digest(taxonomy: Taxonomy) -> str:
    """What a lexicon learnt from this taxonomy records, to tell when it is out of date."""
    pairs = json.dumps(taxonomy_pairs(taxonomy), ensure_ascii=False)
    return hashlib.sha256(pairs.encode()).hexdigest()[:16]


def learn_from_sources(
    taxonomy: Taxonomy, nomenclature: Path | None, exclude_chapters: Iterable[str] = ()
) -> tuple[Lexicon, dict[str, object]]:
    """Learn from the taxonomy (always) and the nomenclature (if given); returns the provenance."""
    excluded = sorted(set(exclude_chapters))
    pairs = taxonomy_pairs(taxonomy)
    provenance: dict[str, object] = {
        "taxonomy_pairs": len(pairs),
        "taxonomy_digest": taxonomy_digest(taxonomy),
    }
    if nomenclature is not None:
        lines = nomenclature_pairs(nomenclature, excluded)
        # Taxonomy labels weigh as much as a few nomenclature lines each.
        pairs = pairs * 3 + lines
        provenance |= {
            "nomenclature": nomenclature.name,
            "nomenclature_sha256": hashlib.sha256(nomenclature.read_bytes()).hexdigest(),
            "nomenclature_pairs": len(lines),
            "excluded_chapters": excluded,
        }
    return learn_lexicon(pairs), provenance


def clean_lexicon(
    taxonomy: Taxonomy, nomenclature: Path, exclude_chapters: Iterable[str], cache_dir: Path
) -> Path:
    """A lexicon without the given chapters (for evaluating on them), learnt once and cached."""
    excluded = sorted(set(exclude_chapters))
    digest = hashlib.sha256(nomenclature.read_bytes())
    digest.update(f"{taxonomy_digest(taxonomy)}|{','.join(excluded)}".encode())
    path = cache_dir / f"lexicon-clean-{digest.hexdigest()[:16]}.json"
    if not path.exists():
        lexicon, provenance = learn_from_sources(taxonomy, nomenclature, excluded)
        lexicon.save(path, provenance)
    return path


# --- how well the taxonomy's two languages mirror each other -----------------------------------
def taxonomy_terms_digest(taxonomy: Taxonomy) -> str:
    """A digest of every tag's terms (not only its labels): what a tag agreement table records."""
    terms = {t: [list(e.terms), list(e.exact)] for t, e in sorted(taxonomy.entries.items())}
    return hashlib.sha256(json.dumps(terms, ensure_ascii=False).encode()).hexdigest()[:16]


def tag_agreement(
    taxonomy: Taxonomy, pairs: Iterable[tuple[str, str]]
) -> dict[str, dict[str, int]]:
    """Per capability tag, over aligned (Vietnamese, English) lines: on how many both sides carry
    the tag (``both``), only the Vietnamese (``vi_only``) or only the English (``en_only``).

    A tag whose term lists mirror each other fires on both sides of a line that says the same
    thing twice; a one-sided count is a term missing on the other side, or a term that means
    something else (folded "đóng" is "đồng"). Sector tags are left out: they come from codes.
    """
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for vi, en in pairs:
        vi_tags, en_tags = set(taxonomy.tag(vi)), set(taxonomy.tag(en))
        for tag in vi_tags | en_tags:
            if not tag.startswith("sector_"):
                side = (
                    "both"
                    if tag in vi_tags and tag in en_tags
                    else ("vi_only" if tag in vi_tags else "en_only")
                )
                counts[tag][side] += 1
    keys = ("both", "vi_only", "en_only")
    return {tag: {k: counts[tag][k] for k in keys} for tag in sorted(counts)}
