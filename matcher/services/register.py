"""The register of one workspace, kept in the database and the live index together.

Every supplier write goes to the database, then the index, as the index's one writer (a bounded
wait: ``Busy`` past it); a reader never sees one without the other for long. Requirements live
in the database only (the index holds suppliers). Who may do what is matcher/services/access.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matcher.errors import Conflict, NotFound
from matcher.schemas import Requirement, Supplier
from matcher.services.access import (
    check_ids,
    owned_requirement,
    request_problem,
    requirement_owner,
)
from matcher.services.index import SearchIndex, write_gate
from matcher.store import ApiKey, Workspace


@dataclass
class Register:
    workspace: Workspace
    index: SearchIndex
    write_wait_seconds: float = 10.0

    # -- suppliers -------------------------------------------------------------------------------
    def upsert_suppliers(self, suppliers: Sequence[Supplier]) -> tuple[int, int]:
        """(inserted, updated): into the database, then the index, as its one writer."""
        check_ids((s.supplier_id for s in suppliers), "supplier_id")
        with write_gate(self.index).held(self.write_wait_seconds):
            counts = self.workspace.upsert_suppliers(suppliers)
            self.index.upsert(suppliers)
        return counts

    def supplier(self, supplier_id: str) -> Supplier:
        found = self.workspace.supplier(supplier_id)
        if found is None:
            raise NotFound("no such supplier")
        return found

    def add_supplier(self, supplier: Supplier) -> Supplier:
        """A new firm (Conflict when its id exists: editing is ``replace_supplier``)."""
        if self.workspace.supplier(supplier.supplier_id) is not None:
            raise Conflict(f"supplier {supplier.supplier_id!r} exists; use PUT to edit it")
        self.upsert_suppliers([supplier])
        return supplier

    def replace_supplier(self, supplier_id: str, supplier: Supplier) -> Supplier:
        """A new profile for an existing firm; the record must name the same id."""
        if supplier.supplier_id != supplier_id:
            raise request_problem(
                "supplier_id",
                f"body names {supplier.supplier_id!r}, "
                f"the path {supplier_id!r}: they must be the same",
            )
        self.supplier(supplier_id)
        self.upsert_suppliers([supplier])
        return supplier

    def delete_supplier(self, supplier_id: str) -> None:
        with write_gate(self.index).held(self.write_wait_seconds):
            if not self.workspace.delete_suppliers([supplier_id]):
                raise NotFound("no such supplier")
            self.index.delete([supplier_id])

    # -- requirements ----------------------------------------------------------------------------
    def upsert_requirements(self, requirements: Sequence[Requirement]) -> tuple[int, int]:
        check_ids((r.requirement_id for r in requirements), "requirement_id")
        return self.workspace.upsert_requirements(requirements)

    def write_requirement(
        self, key: ApiKey, requirement_id: str | None, fields: dict[str, Any]
    ) -> Requirement:
        """Add (``requirement_id`` None: a new id) or replace one of the key's requirements.

        ``fields``: the requirement's fields, with ``buyer`` / ``buyer_id`` as the caller gave
        them (access.requirement_owner decides the owner)."""
        if requirement_id is None:
            requirement_id = f"R-{uuid.uuid4().hex[:16]}"
        else:
            owned_requirement(self.workspace, key, requirement_id)
        buyer_id, buyer = requirement_owner(key, fields.get("buyer_id"), fields.get("buyer"))
        rest = {k: v for k, v in fields.items() if k not in ("buyer", "buyer_id")}
        requirement = Requirement.model_validate(
            {**rest, "requirement_id": requirement_id, "buyer": buyer, "buyer_id": buyer_id}
        )
        self.upsert_requirements([requirement])
        return requirement

    def delete_requirement(self, requirement_id: str) -> None:
        if not self.workspace.delete_requirement(requirement_id):
            raise NotFound("no such requirement")
