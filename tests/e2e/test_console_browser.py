"""The ops console in a real browser: Debian's headless Chromium driven through its WebDriver.

Embedded gapless serves the page; a scenario places orders through the API, then the browser
signs in with the ops key, sees the orders, the KPIs against the segments' targets and the
andon board, pulls the cord on a SKU from the page and resolves the pull from the page with a
root cause, a cause code, a countermeasure and an owner (an improvement item).
Screenshots go to test-artifacts/console/ (GAPLESS_TEST_ARTIFACTS overrides it).
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.e2e.clients import Api
from tests.e2e.conftest import running_stack
from tests.e2e.stack import Stack

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 30


def _artifacts() -> Path:
    folder = Path(os.environ.get("GAPLESS_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "console"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _binaries() -> tuple[str, str]:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    message = "chromium and chromedriver are missing: run deploy/browser.sh (make test does)"
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module", params=["embedded", "scaleout"])
def console_stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """Embedded serves the console itself; scale-out runs it as a process of its own."""
    _binaries()
    folder = tmp_path_factory.mktemp(f"console-{request.param}")
    extra = {"GAPLESS_SEED_DEMO": "false"}
    with running_stack(request.param, folder, extra_env=extra) as stack:
        yield stack


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    chromium, driver = _binaries()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1400,1800")
    session = webdriver.Chrome(service=Service(driver), options=options)
    session.set_page_load_timeout(WAIT_SECONDS)
    try:
        yield session
    finally:
        session.quit()


def _wait(browser: WebDriver) -> WebDriverWait[WebDriver]:
    return WebDriverWait(browser, WAIT_SECONDS, poll_frequency=0.3)


def _text_appears(browser: WebDriver, css: str, text: str) -> None:
    _wait(browser).until(
        expected_conditions.text_to_be_present_in_element((By.CSS_SELECTOR, css), text)
    )


async def _scenario(stack: Stack) -> tuple[list[str], str]:
    async with httpx.AsyncClient(timeout=20) as client:
        api = Api(stack, client)
        customer = await api.new_customer("console")
        sku = await api.new_item("console", stock=50)
        orders = [await api.place_order(customer, [(sku, 1 + n % 3)]) for n in range(4)]
        for order_id in orders:
            await api.wait_for_release(order_id)
    return orders, sku


async def test_the_console_shows_orders_kpis_and_the_andon_board_and_drives_a_pull(
    console_stack: Stack, browser: WebDriver
) -> None:
    orders, sku = await _scenario(console_stack)
    shots = _artifacts() / console_stack.target
    shots.mkdir(exist_ok=True)
    browser.get(console_stack.console_url + "/")
    browser.find_element(By.ID, "api-key").send_keys("not-a-key")
    browser.find_element(By.ID, "sign-in-button").click()
    _text_appears(browser, "#sign-in-error", "Sign-in failed")

    key = browser.find_element(By.ID, "api-key")
    key.clear()
    key.send_keys(console_stack.keys["ops_key"])
    browser.find_element(By.ID, "sign-in-button").click()
    assert console_stack.keys["ops_key"] not in browser.current_url  # never in a URL
    _text_appears(browser, "#orders", orders[-1][:8])
    _text_appears(browser, "#funnel [data-step='received']", str(len(orders)))
    _text_appears(browser, "#kpis thead", "CC")
    _text_appears(browser, "#kpis tbody", "target fill rate")
    _text_appears(browser, "#kpis tbody", "90%")
    _text_appears(browser, "#andon", "no open pulls")
    browser.save_screenshot(str(shots / "1-orders-and-kpis.png"))

    browser.find_element(By.ID, "pull-target").send_keys(sku)
    browser.find_element(By.ID, "pull-reason").send_keys("cracked casing")
    browser.find_element(By.ID, "pull-button").click()
    _text_appears(browser, "#andon-message", "Pulled.")
    _text_appears(browser, "#andon", f"sku {sku}")
    browser.save_screenshot(str(shots / "2-andon-pulled.png"))

    browser.find_element(By.CSS_SELECTOR, "#andon button.resolve").click()
    _wait(browser).until(expected_conditions.visibility_of_element_located((By.ID, "resolve-form")))
    browser.find_element(By.ID, "resolve-root-cause").send_keys("supplier packed without foam")
    Select(browser.find_element(By.ID, "resolve-cause-code")).select_by_value("packaging")
    browser.find_element(By.ID, "resolve-fix").send_keys("foam inserts required")
    browser.find_element(By.ID, "resolve-owner").send_keys("packing-lead")
    browser.save_screenshot(str(shots / "3-andon-resolving.png"))
    browser.find_element(By.ID, "resolve-button").click()
    _text_appears(browser, "#andon-message", "Resolved.")
    _text_appears(browser, "#andon", "no open pulls")
    _text_appears(browser, "#owners", "packing-lead")  # the improvement item's owner
    _text_appears(browser, "#pareto", "packaging")
    browser.save_screenshot(str(shots / "4-andon-resolved.png"))

    async with httpx.AsyncClient(timeout=20) as client:
        answer = await Api(console_stack, client).request("GET", "/v1/andon/pulls")
    pulls = answer.json()
    [resolved] = [p for p in pulls if p["target_id"] == sku]
    assert resolved["ticket"]["root_cause"] == "supplier packed without foam"
    assert resolved["ticket"]["fix"] == "foam inserts required"
    async with httpx.AsyncClient(timeout=20) as client:
        answer = await Api(console_stack, client).request(
            "GET", "/v1/improvements", params={"owner": "packing-lead"}
        )
    [item] = answer.json()["items"]
    assert (item["cause_code"], item["status"]) == ("packaging", "awaiting_audit")


async def test_the_api_docs_load_offline_and_offer_the_bearer_key(
    console_stack: Stack, browser: WebDriver
) -> None:
    docs = console_stack.processes.get("embedded", console_stack.processes.get("order"))
    assert docs is not None
    browser.get(docs.url + "/docs")
    _wait(browser).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".btn.authorize"))
    )
    scripts = [s.get_attribute("src") or "" for s in browser.find_elements(By.TAG_NAME, "script")]
    assert all(src.startswith(docs.url + "/") for src in scripts if src)
    browser.save_screenshot(str(_artifacts() / f"5-api-docs-{console_stack.target}.png"))
