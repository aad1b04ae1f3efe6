"""The register: the suppliers and requirements a workspace holds, each kept as its validated
JSON record; a requirement also records the buyer that owns it (what buyer keys are bound to)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from matcher.encoders import text_hash
from matcher.normalise import buyer_id_of
from matcher.schemas import Requirement, Supplier
from matcher.store.db import (
    RecordRow,
    RequirementRow,
    Store,
    SupplierRow,
    fetch_all,
    fetch_one,
    fetch_page,
)


def _supplier(row: SupplierRow) -> Supplier:
    return Supplier.model_validate(json.loads(row.data))


def _requirement(row: RequirementRow) -> Requirement:
    return Requirement.model_validate(json.loads(row.data))


def _owner(row: RequirementRow) -> str:
    return row.buyer_id


class RegisterStore(Store):
    """Suppliers and requirements: upsert, read, page and delete."""

    def upsert_suppliers(self, suppliers: Sequence[Supplier]) -> tuple[int, int]:
        """Insert or update in one transaction; returns (inserted, updated)."""
        return self._upsert(
            SupplierRow,
            [(s.supplier_id, {"name": s.name}, s.model_dump_json()) for s in suppliers],
        )

    def upsert_requirements(self, requirements: Sequence[Requirement]) -> tuple[int, int]:
        """Insert or update in one transaction; returns (inserted, updated)."""
        return self._upsert(
            RequirementRow,
            [
                (
                    r.requirement_id,
                    {"buyer": r.buyer, "buyer_id": buyer_id_of(r)},
                    r.model_dump_json(),
                )
                for r in requirements
            ],
        )

    def _upsert(
        self,
        table: type[RecordRow],
        items: Sequence[tuple[str, dict[str, str], str]],
    ) -> tuple[int, int]:
        now = datetime.now(UTC)
        inserted = updated = 0
        with Session(self.engine) as session, session.begin():
            for key, columns, data in items:
                row = session.get(table, key)
                values = {
                    **columns,
                    "data": data,
                    "content_hash": text_hash(data),
                    "updated_at": now,
                }
                if row is None:
                    session.add(table(**{table.key_name: key}, **values))
                    inserted += 1
                elif row.data != data:
                    for name, value in values.items():
                        setattr(row, name, value)
                    updated += 1
        return inserted, updated

    def suppliers(self) -> list[Supplier]:
        return fetch_all(self.engine, SupplierRow, _supplier, SupplierRow.supplier_id)

    def requirements(self) -> list[Requirement]:
        return fetch_all(self.engine, RequirementRow, _requirement, RequirementRow.requirement_id)

    def supplier(self, supplier_id: str) -> Supplier | None:
        return fetch_one(self.engine, SupplierRow, supplier_id, _supplier)

    def requirement(self, requirement_id: str) -> Requirement | None:
        return fetch_one(self.engine, RequirementRow, requirement_id, _requirement)

    def requirement_owner(self, requirement_id: str) -> str | None:
        """The buyer id that owns a requirement, None when there is no such requirement."""
        return fetch_one(self.engine, RequirementRow, requirement_id, _owner)

    def page_suppliers(self, offset: int, limit: int) -> tuple[list[Supplier], int]:
        """One page of suppliers by id, and how many there are in all."""
        return fetch_page(
            self.engine, SupplierRow, _supplier, SupplierRow.supplier_id, offset, limit
        )

    def page_requirements(
        self, offset: int, limit: int, buyer_id: str | None = None
    ) -> tuple[list[Requirement], int]:
        """One page of requirements (of one buyer when ``buyer_id`` is given) and the total."""
        mine = [] if buyer_id is None else [RequirementRow.buyer_id == buyer_id]
        return fetch_page(
            self.engine,
            RequirementRow,
            _requirement,
            RequirementRow.requirement_id,
            offset,
            limit,
            mine,
        )

    def delete_suppliers(self, supplier_ids: Sequence[str]) -> int:
        """Delete in one transaction; returns how many existed."""
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                delete(SupplierRow).where(SupplierRow.supplier_id.in_(list(supplier_ids)))
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def delete_requirement(self, requirement_id: str) -> bool:
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                delete(RequirementRow).where(RequirementRow.requirement_id == requirement_id)
            )
            return bool(getattr(result, "rowcount", 0))
