"""The search page at / in a real browser: Debian's chromium, headless, driven by selenium through
Debian's chromedriver, against the real app served by uvicorn on a loopback port. What a buyer
does: key, query (Vietnamese or English), a filter, ranked and explained suppliers; a wrong key
and an empty answer read as sentences; no JavaScript errors in the console."""

from __future__ import annotations

import csv
import importlib.util
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.config import ApiSettings
from matcher.config import Settings
from matcher.jobs import ingest_file
from matcher.store import Workspace
from tests.conftest import REPO, SAMPLE

if TYPE_CHECKING:
    from selenium.webdriver import Chrome

pytestmark = pytest.mark.browser

SUPPLIERS = 60  # the first rows of data/sample/suppliers.csv
# House rule for browsers in CI: no sandbox (root in a container), no GPU, no calls home.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
    "--window-size=1280,1024",
)
VI_QUERY = "dập liên hoàn giá đỡ thép"  # progressive die stamping of steel brackets
SCREENSHOTS = REPO / "out" / "screenshots"  # for people to look at (out/ is not committed)
# Waits below guard against a hang (a page that never answers), not a slow machine.
WAIT_S = 120


class By:
    """The W3C WebDriver locator strategies (selenium's ``By`` holds the same strings): here so
    that this file is collected without selenium, whose absence fails the ``driver`` fixture."""

    ID = "id"
    CSS_SELECTOR = "css selector"
    CLASS_NAME = "class name"


@dataclass
class Site:
    url: str
    key: str

    def search(self, query: str, **filters: list[str]) -> list[dict[str, Any]]:
        """What the API itself answers for a search: the page must render exactly this."""
        r = httpx.post(
            f"{self.url}/v1/search",
            json={"query": query, "top_k": 10, "filters": filters},
            headers={"X-API-Key": self.key},
        )
        r.raise_for_status()
        data: list[dict[str, Any]] = r.json()["data"]
        return data


def browser_paths() -> tuple[str, str]:
    """Debian's chromium and chromedriver; a missing one, or selenium, fails the test (never a
    skip: CI runs these)."""
    if importlib.util.find_spec("selenium") is None:
        pytest.fail(
            "the browser tests need selenium, a dev dependency: run `make install` "
            "(pip install -e '.[dev]'), then `make browser` for chromium and chromedriver",
            pytrace=False,
        )
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.fail(
            "the browser tests need Debian's chromium and chromedriver on PATH: run `make browser` "
            "(as root: apt-get install -y chromium chromium-driver)",
            pytrace=False,
        )
    return chromium, driver


