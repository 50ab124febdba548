"""The offline map in a real browser: Debian's headless chromium driven by selenium.

The page is served from a local http.server on 127.0.0.1 (no other network);
the test checks that the console has no severe errors and that Leaflet drew one
SVG path per route, plus the layer control and the tier layers.
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

import logistics
from logistics.app.run import run_job
from logistics.app.tier_views import write_tier_map
from logistics.formats.jobfile import load_job
from logistics.planners.tiers import plan_tiers
from logistics.planners.tiers.demo import DEMO_PRODUCTS, demo_fleets, demo_network, demo_orders

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


# --------------------------------------------------------------------------- hostile strings

HOSTILE = (
    "</script><script>window.pwned=1</script>",
    '"><img src=x onerror="window.pwned=2">',
    "o1${globalThis.pwned=3}",
    "`;window.pwned=4;`",
    "\\`${window.pwned=5}",
    'it\'s "quoted" \\ back\\slash\\u0041 \u2028line\u2029sep',
)


def hostile_problem():
    """The sample job with every user string replaced by a hostile one, and one order left unserved."""
    problem, _ = load_job(DATA / "small.yaml")
    rename = {name: f"{name}{HOSTILE[k % len(HOSTILE)]}" for k, name in enumerate(problem.products)}
    products = {rename[n]: dataclasses.replace(p, name=rename[n]) for n, p in problem.products.items()}
    orders = [
        dataclasses.replace(
            o,
            id=f"{HOSTILE[k % len(HOSTILE)]}#{k}",
            quantities={rename[n]: q for n, q in o.quantities.items()},
        )
        for k, o in enumerate(problem.orders)
    ]
    # an order nobody can serve (its window closes before any shift starts): the unserved layer and its reason
    orders.append(
        dataclasses.replace(orders[0], id=HOSTILE[1] + "#late", time_windows=((0, 60),), required=False, penalty=1.0)
    )
    fleet = [dataclasses.replace(vt, name=f"{vt.name}{HOSTILE[0]}") for vt in problem.fleet]
    nodes = problem.network.nodes.copy()
    nodes["name"] = [f"{n}{HOSTILE[k % len(HOSTILE)]}" for k, n in enumerate(nodes["name"])]
    if "name_zh" in nodes.columns:
        nodes["name_zh"] = nodes["name"] + HOSTILE[2]
    network = dataclasses.replace(problem.network, nodes=nodes, name=HOSTILE[3])
    return dataclasses.replace(
        problem, orders=tuple(orders), fleet=tuple(fleet), products=products, network=network, name=HOSTILE[4]
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A map (offline and online) of a plan made of hostile ids, served on 127.0.0.1."""
    from logistics.core import maps

    problem = hostile_problem()
    plan = logistics.solve(problem, time_limit=1, engine="ortools")
    assert len(plan.vehicles_used) >= 1 and len(plan.unserved) >= 1
    root = tmp_path_factory.mktemp("hostile")
    for offline in (True, False):
        m = maps.plan_map(plan, problem=problem, offline=offline, title=HOSTILE[0] + HOSTILE[2])
        maps.save_map(m, root / f"map-{'offline' if offline else 'online'}.html", offline=offline)
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", plan, problem
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _open_every_popup_and_tooltip(driver):
    texts = []
    for cls in ("coldroute-stop", "coldroute-route", "coldroute-unserved", "coldroute-depot", "coldroute-village"):
        n = driver.execute_script(f"return document.querySelectorAll('path.{cls}').length")
        for i in range(n):
            texts.append(
                driver.execute_script(
                    f"var p = document.querySelectorAll('path.{cls}')[{i}];"
                    "['mouseover', 'click'].forEach(t => p.dispatchEvent(new MouseEvent(t, {bubbles: true})));"
                    "var cs = document.querySelectorAll('.leaflet-popup-content'), c = cs[cs.length - 1];"
                    "var ts = document.querySelectorAll('.leaflet-tooltip'), t = ts[ts.length - 1];"
                    "return (c ? c.textContent : '') + ' | ' + (t ? t.textContent : '');"
                )
            )
    return texts


