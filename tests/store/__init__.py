"""Tests of matcher.store, one module each; the records they share are made here."""

from __future__ import annotations

from matcher.schemas import Requirement, Supplier


def supplier(supplier_id: str, description: str = "metal stamping") -> Supplier:
    return Supplier(supplier_id=supplier_id, name=f"Firm {supplier_id}", description=description)


def requirement(
    requirement_id: str, buyer: str, buyer_id: str | None = None, description: str = "brackets"
) -> Requirement:
    return Requirement(
        requirement_id=requirement_id, buyer=buyer, buyer_id=buyer_id, description=description
    )
