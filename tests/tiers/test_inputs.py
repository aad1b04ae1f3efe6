"""A firm's own inputs: the shipped mapping, derived and given inputs, a bad mapping rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.errors import InputDataError
from matcher.tiers import firm_inputs, load_input_rules, read_given_inputs
from tests.conftest import write
from tests.tiers.conftest import RULES, TAXONOMY, profile


def test_shipped_input_mapping_loads_against_the_taxonomy() -> None:
    assert len(RULES) > 50
    assert all(r.input_tag in TAXONOMY.entries for r in RULES)


def test_seat_maker_needs_foam_frames_cover_and_sewing() -> None:
    seat = profile(supplier_id="S9", products="yên xe máy", description="Sản xuất yên xe máy.")
    wanted = firm_inputs(seat, RULES, TAXONOMY)
    # metal_stamping: seat rule (2) + motorbike-parts rule (1); the other seat rules 2 each;
    # fasteners (motorbike parts, 1) is left out by max_inputs=4.
    assert [w.requirement.requirement_id for w in wanted] == [
        "S9>metal_stamping",
        "S9>eva_pu_foam",
        "S9>synthetic_leather",
        "S9>garment_sewing",
    ]
    first = wanted[1].requirement
    assert first.buyer_id == "S9" and "Mút xốp PU" in first.description
    assert first.target_tier == 2


def test_in_house_capabilities_are_not_inputs_and_iatf_flows_down_iso_9001() -> None:
    stamper = profile(
        processes="dập liên hoàn; mạ kẽm", certifications="IATF 16949", description="Dập, mạ."
    )
    wanted = firm_inputs(stamper, RULES, TAXONOMY)
    tags = [w.requirement.requirement_id.split(">")[1] for w in wanted]
    assert "mould_making" in tags and "electroplating" not in tags  # it plates in-house
    assert all(w.needs.certifications == ("ISO 9001",) for w in wanted)


def test_given_inputs_replace_derived_ones(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        "supplier_id,name,description,đầu vào\nS1,A,dập kim loại,khuôn dập; hạt nhựa ABS\n",
    )
    given = read_given_inputs(path)
    assert given == {"S1": ["khuôn dập", "hạt nhựa ABS"]}
    wanted = firm_inputs(profile(processes="dập"), RULES, TAXONOMY, given["S1"])
    assert [w.requirement.requirement_id for w in wanted] == ["S1>input-1", "S1>input-2"]
    assert not any(w.derived for w in wanted)


def test_bad_input_mapping_is_rejected_with_row_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path / "inputs.csv",
        "tag,terms,input_tag,text_en,text_vi\nmetal_stamping,,no_such_tag,Dies,Khuôn\n",
    )
    with pytest.raises(InputDataError) as info:
        load_input_rules(path, TAXONOMY)
    assert (info.value.row, info.value.column) == (2, "input_tag")
