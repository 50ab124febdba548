"""A folium map of a plan, the view behind `Plan.explore`.

``plan_map(plan, problem)`` draws one coloured line per route (SVG class
``coldroute-route``), a marker per stop with a popup (ETA, load after the stop,
temperature zones), unserved orders in red (class ``coldroute-unserved``) and,
when the problem has a network, a layer per tier (hub, stations, villages), all
in a layer control.  ``offline=True`` draws no tiles and inlines the vendored
Leaflet (``logistics/core/static/leaflet``, BSD-2-Clause) so the page needs no network.

The map lives in ``core`` beside [Plan][logistics.core.plan.Plan] because ``Plan.explore``
is part of the plan's public face (as ``GeoDataFrame.explore`` is of geopandas'); folium is
imported only when a map is drawn (extra ``[maps]``, through [logistics.core.extras.require][]).
"""

# size: one page of folium code (popups, layers, escaping) that its tests and users read together
from __future__ import annotations

import base64
import math
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd

from logistics.core.extras import require
from logistics.core.html_text import js_literal_html as js_literal_html  # re-exported: pages import it from maps
from logistics.core.html_text import text_html as text_html
from logistics.core.model import Order
from logistics.core.problem import Problem, coordinates
from logistics.core.travel_source import travel_source
from logistics.core.units import fmt_clock

if TYPE_CHECKING:
    from folium import Map as FoliumMap

__all__ = [
    "PALETTE",
    "base_map",
    "node_names",
    "offline_assets",
    "plan_map",
    "route_coords",
    "save_map",
    "stop_popup",
    "vehicle_colors",
]

STATIC = Path(__file__).with_name("static") / "leaflet"

# Distinct colours (Tableau 20 order, dark first) cycled over vehicles.
PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#9edae5",
    "#dbdb8d",
    "#393b79",
    "#637939",
    "#8c6d31",
]
UNSERVED_COLOR = "#d62728"
TIER_STYLE = {
    "hub": ("Hub", 9, "#111111"),
    "station": ("Stations", 6, "#08519c"),
    "village": ("Villages", 3, "#6b6b6b"),
}


# folium builds popup contents with ``$(`<div>...</div>`)[0]``; offline pages carry no jQuery, so a
# three-line stand-in parses the HTML (and runs document-ready callbacks).
JQUERY_SHIM = """if (typeof window.$ === 'undefined') { window.$ = function (x) {
  if (typeof x === 'function') { document.addEventListener('DOMContentLoaded', x); return; }
  var t = document.createElement('template'); t.innerHTML = String(x).trim(); return [t.content.firstElementChild]; }; }"""  # noqa: E501 - JavaScript kept on one line


class PlanLike(Protocol):
    """What a map reads of a plan (see [Plan][logistics.core.plan.Plan]).

    A protocol, not ``Plan``, because ``Plan.explore`` calls into this module: naming the class
    here would close an import cycle.
    """

    @property
    def stops(self) -> pd.DataFrame: ...

    @property
    def unserved(self) -> pd.DataFrame: ...

    @property
    def routes(self) -> gpd.GeoDataFrame: ...

    @property
    def kpis(self) -> dict[str, Any]: ...

    @property
    def meta(self) -> dict[str, Any]: ...


def vehicle_colors(vehicles: Iterable[str]) -> dict[str, str]:
    """A colour per vehicle, in order, cycling through [PALETTE][logistics.core.maps.PALETTE].

    Parameters
    ----------
    vehicles
        Vehicle ids in the order their routes are drawn.

    Returns
    -------
    dict
        Vehicle id to a ``#rrggbb`` colour, stable across maps and plots of the same plan.
    """
    return {v: PALETTE[k % len(PALETTE)] for k, v in enumerate(vehicles)}


@lru_cache(maxsize=1)
def offline_assets() -> tuple[str, str]:
    """(leaflet.js, leaflet.css) with the CSS images inlined as data URIs.

    Read once per process from the bundled static files, so an ``offline`` map works with no
    network (no CDN, no tiles).

    Returns
    -------
    tuple of (str, str)
        The JavaScript and the CSS text, ready to embed in the map's HTML.
    """
    js = (STATIC / "leaflet.js").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+\s*$", "", js)
    css = (STATIC / "leaflet.css").read_text(encoding="utf-8")

    def inline(m: re.Match[str]) -> str:
        p = STATIC / m.group(1)
        if not p.is_file():
            return str(m.group(0))
        data = base64.b64encode(p.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\((images/[^)]+\.png)\)", inline, css)
    return js, css


