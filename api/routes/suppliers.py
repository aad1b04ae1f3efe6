"""Suppliers: everyone with a key reads public profiles; organisers manage the register; a
supplier edits its own profile. Contact persons only to those who may see them."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, File, HTTPException, UploadFile, status

from api.deps import ContextDep, Organiser, PagingDep, PrincipalDep, principal
from api.errors import ERROR_RESPONSES
from api.models import DeletedOut, ImportOut, Page, SupplierOut
from matcher.errors import InputDataError, Problem
from matcher.ingest import SUPPORTED_SUFFIXES, load_suppliers
from matcher.schemas import Supplier
from matcher.store import ApiKey, Workspace

router = APIRouter(
    prefix="/v1/suppliers",
    tags=["suppliers"],
    dependencies=[Depends(principal)],
    responses=ERROR_RESPONSES,
)
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")
MAX_ID = 64
T = TypeVar("T")


def contact_visible(workspace: Workspace, key: ApiKey, supplier_ids: Iterable[str]) -> set[str]:
    """Which of these suppliers' contact persons the key may see."""
    ids = set(supplier_ids)
    if key.role in ("admin", "organiser"):
        return ids
    if key.role == "supplier":
        return ids & {key.supplier_id or ""}
    return ids & workspace.confirmed_suppliers(key.buyer_id or "")


def public(supplier: Supplier, with_contacts: bool) -> SupplierOut:
    data = supplier.model_dump()
    if not with_contacts:
        data.update(dict.fromkeys(CONTACT_FIELDS))
        # A register's own columns may hold personal data (a director's name, an ID number):
        # shown, like the contact fields, only to the roles that may see contacts.
        data["extra"] = {}
    return SupplierOut.model_validate(data)


def check_id(value: str, what: str) -> None:
    """Ids travel in URL paths: no slash, no surrounding space, bounded."""
    if "/" in value or len(value) > MAX_ID or value != value.strip():
        raise InputDataError(
            [
                Problem(
                    "request",
                    None,
                    what,
                    f"{what} {value[:80]!r}: at most {MAX_ID} characters, no '/'",
                )
            ]
        )


@router.get("", response_model=Page[SupplierOut], summary="List suppliers")
def list_suppliers(context: ContextDep, key: PrincipalDep, paging: PagingDep) -> Page[SupplierOut]:
    suppliers, total = context.workspace.page_suppliers(paging.offset, paging.page_size)
    shown = contact_visible(context.workspace, key, (s.supplier_id for s in suppliers))
    return Page(data=[public(s, s.supplier_id in shown) for s in suppliers], count=total)


@router.post(
    "", response_model=SupplierOut, status_code=status.HTTP_201_CREATED, summary="Add a supplier"
)
def create_supplier(context: ContextDep, key: Organiser, supplier: Supplier) -> SupplierOut:
    check_id(supplier.supplier_id, "supplier_id")
    if context.workspace.supplier(supplier.supplier_id) is not None:
        raise HTTPException(409, f"supplier {supplier.supplier_id!r} exists; use PUT to edit it")
    context.workspace.upsert_suppliers([supplier])
    context.index.upsert([supplier])
    return public(supplier, True)


@router.get("/{supplier_id}", response_model=SupplierOut, summary="One supplier")
def get_supplier(context: ContextDep, key: PrincipalDep, supplier_id: str) -> SupplierOut:
    supplier = context.workspace.supplier(supplier_id)
    if supplier is None:
        raise HTTPException(404, "no such supplier")
    shown = contact_visible(context.workspace, key, [supplier_id])
    return public(supplier, supplier_id in shown)


@router.put("/{supplier_id}", response_model=SupplierOut, summary="Replace a supplier's profile")
def put_supplier(
    context: ContextDep, key: PrincipalDep, supplier_id: str, supplier: Supplier
) -> SupplierOut:
    own = key.role == "supplier" and key.supplier_id == supplier_id
    if key.role not in ("admin", "organiser") and not own:
        raise HTTPException(403, "only organisers, or the supplier itself, edit a profile")
    if supplier.supplier_id != supplier_id:
        raise InputDataError(
            [
                Problem(
                    "request",
                    None,
                    "supplier_id",
                    f"body names {supplier.supplier_id!r}, "
                    f"the path {supplier_id!r}: they must be the same",
                )
            ]
        )
    if context.workspace.supplier(supplier_id) is None:
        raise HTTPException(404, "no such supplier")
    context.workspace.upsert_suppliers([supplier])
    context.index.upsert([supplier])
    return public(supplier, True)


@router.delete("/{supplier_id}", response_model=DeletedOut, summary="Remove a supplier")
def delete_supplier(context: ContextDep, key: Organiser, supplier_id: str) -> DeletedOut:
    if not context.workspace.delete_suppliers([supplier_id]):
        raise HTTPException(404, "no such supplier")
    context.index.delete([supplier_id])
    return DeletedOut(deleted=supplier_id)


UploadDep = Annotated[UploadFile, File(description=f"One of {', '.join(SUPPORTED_SUFFIXES)}.")]


def read_upload(upload: UploadFile, load: Callable[[Path], T]) -> T:
    """Validate an uploaded file with the CLI's loaders; problems name the client's file."""
    name = Path(upload.filename or "upload").name or "upload"
    folder = Path(tempfile.mkdtemp(prefix="matcher-upload-"))
    try:
        path = folder / f"upload{Path(name).suffix.lower()}"
        with open(path, "wb") as handle:
            shutil.copyfileobj(upload.file, handle)
        try:
            return load(path)
        except InputDataError as exc:
            raise InputDataError(
                [
                    Problem(p.file.replace(str(path), name), p.row, p.column, p.message)
                    for p in exc.problems
                ]
            ) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@router.post("/import", response_model=ImportOut, summary="Import a supplier file")
def import_suppliers(context: ContextDep, key: Organiser, file: UploadDep) -> ImportOut:
    """The whole file is validated first (as `matcher ingest suppliers`); nothing is written
    when any row is bad, and the answer lists every problem with its row and column."""
    result = read_upload(file, load_suppliers)
    for s in result.records:
        check_id(s.supplier_id, "supplier_id")
    inserted, updated = context.workspace.upsert_suppliers(result.records)
    context.index.upsert(result.records)
    return ImportOut(
        inserted=inserted,
        updated=updated,
        duplicates=[d.model_dump(mode="json") for d in result.duplicates],
    )
