from __future__ import annotations

from pathlib import Path

import pytest

from matcher.errors import InputDataError
from matcher.normalise import (
    buyer_id_of,
    canonical_certification,
    canonical_certifications,
    firm_name_key,
    fold,
    load_taxonomy,
    nfc,
    normalise_requirement,
    normalise_supplier,
    slugify,
)
from matcher.retrieve import Filters
from matcher.schemas import Requirement, Supplier


def test_fold_and_nfc() -> None:
    assert fold("Đúc áp lực  NHÔM") == "duc ap luc nhom"
    assert nfc("Co\u0302ng  ty") == "Công ty"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("iso9001:2015", "ISO 9001"),
        ("ISO-14001:2015", "ISO 14001"),
        ("IATF16949", "IATF 16949"),
        ("ISO/TS 16949:2009", "IATF 16949"),
        ("Eco Partner Samsung", "Samsung Eco-Partner"),
        ("chứng nhận QC080000", "QC 080000"),
        ("OHSAS 18001", "ISO 45001"),
        ("rohs", "RoHS"),
        ("VietGAP", "VIETGAP"),
    ],
)
def test_canonical_certification(raw: str, canonical: str) -> None:
    assert canonical_certification(raw) == canonical


def test_canonical_certifications_dedup_keeps_order() -> None:
    assert canonical_certifications(["iso 9001", "ISO9001:2015", " ", "IATF 16949"]) == [
        "ISO 9001",
        "IATF 16949",
    ]


def test_firm_name_key_folds_company_words() -> None:
    assert firm_name_key("Công ty TNHH MTV Cơ khí Hà Nội") == "co khi ha noi"
    assert firm_name_key("CTCP Cơ Khí Hà Nội") == "co khi ha noi"
    assert firm_name_key("Co Khi Ha Noi JSC") == "co khi ha noi"


def test_vietnamese_and_english_terms_share_a_tag() -> None:
    taxonomy = load_taxonomy()
    vi = set(taxonomy.tag("Chuyên dập liên hoàn và ép phun nhựa"))
    en = set(taxonomy.tag("progressive-die stamping and plastic injection molding"))
    assert {"metal_stamping", "injection_moulding"} <= vi
    assert {"metal_stamping", "injection_moulding"} <= en
    unaccented = set(taxonomy.tag("dap lien hoan"))
    assert "metal_stamping" in unaccented


def test_tagging_respects_word_boundaries() -> None:
    taxonomy = load_taxonomy()
    # "mạ" (plating) must not fire inside other words such as "mạch" (circuit).
    assert "electroplating" not in taxonomy.tag("bản mạch in")


def test_normalised_profiles_carry_tags_certs_and_expansion() -> None:
    taxonomy = load_taxonomy()
    s = normalise_supplier(
        Supplier(
            supplier_id="S1",
            name="A",
            description="Đúc áp lực nhôm ADC12",
            certifications=["iso9001"],
            sector=["V"],
        ),
        taxonomy,
    )
    assert s.certifications == {"ISO 9001"}
    assert "die_casting" in s.tags and "sector_V" in s.tags
    assert taxonomy.entries["die_casting"].label_en.lower() in s.lexical_text.lower()
    r = normalise_requirement(
        Requirement(
            requirement_id="R1",
            buyer="B",
            description="HPDC aluminium housings",
            required_certifications=["IATF16949"],
        ),
        taxonomy,
    )
    assert r.required_certifications == {"IATF 16949"}
    assert "die_casting" in r.tags


def test_chunk_text_keeps_records_and_sentences() -> None:
    from matcher.normalise import chunk_text

    assert chunk_text("one two. three four five. six | seven eight", 4) == [
        "one two.",
        "three four five. six",
        "seven eight",
    ]
    assert chunk_text("a b c d e f g", 3) == ["a b c", "d e f", "g"]
    assert chunk_text("whole profile", None) == ["whole profile"]