def _is_num(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _order_zones(problem: Problem | None, order_id: object) -> str:
    if problem is None or order_id is None:
        return ""
    try:
        o = problem.order(str(order_id))
    except KeyError:
        return ""
    zones: list[str] = []
    for p, q in o.quantities.items():
        prod = problem.products.get(p)
        if prod is not None and q > 0 and prod.zone.value not in zones:
            zones.append(prod.zone.value)
    return ", ".join(zones)


def _load_text(row: pd.Series) -> str:
    parts = []
    for c, v in row.items():
        if str(c).startswith("load_") and _is_num(v):
            parts.append(f"{text_html(str(c)[5:])} {float(v):,.0f}")
    total = f"{float(row['load']):,.0f}" if _is_num(row.get("load")) else "?"
    return total + (f" ({', '.join(parts)})" if parts else "")


def node_names(problem: Problem | None) -> dict[str, str]:
    """Node id → the label popups show (English name, and the Chinese name when it differs).

    Parameters
    ----------
    problem
        A problem with a network; without one there are no names.

    Returns
    -------
    dict
        Raw (unescaped) labels: escape them with `text_html` before they reach a page.
    """
    if problem is None or problem.network is None:
        return {}
    nodes = problem.network.nodes
    col = "name_zh" if "name_zh" in nodes.columns else "name"
    out: dict[str, str] = {}
    for nid, name, zh in zip(nodes.index, nodes["name"], nodes[col]):
        out[str(nid)] = str(name) if str(name) == str(zh) else f"{name} {zh}"
    return out


def stop_popup(row: pd.Series, problem: Problem | None, names: dict[str, str], breaks: Any = None) -> str:
    """A stop's popup: vehicle, order, node, ETA, service, temperature zone, lateness, load and breaks.

    Parameters
    ----------
    row
        One row of a plan's stop frame.
    problem
        The problem (temperature zones); may be None.
    names
        Node labels from `node_names`.
    breaks
        The break rows (a frame) on the leg leaving this stop: they have no marker of their own.

    Returns
    -------
    str
        HTML whose user strings are escaped with `text_html`.
    """
    e = text_html
    node = str(row["node_id"])
    label = names.get(node, "")
    lines = [f"<b>{e(str(row['vehicle']))}</b> · stop {int(row['seq'])} · {e(str(row['kind']))}"]
    if row["kind"] in ("delivery", "pickup"):
        lines.append(f"order <b>{e(str(row['order_id']))}</b>")
    lines.append(f"node {e(node)}" + (f" ({e(label)})" if label else ""))
    lines.append(f"ETA {fmt_clock(row['arrival'])}")
    lines += _attribute_lines(problem, row)
    if row["kind"] in ("delivery", "pickup"):
        lines.append(
            f"service {fmt_clock(row['start'])}–{fmt_clock(row['departure'])}"
            + (f", waited {int(row['wait']) // 60} min" if int(row.get("wait", 0) or 0) > 0 else "")
        )
        zones = _order_zones(problem, row["order_id"])
        if zones:
            lines.append(f"temperature zone: {e(zones)}")
        if int(row.get("late", 0) or 0) > 0:
            lines.append(f"<span style='color:{UNSERVED_COLOR}'>late {int(row['late']) // 60} min</span>")
    elif row["kind"] == "start":
        lines.append(f"departs {fmt_clock(row['departure'])}")
    lines.append(f"load after stop: {_load_text(row)}")
    for b in [] if breaks is None else breaks.to_dict(orient="records"):
        span = f"{fmt_clock(b['start'])}–{fmt_clock(b['departure'])}"
        lines.append(f"then a break {span} ({int(b['service']) // 60} min) on the way")
    return "<br>".join(lines)


def _attribute_lines(problem: Problem | None, row: pd.Series) -> list[str]:
    """The order's own fields (customer, address, phone, ...) as escaped popup lines."""
    if problem is None or row["kind"] not in ("delivery", "pickup"):
        return []
    try:
        attrs = problem.order(str(row["order_id"])).attributes or {}
    except KeyError:
        return []
    return [f"{text_html(k)}: {text_html(v)}" for k, v in attrs.items() if v != ""]


def route_coords(routes: gpd.GeoDataFrame, vid: str, stops: pd.DataFrame) -> list[tuple[float, float]]:
    """(lat, lon) of a vehicle's line: the routes' geometry (the road paths driven), else its stops in order.

    Parameters
    ----------
    routes
        A plan's routes frame (``vehicle`` and a LineString per route).
    vid
        The vehicle id.
    stops
        The vehicle's stops, for routes without geometry.

    Returns
    -------
    list of (float, float)
        Latitude, longitude pairs, as folium draws them.
    """
    if len(routes) and "vehicle" in routes.columns:
        sel = routes[routes["vehicle"] == vid]
        if len(sel):
            geom = sel.geometry.iloc[0]
            if geom is not None and not geom.is_empty:
                if geom.geom_type == "LineString":
                    return [(y, x) for x, y in geom.coords]
                if geom.geom_type == "MultiLineString":
                    return [(y, x) for part in geom.geoms for x, y in part.coords]
    g = stops.sort_values("seq")
    return [(float(y), float(x)) for x, y in zip(g["lon"], g["lat"]) if _is_num(x) and _is_num(y)]


def base_map(
    points: list[tuple[float, float]],
    *,
    offline: bool = False,
    tiles: str | None = "OpenStreetMap",
    width: str | int = "100%",
    height: str | int = "100%",
) -> FoliumMap:
    """An empty folium map fitted to ``points``; with ``offline`` no tiles and Leaflet inlined.

    Every coldroute map starts here, so plan maps, tier maps and coverage maps open the same
    way and all of them work on a depot computer without a network.

    Parameters
    ----------
    points
        (lat, lon) pairs the view must show; none centres on (0, 0).
    offline
        Draw no tiles and embed Leaflet, its CSS and a jQuery stand-in (see `offline_assets`).
    tiles, width, height
        Tile layer name (ignored offline) and the map's size.

    Returns
    -------
    folium.Map
        The map, to which layers are added.

    Raises
    ------
    MissingExtraError
        folium is not installed (extra ``[maps]``).
    """
    folium = require("folium", "maps", "plan maps")
    pts = [(float(a), float(b)) for a, b in points if _is_num(a) and _is_num(b)]
    center = (float(np.mean([p[0] for p in pts])), float(np.mean([p[1] for p in pts]))) if pts else (0.0, 0.0)
    m: FoliumMap = folium.Map(
        location=center,
        zoom_start=10,
        tiles=None if offline else tiles,
        control_scale=True,
        width=width,
        height=height,
        prefer_canvas=False,
        zoom_snap=0.25,
    )
    if offline:
        js, css = offline_assets()
        # instance lists: the class lists name CDN URLs
        m.default_js = []
        m.default_css = []
        root: Any = m.get_root()  # a folium Figure: its header and html are Elements
        root.header.add_child(
            folium.Element(
                f'<link rel="icon" href="data:,">\n<style>{css}</style>\n'
                "<style>.leaflet-container{background:#f4f4f0;}</style>\n"
                f"<script>{js}</script>\n<script>{JQUERY_SHIM}</script>"
            ),
            name="leaflet_inline",
        )
    if pts:
        lats = [p[0] for p in pts]
        lons = [p[1] for p in pts]
        m.fit_bounds([(min(lats), min(lons)), (max(lats), max(lons))], padding=(20, 20))
    return m


def plan_map(
    plan: PlanLike,
    problem: Problem | None = None,
    offline: bool = False,
    *,
    tiles: str | None = "OpenStreetMap",
    width: str | int = "100%",
    height: str | int = "100%",
    tiers: bool = True,
    title: str | None = None,
) -> FoliumMap:
    """A `folium.Map` of ``plan`` (routes by vehicle, stops, unserved orders, network tiers).

    Parameters
    ----------
    plan
        The plan to draw.
    problem
        Adds temperature zones to popups, places unserved orders and draws the network's
        hub/stations/villages layers; without it only the routes and stops are drawn.
    offline
        Draw no tiles and inline Leaflet, for pages opened without a network (depots often
        have none).
    tiles, width, height, tiers, title
        Tile layer name, map size, whether to draw network tiers, heading of the summary box.

    Returns
    -------
    folium.Map
        The map; save it with [save_map][logistics.core.maps.save_map].

    Raises
    ------
    MissingExtraError
        folium is not installed (extra ``[maps]``).
    """
    folium = require("folium", "maps", "plan maps")
    stops = plan.stops
    coords = coordinates(problem) if problem is not None else {}
    names = node_names(problem)
    pts: list[tuple[float, float]] = []
    if len(stops):
        pts += [(float(y), float(x)) for x, y in zip(stops["lon"], stops["lat"]) if _is_num(x) and _is_num(y)]
    if problem is not None and problem.network is not None and tiers:
        nodes = problem.network.nodes
        pts += list(zip(nodes.geometry.y.astype(float), nodes.geometry.x.astype(float)))
    unserved_pts: list[tuple[Order, Any, tuple[float, float]]] = []
    if problem is not None and len(plan.unserved):
        for oid, reason in zip(plan.unserved["order_id"], plan.unserved["reason"]):
            try:
                o = problem.order(str(oid))
            except KeyError:
                continue
            xy = coords.get(o.location)
            if xy is not None and _is_num(xy[0]) and _is_num(xy[1]):
                unserved_pts.append((o, reason, (float(xy[1]), float(xy[0]))))
                pts.append((float(xy[1]), float(xy[0])))
    m = base_map(pts, offline=offline, tiles=tiles, width=width, height=height)

    if problem is not None and problem.network is not None and tiers:
        _tier_layers(folium, m, problem.network.nodes, names)

    # routes, one layer per vehicle
    vehicles = list(dict.fromkeys(stops["vehicle"])) if len(stops) else []
    colors = vehicle_colors(vehicles)
    for vid in vehicles:
        g = stops[stops["vehicle"] == vid].sort_values("seq")
        _route_layer(folium, m, plan, problem, vid, g, colors[vid], names)

    if len(plan.unserved):
        _unserved_layer(folium, m, unserved_pts, problem, len(plan.unserved))

    folium.LayerControl(collapsed=len(vehicles) > 12).add_to(m)
    k = plan.kpis or {}
    head = title or (problem.name if problem is not None else plan.meta.get("problem", "plan"))
    box = (
        f"<div style='position:absolute;bottom:44px;left:10px;z-index:1000;background:rgba(255,255,255,.9);"
        f"padding:6px 9px;border-radius:4px;font:12px sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3)'>"
        f"<b>{text_html(str(head))}</b><br>{int(k.get('vehicles', len(vehicles)))} vehicles · "
        f"{int(k.get('served', 0))} served · {int(k.get('unserved', len(plan.unserved)))} unserved<br>"
        f"{float(k.get('distance_km', 0) or 0):,.1f} km · ¥{float(k.get('cost', 0) or 0):,.2f}"
        + ("" if pts else "<br><i>no coordinates to draw</i>")
        + _travel_note(plan, problem)
        + "</div>"
    )
    figure: Any = m.get_root()
    figure.html.add_child(folium.Element(box), name="coldroute_summary")
    return m


def _travel_note(plan: PlanLike, problem: Problem | None) -> str:
    """The summary box's line naming the source of the travel times (estimates in red)."""
    info = travel_source(problem).to_dict() if problem is not None else plan.meta.get("travel_times")
    if not isinstance(info, dict) or not info.get("label"):
        return ""
    style = f" style='color:{UNSERVED_COLOR}'" if info.get("estimated") else ""
    return f"<br><span class='coldroute-travel-source'{style}>travel times: {text_html(info['label'])}</span>"


def _tier_layers(folium: ModuleType, m: FoliumMap, nodes: gpd.GeoDataFrame, names: dict[str, str]) -> None:
    """One layer per network tier (hub, stations, villages) so a planner sees where routes could go."""
    for tier, (label, radius, color) in TIER_STYLE.items():
        sub = nodes[nodes["tier"].astype(str) == tier]
        if not len(sub):
            continue
        fg = folium.FeatureGroup(name=f"{label} ({len(sub)})", show=True)
        for nid, r in sub.iterrows():
            text = text_html(f"{nid} · {names.get(str(nid), '')} · {tier}")
            if bool(r.get("synthetic", False)):
                text += " · <i>synthetic position</i>"
            folium.CircleMarker(
                location=(r.geometry.y, r.geometry.x),
                radius=radius,
                color=color,
                weight=1,
                fill=True,
                fill_color=color,
                fill_opacity=0.8 if tier != "village" else 0.5,
                tooltip=js_literal_html(text),
                class_name=f"coldroute-{tier}",
            ).add_to(fg)
        fg.add_to(m)


def _route_layer(
    folium: ModuleType,
    m: FoliumMap,
    plan: PlanLike,
    problem: Problem | None,
    vid: str,
    g: pd.DataFrame,
    color: str,
    names: dict[str, str],
) -> None:
    """One vehicle's layer: its line with a summary popup and a marker per stop with ETA and load."""
    n_stops = int(g["kind"].isin(["delivery", "pickup"]).sum())
    km = g["travel_distance"].sum() / 1000.0
    dur = (int(g["arrival"].iloc[-1]) - int(g["departure"].iloc[0])) / 3600.0
    fg = folium.FeatureGroup(
        name=f"<span style='color:{color}'>&#9632;</span> {text_html(str(vid))} ({n_stops} stops, {km:,.1f} km)"
    )
    line = route_coords(plan.routes, vid, g)
    if len(line) >= 2:
        summary = (
            f"<b>{text_html(str(vid))}</b> ({text_html(str(g['vehicle_type'].iloc[0]))})<br>"
            f"{n_stops} stops · {km:,.1f} km · {dur:.1f} h<br>"
            f"{fmt_clock(g['departure'].iloc[0])} → {fmt_clock(g['arrival'].iloc[-1])}"
        )
        folium.PolyLine(
            line,
            color=color,
            weight=4,
            opacity=0.85,
            tooltip=text_html(str(vid)),
            popup=folium.Popup(js_literal_html(summary), max_width=320),
            class_name="coldroute-route",
        ).add_to(fg)
    is_break = g["kind"] == "break"  # a break row belongs to the popup of the stop its leg leaves
    after = dict(list(g[is_break].groupby(pd.Series(g.index, index=g.index).where(~is_break).ffill())))
    for i, row in g.iterrows():
        if row["kind"] == "break" or not (_is_num(row["lon"]) and _is_num(row["lat"])):
            continue
        is_depot = row["kind"] in ("start", "end")
        if is_depot and row["kind"] == "end" and len(g) > 1:
            first = g.iloc[0]
            if str(first["node_id"]) == str(row["node_id"]):
                continue  # same depot as the start: one marker is enough
        folium.CircleMarker(
            location=(float(row["lat"]), float(row["lon"])),
            radius=7 if is_depot else 5,
            color=color,
            weight=2,
            fill=True,
            fill_color="#ffffff" if is_depot else color,
            fill_opacity=0.9,
            tooltip=js_literal_html(f"{text_html(vid)} #{int(row['seq'])} ETA {fmt_clock(row['arrival'])}"),
            popup=folium.Popup(js_literal_html(stop_popup(row, problem, names, after.get(i))), max_width=340),
            class_name="coldroute-depot" if is_depot else "coldroute-stop",
        ).add_to(fg)
    fg.add_to(m)


def _unserved_layer(
    folium: ModuleType,
    m: FoliumMap,
    points: list[tuple[Order, Any, tuple[float, float]]],
    problem: Problem | None,
    n_unserved: int,
) -> None:
    """Unserved orders in red with the reason, so the dispatcher sees who is left out and why."""
    fg = folium.FeatureGroup(name=f"<span style='color:{UNSERVED_COLOR}'>&#10006;</span> unserved ({n_unserved})")
    for o, reason, (lat, lon) in points:
        text = f"<b>unserved {text_html(o.id)}</b> ({text_html(o.kind)})<br>{text_html(str(reason))}"
        zones = _order_zones(problem, o.id)
        if zones:
            text += f"<br>temperature zone: {text_html(zones)}"
        text += "".join(f"<br>{text_html(k)}: {text_html(v)}" for k, v in (o.attributes or {}).items() if v != "")
        folium.CircleMarker(
            location=(lat, lon),
            radius=8,
            color=UNSERVED_COLOR,
            weight=3,
            dash_array="3,3",
            fill=True,
            fill_color=UNSERVED_COLOR,
            fill_opacity=0.25,
            tooltip=js_literal_html(f"unserved {text_html(o.id)}"),
            popup=folium.Popup(js_literal_html(text), max_width=340),
            class_name="coldroute-unserved",
        ).add_to(fg)
    fg.add_to(m)


_EXTERNAL = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I)


def save_map(m: FoliumMap, path: str | Path, offline: bool = False) -> Path:
    """Save a folium map; with ``offline`` check that it loads nothing from the network.

    Parameters
    ----------
    m
        The map, from [plan_map][logistics.core.maps.plan_map].
    path
        The HTML file to write.
    offline
        Fail if the page still references an external script or stylesheet, so a map meant for
        a depot without internet is never shipped half-working.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    path = Path(path)
    m.save(str(path))
    if offline:
        text = path.read_text(encoding="utf-8")
        hit = _EXTERNAL.search(text)
        if hit:
            raise RuntimeError(f"offline map {path.name} still references an external asset: {hit.group(0)}")
    return path
