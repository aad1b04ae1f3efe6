"""Quantities in profile text: monthly volumes and machine tonnage, worked by hand."""

from __future__ import annotations

import pytest

from matcher.tiers import machine_tonnage, parse_quantity


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("3,000,000 pcs/month", 3_000_000, "pcs"),
        ("5.000 bộ/tháng", 5_000, "sets"),
        ("1.305.000 sản phẩm/tháng", 1_305_000, "pcs"),
        ("20,000-100,000 pcs/month per part", 100_000, "pcs"),
        ("30k sets per month", 30_000, "sets"),
        ("37 bộ khuôn/tháng", 37, "moulds"),
        ("300 km/month", 300_000, "m"),
        ("12 machines/year", 1, "machines"),
        ("1,5 tấn/tháng", 1.5, "t"),
    ],
)
def test_parse_quantity(text: str, amount: float, unit: str) -> None:
    parsed = parse_quantity(text)
    assert parsed is not None
    assert parsed.amount == pytest.approx(amount)
    assert parsed.unit == unit


def test_parse_quantity_without_a_period_is_none() -> None:
    assert parse_quantity("") is None
    assert parse_quantity("large volumes") is None


@pytest.mark.parametrize(
    ("text", "tonnage"),
    [
        ("Nhà xưởng có 3 máy dập từ 250 đến 500 tấn, có dây chuyền dập liên hoàn.", 500),
        ("Machines 450-1300 ton needed. Around 30k sets per month.", 1300),
        ("Need injection machines from 1,300 ton, painting line.", 1300),
        ("13 máy ép đùn nhôm 600–2.500 tấn, dây chuyền anod hóa.", 2500),
        ("Lò trung tần 6 tấn/mẻ, dây chuyền làm khuôn cát.", None),  # a furnace charge
        ("Capacity 60 t/month of forgings.", None),  # a volume, not a machine
    ],
)
def test_machine_tonnage(text: str, tonnage: float | None) -> None:
    assert machine_tonnage(text) == tonnage
