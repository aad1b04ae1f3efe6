"""Readiness and gaps: a link needs exactly what its requirement asks and the profile lacks."""

from __future__ import annotations

import pytest

from matcher.schemas import Requirement
from matcher.tiers import assess, needs_of
from tests.tiers.conftest import TAXONOMY, profile

REQUIREMENT = Requirement(
    requirement_id="R1",
    buyer="Toyota Motor Vietnam",
    title="Stamped and welded brackets",
    description="Stamped brackets, press tonnage 300-800 t. Welded sub-assemblies.",
    required_certifications=["IATF 16949"],
    preferred_certifications=["ISO 14001"],
    processes=["stamping", "MIG welding"],
    materials=["SPCC"],
    quantity="10,000 sets/month",
)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # Worked by hand: ISO 9001 only (IATF missing), stamps but does not weld, handles SPCC,
        # 5,000 < 10,000 sets, largest press 600 t < 800 t. Preferred ISO 14001 is not a gap.
        pytest.param(
            {
                "description": "Nhà xưởng có 3 máy dập từ 150 đến 600 tấn. "
                "Dập chi tiết thép tấm SPCC.",
                "processes": "dập kim loại",
                "materials": "thép tấm SPCC",
                "certifications": "ISO 9001:2015",
                "monthly_capacity": "5.000 bộ/tháng",
            },
            [
                ("certification", "IATF 16949", "certification consulting"),
                ("process", "Welding", "workforce training"),  # welding is a skill track
                ("capacity", "10,000 sets/month", "technology renewal"),
                ("equipment", "machines of 800 t", "technology renewal"),
            ],
            id="gaps-are-exactly-the-unmet-requirements",
        ),
        pytest.param(
            {
                "description": "Presses from 200 to 1000 t with robot welding cells.",
                "processes": "stamping; MIG welding",
                "materials": "SPCC steel sheet",
                "certifications": "IATF16949; iso 14001",
                "monthly_capacity": "12,000 sets/month",
            },
            [],
            id="a-firm-meeting-everything-is-ready",
        ),
    ],
)
def test_gaps_are_exactly_the_unmet_requirements(
    fields: dict[str, str], expected: list[tuple[str, str, str]]
) -> None:
    gaps = assess(needs_of(REQUIREMENT, TAXONOMY), profile(**fields), TAXONOMY)
    assert [(g.kind, g.item, g.track) for g in gaps] == expected


def test_capacity_in_other_units_is_not_a_gap_but_missing_capacity_is() -> None:
    base = {"processes": "stamping; welding", "materials": "SPCC", "certifications": "IATF 16949"}
    base["description"] = "Presses up to 1000 t."
    other_unit = profile(monthly_capacity="300 tấn/tháng", **base)
    unstated = profile(**base)
    needs = needs_of(REQUIREMENT, TAXONOMY)
    assert assess(needs, other_unit, TAXONOMY) == []
    assert [g.detail for g in assess(needs, unstated, TAXONOMY)] == ["capacity not stated"]
