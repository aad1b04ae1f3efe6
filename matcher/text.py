"""Text primitives every stage shares: one Unicode spelling, accent folding, slugs, chunks.

Below everything else (no imports from matcher): readers, places, the lexicon and the normaliser
all fold the same way. matcher.normalise re-exports these names.
"""

from __future__ import annotations

import re
import unicodedata


def nfc(text: str) -> str:
    """Unicode NFC with runs of whitespace collapsed: one spelling for one text."""
    return squash(unicodedata.normalize("NFC", text))


def squash(text: str) -> str:
    r"""Runs of whitespace as one space, none at the ends: ``re.sub(r"\s+", " ", t).strip()``.

    str.split and the regular expression's \s both split on what str.isspace calls whitespace;
    split does it in C, ~6x faster on a Vietnamese profile (the regular expression was a seventh
    of loading a 100k-supplier index; tests/test_text_squash.py holds them equal)."""
    return " ".join(text.split())


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics ("Đúc áp lực" → "duc ap luc")."""
    # NFD splits base letters from combining marks; đ/Đ is a letter of its own, not a mark.
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return squash(_strip_marks(decomposed).lower())


# Vietnamese marks are all in U+0300-U+036F (each of category Mn); what lies between the other
# non-ASCII characters is therefore ASCII plus marks, which an ASCII encode drops in C. Testing
# every character's category in Python was half the time of building an index.
_OTHER = re.compile("[^\x00-\x7f\u0300-\u036f]")


def _ascii(piece: str) -> str:
    return piece.encode("ascii", "ignore").decode("ascii")


def _strip_marks(decomposed: str) -> str:
    """The text without its combining marks (Unicode category Mn)."""
    if decomposed.isascii():
        return decomposed
    out: list[str] = []
    start = 0
    for hit in _OTHER.finditer(decomposed):
        out.append(_ascii(decomposed[start : hit.start()]))
        if unicodedata.category(hit.group()) != "Mn":
            out.append(hit.group())
        start = hit.end()
    out.append(_ascii(decomposed[start:]))
    return "".join(out)


def slugify(text: str) -> str:
    """A stable, file-name-safe id from a name: 'Samsung Electronics Vietnam' → 'samsung-…'."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "buyer"


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
