"""Sign-in (an API key exchanged once for a session cookie), sign-out, the language switch and
the pages' error answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.pages.i18n import LANGS
from api.pages.session import (
    LANG_COOKIE,
    PREFIX,
    SESSION_COOKIE,
    SESSION_LIFETIME,
    SIGNIN_PATH,
    AnyPage,
    CheckedForm,
    Page,
    PageRefused,
    SignInRequired,
    field_text,
    finish,
    home_of,
    local_path,
    page_of,
    render,
    secure,
    signin_url,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)
NextParam = Annotated[str | None, Query(alias="next", max_length=2000)]


def redirect(page: Page, path: str) -> RedirectResponse:
    response = RedirectResponse(path, status_code=303)
    finish(page, response)
    return response


@router.get("", response_model=None)
def app_home(page: AnyPage) -> RedirectResponse:
    return redirect(page, home_of(page.session.key) if page.session else SIGNIN_PATH)


@router.get("/signin", response_class=HTMLResponse)
def signin_form(page: AnyPage, next_path: NextParam = None) -> HTMLResponse:
    return render(page, "signin.html", next_path=local_path(next_path, ""), problem=None)


@router.post("/signin", response_model=None)
def signin(page: AnyPage, form: CheckedForm) -> Response:
    """A live key opens a session (a new token; the key itself is never kept in the browser)."""
    next_path = local_path(field_text(form, "next", 2000), "")
    found = page.context.workspace.authenticate(field_text(form, "api_key", 500))
    if found is None:
        return render(page, "signin.html", 401, next_path=next_path, problem="signin.bad_key")
    token, session = page.context.workspace.open_web_session(found.key_id, SESSION_LIFETIME)
    page.session = session
    response = redirect(page, next_path or home_of(found))
    set_session_cookie(page, response, token)
    return response


def set_session_cookie(page: Page, response: Response, token: str) -> None:
    """HttpOnly (no script reads it), SameSite=Lax (not sent on other sites' POSTs), Secure
    over https, for the session's lifetime."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure(page.request),
        path="/",
    )


@router.post("/signout", response_model=None)
def signout(page: AnyPage, form: CheckedForm) -> RedirectResponse:
    token = page.request.cookies.get(SESSION_COOKIE)
    if token:
        page.context.workspace.close_web_session(token)
    page.session = None
    response = redirect(page, SIGNIN_PATH)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{lang}", response_model=None)
def switch_language(page: AnyPage, lang: str, next_path: NextParam = None) -> RedirectResponse:
    """Remember the interface language (a preference cookie; nothing changes on the server)."""
    response = redirect(page, local_path(next_path, home_of(page.key) if page.session else PREFIX))
    if lang in LANGS:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", secure=secure(page.request)
        )
    return response


# -- error answers of the pages (the API keeps its JSON ones) ------------------------------------
def is_page(request: Request) -> bool:
    return request.url.path == PREFIX or request.url.path.startswith(PREFIX + "/")


def error_page(request: Request, status: int, message_id: str, detail: str = "") -> Response:
    page: Page = getattr(request.state, "page", None) or page_of(request)
    response = render(page, "error.html", status, message_id=message_id, detail=detail)
    return response


def sign_in_first(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(signin_url(exc.next_path), status_code=303)


def refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageRefused)
    response = error_page(request, exc.status, exc.message_id)
    response.headers.update(exc.headers)
    return response
