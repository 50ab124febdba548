"""The offline map in a real browser: Debian's headless chromium driven by selenium.

The page is served from a local http.server on 127.0.0.1 (no other network);
the test checks that the console has no severe errors and that Leaflet drew one
SVG path per route, plus the layer control and the tier layers.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

import logistics
from logistics.app.run import run_job
from logistics.formats.jobfile import load_job

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
DATA = Path(__file__).parent.parent / "data" / "jobs"


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
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1200,900",
        f"--user-data-dir={profile}",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    d.set_page_load_timeout(30)
    d.set_script_timeout(10)
    try:
        yield d
    finally:
        d.quit()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Result folder of the sample job (offline map), served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("site")
    res = run_job(DATA / "small.yaml", root / "small", time_limit=1, offline=True)
    problem, _ = load_job(DATA / "small.yaml")
    plan = res.plan
    assert logistics.validate(problem, plan) == []
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/small/map.html", plan, problem
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
        shutil.rmtree(root, ignore_errors=True)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


def _wait_for(driver, script, timeout=10):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: d.execute_script(script))


def test_offline_map_draws_every_route(driver, served):
    url, plan, problem = served
    driver.get(url)
    n_routes = len(plan.vehicles_used)
    assert n_routes >= 1
    _wait_for(driver, f"return document.querySelectorAll('path.coldroute-route').length >= {n_routes}")
    assert driver.execute_script("return document.querySelectorAll('path.coldroute-route').length") == n_routes
    n_stops = int(plan.stops["kind"].isin(["delivery", "pickup"]).sum())
    assert driver.execute_script("return document.querySelectorAll('path.coldroute-stop').length") == n_stops
    # the routes are really drawn: each path has a non-trivial outline
    d_lengths = driver.execute_script(
        "return Array.from(document.querySelectorAll('path.coldroute-route')).map(p => p.getAttribute('d').length)"
    )
    assert all(n > 10 for n in d_lengths)
    # layer control with the tiers and one entry per vehicle
    labels = driver.execute_script(
        "return Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
        ".map(l => l.textContent.trim())"
    )
    assert any(t.startswith("Hub") for t in labels)
    assert any(t.startswith("Stations") for t in labels)
    assert any(t.startswith("Villages") for t in labels)
    assert sum(1 for t in labels for v in plan.vehicles_used if v in t) == n_routes
    # no tiles were requested, and nothing failed
    assert driver.execute_script("return document.querySelectorAll('img.leaflet-tile').length") == 0
    severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert severe == [], severe


def test_popup_opens_with_eta(driver, served):
    url, plan, _ = served
    driver.get(url)
    _wait_for(driver, "return document.querySelectorAll('path.coldroute-stop').length > 0")
    driver.execute_script(
        "document.querySelector('path.coldroute-stop').dispatchEvent(new MouseEvent('click', {bubbles: true}));"
    )
    text = _wait_for(
        driver, "var p = document.querySelector('.leaflet-popup-content');return p ? p.textContent : null;"
    )
    assert "ETA" in text and "load after stop" in text
    severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert severe == [], severe
