"""The web app's front door and the API's documentation, both working offline.

``/`` sends a browser to the web app (api/pages, under /app). ``/docs`` is Swagger UI served
from the ``swagger-ui-bundle`` package's files (FastAPI's default page loads them from a CDN,
so it was blank without the internet); ``/redoc`` is left out for the same reason."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

router = APIRouter(include_in_schema=False)
DOCS_ASSETS = "/docs-assets"
docs_assets = StaticFiles(directory=swagger_ui_path)


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/app", status_code=307)


@router.get("/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="CNHT Matcher – API",
        swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
    )
