"""The web app under /app: server-rendered pages (Jinja2 templates in api/templates, a little
CSS and JS in api/static), over the same services the API calls. See api/pages/README.md.

``install(app)`` adds every page module's ``router`` (each module of this package that has one:
a new part of the site is a new module, registered by nothing but its presence), the static
files, and HTML error answers for paths under /app (the API keeps its JSON ones).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import STATUS_OF
from api.pages.auth import error_page, is_page, refused, sign_in_first
from api.pages.session import PageRefused, SignInRequired
from matcher.errors import InputDataError, MatcherError

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
Handler = Callable[[Request, Exception], Response]
ApiHandler = Callable[[Request, Any], Any]


def page_modules() -> list[str]:
    """The modules of this package that define pages, in name order."""
    return sorted(f"{__name__}.{m.name}" for m in pkgutil.iter_modules(__path__) if not m.ispkg)


def _html_for_pages(
    api_handler: ApiHandler | None, status_of: Callable[[Exception], int]
) -> Handler:
    """An error handler: an HTML error page under /app, the API's own answer elsewhere."""

    def handle(request: Request, exc: Exception) -> Response:
        if not is_page(request) and api_handler is not None:
            answer: Response = api_handler(request, exc)  # the API's handlers are not async
            return answer
        detail = ""
        if isinstance(exc, InputDataError):
            detail = "; ".join(p.message for p in exc.problems[:20])
        elif isinstance(exc, MatcherError | StarletteHTTPException):
            detail = str(getattr(exc, "detail", "") or exc)
        status = status_of(exc)
        return error_page(request, status, f"error.{status}", detail)

    return handle


def _status(exc: Exception) -> int:
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code
    if isinstance(exc, MatcherError):
        return next(code for cls, code in STATUS_OF if isinstance(exc, cls))
    return 422  # request validation


def install(app: FastAPI) -> None:
    """Add the pages to an app whose API error handlers are installed already."""
    for name in page_modules():
        router = getattr(importlib.import_module(name), "router", None)
        if router is not None:
            app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for cls in (MatcherError, StarletteHTTPException, RequestValidationError, ValidationError):
        app.add_exception_handler(cls, _html_for_pages(app.exception_handlers.get(cls), _status))
    app.add_exception_handler(SignInRequired, sign_in_first)
    app.add_exception_handler(PageRefused, refused)