def write_slice(path: Path, rows: int) -> Path:
    with (SAMPLE / "suppliers.csv").open(encoding="utf-8", newline="") as src:
        reader = csv.reader(src)
        kept = [next(reader) for _ in range(rows + 1)]
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(kept)
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The real app over a workspace of sample suppliers, served by uvicorn in a thread."""
    browser_paths()  # fail before the slower set-up when the browser is missing
    root = tmp_path_factory.mktemp("web")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MATCHER_CACHE_DIR", str(root / "cache"))
        workspace = root / "ws"
        ingest_file(workspace, "suppliers", write_slice(root / "suppliers.csv", SUPPLIERS))
        key = Workspace(workspace).create_api_key("buyer", buyer_id="honda-vietnam")[1]
        settings = Settings()
        settings.embed.encoder = "hashing"
        app = create_app(workspace, settings, ApiSettings(rate_per_minute=1e9, rate_burst=10**9))
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + WAIT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                pytest.fail("uvicorn did not start", pytrace=False)
            time.sleep(0.02)
        try:
            yield Site(f"http://127.0.0.1:{port}", key)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()


@pytest.fixture(scope="module")
def driver() -> Iterator[Chrome]:
    chromium, chromedriver = browser_paths()
    # Imported here, not at the top: collecting this file never needs selenium.
    from selenium import webdriver
    from selenium.webdriver import Chrome
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = Chrome(options=options, service=Service(executable_path=chromedriver))
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture
def page(site: Site, driver: Chrome) -> Iterator[Chrome]:
    """A freshly loaded page; afterwards, the console holds no error but the expected ones."""
    driver.get(site.url + "/")
    driver.execute_script("sessionStorage.clear()")
    driver.get(site.url + "/")
    driver.get_log("browser")  # drop what came before this test
    yield driver


def console_errors(driver: Chrome, allowed: str = "") -> list[str]:
    """SEVERE console entries (JavaScript errors, failed loads) other than ones naming `allowed`."""
    return [
        e["message"]
        for e in driver.get_log("browser")
        if e["level"] == "SEVERE" and not (allowed and allowed in e["message"])
    ]


def fill(driver: Chrome, key: str, query: str, certs: str = "", provinces: str = "") -> None:
    for field, value in (
        ("key", key),
        ("query", query),
        ("certs", certs),
        ("provinces", provinces),
    ):
        element = driver.find_element(By.ID, field)
        element.clear()
        element.send_keys(value)
        assert element.get_attribute("value") == value  # Vietnamese typed as typed


def submit(driver: Chrome) -> None:
    """Press Search and wait for the answer to be shown (the button is disabled until then)."""
    from selenium.webdriver.support.wait import WebDriverWait

    button = driver.find_element(By.ID, "submit")
    button.click()
    WebDriverWait(driver, WAIT_S).until(
        lambda d: (
            button.is_enabled()
            and (
                d.find_element(By.ID, "status").text not in ("", "Searching…")
                or d.find_element(By.ID, "error").is_displayed()
            )
        )
    )


def rendered(driver: Chrome) -> list[dict[str, str]]:
    items = driver.find_elements(By.CSS_SELECTOR, "#results > li")
    return [
        {
            "supplier_id": li.get_attribute("data-supplier-id") or "",
            "sid": li.find_element(By.CLASS_NAME, "sid").text,
            "name": li.find_element(By.CLASS_NAME, "name").text,
            "score": li.find_element(By.CLASS_NAME, "score").text,
            "why": li.find_element(By.CLASS_NAME, "why").text,
            "matched": li.find_element(By.CLASS_NAME, "matched").text,
        }
        for li in items
    ]


def assert_shows(driver: Chrome, expected: list[dict[str, Any]]) -> None:
    """The page lists the API's answer in the API's order, with each explanation."""
    shown = rendered(driver)
    assert [s["supplier_id"] for s in shown] == [m["supplier_id"] for m in expected]
    for s, m in zip(shown, expected, strict=True):
        assert s["sid"] == m["supplier_id"]
        assert s["name"] == m["supplier_name"]
        assert s["score"] == f"{m['score']:.3f}"
        assert s["why"] == m["explanation"] and s["why"]
        if m["matched_capabilities"]:
            assert s["matched"] == "matched: " + " ".join(m["matched_capabilities"])
    n = len(expected)
    assert (
        driver.find_element(By.ID, "status").text
        == f"{n} supplier{'' if n == 1 else 's'}, best first."
    )
    assert not driver.find_element(By.ID, "error").is_displayed()


def test_vietnamese_query_with_certification_filter(site: Site, page: Chrome) -> None:
    expected = site.search(VI_QUERY, certifications=["ISO 9001"])
    unfiltered = site.search(VI_QUERY)
    # The filter changes the answer, so a page that dropped it would show the wrong list.
    assert [m["supplier_id"] for m in expected] != [m["supplier_id"] for m in unfiltered]
    assert "Metal stamping" in expected[0]["matched_capabilities"]
    fill(page, site.key, VI_QUERY, certs="ISO 9001")
    submit(page)
    assert_shows(page, expected)
    assert console_errors(page) == []


def test_english_query_with_sector_filter(site: Site, page: Chrome) -> None:
    from selenium.webdriver.support.select import Select

    query = "plastic injection moulding of housings"
    expected = site.search(query, sectors=["III"])
    assert expected and expected != site.search(query)
    fill(page, site.key, query)
    Select(page.find_element(By.ID, "sectors")).select_by_value("III")
    submit(page)
    assert_shows(page, expected)
    # The key is kept for the session: a reload does not ask for it again.
    page.refresh()
    assert page.find_element(By.ID, "key").get_attribute("value") == site.key
    assert console_errors(page) == []


def test_wrong_key_reads_as_an_error(site: Site, page: Chrome) -> None:
    fill(page, "mk_not-a-key", VI_QUERY)
    submit(page)
    error = page.find_element(By.ID, "error")
    assert error.is_displayed() and error.get_attribute("role") == "alert"
    assert error.text == (
        "The API key was not accepted. Check the key and search again. "
        "(401: unknown or revoked API key)"
    )
    assert rendered(page) == []
    # Chromium logs the refused fetch itself; nothing else may be in the console.
    assert console_errors(page, allowed="status of 401") == []
    # A right key afterwards clears the error.
    fill(page, site.key, VI_QUERY)
    submit(page)
    assert not error.is_displayed()
    assert rendered(page)[0]["supplier_id"] == site.search(VI_QUERY)[0]["supplier_id"]


def test_no_match_says_so(site: Site, page: Chrome) -> None:
    assert site.search(VI_QUERY, provinces=["Cà Mau"]) == []
    fill(page, site.key, VI_QUERY, provinces="Cà Mau")
    submit(page)
    assert rendered(page) == []
    # The page says which filter emptied the result, as the API's why_empty does.
    assert page.find_element(By.ID, "status").text == (
        "No supplier matches this search (no supplier passes all hard filters: province ca mau "
        f"(held by 0 of {SUPPLIERS}); no supplier at all passes province ca mau). "
        "Try other words or fewer filters."
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.save_screenshot(str(SCREENSHOTS / "search_no_match.png"))
    assert not page.find_element(By.ID, "error").is_displayed()
    assert console_errors(page) == []
