"""An organiser's day in Debian's chromium (selenium, headless), against the real app served by
uvicorn: import the sample register and a bad file (its problems in a table, nothing imported),
browse the register, create the sample event from its file and one from the form, plan it, lock
two meetings, register a late supplier, re-plan (the two locked meetings where they were, every
meeting id kept by its pair), look at the grid, a what-if and the KPIs, and download the
schedule XLSX and an agenda. Screenshots of each page at 1280 and 390 px go to
$SCREENS_DIR_ORGANISER (default /tmp/screens-weborg), outside the repository."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
import pytest

from api.app import create_app
from api.config import ApiSettings
from matcher.store import Workspace
from tests.conftest import DATA, SAMPLE, hashing
from tests.web.conftest import WAIT_S, By, console_errors, replaced, serve, set_language

if TYPE_CHECKING:
    from selenium.webdriver import Chrome

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENS = Path(os.environ.get("SCREENS_DIR_ORGANISER", "/tmp/screens-weborg"))
BAD_FILE = DATA / "bad" / "field_tier_5_row4.csv"  # rows 2, 3, 5 fine; row 4 has tier 5
LATE_SUPPLIER = "S0200"  # in the sample register, not in the sample event
TWIN_OF_S0001 = "S9001,Sơn Hoàng Quang (chi nhánh),Sơn tĩnh điện,0144854472\n"  # S0001's tax code


@dataclass
class Site:
    url: str
    key: str
    workspace: Workspace
    downloads: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """An empty workspace with an organiser key; plans bounded to 3 s of solver time."""
    root = tmp_path_factory.mktemp("organiser")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MATCHER_CACHE_DIR", str(root / "cache"))
        workspace = Workspace(root / "ws")
        key = workspace.create_api_key("organiser")[1]
        api = ApiSettings(rate_per_minute=1e9, rate_burst=10**9, max_plan_seconds=3)
        app = create_app(root / "ws", hashing(), api)
        with serve(app) as url:
            yield Site(url, key, workspace, root / "downloads")


def shots(driver: Chrome, name: str) -> None:
    """The page, whole, at 1280 and 390 px; nothing may scroll sideways at either."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        driver.set_window_size(width, 900)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(int(height) + 120, 600), 8000))
        driver.save_screenshot(str(SCREENS / f"{name}-{width}.png"))
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{name} scrolls sideways at {width} px by {overflow} px"
    driver.set_window_size(1280, 1024)


def submit(driver: Chrome, button_id: str) -> None:
    """Click a submit button and wait until the next page has replaced this one."""
    from selenium.webdriver.support.wait import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, button_id).click()
    WebDriverWait(driver, WAIT_S * 3).until(lambda d: replaced(old))
    WebDriverWait(driver, WAIT_S).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def sign_in(driver: Chrome, url: str, key: str) -> None:
    """The sign-in form, waiting for the answer (a loaded machine may take a while)."""
    driver.delete_all_cookies()
    driver.get(url + "/app/signin")
    driver.find_element(By.ID, "f-api_key").send_keys(key)
    submit(driver, "signin")
    assert driver.find_elements(By.ID, "signout"), driver.page_source[:2000]


def upload(driver: Chrome, url: str, kind: str, path: Path) -> None:
    from selenium.webdriver.support.select import Select

    driver.get(url + "/app/organiser/import")
    Select(driver.find_element(By.ID, "f-kind")).select_by_value(kind)
    driver.find_element(By.ID, "f-file").send_keys(str(path))
    submit(driver, "import-submit")


def meetings(driver: Chrome) -> dict[str, dict[str, str]]:
    """The meetings table as shown: id → slot, table, buyer, supplier, locked. Read in one
    script (a WebDriver call per attribute of 150 rows took ~10 s a table on 2 cores)."""
    rows: list[list[str | None]] = driver.execute_script(
        """return [...document.querySelectorAll('#meetings tbody tr')].map((row) =>
          ['data-meeting-id', 'data-slot', 'data-table', 'data-buyer', 'data-supplier', 'class']
            .map((name) => row.getAttribute(name)));"""
    )
    out = {}
    for meeting_id, slot, table, buyer, supplier, classes in rows:
        out[meeting_id or ""] = {
            "slot": slot or "",
            "table": table or "",
            "pair": f"{buyer}|{supplier}",
            "locked": str("locked" in (classes or "")),
        }
    return out


def download(driver: Chrome, folder: Path, link: str, suffix: str) -> Path:
    """Click a download link (a CSS selector); the file the browser saved."""
    folder.mkdir(parents=True, exist_ok=True)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )
    before = set(folder.iterdir())
    driver.find_element(By.CSS_SELECTOR, link).click()
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        new = [p for p in set(folder.iterdir()) - before if p.suffix == suffix]
        if new:
            return new[0]
        time.sleep(0.1)
    pytest.fail(f"no {suffix} file was downloaded from {link}")


