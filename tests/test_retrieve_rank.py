from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from matcher.config import Settings
from matcher.engine import Engine, search_requirement
from matcher.errors import ConfigError
from matcher.normalise import normalise_requirement
from matcher.rank import FEATURES, load_weights
from matcher.retrieve import Filters, rrf_scores
from matcher.schemas import Requirement, Supplier


def test_rrf_worked_by_hand() -> None:
    fused = rrf_scores([[1, 2, 3], [3, 1]], k=60)
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[2] == pytest.approx(1 / 62)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert sorted(fused, key=lambda d: -fused[d]) == [1, 3, 2]


def test_weights_file_errors(tmp_path: Path) -> None:
    assert set(load_weights()) == set(FEATURES)
    bad = tmp_path / "w.json"
    bad.write_text(json.dumps({"weights": {"dense": 1, "magic": 2}}))
    with pytest.raises(ConfigError, match="unknown features \\['magic'\\]"):
        load_weights(bad)
    with pytest.raises(ConfigError, match="cannot read"):
        load_weights(tmp_path / "missing.json")


SUPPLIERS = [
    Supplier(
        supplier_id=sid,
        name=name,
        description=description,
        certifications=certifications,
        sector=[sector],
        province=province,
    )
    for sid, name, description, certifications, sector, province in [
        ("S1", "Cơ khí A", "Dập kim loại tấm, dập liên hoàn", ["ISO 9001"], "V", "Hà Nội"),
        ("S2", "Cơ khí B", "Dập kim loại, chấn uốn", ["ISO 9001", "IATF 16949"], "IV", "Bắc Ninh"),
        ("S3", "Nhựa C", "Ép phun nhựa ABS", ["iso14001"], "III", "Hà Nội"),
        ("S4", "Dệt D", "Dệt nhuộm vải cotton", [], "I", None),
    ]
]


@pytest.fixture
def engine(hashing_settings: Settings) -> Engine:
    return Engine(hashing_settings).build(SUPPLIERS)


def test_hard_filters_inside_search(engine: Engine) -> None:
    def ids(filters: Filters, k: int = 10) -> list[str]:
        return [m.supplier_id for m in engine.search("metal stamping dập", k, filters)]

    assert ids(Filters.build(certifications=["IATF16949"])) == ["S2"]
    assert set(ids(Filters.build(provinces=["ha noi"]))) == {"S1", "S3"}
    assert set(ids(Filters.build(sectors=["iv", "v"]))) == {"S1", "S2"}
    assert ids(Filters.build(certifications=["ISO 45001"])) == []
    # k results whenever k qualify, even when the text matches none of them lexically.
    assert len(ids(Filters.build(certifications=["ISO 9001"]), k=2)) == 2
    # A certification filter is named in the explanation, as a requirement's would be.
    (m,) = engine.search("metal stamping", 1, Filters.build(certifications=["IATF16949"]))
    assert m.certifications_met == ["IATF 16949"]


def test_explanations_name_capabilities_and_certificates(engine: Engine) -> None:
    req = Requirement(
        requirement_id="R1",
        buyer="Honda",
        description="Progressive die stamping",
        required_certifications=["ISO 9001"],
        preferred_certifications=["IATF 16949"],
    )
    matches = engine.match([req], top_k=2)
    assert [m.rank for m in matches] == [1, 2]
    assert {m.supplier_id for m in matches} == {"S1", "S2"}
    by_id = {m.supplier_id: m for m in matches}
    assert "Metal stamping" in by_id["S1"].matched_capabilities
    assert by_id["S1"].certifications_missing == ["IATF 16949"]
    assert by_id["S2"].certifications_met == ["ISO 9001", "IATF 16949"]
    assert by_id["S2"].score > by_id["S1"].score  # holds the preferred certificate
    assert "lacks preferred IATF 16949" in by_id["S1"].explanation
    assert "Top factors:" in by_id["S1"].explanation


