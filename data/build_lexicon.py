"""Rebuild the shipped VI↔EN lexicon (models/lexicon.json) from the taxonomy and the public
bilingual tariff nomenclature.

Run:  .venv/bin/python data/build_lexicon.py [--nomenclature PATH] [--exclude-chapters 39,40]

The nomenclature is Vietnam's import/export goods nomenclature (AHTN 2022, Vietnamese + English,
line-aligned), kept outside the repository in ../shared/data/external/vn_hs_bilingual/ (see its
SOURCE.md). Only the learnt term table ships; the raw lines never do. By default every chapter is
learnt, the supporting-industry ones included, because those are the words users write (the
decision and its measurement are in models/README.md); `matcher eval` on the hs-* suites learns a
clean lexicon without the evaluated chapters instead (matcher.lexicon.clean_lexicon).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from matcher.config import DEFAULT_LEXICON, DEFAULT_TAXONOMY
from matcher.lexicon import learn_from_sources
from matcher.normalise import load_taxonomy

REPO = Path(__file__).resolve().parent.parent
NOMENCLATURE = REPO.parent / "shared/data/external/vn_hs_bilingual/vn_hs_bilingual.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nomenclature", type=Path, default=NOMENCLATURE)
    parser.add_argument("--exclude-chapters", default="", help="comma-separated 2-digit chapters")
    parser.add_argument("--out", type=Path, default=DEFAULT_LEXICON)
    args = parser.parse_args()
    if not args.nomenclature.exists():
        raise SystemExit(f"{args.nomenclature} not found: pass --nomenclature PATH")
    excluded = [c.strip() for c in args.exclude_chapters.split(",") if c.strip()]
    lexicon, provenance = learn_from_sources(
        load_taxonomy(DEFAULT_TAXONOMY), args.nomenclature, excluded
    )
    provenance["source"] = (
        "Vietnam import/export goods nomenclature (AHTN/HS 2022, VI+EN), as parsed in "
        "shared/data/external/vn_hs_bilingual (origin: quyphong91/tariffvn "
        "719d07621901382a94b59125d58cd7ce1f282723, public/data/HS_PBI_VN.xlsx), plus the "
        "taxonomy's own labels (data/taxonomy/taxonomy.csv)"
    )
    provenance["method"] = (
        "Dice association of words/bigrams over aligned lines (matcher.lexicon.learn_lexicon)"
    )
    lexicon.save(args.out, provenance)
    print(f"wrote {args.out}: {len(lexicon.entries)} terms, provenance {provenance}")


if __name__ == "__main__":
    main()