def test_learned_lexicon_translates_both_ways() -> None:
    from matcher.lexicon import learn_lexicon

    pairs = [
        ("Thép không gỉ dạng tấm", "Stainless steel in sheets"),
        ("Thép cán nóng", "Hot-rolled steel"),
        ("Ống thép hàn", "Welded steel tubes"),
        ("Nhôm dạng tấm", "Aluminium in sheets"),
        ("Nhôm hợp kim", "Aluminium alloys"),
        ("Nhóm sản phẩm khác", "Other products group"),
    ] * 2
    lexicon = learn_lexicon(pairs)
    assert lexicon.entries["thép"][0] == "steel"
    assert lexicon.entries["nhôm"][0] == "aluminium"  # diacritics kept: not "nhóm" (group)
    assert "thép" in lexicon.entries["steel"]
    assert "steel" in lexicon.translate("Thép tấm").split()


@pytest.mark.parametrize(
    ("cell", "canonical"),
    [
        ("ISO9001:2015, IATF", ["ISO 9001", "IATF 16949"]),
        ("IATF", ["IATF 16949"]),
        ("ISO/TS 16949", ["IATF 16949"]),
        ("ISO/IEC 17025", ["ISO/IEC 17025"]),
        ("Eco Partner Samsung", ["Samsung Eco-Partner"]),
        ("Samsung Eco Partner", ["Samsung Eco-Partner"]),
        ("Eco-Partner", ["Samsung Eco-Partner"]),
        ("SEC Eco-partner", ["Samsung Eco-Partner"]),
        ("OEKO-TEX 100", ["OEKO-TEX"]),
        ("Oeko-Tex Standard 100", ["OEKO-TEX"]),
        ("ISO 14001:2015 | iso 45001\nOHSAS 18001", ["ISO 14001", "ISO 45001"]),
        ("ISO 9001/14001", ["ISO 9001", "ISO 14001"]),
        ("ISO 9001 và VietGAP", ["ISO 9001", "VIETGAP"]),
        ("ISO 9001, 2015", ["ISO 9001"]),  # a stray year is no certificate
        ("IECQ QC080000", ["QC 080000"]),
        ("RBA Code of Conduct; RoHS/REACH", ["RBA", "RoHS", "REACH"]),
        ("Hợp quy / CR", ["HỢP QUY", "CR"]),  # unknown pieces kept as their own certificates
    ],
)
def test_a_cell_of_certificates(cell: str, canonical: list[str]) -> None:
    assert canonical_certifications([cell]) == canonical


def test_certificate_table_is_data(tmp_path: Path) -> None:
    table = tmp_path / "certs.csv"
    table.write_text(
        "name,aliases,patterns\nVietGAP,viet gap,\nISO 9001,,\\biso ?9k\\b\n", encoding="utf-8"
    )
    assert canonical_certifications(["Viet-GAP / ISO 9k", "ISO 9001"], table) == [
        "VietGAP",
        "ISO 9001",
    ]
    broken = tmp_path / "broken.csv"
    broken.write_text("name,aliases,patterns\nX,,(unclosed\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="row 2, column 'patterns'"):
        canonical_certifications(["x"], broken)


def test_required_certificate_filter_accepts_any_alias() -> None:
    assert Filters.build(["Eco Partner", "IATF", "ISO/TS 16949"]).required_certifications == {
        "Samsung Eco-Partner",
        "IATF 16949",
    }


def test_buyer_ids_are_slugs_unless_given() -> None:
    assert slugify("Samsung Electronics Vietnam") == "samsung-electronics-vietnam"
    assert slugify("Tổng Công ty May 10") == "tong-cong-ty-may-10"
    req = Requirement(requirement_id="R", buyer="Đúc Hà Nội", description="x")
    assert buyer_id_of(req) == "duc-ha-noi"
    assert buyer_id_of(req.model_copy(update={"buyer_id": "B7"})) == "B7"
