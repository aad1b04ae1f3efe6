"""Domain errors and request errors as HTTP answers, all in the ErrorOut shape; nothing a client
sends may become a 500."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.models import ErrorOut, ProblemOut
from matcher.errors import (
    Busy,
    ConfigError,
    Conflict,
    EncoderError,
    Forbidden,
    IndexArtifactError,
    InputDataError,
    MatcherError,
    NotFound,
    WorkspaceError,
)

log = logging.getLogger(__name__)

# Most specific first: the first class an error is an instance of decides its status.
STATUS_OF: tuple[tuple[type[MatcherError], int], ...] = (
    (InputDataError, 422),
    (NotFound, 404),
    (Conflict, 409),
    (Forbidden, 403),
    (Busy, 503),
    (ConfigError, 422),
    (WorkspaceError, 409),
    (EncoderError, 503),
    (IndexArtifactError, 503),
    (MatcherError, 400),
)

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": why}
    for code, why in (
        (400, "Unreadable request body (not UTF-8, broken multipart)."),
        (401, "No or unknown X-API-Key."),
        (403, "The key's role may not do this."),
        (404, "No such object, or not one the key may see."),
        (409, "Conflict with the stored state (the object exists already)."),
        (413, "Request body too large."),
        (422, "Invalid request or input file: every problem with file, row and column."),
        (429, "Rate limit of the key exceeded; retry after Retry-After seconds."),
        (503, "Too many requests in progress, or the engine is not ready."),
    )
}


def error_response(
    status: int,
    detail: str,
    problems: list[ProblemOut] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorOut(detail=detail, problems=problems or [])
    return JSONResponse(jsonable_encoder(body), status_code=status, headers=headers or None)


def _matcher_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, MatcherError):
        raise exc
    status = next(code for cls, code in STATUS_OF if isinstance(exc, cls))
    if isinstance(exc, InputDataError):
        problems = [
            ProblemOut(file=p.file, row=p.row, column=p.column, message=p.message)
            for p in exc.problems
        ]
        return error_response(
            status, f"{len(problems)} problem(s) in input; nothing was written", problems
        )
    retry = {"Retry-After": "2"} if isinstance(exc, Busy) else None
    return error_response(status, str(exc), headers=retry)


def _request_problems(errors: Sequence[Any]) -> list[ProblemOut]:
    """pydantic / FastAPI validation errors as the API's problem list (one per error)."""
    return [
        ProblemOut(
            file="request",
            row=None,
            column=".".join(str(part) for part in err.get("loc", ())) or None,
            message=str(err.get("msg", "invalid")),
        )
        for err in errors
    ]


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, RequestValidationError):
        raise exc
    return error_response(422, "invalid request", _request_problems(exc.errors()))


def _model_error(request: Request, exc: Exception) -> JSONResponse:
    # A record built from valid parts can still break a cross-field rule of the engine's models.
    if not isinstance(exc, ValidationError):
        raise exc
    return error_response(422, "invalid request", _request_problems(exc.errors()))


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, StarletteHTTPException):
        raise exc
    return error_response(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The path only: bodies and query strings may hold personal data.
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "internal error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(MatcherError, _matcher_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ValidationError, _model_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
