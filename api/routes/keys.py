"""API keys, for admins (the first admin key comes from `matcher keys create --role admin`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, status

from api.deps import Admin, ContextDep, PagingDep, principal
from api.errors import ERROR_RESPONSES
from api.models import DeletedOut, KeyIn, KeyOut, NewKeyOut, Page

router = APIRouter(
    prefix="/v1/keys", tags=["keys"], dependencies=[Depends(principal)], responses=ERROR_RESPONSES
)


@router.post("", response_model=NewKeyOut, status_code=status.HTTP_201_CREATED, summary="New key")
def create_key(context: ContextDep, key: Admin, body: KeyIn) -> NewKeyOut:
    record, secret = context.workspace.create_api_key(
        body.role, body.buyer_id, body.supplier_id, body.label
    )
    return NewKeyOut(**record.model_dump(), key=secret)


@router.get("", response_model=Page[KeyOut], summary="List keys (never their secrets)")
def list_keys(context: ContextDep, key: Admin, paging: PagingDep) -> Page[KeyOut]:
    keys = context.workspace.api_keys()
    chunk = keys[paging.offset : paging.offset + paging.page_size]
    return Page(data=[KeyOut(**k.model_dump()) for k in chunk], count=len(keys))


@router.delete(
    "/{key_id}",
    response_model=DeletedOut,
    summary="Revoke a key (409 for the last admin key: the API never locks every admin out)",
)
def revoke_key(context: ContextDep, key: Admin, key_id: str) -> DeletedOut:
    if not context.workspace.revoke_api_key(key_id, keep_an_admin=True):
        raise HTTPException(404, "no such key")
    return DeletedOut(deleted=key_id)
