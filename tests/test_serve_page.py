"""The drawing page in a real browser: headless Chromium (the system's) driven by Selenium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from serving import BUNDLED, running_server

webdriver = pytest.importorskip("selenium.webdriver")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = [  # a browser starts in seconds: the full suite only
    pytest.mark.browser,
    pytest.mark.server,
    pytest.mark.skipif(CHROMEDRIVER is None, reason="needs chromium-driver"),
]
SCREENSHOT_ENV = "DIGITCLI_PAGE_SCREENSHOT"  # where to keep a screenshot (the README's)


@pytest.fixture
def browser():
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=900,700"):
        options.add_argument(argument)
    options.binary_location = shutil.which("chromium") or ""
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def draw(driver, pad, strokes: list[list[tuple[int, int]]]) -> None:
    """Each stroke pressed, moved through its points and released, in canvas pixels (280x280)."""
    from selenium.webdriver.common.action_chains import ActionChains

    for stroke in strokes:
        actions = ActionChains(driver, duration=10)
        x0, y0 = stroke[0]
        actions.move_to_element_with_offset(pad, x0 - 140, y0 - 140).click_and_hold()
        for (xa, ya), (xb, yb) in zip(stroke, stroke[1:], strict=False):
            for _ in range(5):  # several moves per segment, as a hand gives
                actions.move_by_offset(round((xb - xa) / 5), round((yb - ya) / 5))
        actions.release().perform()


def test_drawing_a_seven_shows_7_its_bars_and_the_28x28_preview(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with running_server(str(BUNDLED), log=tmp_path / "log") as server:
        browser.get(server.url + "/")
        wait = WebDriverWait(browser, 20)
        wait.until(lambda d: "(cnn, cnn, mlp, " in d.find_element(By.ID, "model").text)
        pad = browser.find_element(By.ID, "pad")
        draw(browser, pad, [[(80, 60), (205, 60), (125, 235)]])
        wait.until(lambda d: d.find_element(By.ID, "digit").text == "7")
        bars = browser.execute_script(
            "return [...document.querySelectorAll('#bars li')].map(row => row.innerText)"
        )
        preview = browser.find_element(By.ID, "preview")
        source = preview.get_attribute("src")
        natural = browser.execute_script(
            "return [arguments[0].naturalWidth, arguments[0].naturalHeight]", preview
        )
        if os.environ.get(SCREENSHOT_ENV):
            browser.save_screenshot(os.environ[SCREENSHOT_ENV])
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        browser.find_element(By.ID, "clear").click()
        cleared = browser.find_element(By.ID, "digit").text
    assert len(bars) == 3 and bars[0].startswith("7")
    assert source.startswith("data:image/png;base64,")
    assert natural == [28, 28]
    assert errors == []  # no script error, nothing the policy refused
    assert cleared == "?"
    assert "POST /v1/predict 200" in Path(server.log).read_text()


def test_an_answer_that_arrives_after_clear_is_not_shown(browser, tmp_path):
    import time

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with running_server(str(BUNDLED), log=tmp_path / "log") as server:
        browser.get(server.url + "/")
        WebDriverWait(browser, 20).until(lambda d: "cnn" in d.find_element(By.ID, "model").text)
        browser.set_network_conditions(latency=800, throughput=10_000_000, offline=False)
        pad = browser.find_element(By.ID, "pad")
        draw(browser, pad, [[(80, 60), (205, 60), (125, 235)]])
        browser.find_element(By.ID, "clear").click()  # the answers are still on their way
        time.sleep(3)  # long enough for every one of them to arrive
        digit = browser.find_element(By.ID, "digit").text
        bars = browser.find_elements(By.CSS_SELECTOR, "#bars li")
    assert "POST /v1/predict 200" in Path(server.log).read_text()  # they did arrive
    assert digit == "?" and bars == []  # a blank pad shows no answer
