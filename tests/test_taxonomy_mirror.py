"""The taxonomy's Vietnamese and English term lists mirror each other.

A tag that fires on one language's wording of a thing and not on the other's pushes the right
cross-lingual match down (models/README.md, the taxonomy gate). What is checked: every capability
tag has terms in both languages; folding does not turn a Vietnamese term into another word (the
"=term" entries keep their diacritics); and, on the line-aligned bilingual tariff nomenclature, the
tags agree across the two languages — measured offline by data/build_taxonomy_agreement.py into
models/taxonomy_agreement.json, which must be rebuilt whenever a term changes (its digest is
checked here), so a term added to one side only shows up as a lower agreement.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from matcher.config import DEFAULT_TAXONOMY
from matcher.lexicon import tag_agreement, taxonomy_terms_digest
from matcher.normalise import load_taxonomy

TAXONOMY = load_taxonomy(DEFAULT_TAXONOMY)
AGREEMENT = Path(__file__).resolve().parents[1] / "models" / "taxonomy_agreement.json"
# Tags whose one-sided lines a term list cannot fix without a stop-list: the nomenclature's
# Vietnamese says "đóng bao bì kín khí" (packed airtight) where its English says "in airtight
# containers" (packaging); "hộp trục khuỷu" (crank case) holds "trục khuỷu" (crankshaft), and
# English "pins" are also hair and safety pins (shafts). Both measured, both listed here.
NOMENCLATURE_WORDING = {"packaging", "shafts"}


def _agreement() -> dict[str, dict[str, int]]:
    payload = json.loads(AGREEMENT.read_text(encoding="utf-8"))
    assert payload["provenance"]["taxonomy_terms_digest"] == taxonomy_terms_digest(TAXONOMY), (
        "the taxonomy's terms changed: run .venv/bin/python data/build_taxonomy_agreement.py"
    )
    return payload["tags"]  # type: ignore[no-any-return]


def test_every_capability_tag_has_english_and_vietnamese_terms() -> None:
    with open(DEFAULT_TAXONOMY, encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if not r["tag"].startswith("sector_")]
    one_sided = [r["tag"] for r in rows if not r["terms_en"].strip() or not r["terms_vi"].strip()]
    assert one_sided == []


def test_agreement_table_is_of_this_taxonomy() -> None:
    assert _agreement()


def test_tags_agree_across_languages_on_the_aligned_nomenclature() -> None:
    tags = _agreement()
    both = sum(c["both"] for c in tags.values())
    fired = sum(sum(c.values()) for c in tags.values())
    # 0.35 before the term lists were mirrored (942 of 2,688 tagged lines), 0.61 after.
    assert both / fired >= 0.6, (both, fired)
    weak = {
        tag: counts
        for tag, counts in tags.items()
        if sum(counts.values()) >= 50
        and counts["both"] / sum(counts.values()) < 0.4
        and tag not in NOMENCLATURE_WORDING
    }
    assert weak == {}


@pytest.mark.parametrize(
    ("vi", "en", "tag"),
    [
        ("Bằng nhôm", "Of aluminium", "aluminium_alloy"),
        ("Lốp bằng cao su loại bơm hơi", "New pneumatic tyres, of rubber", "tyres_tubes"),
        ("Vải dệt kim", "Knitted fabrics", "knitting"),
        ("Sợi monofilament tổng hợp", "Synthetic monofilament", "fibre_yarn"),
        ("Từ sợi lưu hóa", "Of vulcanised fibre", "rubber_moulding"),
        ("Dây cách điện", "Insulated wire", "electric_cable"),
        ("Bằng gang", "Of cast iron", "cast_iron"),
    ],
)
def test_a_line_and_its_translation_carry_the_same_tag(vi: str, en: str, tag: str) -> None:
    assert tag_agreement(TAXONOMY, [(vi, en)])[tag] == {"both": 1, "vi_only": 0, "en_only": 0}


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("Máy móc thuộc nhóm 84.71", "aluminium_alloy"),  # nhóm (heading), not nhôm
        ("Lớp phủ bề mặt", "tyres_tubes"),  # lớp (layer), not lốp
        ("Găng tay bảo hộ", "cast_iron"),  # găng (glove), not gang
        ("Phụ tùng xe mô tô", "small_electric_motors"),  # mô tô (motorcycle), not mô tơ
        ("Đóng thành bánh", "copper_brass"),  # đóng thành (pressed into), not đồng thanh
        ("Thịt vịt", "fasteners"),  # vịt (duck), not vít
    ],
)
def test_folding_does_not_make_a_vietnamese_term_of_another_word(text: str, absent: str) -> None:
    assert absent not in TAXONOMY.tag(text)


def test_exact_terms_still_match_with_their_diacritics() -> None:
    assert TAXONOMY.tag("khung nhôm, lốp xe, gang xám, mô tơ, vít, đồng thanh") == [
        "aluminium_alloy",
        "tyres_tubes",
        "cast_iron",
        "small_electric_motors",
        "fasteners",
        "copper_brass",
    ]


def test_the_trie_pattern_tags_as_the_longest_first_alternation() -> None:
    # matcher.normalise builds its term regex as a trie for speed; it must match exactly what the
    # plain alternation of the terms, longest first, matches (same hits, same order).
    import re

    from matcher.config import SAMPLE_DIR
    from matcher.ingest import load_requirements, load_suppliers
    from matcher.normalise import fold

    terms = sorted(TAXONOMY._term_to_tag, key=len, reverse=True)
    plain = re.compile(rf"(?<![a-z0-9])(?:{'|'.join(re.escape(t) for t in terms)})(?![a-z0-9])")
    suppliers = load_suppliers(SAMPLE_DIR / "suppliers.csv").records
    requirements = load_requirements(SAMPLE_DIR / "requirements.csv").records
    texts = [fold(s.description) for s in suppliers] + [fold(r.description) for r in requirements]
    texts += ["dap lien hoan dap tam mong", "プレス加工品", "cnc machining; cnc turning; cnc"]
    for text in texts:
        assert [m.group(0) for m in TAXONOMY._pattern.finditer(text)] == [
            m.group(0) for m in plain.finditer(text)
        ], text
