"""The dispatcher page in real headless Chromium against a running server: upload, wait, see routes drawn."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest
from svc_helpers import VILLAGES, client, new_org, tiny_job, validate_result

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
HOSTILE = '<img src=x id=pwned onerror="window.pwned=1">'


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if not CHROMEDRIVER.exists():
        return f"{CHROMEDRIVER} is missing (apt-get install chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    return None


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    reason = _missing()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    profile = tmp_path_factory.mktemp("chromium-profile")
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        f"--user-data-dir={profile}",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    d.set_page_load_timeout(30)
    try:
        yield d
    finally:
        d.quit()


@pytest.fixture(scope="module")
def served(sqlite_server):
    """The shared SQLite server and a fresh organisation of its own."""
    server, url, tmp = sqlite_server
    return server, new_org(url, "page-" + uuid.uuid4().hex[:6]), tmp


def _wait(driver, script: str, timeout: float = 90.0):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(lambda d: d.execute_script(script))


def _upload(driver, server, key: str, path: Path, mode: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver.get(server.base + "/")
    _wait(driver, "return document.querySelectorAll('#fleet option').length > 0", 30)
    driver.find_element(By.ID, "key").send_keys(key)
    driver.find_element(By.CSS_SELECTOR, f"input[name=mode][value={mode}]").click()
    if mode == "orders":
        Select(driver.find_element(By.ID, "fleet")).select_by_value("reefers")
        box = driver.find_element(By.ID, "time-limit")
        box.clear()
        box.send_keys("1")
    driver.find_element(By.ID, "file").send_keys(str(path))
    driver.find_element(By.ID, "send").click()


def test_upload_orders_wait_and_see_the_routes_drawn(driver, served):
    server, key, tmp = served
    rows = ["order_id,node_id,kind,qty_milk,qty_frozen_dumplings,qty_rice,tw_start,tw_end"]
    rows += [f"p{k},{v},delivery,{10 + k},{3 * k},{20 + k},08:00,17:00" for k, v in enumerate(VILLAGES)]
    csv_path = tmp / "orders.csv"
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    _upload(driver, server, key, csv_path, "orders")
    status = _wait(
        driver,
        "var s = document.getElementById('job-status').dataset.status;"
        "return ['done','failed','cancelled'].includes(s) ? s : null;",
    )
    assert status == "done", driver.find_element("id", "job-status").text
    _wait(driver, "return document.getElementById('map').style.display === 'block'", 30)
    assert _wait(driver, "var i = document.getElementById('timeline'); return i.complete && i.naturalWidth > 100;", 30)
    links = driver.execute_script(
        "return Array.from(document.querySelectorAll('#downloads a')).map(a => a.textContent)"
    )
    assert {"plan.json", "routes.geojson", "stops.csv", "unserved.csv", "kpis.json", "timeline.png"} <= set(links)
    with client(server, key) as c:
        (job,) = [j for j in c.get("/v1/jobs").json()["jobs"] if j["status"] == "done"]
        doc = json.loads((server.data / "jobs" / job["id"] / "job.json").read_text())
        plan_doc = c.get(job["files"]["plan.json"]).json()
    assert doc["orders"] == "orders.csv"  # the server named the uploaded file in the job's own folder
    plan = validate_result(doc, plan_doc, tmp)  # tmp holds the same orders.csv
    driver.switch_to.frame(driver.find_element("id", "map"))
    try:
        n = len(plan.vehicles_used)
        assert n >= 1
        _wait(driver, f"return document.querySelectorAll('path.coldroute-route').length >= {n}", 30)
        assert driver.execute_script("return document.querySelectorAll('path.coldroute-route').length") == n
    finally:
        driver.switch_to.default_content()
    severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE" and "favicon" not in e["message"]]
    assert severe == [], severe


def test_names_from_a_job_are_shown_as_text(driver, served):
    server, key, tmp = served
    path = tmp / "hostile.json"
    path.write_text(json.dumps(tiny_job(HOSTILE, n=2)), encoding="utf-8")
    _upload(driver, server, key, path, "job")
    _wait(driver, "return document.getElementById('job-status').dataset.status === 'done'")
    title = driver.execute_script("return document.getElementById('job-title').textContent")
    assert HOSTILE in title
    driver.find_element("id", "refresh").click()
    time.sleep(0.5)
    cells = driver.execute_script("return Array.from(document.querySelectorAll('#jobs td')).map(t => t.textContent)")
    assert HOSTILE in cells
    assert driver.execute_script("return document.getElementById('pwned') === null && !window.pwned")
