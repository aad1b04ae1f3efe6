"""The buyer's and the supplier's flows in a real browser (Debian's headless chromium through
selenium, one server for the module): a buyer searches in Vietnamese and in Japanese, opens
a supplier's page, shortlists two firms and requests a meeting; the supplier accepts it and
sees it on its agenda; a second buyer sees none of the first one's requirement, shortlist or
requests (404). Screenshots of each page at 1280 and 390 px go to $SCREENS_DIR."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from api.pages.i18n import translate
from tests.web.conftest import (
    By,
    browser_paths,
    click_through,
    console_errors,
    screenshots,
    serve,
    set_language,
    sign_in,
)
from tests.web.site import BUYER_A, JA_QUERY, VI_QUERY, Site, build_site

if TYPE_CHECKING:
    from selenium.webdriver import Chrome

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    browser_paths()  # fail before the slower set-up when the browser is missing
    built = build_site(tmp_path_factory, "browser")
    with serve(built.app) as url:
        yield built, url


def search(driver: Chrome, query: str) -> list[str]:
    box = driver.find_element(By.ID, "f-q")
    box.clear()
    box.send_keys(query)
    assert box.get_attribute("value") == query  # typed as typed, in any script
    click_through(driver, driver.find_element(By.ID, "search-submit"))
    items = driver.find_elements(By.CSS_SELECTOR, "li.result")
    return [li.get_attribute("data-supplier-id") or "" for li in items]


def enter(driver: Chrome, field: Any) -> None:
    """Press Enter in a field (the form is sent) and wait for the next page."""
    from selenium.webdriver.common.keys import Keys

    class Enter:
        def click(self) -> None:
            field.send_keys(Keys.ENTER)

    click_through(driver, Enter())


def session_get(driver: Chrome, url: str) -> httpx.Response:
    """A download as the signed-in browser would fetch it (its session cookie)."""
    cookie = driver.get_cookie("matcher_session")
    assert cookie
    return httpx.get(url, cookies={"matcher_session": cookie["value"]})


def heading(driver: Chrome) -> str:
    return str(driver.find_element(By.TAG_NAME, "h1").text)


def test_buyer_then_supplier_then_another_buyer(site: tuple[Site, str], driver: Chrome) -> None:
    built, url = site
    driver.get(url + "/")
    assert driver.current_url.startswith(url + "/app/signin")
    screenshots(driver, "signin")
    sign_in(driver, url, built.keys["buyer_a"])
    set_language(driver, "vi")
    assert heading(driver) == translate("vi", "search.title")

    # Vietnamese search, then the best supplier's page: shortlist it.
    ids = search(driver, VI_QUERY)
    assert ids[0] == built.supplier_id and len(ids) == 10
    screenshots(driver, "search-vi")
    click_through(driver, driver.find_element(By.CSS_SELECTOR, "li.result a.name"))
    assert driver.find_element(By.ID, "why").is_displayed()
    screenshots(driver, "supplier")
    click_through(driver, driver.find_element(By.ID, "shortlist-add"))
    assert driver.find_element(By.ID, "on-shortlist").is_displayed()

    # Request a meeting at the event from that page.
    driver.find_element(By.ID, "f-message").send_keys("Chúng tôi muốn gặp tại hội chợ.")
    click_through(driver, driver.find_element(By.ID, "request-meeting"))
    assert driver.find_element(By.ID, "request-status").text == translate("vi", "status.pending")
    request_url = driver.current_url
    screenshots(driver, "request")

    # Japanese search, in English this time; shortlist its best.
    driver.get(url + "/app/search")
    set_language(driver, "en")
    ids = search(driver, JA_QUERY)
    assert ids[0] == built.ja_supplier_id
    screenshots(driver, "search-ja")
    click_through(driver, driver.find_element(By.CSS_SELECTOR, "li.result a.name"))
    click_through(driver, driver.find_element(By.ID, "shortlist-add"))

    driver.get(url + "/app/shortlist")
    rows = driver.find_elements(By.CSS_SELECTOR, "#shortlist tbody tr")
    assert [r.get_attribute("data-supplier-id") for r in rows] == [
        built.supplier_id,
        built.ja_supplier_id,
    ]
    screenshots(driver, "shortlist")
    href = driver.find_element(By.ID, "export-xlsx").get_attribute("href") or ""
    export = session_get(driver, href)
    assert export.status_code == 200 and export.content[:2] == b"PK"  # a zip: XLSX

    driver.get(url + "/app/requirements")
    screenshots(driver, "requirements")
    click_through(driver, driver.find_element(By.CSS_SELECTOR, "#requirements a"))
    assert driver.find_elements(By.CSS_SELECTOR, "#matches li.result")
    requirement_url = driver.current_url
    screenshots(driver, "requirement")
    driver.get(url + "/app/requests")
    screenshots(driver, "requests-buyer")
    assert console_errors(driver) == []

    # The supplier accepts; the accepted request is on its agenda, then planned into a slot.
    sign_in(driver, url, built.keys["supplier"])
    assert driver.current_url.endswith("/app/supplier/requests")
    screenshots(driver, "supplier-requests")
    card = driver.find_element(By.CSS_SELECTOR, f'li[data-buyer-id="{BUYER_A}"]')
    click_through(driver, card.find_element(By.CSS_SELECTOR, "button.accept"))
    card = driver.find_element(By.CSS_SELECTOR, f'li[data-buyer-id="{BUYER_A}"]')
    assert translate("en", "status.accepted") in card.text
    click_through(driver, driver.find_element(By.LINK_TEXT, translate("en", "nav.agenda")))
    row = driver.find_element(By.CSS_SELECTOR, f'#agenda tr[data-buyer-id="{BUYER_A}"]')
    assert translate("en", "agenda.to_plan") in row.text
    built.app.state.context.events.plan(built.event_id, 10)  # the organisers plan the event
    driver.get(driver.current_url)  # get waits for the load, refresh may not
    row = driver.find_element(By.CSS_SELECTOR, f'#agenda tr[data-buyer-id="{BUYER_A}"]')
    assert row.get_attribute("data-meeting-id") and re.search(r"\d{1,2}:\d{2}", row.text)
    screenshots(driver, "agenda")
    ics = session_get(driver, url + f"/app/supplier/agenda/{built.event_id}.ics")
    assert ics.status_code == 200 and "BEGIN:VCALENDAR" in ics.text
    driver.get(url + "/app/supplier/profile")
    screenshots(driver, "profile")
    assert console_errors(driver) == []

    # A second buyer: the first one's requirement and request are not there; its shortlist is
    # its own (empty).
    sign_in(driver, url, built.keys["buyer_b"])
    for page in (requirement_url, request_url):
        driver.get(page)
        assert driver.find_element(By.ID, "error-title").text == translate("en", "error.404")
    screenshots(driver, "not-found")
    driver.get(url + "/app/shortlist")
    assert driver.find_element(By.ID, "empty-shortlist").is_displayed()
    driver.get(url + "/app/requests")
    assert driver.find_element(By.ID, "no-requests").is_displayed()


def test_keyboard_only_sign_in_and_search(site: tuple[Site, str], driver: Chrome) -> None:
    """Tab order starts at the skip link; Enter signs in and searches."""
    from selenium.webdriver.common.keys import Keys

    built, url = site
    driver.delete_all_cookies()
    driver.get(url + "/app/signin")
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    assert driver.switch_to.active_element.get_attribute("class") == "skip"
    key_field = driver.find_element(By.ID, "f-api_key")
    key_field.send_keys(built.keys["buyer_b"])
    enter(driver, key_field)
    box = driver.find_element(By.ID, "f-q")
    box.send_keys(VI_QUERY)
    enter(driver, box)
    assert driver.find_elements(By.CSS_SELECTOR, "li.result")
    # Every field of the page has a label.
    for field in driver.find_elements(
        By.CSS_SELECTOR, "input:not([type=hidden]), select, textarea"
    ):
        ident = field.get_attribute("id")
        labelled = ident and driver.find_elements(By.CSS_SELECTOR, f'label[for="{ident}"]')
        wrapped = field.find_elements(By.XPATH, "ancestor::label")
        assert labelled or wrapped, field.get_attribute("outerHTML")
