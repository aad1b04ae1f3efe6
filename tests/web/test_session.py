"""The web app's foundation without a browser: sign-in exchanges a key for a session cookie,
sign-out ends it, a revoked key ends its sessions, CSRF tokens guard the forms, the language
switch is remembered, redirects stay on the site, and /docs needs no CDN."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import ApiSettings
from api.pages import page_modules
from api.pages.i18n import catalogue, moment, number, pick_lang
from api.pages.session import local_path, signed_in
from matcher.jobs import ingest_file
from matcher.store import Workspace
from tests.conftest import DATA, hashing
from tests.web.conftest import CSRF, client_sign_in


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, Workspace]:
    root = tmp_path_factory.mktemp("pages")
    ingest_file(root / "ws", "suppliers", DATA / "suppliers_3.csv")
    app = create_app(root / "ws", hashing(), ApiSettings(rate_per_minute=1e9, rate_burst=10**9))
    return TestClient(app), Workspace(root / "ws")


def test_sign_in_sets_a_session_cookie_and_sign_out_ends_it(
    site: tuple[TestClient, Workspace],
) -> None:
    client, workspace = site
    key = workspace.create_api_key("buyer", buyer_id="honda-vietnam")[1]
    csrf = client_sign_in(client, key)
    cookie = next(c for c in client.cookies.jar if c.name == "matcher_session")
    assert key not in (cookie.value or "")  # the browser never holds the key itself
    assert client.get("/app/search").status_code == 200
    # Signing out needs the session's token; a wrong one is refused and the session lives on.
    assert client.post("/app/signout", data={"csrf_token": "forged"}).status_code == 403
    assert client.get("/app/search").status_code == 200
    client.post("/app/signout", data={"csrf_token": csrf})
    answer = client.get("/app/search", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/app/signin?next=%2Fapp%2Fsearch"


def test_cookie_flags_and_a_replayed_cookie_after_sign_out(
    site: tuple[TestClient, Workspace],
) -> None:
    client, workspace = site
    key = workspace.create_api_key("buyer", buyer_id="canon-vietnam")[1]
    client.cookies.clear()
    token = CSRF.search(client.get("/app/signin").text)
    assert token
    answer = client.post(
        "/app/signin", data={"csrf_token": token[1], "api_key": key}, follow_redirects=False
    )
    header = answer.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=lax" in header
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    stolen = client.cookies.get("matcher_session")
    csrf = CSRF.search(client.get("/app/search").text)
    assert csrf
    client.post("/app/signout", data={"csrf_token": csrf[1]})
    client.cookies.set("matcher_session", stolen or "")
    assert client.get("/app/search", follow_redirects=False).status_code == 303


def test_a_bad_key_or_a_missing_token_does_not_sign_in(site: tuple[TestClient, Workspace]) -> None:
    client, workspace = site
    client.cookies.clear()
    token = CSRF.search(client.get("/app/signin").text)
    assert token
    bad = client.post("/app/signin", data={"csrf_token": token[1], "api_key": "mk_nope_x"})
    assert bad.status_code == 401 and 'role="alert"' in bad.text
    key = workspace.create_api_key("supplier", supplier_id="S1")[1]
    assert client.post("/app/signin", data={"api_key": key}).status_code == 403
    assert client.post("/app/signin", data={"csrf_token": "x", "api_key": key}).status_code == 403
    assert "matcher_session" not in client.cookies


def test_revoking_the_key_ends_its_sessions(site: tuple[TestClient, Workspace]) -> None:
    client, workspace = site
    record, key = workspace.create_api_key("buyer", buyer_id="thaco")
    client_sign_in(client, key)
    assert client.get("/app/search").status_code == 200
    workspace.revoke_api_key(record.key_id)
    assert client.get("/app/search", follow_redirects=False).status_code == 303


def test_wrong_role_is_a_page_not_json(site: tuple[TestClient, Workspace]) -> None:
    client, workspace = site
    key = workspace.create_api_key("supplier", supplier_id="S2")[1]
    client_sign_in(client, key)
    answer = client.get("/app/shortlist")
    assert answer.status_code == 403 and answer.headers["content-type"].startswith("text/html")
    missing = client.get("/app/no-such-page")
    assert missing.status_code == 404 and "<html" in missing.text
    # The API keeps its JSON errors.
    assert client.get("/v1/suppliers").json()["detail"].startswith("send an API key")


def test_language_switch_is_remembered(site: tuple[TestClient, Workspace]) -> None:
    client, _ = site
    client.cookies.clear()
    assert 'lang="vi"' in client.get("/app/signin").text  # the default
    english = client.get("/app/signin", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert 'lang="en"' in english.text and "Sign in" in english.text
    client.get("/app/lang/vi?next=/app/signin")
    page = client.get("/app/signin", headers={"Accept-Language": "en"})
    assert '<html lang="vi">' in page.text and "Đăng nhập" in page.text
    # The switch never sends anyone off the site.
    away = client.get("/app/lang/en?next=//evil.example/x", follow_redirects=False)
    assert away.headers["location"] == "/app"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/app/search?q=x", "/app/search?q=x"),
        ("//evil.example", "/d"),
        ("https://evil.example", "/d"),
        ("/\\evil.example", "/d"),
        ("", "/d"),
        (None, "/d"),
    ],
)
def test_local_path(value: str | None, expected: str) -> None:
    assert local_path(value, "/d") == expected


def test_locale_formats_and_language_pick() -> None:
    assert number("vi", 1234.5, 1) == "1.234,5"
    assert number("en", 1234.5, 1) == "1,234.5"
    assert moment("vi", "2025-11-20T08:30:00+07:00", "Asia/Ho_Chi_Minh").startswith("08:30")
    assert "Nov" in moment("en", "2025-11-20T08:30:00+07:00", "Asia/Ho_Chi_Minh")
    assert pick_lang("en", "vi") == "en"
    assert pick_lang(None, "ja, en;q=0.5") == "en"
    assert pick_lang("xx", None) == "vi"


def test_every_message_has_both_languages() -> None:
    missing = [
        mid for mid, texts in catalogue().items() if not (texts.get("en") and texts.get("vi"))
    ]
    assert missing == []
    # Fields ({n}) are the same in both languages, so a translation never drops one.
    for mid, texts in catalogue().items():
        assert set(re.findall(r"{(\w+)}", texts["en"])) == set(
            re.findall(r"{(\w+)}", texts["vi"])
        ), mid


def test_docs_work_offline(site: tuple[TestClient, Workspace]) -> None:
    client, _ = site
    html = client.get("/docs").text
    assert "cdn" not in html.lower()
    assets = re.findall(r'(?:src|href)="(/docs-assets/[^"]+)"', html)
    assert len(assets) >= 2
    for path in assets:
        assert client.get(path).status_code == 200, path
    assert client.get("/openapi.json").status_code == 200


def test_every_page_but_sign_in_needs_a_session(site: tuple[TestClient, Workspace]) -> None:
    """Each page route depends on ``signed_in`` (a live session), but the few a visitor needs
    before signing in; a visitor is sent to the sign-in page from each of the others."""
    open_to_visitors = {"/app", "/app/signin", "/app/signout", "/app/lang/{lang}"}
    client, _ = site
    client.cookies.clear()
    guarded = 0
    for module in page_modules():
        router = getattr(importlib.import_module(module), "router", None)
        for route in router.routes if router is not None else []:
            assert isinstance(route, APIRoute)
            calls = {d.call for d in flat(route.dependant)}
            if route.path in open_to_visitors:
                continue
            assert signed_in in calls, route.path
            guarded += 1
            if "GET" in (route.methods or ()):
                url = re.sub(r"{[^}]+}", "x", route.path)
                answer = client.get(url, follow_redirects=False)
                assert answer.status_code == 303 and "/app/signin" in answer.headers["location"]
    assert guarded >= 12


def flat(dependant: Dependant) -> Iterator[Dependant]:
    for dep in dependant.dependencies:
        yield dep
        yield from flat(dep)
