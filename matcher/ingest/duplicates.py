"""Duplicate firms in a supplier register: the same tax code, or the same name once legal forms,
case and diacritics are set aside. Reported for a person to merge, never merged silently."""

from __future__ import annotations

from matcher.normalise import firm_name_key
from matcher.schemas import DuplicateFirm, Supplier


def find_duplicate_firms(suppliers: list[Supplier], rows: list[int]) -> list[DuplicateFirm]:
    """Pairs of rows that are the same firm: same tax code, or same folded name."""
    out: list[DuplicateFirm] = []
    seen_tax: dict[str, tuple[str, int]] = {}
    seen_name: dict[str, tuple[str, int]] = {}
    for supplier, row in zip(suppliers, rows, strict=True):
        if supplier.tax_code:
            if supplier.tax_code in seen_tax:
                first_id, first_row = seen_tax[supplier.tax_code]
                out.append(
                    DuplicateFirm(
                        supplier_ids=(first_id, supplier.supplier_id),
                        rows=(first_row, row),
                        reason="tax_code",
                        value=supplier.tax_code,
                    )
                )
                continue
            seen_tax[supplier.tax_code] = (supplier.supplier_id, row)
        key = firm_name_key(supplier.name)
        if key and key in seen_name:
            first_id, first_row = seen_name[key]
            out.append(
                DuplicateFirm(
                    supplier_ids=(first_id, supplier.supplier_id),
                    rows=(first_row, row),
                    reason="name",
                    value=key,
                )
            )
        elif key:
            seen_name[key] = (supplier.supplier_id, row)
    return out
