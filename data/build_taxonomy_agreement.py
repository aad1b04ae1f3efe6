"""Measure how well the taxonomy's Vietnamese and English term lists mirror each other, on the
line-aligned bilingual tariff nomenclature, and write the derived table
models/taxonomy_agreement.json (what tests/test_taxonomy_mirror.py checks).

Run:  .venv/bin/python data/build_taxonomy_agreement.py [--nomenclature PATH]

Per capability tag: on how many aligned lines both languages carry the tag, only the Vietnamese,
only the English (matcher.lexicon.tag_agreement). Every chapter is read; the table is never read
by the engine (it ships in models/ only because models/ does), so it cannot leak into the hs-*
evaluation. Only counts ship; no nomenclature line does. Rerun after any change of the
taxonomy's terms: the file records a digest of them (matcher.lexicon.taxonomy_terms_digest).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from matcher.config import DEFAULT_TAXONOMY
from matcher.lexicon import nomenclature_pairs, tag_agreement, taxonomy_terms_digest
from matcher.normalise import load_taxonomy

REPO = Path(__file__).resolve().parent.parent
NOMENCLATURE = REPO.parent / "shared/data/external/vn_hs_bilingual/vn_hs_bilingual.csv"
OUT = REPO / "models" / "taxonomy_agreement.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nomenclature", type=Path, default=NOMENCLATURE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if not args.nomenclature.exists():
        raise SystemExit(f"{args.nomenclature} not found: pass --nomenclature PATH")
    taxonomy = load_taxonomy(DEFAULT_TAXONOMY)
    pairs = nomenclature_pairs(args.nomenclature, exclude_chapters=())
    tags = tag_agreement(taxonomy, pairs)
    payload = {
        "provenance": {
            "source": (
                "Vietnam import/export goods nomenclature (AHTN/HS 2022, VI+EN), as parsed in "
                "shared/data/external/vn_hs_bilingual (origin: quyphong91/tariffvn "
                "719d07621901382a94b59125d58cd7ce1f282723, public/data/HS_PBI_VN.xlsx); "
                "desc_vi/desc_en of every line, all chapters"
            ),
            "nomenclature_sha256": hashlib.sha256(args.nomenclature.read_bytes()).hexdigest(),
            "lines": len(pairs),
            "taxonomy_terms_digest": taxonomy_terms_digest(taxonomy),
            "method": "matcher.lexicon.tag_agreement (data/build_taxonomy_agreement.py)",
        },
        "tags": tags,
    }
    args.out.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(tags)} tags over {len(pairs)} lines")


if __name__ == "__main__":
    main()
