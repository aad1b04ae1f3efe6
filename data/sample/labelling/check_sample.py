"""Sanity checks and summary statistics for the sample register (stdlib only).

Run ``python3 data/sample/labelling/check_sample.py`` after regenerating the sample.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1]


def read(name: str) -> list[dict[str, str]]:
    """Read one CSV, insisting on UTF-8 without BOM and NFC text."""
    raw = (SAMPLE / name).read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raise SystemExit(f"{name}: has a BOM")
    text = raw.decode("utf-8")
    if not unicodedata.is_normalized("NFC", text):
        raise SystemExit(f"{name}: not NFC")
    return list(csv.DictReader(text.splitlines()))


def share(rows: list[dict[str, str]], pred: object) -> str:
    n = sum(1 for r in rows if pred(r))  # type: ignore[operator]
    return f"{n} ({100 * n / len(rows):.0f}%)"


VI_WORDS = {"và", "các", "được", "với", "là", "có", "trong", "chuyên", "gồm", "đạt", "cho",
            "tại"}  # fmt: skip
EN_WORDS = {"the", "and", "of", "we", "our", "with", "is", "to", "for", "in", "include",
            "supply", "employees", "main", "capacity", "output", "by", "a", "are",
            "on"}  # fmt: skip


def sentence_is_vi(sentence: str) -> bool:
    """Vietnamese if it has a Vietnamese function word, or many accented words and no English."""
    words = sentence.lower().replace(",", " ").replace(":", " ").split()
    if VI_WORDS & set(words):
        return True
    accented = sum(1 for w in words if not w.isascii())
    return accented >= 0.25 * max(1, len(words)) and not EN_WORDS & set(words)


def desc_lang(text: str) -> str:
    """vi / en / both, judged sentence by sentence."""
    sentences = [s for s in re.split(r"(?<=[.;])\s+", text) if s.strip()]
    flags = [sentence_is_vi(s) for s in sentences]
    return "vi" if all(flags) else "en" if not any(flags) else "both"


def main() -> None:
    sup = read("suppliers.csv")
    req = read("requirements.csv")
    print("suppliers", len(sup), "requirements", len(req), "buyers", len({r["buyer"] for r in req}))
    ids = [r["supplier_id"] for r in sup]
    taxes = [r["tax_code"] for r in sup]
    assert len(set(ids)) == len(ids), "duplicate supplier_id"
    assert len(set(taxes)) == len(taxes), "duplicate tax_code"
    assert all(re.fullmatch(r"01\d{8}(-\d{3})?", t) for t in taxes), "bad tax code"
    print("branch tax codes", sum("-" in t for t in taxes))
    print("desc language", Counter(desc_lang(r["description"]) for r in sup))
    wc = [len(r["description"].split()) for r in sup]
    print("desc words min/max/mean", min(wc), max(wc), sum(wc) // len(wc))
    print("distinct descriptions", len({r["description"] for r in sup}))
    for c in ["ISO 9001", "ISO 14001", "IATF", "45001", "13485", "080000", "ECO", "RBA"]:
        key = c.replace(" ", "").lower()
        print(
            f"  cert {c}:",
            share(
                sup,
                lambda r, k=key: k in r["certifications"].replace(" ", "").replace("-", "").lower(),
            ),
        )
    print("sector (first code)", Counter(r["sector"].split(";")[0] for r in sup))
    print("province", Counter(r["province"] for r in sup))
    print("ownership", Counter(r["ownership"] for r in sup))
    print("tier", Counter(r["tier"] for r in sup))
    print("employees <=300", share(sup, lambda r: int(r["employees"]) <= 300))
    print("languages", Counter(r["languages"] for r in sup))
    print("name_en filled", share(sup, lambda r: r["name_en"].strip() != ""))
    print("req language", Counter(r["language"] for r in req))
    print("req required certs", share(req, lambda r: r["required_certifications"] != ""))
    rw = [len(r["description"].split()) for r in req]
    print("req words min/max", min(rw), max(rw))


if __name__ == "__main__":
    main()
