"""What the web-app tests share: the real app served by uvicorn on a loopback port in a thread,
Debian's headless chromium driven by selenium through Debian's chromedriver, signing in, and
screenshots at 1280 and 390 px for people to look at (in $SCREENS_DIR, default
/tmp/screens-web: outside the repository)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

if TYPE_CHECKING:
    from selenium.webdriver import Chrome

# House rule for browsers in CI: no sandbox (root in a container), no GPU, no calls home.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
    "--window-size=1280,1024",
    "--lang=en-US",
)
# Waits guard against a hang (a page that never answers), not a slow machine.
WAIT_S = 60
SCREENS = Path(os.environ.get("SCREENS_DIR", "/tmp/screens-web"))
WIDTHS = (1280, 390)


class By:
    """The W3C WebDriver locator strategies (selenium's ``By`` holds the same strings): here so
    that these files are collected without selenium, whose absence fails the ``driver`` fixture."""

    ID = "id"
    CSS_SELECTOR = "css selector"
    XPATH = "xpath"
    LINK_TEXT = "link text"
    NAME = "name"
    TAG_NAME = "tag name"


def browser_paths() -> tuple[str, str]:
    """Debian's chromium and chromedriver; a missing one, or selenium, fails the test (never a
    skip: CI runs these)."""
    if importlib.util.find_spec("selenium") is None:
        pytest.fail("the browser tests need selenium: run `make install`", pytrace=False)
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.fail(
            "the browser tests need Debian's chromium and chromedriver on PATH: run `make browser`",
            pytrace=False,
        )
    return chromium, driver


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn in a thread; yields its base URL."""
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
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def _chromium() -> Iterator[Chrome]:
    """One chromium for the session (starting one costs seconds); tests get it through
    ``driver``, which hands it over signed out."""
    chromium, chromedriver = browser_paths()
    # Imported here, not at the top: collecting these files never needs selenium.
    from selenium import webdriver
    from selenium.webdriver import Chrome
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = Chrome(options=options, service=Service(executable_path=chromedriver))
    browser.set_page_load_timeout(WAIT_S)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def driver(_chromium: Chrome) -> Chrome:
    """The session's chromium for one test module, as a fresh one would be: no cookies of any
    site (nobody signed in, the default language), a blank page, the default window size, and
    the console log of earlier modules read away (``console_errors`` sees only this one's)."""
    _chromium.get("about:blank")
    _chromium.execute_cdp_cmd("Network.clearBrowserCookies", {})
    _chromium.set_window_size(1280, 1024)
    _chromium.get_log("browser")  # type: ignore[no-untyped-call]
    return _chromium


def click_through(driver: Chrome, element: Any) -> None:
    """Click a link or submit button and wait for the page it leads to to load (a click
    returns before the browser has swapped pages)."""
    from selenium.webdriver.support.wait import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    wait = WebDriverWait(driver, WAIT_S)
    wait.until(lambda d: replaced(old))
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")


def replaced(element: Any) -> bool:
    """Whether the page holding ``element`` has gone (selenium's staleness_of, which misses one
    way chromium says so mid-navigation: "Node with given id does not belong to the
    document", a plain WebDriverException; it failed a CI run of the organiser's day)."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise
    return False


def sign_in(driver: Chrome, base_url: str, key: str) -> None:
    """Sign out whoever is signed in, then sign in with ``key`` through the sign-in form."""
    driver.delete_all_cookies()
    driver.get(base_url + "/app/signin")
    field = driver.find_element(By.ID, "f-api_key")
    field.send_keys(key)
    click_through(driver, driver.find_element(By.ID, "signin"))
    assert driver.find_elements(By.ID, "signout"), driver.page_source[:2000]


def set_language(driver: Chrome, lang: str) -> None:
    """Click the language switch in the frame (the choice is remembered in a cookie)."""
    click_through(driver, driver.find_element(By.CSS_SELECTOR, f".langs a[lang={lang}]"))
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang


def screenshots(driver: Chrome, name: str) -> list[Path]:
    """The current page, whole, at each width, as PNGs named ``name-<width>.png``."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    paths = []
    for width in WIDTHS:
        driver.set_window_size(width, 900)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(int(height) + 120, 600), 6000))
        path = SCREENS / f"{name}-{width}.png"
        driver.save_screenshot(str(path))
        # Nothing wider than the window: no sideways scrolling at 390 px.
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{name} scrolls sideways at {width} px: {wider(driver)}"
        paths.append(path)
    driver.set_window_size(1280, 1024)
    return paths


def wider(driver: Chrome) -> list[str]:
    """The innermost elements that reach past the window's right edge (what to fix)."""
    found: list[str] = driver.execute_script(
        """const w = document.documentElement.clientWidth + 1; const out = [];
        const past = (el) => el.getBoundingClientRect().right > w;
        for (const el of document.querySelectorAll('body *')) {
          if (past(el) && ![...el.children].some(past))
            out.push(`${el.tagName}#${el.id}.${el.className} ${el.getBoundingClientRect().right}`);
        }
        return out.slice(0, 8);"""
    )
    return found


def console_errors(driver: Chrome) -> list[str]:
    """SEVERE console entries (JavaScript errors, failed loads)."""
    entries = driver.get_log("browser")  # type: ignore[no-untyped-call]
    return [e["message"] for e in entries if e["level"] == "SEVERE"]


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def client_sign_in(client: TestClient, key: str) -> str:
    """Sign a TestClient in through the form; returns the session's CSRF token."""
    client.cookies.clear()
    found = CSRF.search(client.get("/app/signin").text)
    assert found
    answer = client.post("/app/signin", data={"csrf_token": found[1], "api_key": key})
    assert answer.status_code == 200, answer.text[:500]
    token = CSRF.search(answer.text)
    assert token
    return token[1]