def test_hostile_ids_run_no_script(driver, hostile):
    base, plan, problem = hostile
    for page in ("map-offline.html", "map-online.html"):
        driver.get(f"{base}/{page}")
        if page == "map-offline.html":  # the online page needs tiles and leaflet from a CDN
            n_routes = len(plan.vehicles_used)
            _wait_for(driver, f"return document.querySelectorAll('path.coldroute-route').length >= {n_routes}")
            texts = _open_every_popup_and_tooltip(driver)
            shown = " ".join(texts)
            # the hostile strings are shown as text, whole
            assert "window.pwned=1" in shown and "${globalThis.pwned=3}" in shown and "back\\slash" in shown
            assert any(o.id in shown for o in problem.orders)
            labels = driver.execute_script(
                "return Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
                ".map(l => l.textContent).join(' ')"
            )
            assert all(v in labels for v in plan.vehicles_used)
            severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
            assert severe == [], severe  # a string that broke a script would show here
        assert driver.execute_script("return typeof window.pwned") == "undefined", page
        assert driver.execute_script("return typeof globalThis.pwned") == "undefined", page
        assert driver.execute_script("return document.querySelectorAll('img[src=\"x\"]').length") == 0, page
        # no script element of the injected kind exists (it would have run when parsed)
        injected = "return Array.from(document.scripts).filter(s => /^\\s*window\\.pwned/.test(s.text)).length"
        assert driver.execute_script(injected) == 0, page


# --------------------------------------------------------------------------- the three-tier map


@pytest.fixture(scope="module")
def tier_page(tmp_path_factory):
    """map.html of a small three-tier day (offline), a station named with a hostile string, served locally."""
    base = demo_network(3, 4, 2)
    nodes = base.nodes.copy()
    nodes.loc["st2", "name"] = HOSTILE[0] + HOSTILE[2]
    net = dataclasses.replace(base, nodes=nodes)
    trunk, vans = demo_fleets()
    tp = plan_tiers(net, demo_orders(net), trunk, vans, products=DEMO_PRODUCTS, time_limit=2, seed=0, workers=1)
    assert tp.validate(legs=True) == []
    root = tmp_path_factory.mktemp("tiers")
    write_tier_map(tp, root / "map.html", offline=True)
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/map.html", tp
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_tier_map_draws_a_toggleable_layer_per_tier(driver, tier_page):
    url, tp = tier_page
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(url)
    counts = {t: int(tp.stops[tp.stops["tier"] == t]["vehicle"].nunique()) for t in ("trunk", "last_mile", "direct")}
    assert all(counts.values())
    count = "return document.querySelectorAll('path.coldroute-tier-{}').length"
    _wait_for(driver, count.format("trunk") + f" >= {counts['trunk']}")
    for tier, n in counts.items():
        assert driver.execute_script(count.format(tier)) == n, tier
    labels = driver.execute_script(
        "return Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
        ".map(l => l.textContent.trim())"
    )
    for prefix in ("Trunk", "Last mile", "Direct", "Hub and stations"):
        assert sum(1 for t in labels if prefix in t) == 1, (prefix, labels)
    # unticking the trunk layer removes its lines and leaves the others
    driver.execute_script(
        "Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
        ".find(l => l.textContent.includes('Trunk')).querySelector('input').click();"
    )
    assert driver.execute_script(count.format("trunk")) == 0
    assert driver.execute_script(count.format("last_mile")) == counts["last_mile"]
    # a station's popup shows its throughput and its hand-overs
    n_st = driver.execute_script("return document.querySelectorAll('path.coldroute-station').length")
    assert n_st == len(tp.problems["trunk"].network.stations)
    driver.execute_script(
        "document.querySelector('path.coldroute-station').dispatchEvent(new MouseEvent('click', {bubbles: true}));"
    )
    text = _wait_for(
        driver, "var p = document.querySelector('.leaflet-popup-content');return p ? p.textContent : null;"
    )
    assert "goods down" in text and "produce up" in text
    rows = driver.execute_script(
        "return document.querySelectorAll('.leaflet-popup-content tr.coldroute-handover').length"
    )
    assert rows >= 1
    assert driver.execute_script("return typeof window.pwned") == "undefined"
    assert driver.execute_script("return typeof globalThis.pwned") == "undefined"
    severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert severe == [], severe
