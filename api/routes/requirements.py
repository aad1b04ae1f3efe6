"""Requirements are private: a buyer manages and sees only its own (another buyer's answer 404,
as if they did not exist); organisers see all; suppliers none."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from api.config import MAX_TOP_K
from api.deps import BuyerOrOrganiser, ContextDep, Organiser, PagingDep, principal
from api.errors import ERROR_RESPONSES
from api.models import DeletedOut, ImportOut, MatchOut, Page, RequirementIn, RequirementOut
from api.routes.suppliers import UploadDep
from api.uploads import read_upload
from matcher.ingest import load_requirements
from matcher.services import owned_requirement

router = APIRouter(
    prefix="/v1/requirements",
    tags=["requirements"],
    dependencies=[Depends(principal)],
    responses=ERROR_RESPONSES,
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
    requirement = context.register.write_requirement(key, None, body.model_dump())
    return RequirementOut.model_validate(requirement.model_dump())


@router.get("/{requirement_id}", response_model=RequirementOut, summary="One requirement")
def get_requirement(
    context: ContextDep, key: BuyerOrOrganiser, requirement_id: str
) -> RequirementOut:
    found = owned_requirement(context.workspace, key, requirement_id)
    return RequirementOut.model_validate(found.model_dump())


@router.put("/{requirement_id}", response_model=RequirementOut, summary="Replace a requirement")
def put_requirement(
    context: ContextDep, key: BuyerOrOrganiser, requirement_id: str, body: RequirementIn
) -> RequirementOut:
    requirement = context.register.write_requirement(key, requirement_id, body.model_dump())
    return RequirementOut.model_validate(requirement.model_dump())


@router.delete("/{requirement_id}", response_model=DeletedOut, summary="Remove a requirement")
def delete_requirement(
    context: ContextDep, key: BuyerOrOrganiser, requirement_id: str
) -> DeletedOut:
    owned_requirement(context.workspace, key, requirement_id)
    context.register.delete_requirement(requirement_id)
    return DeletedOut(deleted=requirement_id)


@router.get("/{requirement_id}/matches", response_model=Page[MatchOut], summary="Suppliers for it")
def requirement_matches(
    context: ContextDep,
    key: BuyerOrOrganiser,
    requirement_id: str,
    top_k: Annotated[int, Query(ge=1, le=MAX_TOP_K)] = 10,
) -> Page[MatchOut]:
    """Ranked, explained suppliers; required certifications are hard filters."""
    requirement = owned_requirement(context.workspace, key, requirement_id)
    matches = context.index.match(requirement, top_k)  # required certifications: hard filters
    return Page(data=[MatchOut.of(m) for m in matches], count=len(matches))


@router.post("/import", response_model=ImportOut, summary="Import a requirement file")
def import_requirements(context: ContextDep, key: Organiser, file: UploadDep) -> ImportOut:
    """Validated whole first (as `matcher ingest requirements`); nothing written on a problem."""
    result = read_upload(file, load_requirements)
    inserted, updated = context.register.upsert_requirements(result.records)
    return ImportOut(inserted=inserted, updated=updated)