def test_score_is_the_weighted_sum_of_features(engine: Engine) -> None:
    (m,) = engine.search("ép phun nhựa", 1)
    # The weights this request is scored with: the file's, gated by what the request carries.
    request = normalise_requirement(
        search_requirement("ép phun nhựa"), engine.taxonomy, engine.lexicon
    )
    weights = engine.ranker.weights_for(request)
    assert m.score == pytest.approx(sum(weights[f] * m.features[f] for f in FEATURES), abs=1e-5)
    assert all(0.0 <= m.features[f] <= 1.0 for f in FEATURES)
    assert np.isfinite(m.score)


def test_gating_spreads_an_untrusted_taxonomy_over_the_other_signals_and_keeps_the_total() -> None:
    from matcher.rank import LEXICON_READS, effective_weights, gate_shares

    weights = {f: 0.0 for f in FEATURES} | {
        "dense": 0.2,
        "translated": 0.4,
        "taxonomy": 0.2,
        "taxonomy_process": 0.1,
        "track_record": 0.1,
    }
    low, high = LEXICON_READS
    # A request the lexicon reads word for word (a tariff line): the translated field bridges the
    # languages, the taxonomy's weight goes to the other features in proportion to theirs.
    read = effective_weights(weights, {"translation_coverage": high, "has_tags": 1.0})
    assert read["taxonomy"] == read["taxonomy_process"] == 0.0
    assert read["dense"] == pytest.approx(0.2 / 0.7)
    assert read["translated"] == pytest.approx(0.4 / 0.7)
    assert read["track_record"] == pytest.approx(0.1 / 0.7)
    assert sum(read.values()) == pytest.approx(sum(weights.values()))
    # A trade register's request or a Japanese one (the lexicon reads little of it) keeps all.
    for coverage in (0.0, low):
        kept = effective_weights(weights, {"translation_coverage": coverage, "has_tags": 1.0})
        assert kept == pytest.approx(weights)
    # Linear in between; no tags at all is no taxonomy, whatever the coverage.
    middle = gate_shares({"translation_coverage": (low + high) / 2, "has_tags": 1.0})
    assert middle["taxonomy_trust"] == pytest.approx(0.5)
    assert gate_shares({"translation_coverage": 0.1, "has_tags": 0.0})["taxonomy_trust"] == 0.0
    # When nothing else carries weight, what is withheld stays withheld.
    alone = {f: 0.0 for f in FEATURES} | {"taxonomy": 1.0}
    assert (
        sum(effective_weights(alone, {"translation_coverage": 1.0, "has_tags": 1.0}).values()) == 0
    )


def test_translation_coverage_reads_zero_for_a_language_the_lexicon_lacks() -> None:
    from matcher.lexicon import learn_lexicon

    lexicon = learn_lexicon([("thép tấm", "steel sheet"), ("thép cuộn", "steel coil")] * 3)
    assert lexicon.coverage("thép tấm") == 1.0
    assert lexicon.coverage("プレス加工部品") == 0.0
    assert lexicon.coverage("thép xyz") == 0.5


def test_coverage_weight_follows_how_rare_full_coverage_is_among_the_candidates() -> None:
    from matcher.rank import SPREAD_GATED, spread_weights

    weights = {f: 0.0 for f in FEATURES} | {"fusion": 0.1, "taxonomy": 0.4, "taxonomy_process": 0.2}
    columns = {f: [0.0] * 4 for f in SPREAD_GATED}
    columns["taxonomy"] = [1.0, 1.0, 1.0, 0.5]  # 3 of 4 candidates at the best coverage
    columns["taxonomy_process"] = [1.0, 0.0, 0.0, 0.0]  # 1 of 4: rare, so informative
    out = spread_weights(weights, columns, "fusion")
    assert out["taxonomy"] == pytest.approx(0.4 * (1 - 3 / 4))
    assert out["taxonomy_process"] == pytest.approx(0.2 * (1 - 1 / 4))
    assert out["fusion"] == pytest.approx(0.1 + 0.4 * 3 / 4 + 0.2 / 4)
    assert sum(out.values()) == pytest.approx(sum(weights.values()))
    # A feature that is 0 for every candidate (no tags) keeps its weight: it cannot reorder them.
    assert spread_weights(weights, {f: [0.0] * 4 for f in SPREAD_GATED}, "fusion") == weights
