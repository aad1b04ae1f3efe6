"""Suppliers: everyone with a key reads public profiles; organisers manage the register; a
supplier edits its own profile. Contact persons only to those who may see them.

Every write is bounded: each text of a record in size (api/limits.py, 422), the wait for the
index's one writer in time (503), and an imported file in size before it is parsed, then in
memory and time while a worker process parses it (api/uploads.py, 413/422)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, File, Request, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.deps import Context, ContextDep, Organiser, PagingDep, PrincipalDep, principal
from api.errors import ERROR_RESPONSES
from api.limits import record_problems
from api.models import DeletedOut, ImportOut, Page, SupplierOut
from api.uploads import client_name, read_upload_async
from matcher.errors import InputDataError
from matcher.ingest import SUPPORTED_SUFFIXES, load_suppliers
from matcher.schemas import Supplier
from matcher.services import check_ids, may_edit_supplier, views

router = APIRouter(
    prefix="/v1/suppliers",
    tags=["suppliers"],
    dependencies=[Depends(principal)],
    responses=ERROR_RESPONSES,
)
T = TypeVar("T")


def public(supplier: Supplier) -> SupplierOut:
    return SupplierOut.model_validate(supplier.model_dump())


def check_sizes(context: Context, suppliers: Sequence[Supplier], source: str = "request") -> None:
    """Every text of every record within the service's limits (422 naming each field)."""
    api = context.api
    problems = [
        p
        for s in suppliers
        for p in record_problems(
            s,
            api.max_text_chars,
            api.max_list_items,
            source,
            f"supplier {s.supplier_id[:64]!r}: " if len(suppliers) > 1 else "",
        )
    ]
    if problems:
        raise InputDataError(problems[:100])


@router.get("", response_model=Page[SupplierOut], summary="List suppliers")
def list_suppliers(context: ContextDep, key: PrincipalDep, paging: PagingDep) -> Page[SupplierOut]:
    suppliers, total = context.workspace.page_suppliers(paging.offset, paging.page_size)
    return Page(data=[public(s) for s in views(context.workspace, key, suppliers)], count=total)


@router.post(
    "", response_model=SupplierOut, status_code=status.HTTP_201_CREATED, summary="Add a supplier"
)
def create_supplier(context: ContextDep, key: Organiser, supplier: Supplier) -> SupplierOut:
    check_sizes(context, [supplier])
    return public(context.register.add_supplier(supplier))


@router.get("/{supplier_id}", response_model=SupplierOut, summary="One supplier")
def get_supplier(context: ContextDep, key: PrincipalDep, supplier_id: str) -> SupplierOut:
    (seen,) = views(context.workspace, key, [context.register.supplier(supplier_id)])
    return public(seen)


@router.put("/{supplier_id}", response_model=SupplierOut, summary="Replace a supplier's profile")
def put_supplier(
    context: ContextDep, key: PrincipalDep, supplier_id: str, supplier: Supplier
) -> SupplierOut:
    may_edit_supplier(key, supplier_id)
    check_sizes(context, [supplier])
    return public(context.register.replace_supplier(supplier_id, supplier))


@router.delete("/{supplier_id}", response_model=DeletedOut, summary="Remove a supplier")
def delete_supplier(context: ContextDep, key: Organiser, supplier_id: str) -> DeletedOut:
    context.register.delete_supplier(supplier_id)
    return DeletedOut(deleted=supplier_id)


UploadDep = Annotated[UploadFile, File(description=f"One of {', '.join(SUPPORTED_SUFFIXES)}.")]


# 499 is nginx's "client closed request": nobody reads it, but logs and metrics do.
CLIENT_GONE = 499


@router.post("/import", response_model=ImportOut, summary="Import a supplier file")
async def import_suppliers(
    request: Request, context: ContextDep, key: Organiser, file: UploadDep
) -> ImportOut | Response:
    """The whole file is validated first (as `matcher ingest suppliers`); nothing is written
    when any row is bad, and the answer lists every problem with its row and column. Refused
    before parsing past the size limits (413); parsed in a worker process that is stopped past
    its time limit (422) or when the client goes away (nothing is written then)."""
    result = await read_upload_async(file, load_suppliers, context.api, request.is_disconnected)
    if result is None:
        return Response(status_code=CLIENT_GONE)
    check_ids((s.supplier_id for s in result.records), "supplier_id")
    check_sizes(context, result.records, client_name(file))
    if await request.is_disconnected():
        return Response(status_code=CLIENT_GONE)
    inserted, updated = await run_in_threadpool(context.register.upsert_suppliers, result.records)
    duplicates = [d.model_dump(mode="json") for d in result.duplicates]
    return ImportOut(inserted=inserted, updated=updated, duplicates=duplicates)
