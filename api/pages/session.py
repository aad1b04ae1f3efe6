"""The pages' foundation: who is signed in, CSRF checks, the language, and ``render``.

Contract for a page module (see api/pages/README.md):

- ``SignedIn`` / ``role_page(*roles)`` give a handler the ``Page`` of the request: the caller's
  key (``page.key``), the service context (``page.context``: workspace, index, services), the
  language (``page.lang``) and ``page.t(message_id, **fields)``. A visitor without a session is
  sent to the sign-in page; a key of another role gets a 403 page.
- Every state-changing form is a POST carrying the hidden field ``csrf_token`` (the macro
  ``csrf_field()`` in templates/macros.html writes it); a handler takes ``CheckedForm`` (the
  parsed form, its token checked) and so can never forget the check. The token is the session's
  own (per-session, stored server-side); before sign-in it is a double-submit cookie.
- ``render(page, "dir/name.html", **ctx)`` renders a template under api/templates with the
  frame's variables: ``page``, ``t``, ``num`` (a number), ``when`` (date and time), ``day``
  (a date), ``clock`` (a time of day), ``csrf_token``, ``nav``, ``langs``.
- ``register_nav(role, message_id, path)`` adds a link to the nav of a role's pages and
  ``register_home(role, path)`` sets where that role lands after sign-in.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from api.deps import Context, get_context
from api.limits import RateLimiter
from api.pages.i18n import LANG_NAMES, Lang, clock, day, moment, number, pick_lang, translate
from matcher.store import ApiKey, Role, WebSession

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES_DIR)

SESSION_COOKIE = "matcher_session"
ANON_CSRF_COOKIE = "matcher_csrf"
LANG_COOKIE = "matcher_lang"
CSRF_FIELD = "csrf_token"
SESSION_LIFETIME = timedelta(hours=12)
PREFIX = "/app"
SIGNIN_PATH = f"{PREFIX}/signin"

CONTENT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Links in the nav of each role's pages, and each role's landing page (modules add theirs).
NAV: dict[str, list[tuple[str, str]]] = {}
HOME: dict[str, str] = {}


def register_nav(role: Role, message_id: str, path: str) -> None:
    links = NAV.setdefault(role, [])
    if (message_id, path) not in links:
        links.append((message_id, path))


def register_home(role: Role, path: str) -> None:
    HOME[role] = path


class SignInRequired(Exception):
    """No live session: the visitor is sent to the sign-in page, then back to ``next``."""

    def __init__(self, next_path: str) -> None:
        super().__init__("sign in first")
        self.next_path = next_path


class PageRefused(Exception):
    """A page answer that is not a page: 403 (wrong role), 403 (CSRF), 429 (rate)."""

    def __init__(self, status: int, message_id: str, headers: dict[str, str] | None = None):
        super().__init__(message_id)
        self.status = status
        self.message_id = message_id
        self.headers = headers or {}


@dataclass
class Page:
    """One page request as a handler sees it."""

    request: Request
    context: Context
    lang: Lang
    session: WebSession | None = None
    # A new anonymous CSRF token to set as a cookie on the answer (before sign-in).
    new_anon_csrf: str | None = field(default=None, repr=False)

    @property
    def key(self) -> ApiKey:
        if self.session is None:
            raise SignInRequired(self.request.url.path)
        return self.session.key

    @property
    def csrf_token(self) -> str:
        if self.session is not None:
            return self.session.csrf
        found = self.request.cookies.get(ANON_CSRF_COOKIE)
        if found:
            return found
        if self.new_anon_csrf is None:
            self.new_anon_csrf = secrets.token_urlsafe(32)
        return self.new_anon_csrf

    def t(self, message_id: str, **fields: object) -> str:
        return translate(self.lang, message_id, **fields)


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def page_of(request: Request) -> Page:
    """The request's Page, with its session when the session cookie names a live one."""
    context = get_context(request)
    lang = pick_lang(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))
    token = request.cookies.get(SESSION_COOKIE)
    session = context.workspace.web_session(token) if token else None
    page = Page(request, context, lang, session)
    request.state.page = page  # the error pages render in the same language
    return page


AnyPage = Annotated[Page, Depends(page_of)]


def signed_in(page: AnyPage) -> Page:
    """The Page of a signed-in caller (else SignInRequired), within the key's rate limit."""
    if page.session is None:
        query = page.request.url.query
        raise SignInRequired(page.request.url.path + (f"?{query}" if query else ""))
    wait = page.context.limiter.acquire(page.session.key.key_id)
    if wait > 0:
        raise PageRefused(429, "error.rate", {"Retry-After": RateLimiter.retry_after(wait)})
    page.request.state.key_id = page.session.key.key_id
    return page


SignedIn = Annotated[Page, Depends(signed_in)]


def role_page(*allowed: Role) -> Callable[[Page], Page]:
    """A dependency: the signed-in Page when the key has one of these roles (else a 403 page)."""

    def check(page: SignedIn) -> Page:
        if page.key.role not in allowed:
            raise PageRefused(403, "error.role")
        return page

    return check


BuyerPage = Annotated[Page, Depends(role_page("buyer"))]
SupplierPage = Annotated[Page, Depends(role_page("supplier"))]
OrganiserPage = Annotated[Page, Depends(role_page("organiser", "admin"))]


async def checked_form(request: Request, page: AnyPage) -> FormData:
    """The POSTed form, once its CSRF token matches the session's (or, before sign-in, the
    double-submit cookie's); else a 403 page. Compared in constant time."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = (
        page.session.csrf if page.session is not None else request.cookies.get(ANON_CSRF_COOKIE)
    )
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise PageRefused(403, "error.csrf")
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def field_text(form: FormData, name: str, limit: int = 10_000) -> str:
    """A text field of a form, stripped ('' when absent or a file), at most ``limit`` chars."""
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def local_path(value: str | None, default: str) -> str:
    """``value`` when it is a path on this site (no scheme, no host), else ``default``."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


def home_of(key: ApiKey) -> str:
    return HOME.get(key.role, f"{PREFIX}/search")


def signin_url(next_path: str) -> str:
    return f"{SIGNIN_PATH}?next={quote(next_path, safe='')}"


def render(page: Page, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    """The template rendered in the page's language, with the frame's variables."""
    role = page.session.key.role if page.session is not None else None
    response = templates.TemplateResponse(
        page.request,
        template,
        {
            "page": page,
            "t": page.t,
            "num": partial(number, page.lang),
            "when": partial(moment, page.lang),
            "clock": partial(clock, page.lang),
            "day": partial(day, page.lang),
            "csrf_token": page.csrf_token,
            "nav": NAV.get(role or "", []),
            "langs": LANG_NAMES,
            "home": home_of(page.session.key) if page.session is not None else SIGNIN_PATH,
            **ctx,
        },
        status_code=status,
    )
    finish(page, response)
    return response


def finish(page: Page, response: Any) -> None:
    """Headers every page answer carries: the anonymous CSRF cookie when one was made, no
    caching of signed-in pages, no framing, and a content policy: scripts, styles, forms and
    images only from this site (inline styles allowed: charts are inline SVG), no plugins."""
    if page.new_anon_csrf is not None:
        response.set_cookie(
            ANON_CSRF_COOKIE,
            page.new_anon_csrf,
            httponly=True,
            samesite="strict",
            secure=secure(page.request),
            path=PREFIX,
        )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = CONTENT_POLICY
