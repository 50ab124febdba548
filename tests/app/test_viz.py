"""Maps and timelines of plans."""

from __future__ import annotations

import html
import re
from pathlib import Path

import folium
import pytest
from matplotlib.figure import Figure

import logistics
from logistics.app import plots
from logistics.core import maps
from logistics.formats.jobfile import load_job

DATA = Path(__file__).parent.parent / "data" / "jobs"


@pytest.fixture(scope="module")
def solved():
    problem, _ = load_job(DATA / "small.yaml")
    # two vehicles needed: shrink the compartments so one truck cannot carry everything
    import dataclasses

    vt = problem.fleet[0]
    small = dataclasses.replace(
        vt, compartments=tuple(dataclasses.replace(c, capacity=c.capacity / 2) for c in vt.compartments)
    )
    problem = problem.replace(fleet=(small,), orders=tuple(o for o in problem.orders if o.kind == "delivery"))
    plan = logistics.solve(problem, time_limit=1, seed=0, engine="ortools")
    assert logistics.validate(problem, plan) == []
    return problem, plan


@pytest.fixture(scope="module")
def with_unserved():
    """A plan with an order that cannot be reached in its window."""
    from logistics import Order

    problem, _ = load_job(DATA / "small.yaml")
    late = Order("late", {"milk": 5}, node_id="v-xiayue", time_windows=((0, 60),), required=False, penalty=10)
    problem = problem.replace(orders=problem.orders + (late,))
    plan = logistics.solve(problem, time_limit=1, seed=0, engine="ortools")
    assert logistics.validate(problem, plan) == []
    assert "late" in set(plan.unserved["order_id"])
    return problem, plan


def render(m: folium.Map) -> str:
    return m.get_root().render()


def test_plan_map_draws_one_line_per_route(solved):
    problem, plan = solved
    assert len(plan.vehicles_used) >= 2
    m = maps.plan_map(plan, problem)
    assert isinstance(m, folium.Map)
    html = render(m)
    assert html.count('"className": "coldroute-route"') == len(plan.vehicles_used)
    n_stops = int(plan.stops["kind"].isin(["delivery", "pickup"]).sum())
    assert html.count('"className": "coldroute-stop"') == n_stops
    for label in ("Hub (1)", "Stations (2)", "Villages (5)"):
        assert label in html
    assert "L.control.layers" in html
    # vehicles get different colours
    colours = set(re.findall(r'"className": "coldroute-route", "color": "(#[0-9a-f]{6})"', html))
    assert len(colours) == len(plan.vehicles_used)


def test_popups_show_eta_load_and_zone(solved):
    problem, plan = solved
    html = render(maps.plan_map(plan, problem))
    assert "ETA " in html and "load after stop" in html
    assert "temperature zone: chilled" in html and "frozen" in html
    assert "synthetic position" in html


def test_unserved_orders_are_marked(with_unserved):
    problem, plan = with_unserved
    html = render(maps.plan_map(plan, problem))
    assert html.count('"className": "coldroute-unserved"') == len(plan.unserved)
    assert "unserved late" in html


def test_offline_map_needs_no_network(solved, tmp_path):
    problem, plan = solved
    m = maps.plan_map(plan, problem, offline=True)
    path = maps.save_map(m, tmp_path / "map.html", offline=True)
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']?(https?:)?//", html)
    assert "tile.openstreetmap" not in html and "L.tileLayer" not in html
    assert "window.L" in html and "leaflet-container" in html  # leaflet inlined
    assert "data:image/png;base64," in html  # layer-control icon inlined
    assert html.count('"className": "coldroute-route"') == len(plan.vehicles_used)


def test_online_map_uses_tiles(solved):
    problem, plan = solved
    html = render(maps.plan_map(plan, problem))
    assert "L.tileLayer" in html


def test_map_without_problem_or_coordinates(solved):
    problem, plan = solved
    html = render(plan.explore())  # Plan.explore -> maps.plan_map
    assert html.count('"className": "coldroute-route"') == len(plan.vehicles_used)
    from logistics.formats.vroom import read_vroom

    vin = read_vroom(DATA / "vroom_matrix.json")  # indices only: nothing to draw
    p2 = logistics.solve(vin.problem, time_limit=0.5, engine="ortools")
    assert logistics.validate(vin.problem, p2) == []
    html2 = render(maps.plan_map(p2, vin.problem, offline=True))
    assert "no coordinates to draw" in html2


def test_timeline_has_a_row_per_vehicle(solved, tmp_path):
    _, plan = solved
    fig = plots.timeline(plan)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == plan.vehicles_used
    assert len(ax.collections) >= 2 * len(plan.vehicles_used)  # driving and service bars per vehicle
    out = plots.save_figure(fig, tmp_path / "t.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_timeline_on_a_given_axis_and_empty_plan(solved):
    _, plan = solved
    fig0 = Figure()
    ax = fig0.add_subplot()
    assert plots.timeline(plan, ax=ax) is fig0
    empty = logistics.Plan(
        stops=plan.stops.iloc[0:0], unserved=plan.unserved.iloc[0:0], kpis={}, routes=plan.routes.iloc[0:0]
    )
    fig = plots.timeline(empty)
    assert any("no routes" in t.get_text() for t in fig.axes[0].texts)
    html = render(maps.plan_map(empty))
    assert "coldroute-route" not in html.replace("coldroute_summary", "")


@pytest.mark.parametrize(
    "hostile",
    [
        "</script><script>window.pwned=1</script>",
        '"><img src=x onerror="window.pwned=2">',
        "o1${globalThis.pwned=3}",
        "\\`;window.pwned=4;`",
        "line\u2028sep\u2029",
    ],
)
def test_user_strings_are_inert_in_html_and_in_template_literals(hostile):
    out = maps.text_html(hostile)
    assert not set(out) & set("<>\"'`$\\\u2028\u2029")
    # the browser shows the string itself: decoding the references gives it back
    assert html.unescape(out) == hostile
    assert maps.js_literal_html(f"<b>{hostile}</b>").count("<b>") == 1
    assert not set(maps.js_literal_html(hostile)) & set("`$\\\u2028\u2029")