def test_an_organisers_day(site: Site, driver: Chrome, tmp_path: Path) -> None:
    from selenium.webdriver.support.select import Select

    sign_in(driver, site.url, site.key)
    set_language(driver, "en")

    # -- the register: the sample, then a bad file (every problem, nothing imported) ---------
    upload(driver, site.url, "suppliers", SAMPLE / "suppliers.csv")
    assert "398 new" in driver.find_element(By.ID, "imported").text
    upload(driver, site.url, "requirements", SAMPLE / "requirements.csv")
    assert "81 new" in driver.find_element(By.ID, "imported").text
    before = site.workspace.suppliers()
    upload(driver, site.url, "suppliers", BAD_FILE)
    cells = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "#problems tbody td")]
    assert cells[:3] == ["field_tier_5_row4.csv", "4", "tier"], cells
    assert site.workspace.suppliers() == before  # not even the file's good rows
    shots(driver, "import-problems")
    twin = tmp_path / "twin.csv"
    twin.write_text("supplier_id,name,description,tax_code\n" + TWIN_OF_S0001, encoding="utf-8")
    upload(driver, site.url, "suppliers", twin)
    shots(driver, "import-done")

    driver.get(site.url + "/app/organiser/register?sector=IV")
    listed = driver.find_elements(By.CSS_SELECTOR, "#register tbody tr")
    wanted = sum("IV" in s.sector for s in site.workspace.suppliers())
    assert f"{wanted} of 399 suppliers" in driver.find_element(By.ID, "register-count").text
    assert len(listed) == min(wanted, 50)
    flagged = driver.find_element(By.CSS_SELECTOR, "#register tr[data-supplier-id=S0001]")
    assert "looks like S9001 (same tax code)" in flagged.text
    shots(driver, "register")

    # -- events: one from the form, the sample from its file -------------------------------------
    driver.get(site.url + "/app/organiser/events")
    form = {
        "f-name": "Hội chợ thử",
        "f-tables": "4",
        "f-buyers": "canon-vietnam; honda-vietnam",
        "f-suppliers": "S0001\nS0002",
        "f-interpreters": "INT-1 | Hà | ja, vi | 08:30-10:00",
        "f-buyer_max": "6",
    }
    for field_id, value in form.items():
        driver.find_element(By.ID, field_id).send_keys(value)
    driver.execute_script("document.getElementById('f-date').value = '2025-11-20'")
    submit(driver, "event-create")
    assert driver.find_element(By.ID, "event-name").text == "Hội chợ thử"
    driver.get(site.url + "/app/organiser/events")
    driver.find_element(By.ID, "f-event-file").send_keys(str(SAMPLE / "event.yaml"))
    submit(driver, "event-upload-submit")
    assert "20 buyers, 150 suppliers" in driver.find_element(By.ID, "participant-counts").text
    overview = driver.current_url
    shots(driver, "event")

    # -- plan, lock two, a late supplier, re-plan ------------------------------------------------
    submit(driver, "plan-submit")
    first = meetings(driver)
    assert len(first) > 100
    two = [m for m, row in first.items() if row["locked"] == "False"][:2]
    for meeting_id in two:
        driver.find_element(By.ID, f"tick-{meeting_id}").click()
    submit(driver, "lock-submit")
    locked = meetings(driver)
    assert all(locked[m]["locked"] == "True" for m in two)
    shots(driver, "meetings")

    driver.get(overview)
    driver.find_element(By.ID, "f-id").send_keys(LATE_SUPPLIER)
    Select(driver.find_element(By.ID, "f-role")).select_by_value("supplier")
    submit(driver, "late-submit")
    assert LATE_SUPPLIER in driver.find_element(By.ID, "added").text
    assert "20 buyers, 151 suppliers" in driver.find_element(By.ID, "participant-counts").text
    submit(driver, "plan-submit")
    second = meetings(driver)
    for m in two:  # the locked meetings: same id, slot, table and pair
        assert second[m] == locked[m], (m, second.get(m), locked[m])
    # Ids belong to pairs: a pair that meets in both plans has the same id in both.
    pair_ids = {row["pair"]: m for m, row in first.items()}
    assert all(pair_ids.get(row["pair"], m) == m for m, row in second.items())
    assert len(set(first) & set(second)) > len(first) // 2

    # -- the grid, a what-if, the KPIs -----------------------------------------------------------
    driver.find_element(By.ID, "tab-grid").click()
    cell = driver.find_element(By.CSS_SELECTOR, f"#grid td[data-meeting-id='{two[0]}']")
    assert "locked" in (cell.get_attribute("class") or "")
    shots(driver, "grid")
    driver.find_element(By.ID, "tab-whatif").click()
    options = driver.find_element(By.ID, "f-options")
    options.clear()
    options.send_keys("tables+2")
    submit(driver, "whatif-submit")
    assert driver.find_element(By.CSS_SELECTOR, "#whatif tr[data-option='tables+2']")
    shots(driver, "whatif")
    driver.find_element(By.ID, "tab-kpis").click()
    assert driver.find_elements(By.CSS_SELECTOR, "#chart-per-firm svg")
    assert driver.find_elements(By.CSS_SELECTOR, "#chart-met svg")
    shots(driver, "kpis")

    # -- the files -------------------------------------------------------------------------------
    driver.find_element(By.ID, "tab-exports").click()
    shots(driver, "exports")
    xlsx = download(driver, site.downloads, "#file-schedule-xlsx", ".xlsx")
    sheet = openpyxl.load_workbook(xlsx, read_only=True).active
    assert sheet is not None
    ids = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(two) <= ids and len(ids) == len(second)
    row = "#agendas tr[data-participant-id=S0001]"
    pdf = download(driver, site.downloads, f"{row} a.agenda-pdf", ".pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    agenda = driver.find_element(
        By.CSS_SELECTOR, "#agendas tr[data-participant-id=S0001] a.agenda-html"
    )
    agenda.click()
    assert "S0001" in driver.page_source
    driver.get(site.url + "/app/organiser/events")
    set_language(driver, "vi")
    shots(driver, "events-vi")
    # The bad import answers 422, which chromium logs, and the agenda file (a page of its own,
    # for printing) names no icon, so chromium asks for /favicon.ico; nothing else.
    expected = ("/app/organiser/import - Failed to load resource", "/favicon.ico - Failed")
    errors = [e for e in console_errors(driver) if not any(x in e for x in expected)]
    assert errors == []
