"""Requirements are private: a buyer manages and sees only its own (another buyer's answer 404,
as if they did not exist); organisers see all; suppliers none."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status

from api.config import MAX_TOP_K
from api.deps import BuyerOrOrganiser, ContextDep, Organiser, PagingDep, principal
from api.errors import ERROR_RESPONSES
from api.models import DeletedOut, ImportOut, MatchOut, Page, RequirementIn, RequirementOut
from api.routes.suppliers import UploadDep, check_id, read_upload
from matcher.errors import InputDataError, Problem
from matcher.ingest import load_requirements
from matcher.normalise import slugify
from matcher.schemas import Requirement
from matcher.store import ApiKey

router = APIRouter(
    prefix="/v1/requirements",
    tags=["requirements"],
    dependencies=[Depends(principal)],
    responses=ERROR_RESPONSES,
)


def owned(context: ContextDep, key: ApiKey, requirement_id: str) -> Requirement:
    """The requirement if the key may see it; 404 alike for missing and for another buyer's."""
    owner = context.workspace.requirement_owner(requirement_id)
    requirement = context.workspace.requirement(requirement_id) if owner is not None else None
    if requirement is None or (key.role == "buyer" and owner != key.buyer_id):
        raise HTTPException(404, "no such requirement")
    return requirement


def _owner(key: ApiKey, body: RequirementIn) -> tuple[str, str]:
    """(buyer_id, buyer display name) of a new or edited requirement."""
    if key.role == "buyer":
        mine = key.buyer_id or ""
        if body.buyer_id not in (None, mine):
            raise InputDataError(
                [
                    Problem(
                        "request",
                        None,
                        "buyer_id",
                        "a buyer key writes only its own "
                        f"requirements: leave buyer_id out or give {mine!r}",
                    )
                ]
            )
        return mine, body.buyer or mine
    if body.buyer_id is None and body.buyer is None:
        raise InputDataError(
            [Problem("request", None, "buyer_id", "name the buyer: buyer_id (or buyer)")]
        )
    buyer_id = body.buyer_id or slugify(body.buyer or "")
    return buyer_id, body.buyer or buyer_id


def _record(requirement_id: str, key: ApiKey, body: RequirementIn) -> Requirement:
    buyer_id, buyer = _owner(key, body)
    return Requirement.model_validate(
        {
            **body.model_dump(exclude={"buyer", "buyer_id"}),
            "requirement_id": requirement_id,
            "buyer": buyer,
            "buyer_id": buyer_id,
        }
    )


@router.get("", response_model=Page[RequirementOut], summary="List requirements")
def list_requirements(
    context: ContextDep, key: BuyerOrOrganiser, paging: PagingDep
) -> Page[RequirementOut]:
    only = key.buyer_id or "" if key.role == "buyer" else None
    records, total = context.workspace.page_requirements(paging.offset, paging.page_size, only)
    return Page(data=[RequirementOut.model_validate(r.model_dump()) for r in records], count=total)


@router.post(
    "",
    response_model=RequirementOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a requirement",
)
def create_requirement(
    context: ContextDep, key: BuyerOrOrganiser, body: RequirementIn
) -> RequirementOut:
    """Contract: `{"title", "description", ...}` → 201 `{"requirement_id", ...}`."""
    requirement = _record(f"R-{uuid.uuid4().hex[:16]}", key, body)
    context.workspace.upsert_requirements([requirement])
    return RequirementOut.model_validate(requirement.model_dump())


@router.get("/{requirement_id}", response_model=RequirementOut, summary="One requirement")
def get_requirement(
    context: ContextDep, key: BuyerOrOrganiser, requirement_id: str
) -> RequirementOut:
    return RequirementOut.model_validate(owned(context, key, requirement_id).model_dump())


@router.put("/{requirement_id}", response_model=RequirementOut, summary="Replace a requirement")
def put_requirement(
    context: ContextDep, key: BuyerOrOrganiser, requirement_id: str, body: RequirementIn
) -> RequirementOut:
    owned(context, key, requirement_id)
    requirement = _record(requirement_id, key, body)
    context.workspace.upsert_requirements([requirement])
    return RequirementOut.model_validate(requirement.model_dump())


@router.delete("/{requirement_id}", response_model=DeletedOut, summary="Remove a requirement")
def delete_requirement(
    context: ContextDep, key: BuyerOrOrganiser, requirement_id: str
) -> DeletedOut:
    owned(context, key, requirement_id)
    context.workspace.delete_requirement(requirement_id)
    return DeletedOut(deleted=requirement_id)


@router.get("/{requirement_id}/matches", response_model=Page[MatchOut], summary="Suppliers for it")
def requirement_matches(
    context: ContextDep,
    key: BuyerOrOrganiser,
    requirement_id: str,
    top_k: Annotated[int, Query(ge=1, le=MAX_TOP_K)] = 10,
) -> Page[MatchOut]:
    """Ranked, explained suppliers; required certifications are hard filters."""
    requirement = owned(context, key, requirement_id)
    matches = context.index.match(requirement, top_k)
    return Page(data=[MatchOut.of(m) for m in matches], count=len(matches))


@router.post("/import", response_model=ImportOut, summary="Import a requirement file")
def import_requirements(context: ContextDep, key: Organiser, file: UploadDep) -> ImportOut:
    """Validated whole first (as `matcher ingest requirements`); nothing written on a problem."""
    result = read_upload(file, load_requirements)
    for r in result.records:
        check_id(r.requirement_id, "requirement_id")
    inserted, updated = context.workspace.upsert_requirements(result.records)
    return ImportOut(inserted=inserted, updated=updated)
