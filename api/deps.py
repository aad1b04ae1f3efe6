"""Typed dependencies: the service context, the calling key (authentication, rate limit) and
role checks. Every route but the probes depends on ``principal``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Security
from fastapi.security import APIKeyHeader
from prometheus_client import CollectorRegistry

from api.config import MAX_PAGE_SIZE, ApiSettings
from api.errors import ERROR_RESPONSES
from api.limits import RateLimiter
from matcher.config import Settings
from matcher.services import Events, Register, SearchIndex
from matcher.store import ApiKey, Role, Workspace

log = logging.getLogger(__name__)

api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key from `matcher keys create`."
)


@dataclass
class Context:
    """What the routes share: the workspace database, the search index, settings, limits."""

    workspace: Workspace
    index: SearchIndex
    settings: Settings
    api: ApiSettings
    limiter: RateLimiter
    registry: CollectorRegistry

    @property
    def events(self) -> Events:
        """The events service over this workspace and index (plans bounded in solver time)."""
        return Events(self.workspace, self.index, self.api.max_plan_seconds)

    @property
    def register(self) -> Register:
        """The register service over this workspace and index (writes bounded in wait)."""
        return Register(self.workspace, self.index, self.api.write_wait_seconds)


def get_context(request: Request) -> Context:
    context: Context = request.app.state.context
    return context


ContextDep = Annotated[Context, Depends(get_context)]


def principal(
    request: Request,
    context: ContextDep,
    key: Annotated[str | None, Security(api_key_header)] = None,
) -> ApiKey:
    """The key making the request (401 when missing or unknown, 429 past its rate limit)."""
    if not key:
        raise HTTPException(401, "send an API key in the X-API-Key header")
    found = context.workspace.authenticate(key)
    if found is None:
        raise HTTPException(401, "unknown or revoked API key")
    wait = context.limiter.acquire(found.key_id)
    if wait > 0:
        raise HTTPException(
            429,
            "rate limit exceeded for this key",
            headers={"Retry-After": RateLimiter.retry_after(wait)},
        )
    request.state.key_id = found.key_id  # for logs: the key id, never the secret
    return found


PrincipalDep = Annotated[ApiKey, Depends(principal)]


def keyed_router(prefix: str, tag: str) -> APIRouter:
    """A router under ``prefix`` whose every route needs a key (``principal``) and documents
    the error answers."""
    return APIRouter(
        prefix=prefix, tags=[tag], dependencies=[Depends(principal)], responses=ERROR_RESPONSES
    )


def roles(*allowed: Role) -> Callable[[ApiKey], ApiKey]:
    """A dependency that lets only keys of these roles through (403 for the others)."""

    def check(key: PrincipalDep) -> ApiKey:
        if key.role not in allowed:
            raise HTTPException(
                403, f"a {key.role} key may not do this; allowed: {', '.join(allowed)}"
            )
        return key

    return check


Organiser = Annotated[ApiKey, Depends(roles("organiser", "admin"))]
Admin = Annotated[ApiKey, Depends(roles("admin"))]
BuyerOrOrganiser = Annotated[ApiKey, Depends(roles("buyer", "organiser", "admin"))]


@dataclass(frozen=True)
class Paging:
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def paging(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number.")] = 1,
    page_size: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Items a page, at most {MAX_PAGE_SIZE}.")
    ] = 50,
) -> Paging:
    return Paging(page, page_size)


PagingDep = Annotated[Paging, Depends(paging)]
