"""The review page in a real browser (Debian's chromium + chromium-driver through Selenium):
confirm one link, reject another, correct a status, upload a file; then the overrides files,
the re-derived tables and the page."""

import re
import shutil
import socket
import threading
import time
from pathlib import Path

import polars as pl
import pytest

from pipelines.derive.overrides import load_status_overrides
from pipelines.derive.refresh import read_history
from pipelines.lake.store import Lake
from pipelines.link.linker import load_overrides
from pipelines.serve.app import build_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="needs Debian's chromium and chromium-driver (./run test installs them)",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(served_lake):
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(
        build_app(served_lake, rebuild_reports=False),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(10)


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    yield driver
    driver.quit()


def _wait(driver, css: str, text: str | None = None, timeout: float = 90):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, timeout)
    if text is None:
        return wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))
    wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))
    return driver.find_element(By.CSS_SELECTOR, css)


def _click_and_wait(driver, element, css: str, text: str | None = None):
    """Click, wait until htmx has swapped the page (the old <main> is gone), then for css."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "main")
    element.click()
    WebDriverWait(driver, 90).until(ec.staleness_of(old))
    return _wait(driver, css, text)


def _links(lake: Path) -> pl.DataFrame:
    return pl.read_parquet(lake / "links" / "**" / "*.parquet", hive_partitioning=False)


def _link_of(lake: Path, period: str, row: int) -> dict:
    links = _links(lake)
    return links.filter((pl.col("period") == period) & (pl.col("source_row") == row)).row(
        0, named=True
    )


def test_confirm_reject_correct_and_upload_in_the_browser(server, browser, served_lake, upload_csv):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    flagged = _links(served_lake).filter(pl.col("needs_review"))
    # a row the linker left new although a candidate came close, and a link it doubted
    new_rows = flagged.filter(pl.col("method") == "new").sort("score", descending=True)
    linked_rows = flagged.filter(pl.col("method") != "new").sort("period", "source_row")
    assert new_rows.height and linked_rows.height, "the demo lake should hold both kinds"
    first, second = new_rows.row(0, named=True), linked_rows.row(0, named=True)

    browser.get(f"{server}/granska")
    name = _wait(browser, "#reviewer-name")
    name.send_keys("Lars Ångström")
    _click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#save-name"), "h1", "Länkar")
    assert (
        browser.find_element(By.CSS_SELECTOR, "#reviewer-name").get_attribute("value")
        == "Lars Ångström"
    )

    def item(link):
        return browser.find_element(
            By.CSS_SELECTOR,
            f'section[data-period="{link["period"]}"][data-row="{link["source_row"]}"]',
        )

    # 1. confirm the new row's best candidate ("Välj denna")
    assert first["activity_id"] in item(first).text  # the whole id, never cut
    choose = item(first).find_element(By.CSS_SELECTOR, "button.choose")
    chosen = choose.find_element(By.XPATH, "./..").find_element(
        By.CSS_SELECTOR, "input[name=activity_id]"
    )
    first = {**first, "activity_id": chosen.get_attribute("value")}
    assert first["activity_id"] in item(first).text
    _click_and_wait(browser, choose, "#row-method", "override")
    assert "historiken omräknad" in browser.find_element(By.CSS_SELECTOR, "#message").text
    assert browser.find_element(By.CSS_SELECTOR, "#row-activity").text == first["activity_id"]

    # 2. reject the doubted link
    browser.get(f"{server}/granska")
    _wait(browser, "h1", "Länkar att granska")
    _click_and_wait(
        browser, item(second).find_element(By.CSS_SELECTOR, "button.reject"), "#message", "avvisad"
    )
    rejected_now = browser.find_element(By.CSS_SELECTOR, "#row-activity").text
    assert rejected_now != second["activity_id"]

    # 3. correct a status in the period with the most rows whose status was not reported
    org = first["org"]
    snapshots = read_history(Lake(served_lake))
    open_rows = snapshots.filter(pl.col("status_source").is_in(["inferred", "absent"]))
    period = open_rows.group_by("period").len().sort("len", descending=True)["period"][0]
    browser.get(f"{server}/status?org={org}&period={period}")
    row_element = _wait(browser, "table tr[id^=status-]")
    source_row = int(row_element.get_attribute("id").split("-")[1])
    before = open_rows.filter(
        (pl.col("period") == period) & (pl.col("source_row") == source_row)
    ).row(0, named=True)
    new_status = "red" if before["status"] != "red" else "green"
    Select(row_element.find_element(By.NAME, "status")).select_by_value(new_status)
    row_element.find_element(By.NAME, "reason").send_keys("nämnden beslutade att pausa")
    _click_and_wait(
        browser,
        row_element.find_element(By.CSS_SELECTOR, "button.set-status"),
        "#row-status-source",
        "ändrad av analytiker",
    )
    shown = browser.find_element(By.CSS_SELECTOR, "#row-status").text
    assert shown == {"red": "rött", "green": "grönt"}[new_status]

    # 4. upload a made-up municipality's export, see how it was read, ingest it
    browser.get(f"{server}/ladda-upp")
    _wait(browser, "#upload-file").send_keys(str(upload_csv))
    upload_button = browser.find_element(By.CSS_SELECTOR, "#upload-button")
    summary = _click_and_wait(browser, upload_button, "#inspect-summary", "aktivitetsrader")
    assert "3 aktivitetsrader" in summary.text
    preview = browser.find_element(By.CSS_SELECTOR, "#preview").text
    assert "<script>alert(1)</script>" in preview  # shown as text, not run
    assert (
        browser.find_element(By.CSS_SELECTOR, "#ingest-period").get_attribute("value") == "2024-T1"
    )
    ingest_button = browser.find_element(By.CSS_SELECTOR, "#ingest-button")
    quarantine = _click_and_wait(browser, ingest_button, "#quarantine", "lila")
    assert "inläst" in browser.find_element(By.CSS_SELECTOR, "#message").text
    assert "lila" in quarantine.text

    # the overrides files, with who decided
    links_file = load_overrides(served_lake / "overrides" / "links.csv")
    assert links_file.select("action", "period", "source_row", "activity_id").rows() == [
        ("confirm", first["period"], first["source_row"], first["activity_id"]),
        ("reject", second["period"], second["source_row"], second["activity_id"]),
    ]
    assert set(links_file["decided_by"]) == {"Lars Ångström"}
    status_file = load_status_overrides(served_lake / "overrides" / "status.csv")
    assert status_file.select("period", "source_row", "status", "decided_by").rows() == [
        (period, source_row, new_status, "Lars Ångström")
    ]
    # the re-derived tables
    confirmed = _link_of(served_lake, first["period"], first["source_row"])
    assert (confirmed["method"], confirmed["activity_id"]) == ("override", first["activity_id"])
    rejected = _link_of(served_lake, second["period"], second["source_row"])
    assert rejected["activity_id"] == rejected_now != second["activity_id"]
    assert not rejected["needs_review"]
    history = read_history(Lake(served_lake))
    corrected = history.filter(
        (pl.col("period") == period) & (pl.col("source_row") == source_row)
    ).row(0, named=True)
    assert (corrected["status"], corrected["status_source"]) == (new_status, "override")
    assert corrected["status_before_override"] == before["status"]
    assert set(history["org"]) >= {org, "kommun-sjodal"}
    # and the page afterwards: both decided rows have left the queue
    browser.get(f"{server}/granska")
    _wait(browser, "h1", "Länkar att granska")
    shown_rows = {
        (e.get_attribute("data-period"), int(e.get_attribute("data-row")))
        for e in browser.find_elements(By.CSS_SELECTOR, "section.queue-item")
    }
    assert (first["period"], first["source_row"]) not in shown_rows
    assert (second["period"], second["source_row"]) not in shown_rows
    page = browser.page_source
    assert not re.search(r"<script>alert", page)
