"""A bilingual (Vietnamese ↔ English) term lexicon learned from aligned phrase pairs.

Why learned and not hand-written: the taxonomy covers the programme's core vocabulary (~100
capabilities), but suppliers and buyers also name materials, products and machines the taxonomy
never will. Vietnam's bilingual tariff nomenclature pairs ~17k Vietnamese and English product
phrases line by line; word associations learned from it (Dice coefficient over co-occurrence in
aligned lines) translate "thép không gỉ" to "stainless steel" well enough for BM25 to match
across languages. Source data is read at run time (never shipped); the chapters used by the
`hs-vi2en` evaluation suite are left out of learning so the evaluation stays clean.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

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

    def translate(self, text: str) -> str:
        """The translations of every known term of the text, space-separated (for BM25)."""
        out: list[str] = []
        for term in sorted(_vi_terms(text) | _en_terms(text)):
            out.extend(self.entries.get(term, ()))
        return " ".join(out)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.entries, ensure_ascii=False))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        return cls(json.loads(path.read_text(encoding="utf-8")))


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


def build_lexicon(taxonomy: Taxonomy, nomenclature: Path | None, cache_dir: Path) -> Lexicon:
    """Learn once per source (cached by the source's hash); taxonomy pairs always included."""
    digest = hashlib.sha256()
    pairs = taxonomy_pairs(taxonomy)
    digest.update(json.dumps(pairs, ensure_ascii=False).encode())
    if nomenclature is not None and nomenclature.exists():
        digest.update(nomenclature.read_bytes())
        digest.update(",".join(EVAL_CHAPTERS).encode())
    path = cache_dir / f"lexicon-{digest.hexdigest()[:16]}.json"
    if path.exists():
        return Lexicon.load(path)
    if nomenclature is not None and nomenclature.exists():
        # Taxonomy labels weigh as much as a few nomenclature lines each.
        pairs = pairs * 3 + nomenclature_pairs(nomenclature)
    lexicon = learn_lexicon(pairs)
    lexicon.save(path)
    return lexicon
