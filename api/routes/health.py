"""Probes and metrics: the only routes without a key (they show no personal data)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import ContextDep
from api.models import HealthOut, ReadyOut

router = APIRouter(tags=["health"])
# Routes without a key: the probes, metrics (no personal data) and the search page.
PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/"})


@router.get("/healthz", response_model=HealthOut, summary="The process is up")
def healthz() -> HealthOut:
    return HealthOut(status="ok")


@router.get(
    "/readyz",
    response_model=ReadyOut,
    summary="The database answers and the index is open",
    responses={503: {"model": ReadyOut, "description": "No index version loads."}},
)
def readyz(context: ContextDep) -> ReadyOut | JSONResponse:
    """Also picks up a version `matcher index` wrote beside the service; a corrupt one is
    reported here (and in /metrics) while the last good version keeps serving."""
    _, count = context.workspace.page_suppliers(0, 1)
    context.index.refresh()
    health = context.index.health()
    if not health.ready:
        body = ReadyOut(status="not ready", suppliers=count, reason=health.fault)
        return JSONResponse(body.model_dump(), status_code=503)
    status = "degraded" if health.fault else "ready"
    return ReadyOut(status=status, suppliers=count, version=health.version, reason=health.fault)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}},
)
def metrics(context: ContextDep) -> Response:
    return Response(generate_latest(context.registry), media_type=CONTENT_TYPE_LATEST)
