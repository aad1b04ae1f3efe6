"""A buyer's shortlist: suppliers kept for a closer look, with a note each, and its export to
XLSX. A shortlist belongs to one buyer (the buyer id of the key): no other key sees it."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font

from matcher.errors import Forbidden, NotFound
from matcher.export import safe_cell
from matcher.schemas import Supplier
from matcher.services.access import as_seen, contact_visible
from matcher.store import ApiKey, ShortlistItem, Workspace

MAX_NOTE = 2000
MAX_ITEMS = 500  # a shortlist longer than this is a register, not a shortlist
EXPORT_COLUMNS = (
    "supplier_id",
    "name",
    "name_en",
    "province",
    "sector",
    "tier",
    "certifications",
    "processes",
    "products",
    "customers",
    "contact_name",
    "contact_email",
    "contact_phone",
    "note",
    "added_at",
)


def buyer_of(key: ApiKey) -> str:
    """The buyer a key keeps a shortlist for (Forbidden for keys of other roles)."""
    if key.role != "buyer" or not key.buyer_id:
        raise Forbidden("only a buyer key keeps a shortlist")
    return key.buyer_id


@dataclass
class Shortlists:
    workspace: Workspace

    def items(self, key: ApiKey) -> list[tuple[ShortlistItem, Supplier]]:
        """The key's shortlist with each profile as the key may see it (contacts only where
        access.contact_visible allows); suppliers removed from the register drop out."""
        buyer = buyer_of(key)
        rows = self.workspace.shortlist(buyer)
        shown = contact_visible(self.workspace, key, (r.supplier_id for r in rows))
        profiles = self.workspace.suppliers_by_id(r.supplier_id for r in rows)
        return [
            (row, as_seen(profiles[row.supplier_id], row.supplier_id in shown))
            for row in rows
            if row.supplier_id in profiles
        ]

    def supplier_ids(self, key: ApiKey) -> set[str]:
        return {r.supplier_id for r in self.workspace.shortlist(buyer_of(key))}

    def add(self, key: ApiKey, supplier_id: str, note: str = "") -> bool:
        """Shortlist a registered supplier (True: new; False: its note updated)."""
        buyer = buyer_of(key)
        if self.workspace.supplier(supplier_id) is None:
            raise NotFound("no such supplier")
        current = self.workspace.shortlist(buyer)
        if len(current) >= MAX_ITEMS and supplier_id not in {r.supplier_id for r in current}:
            raise Forbidden(f"a shortlist holds at most {MAX_ITEMS} suppliers")
        return self.workspace.add_to_shortlist(buyer, supplier_id, note.strip()[:MAX_NOTE])

    def remove(self, key: ApiKey, supplier_id: str) -> None:
        if not self.workspace.remove_from_shortlist(buyer_of(key), supplier_id):
            raise NotFound("that supplier is not on your shortlist")

    def export_xlsx(self, key: ApiKey) -> bytes:
        """The shortlist as a workbook: one row a supplier, contacts only where allowed."""
        book = Workbook()
        sheet = book.active
        sheet.title = "shortlist"
        sheet.append(list(EXPORT_COLUMNS))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for item, supplier in self.items(key):
            values = {**supplier.model_dump(), "note": item.note, "added_at": item.added_at}
            sheet.append([_cell(values.get(column)) for column in EXPORT_COLUMNS])
        sheet.freeze_panes = "A2"
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


def _cell(value: object) -> object:
    """A value as a spreadsheet cell: lists joined by '; ', times without their zone (Excel
    has none; they are UTC), text safe from formula injection (matcher.export.safe_cell)."""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return safe_cell(value)
