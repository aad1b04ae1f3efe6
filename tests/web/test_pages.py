"""The buyer's and the supplier's pages through a TestClient (fast, no browser): the whole
flow with what each party may and may not see, a CSRF token required by every state-changing
form, and no 500 whatever a form holds (a property test over every form's fields)."""

from __future__ import annotations

import importlib
import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from api.pages import page_modules
from matcher import services
from tests.web.conftest import CSRF, client_sign_in
from tests.web.site import BUYER_A, BUYER_B, JA_QUERY, VI_QUERY, Site, build_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return build_site(tmp_path_factory, "pages")


def signed_in(site: Site, who: str) -> tuple[TestClient, str]:
    client = TestClient(site.app)
    return client, client_sign_in(client, site.keys[who])


class Forms(HTMLParser):
    """Every form of a page: (method, action, field names)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append(((a.get("method") or "get").lower(), a.get("action") or "", []))
        elif tag in ("input", "textarea", "select") and self.forms and a.get("name"):
            self.forms[-1][2].append(a["name"] or "")


def forms_of(html: str) -> list[tuple[str, str, list[str]]]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


def site_ids(site: Site) -> list[str]:
    return [s.supplier_id for s in site.workspace.suppliers()]


def shown_ids(html: str) -> list[str]:
    return re.findall(r'class="card result" data-supplier-id="([^"]+)"', html)


@pytest.fixture(scope="module")
def flow(site: Site) -> Iterator[dict[str, str]]:
    """Buyer A searches in Vietnamese and Japanese, shortlists the best of each, requests a
    meeting with the first; the pages it saw are kept for the checks below."""
    buyer, csrf = signed_in(site, "buyer_a")
    pages: dict[str, str] = {}
    for name, query in (("vi", VI_QUERY), ("ja", JA_QUERY)):
        answer = buyer.get("/app/search", params={"q": query})
        assert answer.status_code == 200
        pages[f"search_{name}"] = answer.text
    first = buyer.get(f"/app/suppliers/{site.supplier_id}", params={"q": VI_QUERY})
    pages["supplier"] = first.text
    for supplier_id in (site.supplier_id, site.ja_supplier_id):
        added = buyer.post("/app/shortlist", data={"csrf_token": csrf, "supplier_id": supplier_id})
        assert added.status_code == 200
    pages["shortlist"] = buyer.get("/app/shortlist").text
    made = buyer.post(
        "/app/requests",
        data={
            "csrf_token": csrf,
            "event_id": site.event_id,
            "supplier_id": site.supplier_id,
            "requirement_id": site.requirement_a,
            "message": "Xin gặp tại hội chợ",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    pages["request_url"] = made.headers["location"]
    yield pages


def test_search_in_vietnamese_and_japanese(site: Site, flow: dict[str, str]) -> None:
    for name, best in (("vi", site.supplier_id), ("ja", site.ja_supplier_id)):
        ids = shown_ids(flow[f"search_{name}"])
        assert len(ids) == 10 and ids[0] == best
        assert 'id="next-page"' in flow[f"search_{name}"]  # paging
        assert re.search(r'name="sector" value="[IV]+"', flow[f"search_{name}"])  # facets


def test_search_in_korean_and_english_too(site: Site) -> None:
    """The page ranks as the search service does, in every language it takes."""
    buyer, _ = signed_in(site, "buyer_a")
    for query in ("사출 성형", "plastic injection moulding of housings"):
        expected = services.search(site.app.state.context.index, query, 100).matches[:10]
        shown = shown_ids(buyer.get("/app/search", params={"q": query}).text)
        assert shown == [m.supplier_id for m in expected] and len(shown) == 10


def test_filters_facets_and_paging(site: Site) -> None:
    buyer, _ = signed_in(site, "buyer_a")
    page1 = buyer.get("/app/search", params={"q": VI_QUERY}).text
    page2 = buyer.get("/app/search", params={"q": VI_QUERY, "page": 2}).text
    assert not set(shown_ids(page1)) & set(shown_ids(page2))
    # A facet's count: how many of the best 100 for the words alone are of that value; the
    # filter keeps only suppliers of that value, at least that many.
    facets = re.findall(
        r'name="sector" value="([IV]+)">[^<]*<span class="count"[^>]*>(\d+)<', page1
    )
    sector, count = facets[0]
    pool = services.search(site.app.state.context.index, VI_QUERY, 100).matches
    sector_of = {k: s.sector for k, s in site.workspace.suppliers_by_id(site_ids(site)).items()}
    of_sector = [m.supplier_id for m in pool if sector in sector_of[m.supplier_id]]
    assert len(of_sector) == int(count) > 10
    narrowed = buyer.get("/app/search", params={"q": VI_QUERY, "sector": sector}).text
    kept = shown_ids(narrowed)
    assert len(kept) == 10 and set(kept) != set(shown_ids(page1))
    assert all(sector in sector_of[i] for i in kept)
    total = re.search(r'id="status" role="status">(\d+)', narrowed)
    assert total and int(total[1]) >= int(count)
    assert f'name="sector" value="{sector}" checked' in narrowed
    empty = buyer.get("/app/search", params={"q": VI_QUERY, "province": "Cà Mau"}).text
    assert shown_ids(empty) == [] and "province ca mau" in empty


def test_supplier_page_explains_the_match_and_hides_contacts(
    site: Site, flow: dict[str, str]
) -> None:
    page = flow["supplier"]
    assert 'id="why"' in page and 'id="certifications"' in page and 'id="customers"' in page
    supplier = site.workspace.supplier(site.supplier_id)
    assert supplier and supplier.contact_email and supplier.contact_email not in page


def test_shortlist_and_its_export(site: Site, flow: dict[str, str]) -> None:
    assert re.findall(r'<tr data-supplier-id="([^"]+)"', flow["shortlist"]) == [
        site.supplier_id,
        site.ja_supplier_id,
    ]
    buyer, _ = signed_in(site, "buyer_a")
    answer = buyer.get("/app/shortlist.xlsx")
    assert answer.status_code == 200 and answer.headers["content-disposition"].startswith("attach")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "supplier_id" and [r[0] for r in rows[1:]] == [
        site.supplier_id,
        site.ja_supplier_id,
    ]
    email = rows[0].index("contact_email")
    assert all(r[email] is None for r in rows[1:])  # no confirmed meeting yet


def test_a_second_buyer_sees_none_of_it(site: Site, flow: dict[str, str]) -> None:
    other, _ = signed_in(site, "buyer_b")
    assert other.get(f"/app/requirements/{site.requirement_a}").status_code == 404
    assert other.get(flow["request_url"]).status_code == 404
    assert 'id="empty-shortlist"' in other.get("/app/shortlist").text
    assert 'id="no-requests"' in other.get("/app/requests").text
    assert site.requirement_a not in other.get("/app/requirements").text
    # ... nor can it act on them: the supplier page's forms write only its own shortlist.
    mine, _ = signed_in(site, "buyer_a")
    assert site.requirement_a in mine.get("/app/requirements").text
    assert mine.get(flow["request_url"]).status_code == 200


def test_supplier_accepts_and_sees_it_on_its_agenda(site: Site, flow: dict[str, str]) -> None:
    supplier, csrf = signed_in(site, "supplier")
    listed = supplier.get("/app/supplier/requests").text
    request_id = re.findall(r'data-request-id="(\d+)" data-buyer-id="' + BUYER_A, listed)[0]
    accept = f"/app/supplier/requests/{request_id}/accept"
    assert supplier.post(accept, data={"csrf_token": csrf}).status_code == 200
    assert supplier.post(accept, data={"csrf_token": csrf}).status_code == 409  # once
    agenda = supplier.get("/app/supplier/agenda").text
    assert f'data-buyer-id="{BUYER_A}"' in agenda and "data-meeting-id" not in agenda
    spec = site.workspace.event(site.event_id)
    assert spec and {"from": BUYER_A, "to": site.supplier_id} in spec.spec["requests"]
    # The organisers plan: the accepted pair is in the schedule and on the agenda, with files.
    site.app.state.context.events.plan(site.event_id, 10)
    agenda = supplier.get("/app/supplier/agenda").text
    assert re.search(f'data-buyer-id="{BUYER_A}" data-meeting-id="[^"]+"', agenda)
    ics = supplier.get(f"/app/supplier/agenda/{site.event_id}.ics")
    assert ics.status_code == 200 and "BEGIN:VCALENDAR" in ics.text
    assert supplier.get(f"/app/supplier/agenda/{site.event_id}.html").status_code == 200
    # A confirmed meeting shows the buyer the supplier's contact person.
    buyer, _ = signed_in(site, "buyer_a")
    found = site.workspace.supplier(site.supplier_id)
    assert (
        found
        and (found.contact_email or "") in buyer.get(f"/app/suppliers/{found.supplier_id}").text
    )


def test_a_declined_request_is_final_and_keeps_the_pair_apart(site: Site) -> None:
    buyer, buyer_csrf = signed_in(site, "buyer_b")
    ask = {"csrf_token": buyer_csrf, "event_id": site.event_id, "supplier_id": site.supplier_id}
    assert buyer.post("/app/requests", data=ask).status_code == 200
    supplier, csrf = signed_in(site, "supplier")
    listed = supplier.get("/app/supplier/requests").text
    request_id = re.findall(r'data-request-id="(\d+)" data-buyer-id="' + BUYER_B, listed)[0]
    decline = f"/app/supplier/requests/{request_id}/decline"
    assert supplier.post(decline, data={"csrf_token": csrf}).status_code == 200
    event = site.workspace.event(site.event_id)
    assert event and {"buyer": BUYER_B, "supplier": site.supplier_id} in event.spec["declined"]
    assert 'class="status-declined"' in buyer.get("/app/requests").text
    assert buyer.post("/app/requests", data=ask).status_code == 409  # not asked again
    # Nor is the declined buyer on the supplier's agenda.
    assert BUYER_B not in supplier.get("/app/supplier/agenda").text


def test_supplier_edits_its_profile_as_the_importer_validates(site: Site) -> None:
    supplier, csrf = signed_in(site, "supplier")
    form = forms_of(supplier.get("/app/supplier/profile").text)
    fields = next(f for m, a, f in form if a == "/app/supplier/profile")
    values = dict.fromkeys(fields, "")
    stored = site.workspace.supplier(site.supplier_id)
    assert stored
    values.update(
        csrf_token=csrf, name=stored.name, description=stored.description,
        processes="Metal stamping; Welding", sector="IV; V", founded_year="1899x",
        contact_email="sales@example.vn",
    )  # fmt: skip
    bad = supplier.post("/app/supplier/profile", data=values)
    assert bad.status_code == 422 and 'id="e-founded_year"' in bad.text
    assert site.workspace.supplier(site.supplier_id) == stored  # nothing written
    values["founded_year"] = "2004"
    assert supplier.post("/app/supplier/profile", data=values).status_code == 200
    saved = site.workspace.supplier(site.supplier_id)
    assert (
        saved and saved.processes == ["Metal stamping", "Welding"] and saved.sector == ["IV", "V"]
    )
    assert saved.tier == stored.tier and saved.criteria_1 == stored.criteria_1  # organisers'


# -- CSRF --------------------------------------------------------------------------------------
def post_routes() -> list[str]:
    """Every POST route of the pages (each page module's router, as api.pages.install adds)."""
    routers = [getattr(importlib.import_module(m), "router", None) for m in page_modules()]
    return sorted(
        r.path
        for router in routers
        if router is not None
        for r in router.routes
        if isinstance(r, APIRoute) and "POST" in (r.methods or ())
    )


def test_every_post_route_needs_the_session_csrf_token(site: Site) -> None:
    routes = post_routes()
    assert len(routes) >= 7
    for who in ("buyer_a", "supplier"):
        client, csrf = signed_in(site, who)
        for path in routes:
            url = path.replace("{supplier_id}", site.supplier_id).replace("{request_id}", "1")
            url = url.replace("{answer}", "accept")
            for data in ({}, {"csrf_token": "forged"}, {"csrf_token": csrf[:-1]}):
                answer = client.post(url, data={**data, "supplier_id": site.supplier_id})
                assert answer.status_code == 403, url
                assert 'id="error-title"' in answer.text
        # A token of another session is no token.
        _, other_csrf = signed_in(site, "buyer_b")
        assert other_csrf != csrf
        answer = client.post("/app/shortlist", data={"csrf_token": other_csrf, "supplier_id": "x"})
        assert answer.status_code == 403


def test_every_post_form_on_the_pages_carries_the_token(site: Site) -> None:
    seen = 0
    for who, paths in (
        ("buyer_a", ["/app/search", f"/app/suppliers/{site.supplier_id}", "/app/shortlist"]),
        ("supplier", ["/app/supplier/profile", "/app/supplier/requests", "/app/supplier/agenda"]),
    ):
        client, _ = signed_in(site, who)
        for path in paths:
            for method, action, fields in forms_of(client.get(path).text):
                if method == "post":
                    seen += 1
                    assert "csrf_token" in fields, (path, action)
    assert seen >= 6


# -- no 500 on any input -----------------------------------------------------------------------
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
FIELDS = {
    "/app/shortlist": ("supplier_id", "note", "next"),
    "/app/requests": ("event_id", "supplier_id", "requirement_id", "message"),
    "/app/supplier/profile": (
        "name",
        "description",
        "processes",
        "sector",
        "province",
        "ownership",
        "employees",
        "founded_year",
        "tax_code",
        "contact_email",
        "monthly_capacity",
    ),
    "/app/signin": ("api_key", "next"),
}


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    form=st.sampled_from(sorted(FIELDS)),
    values=st.lists(TEXT, min_size=11, max_size=11),
    query=st.dictionaries(st.sampled_from(["q", "sector", "province", "cert", "page"]), TEXT),
    path_part=TEXT,
)
def test_no_form_input_is_a_500(
    site: Site, form: str, values: list[str], query: dict[str, str], path_part: str
) -> None:
    who = "supplier" if form.startswith("/app/supplier") else "buyer_a"
    client, csrf = CLIENTS.get(who) or CLIENTS.setdefault(who, signed_in(site, who))
    data = dict(zip(FIELDS[form], values, strict=False))
    if form == "/app/signin":
        client = TestClient(site.app)
        found = CSRF.search(client.get("/app/signin").text)
        csrf = found[1] if found else ""
    answer = client.post(form, data={**data, "csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code < 500, (form, data)
    assert client.get("/app/search", params=query).status_code < 500, query
    part = quote(path_part, safe="")
    for url in (f"/app/suppliers/{part}", f"/app/requirements/{part}", f"/app/requests/{part}"):
        assert client.get(url).status_code < 500, url


CLIENTS: dict[str, tuple[TestClient, str]] = {}
