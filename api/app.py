"""The app factory: ``create_app(workspace)`` opens the workspace database and the search index
and wires routes, auth, limits, CORS, metrics and error mapping."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api.config import ApiSettings
from api.deps import Context
from api.errors import install_error_handlers
from api.limits import LimitsMiddleware, RateLimiter
from api.metrics import Metrics, MetricsMiddleware
from api.pages import install as install_pages
from api.routes import (
    events,
    feedback,
    health,
    keys,
    ranker,
    requirements,
    search,
    suppliers,
    tiers,
    web,
)
from matcher.config import Settings
from matcher.services.index import SearchIndex, open_index
from matcher.store import Workspace

log = logging.getLogger(__name__)


def create_app(
    workspace: Path,
    settings: Settings | None = None,
    api_settings: ApiSettings | None = None,
    index: SearchIndex | None = None,
) -> FastAPI:
    """The service over one workspace (the folder `matcher ingest --workspace` writes)."""
    settings = settings or Settings()
    api_settings = api_settings or ApiSettings()
    store = Workspace(workspace)
    metrics = Metrics()
    app = FastAPI(
        title="CNHT Matcher",
        version="1",
        summary="Supplier–buyer matching for supporting-industry programmes.",
        description="Send an API key in the `X-API-Key` header. Lists answer `{data, count}`.",
        docs_url=None,  # api/routes/web.py serves /docs from packaged files (offline)
        redoc_url=None,
    )
    app.state.context = Context(
        workspace=store,
        index=index or open_index(Path(workspace), settings),
        settings=settings,
        api=api_settings,
        limiter=RateLimiter(api_settings.rate_per_minute, api_settings.rate_burst),
        registry=metrics.registry,
    )
    metrics.watch(app.state.context.index)
    install_error_handlers(app)
    for router in (
        health.router,
        suppliers.router,
        requirements.router,
        search.router,
        feedback.router,
        events.router,
        tiers.router,
        keys.router,
        ranker.router,
    ):
        app.include_router(router)
    app.include_router(web.router)
    app.mount(web.DOCS_ASSETS, web.docs_assets, name="docs-assets")
    install_pages(app)  # the web app under /app (after the API's error handlers: it wraps them)
    # Added innermost first: metrics see every answer, including the limits' own.
    app.add_middleware(
        LimitsMiddleware,
        max_body_bytes=api_settings.max_body_bytes,
        max_concurrency=api_settings.max_concurrency,
    )
    if api_settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=api_settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["X-API-Key", "Content-Type"],
        )
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app
