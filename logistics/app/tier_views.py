"""Views of a three-tier day: ``map.html`` with a layer per tier and ``timeline.png`` grouped by tier.

* `tier_map` draws the trunk, last-mile and direct routes as three layers a planner toggles,
  the hub and every station with its **throughput** (goods down, produce up, orders) and a
  popup listing each **hand-over** (which trunk vehicle hands which orders to which van, when,
  and how long the goods wait at the station), villages and unserved orders with their leg.
* `tier_timeline` (from [logistics.app.tier_timeline][]) draws every vehicle's day grouped by
  tier and joins each hand-over's trunk event to its van event.

`node_throughput` and `handovers` ([logistics.app.tier_figures][]) are the figures both views
show, computed from the plan's ``transfers`` (and the direct leg for the hub); quantities are in
the products' own units (kg for the demo products).  Every string a user wrote (ids, names, vehicle types, reasons) is
escaped with [logistics.core.html_text.text_html][] before it reaches the page.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pandas as pd

from logistics.app.tier_figures import TIER_COLORS, TIERS, handovers, node_label, node_throughput, plan_network
from logistics.app.tier_timeline import tier_timeline, timeline_rows, write_tier_timeline
from logistics.core.extras import require
from logistics.core.maps import (
    UNSERVED_COLOR,
    base_map,
    js_literal_html,
    route_coords,
    save_map,
    text_html,
    vehicle_colors,
)
from logistics.core.units import fmt_clock
from logistics.planners.tiers.result import TieredPlan
from networks import Network

if TYPE_CHECKING:
    from folium import Map as FoliumMap

__all__ = [
    "TIERS",
    "handovers",
    "node_throughput",
    "tier_map",
    "tier_timeline",
    "timeline_rows",
    "write_tier_map",
    "write_tier_timeline",
]

TIER_LABELS = {
    "trunk": "Trunk: hub ⇄ stations",
    "last_mile": "Last mile: stations ⇄ villages",
    "direct": "Direct: hub ⇄ villages",
}


# --------------------------------------------------------------------------- map


def tier_map(
    tp: TieredPlan, *, offline: bool = False, tiles: str | None = "OpenStreetMap", title: str | None = None
) -> FoliumMap:
    """A folium map of a three-tier day: one layer per tier, hub and stations with throughput and hand-overs.

    Parameters
    ----------
    tp
        The tiered plan.
    offline
        No tiles, Leaflet inlined: the page works without a network.
    tiles
        Tile layer when online.
    title
        Heading of the summary box (default: the plan's summary).

    Returns
    -------
    folium.Map
        Layers: villages, one per tier (routes drawn along the roads they drive, class
        ``coldroute-tier-<tier>``), hub and stations (class ``coldroute-throughput``), unserved.

    Raises
    ------
    MissingExtraError
        folium is not installed (extra ``[maps]``).
    """
    folium = require("folium", "maps", "tier maps")
    net = plan_network(tp)
    st = tp.stops
    pts: list[tuple[float, float]] = [(float(y), float(x)) for x, y in zip(st["lon"], st["lat"])]
    if net is not None:
        pts += list(zip(net.nodes.geometry.y.astype(float), net.nodes.geometry.x.astype(float)))
    m = base_map(pts, offline=offline, tiles=tiles)
    if net is not None:
        _village_layer(folium, m, net)
    for tier in TIERS:
        _tier_layer(folium, m, tp, tier)
    _node_layer(folium, m, tp, net)
    if len(tp.unserved):
        _unserved_layer(folium, m, tp, net)
    folium.LayerControl(collapsed=False).add_to(m)
    k = tp.kpis
    head = title if title is not None else f"three-tier plan · {k.get('served', 0)}/{k.get('orders', 0)} served"
    box = (
        "<div class='coldroute-summary' style='position:absolute;bottom:44px;left:10px;z-index:1000;"
        "background:rgba(255,255,255,.9);padding:6px 9px;border-radius:4px;font:12px sans-serif;"
        "box-shadow:0 1px 4px rgba(0,0,0,.3)'>"
        f"<b>{text_html(head)}</b><br>"
        + "<br>".join(
            f"<span style='color:{TIER_COLORS[t]}'>&#9632;</span> {t.replace('_', ' ')}: "
            f"{int(k.get(f'{t}_vehicles', 0))} vehicles · {float(k.get(f'{t}_km', 0) or 0):,.1f} km · "
            f"¥{float(k.get(f'{t}_cost', 0) or 0):,.2f}"
            for t in TIERS
        )
        + f"<br>{int(k.get('transfers', 0))} hand-overs · longest wait at a station "
        f"{float(k.get('max_wait_at_station_h', 0) or 0):.1f} h</div>"
    )
    figure: Any = m.get_root()
    figure.html.add_child(folium.Element(box), name="coldroute_summary")
    return m


def _village_layer(folium: ModuleType, m: FoliumMap, net: Network) -> None:
    v = net.villages
    fg = folium.FeatureGroup(name=f"Villages ({len(v)})", show=True)
    for nid, r in v.iterrows():
        folium.CircleMarker(
            location=(r.geometry.y, r.geometry.x),
            radius=3,
            color="#6b6b6b",
            weight=1,
            fill=True,
            fill_opacity=0.5,
            tooltip=js_literal_html(text_html(node_label(net, str(nid)))),
            class_name="coldroute-village",
        ).add_to(fg)
    fg.add_to(m)


def _tier_layer(folium: ModuleType, m: FoliumMap, tp: TieredPlan, tier: str) -> None:
    """The routes of one tier, each along the road path it drives, with a popup per route and stop."""
    st = tp.stops
    g_all = st[st["tier"] == tier] if len(st) else st
    routes = tp.routes[tp.routes["tier"] == tier] if len(tp.routes) and "tier" in tp.routes.columns else tp.routes
    vehicles = list(dict.fromkeys(g_all["vehicle"])) if len(g_all) else []
    km = float(routes["distance_km"].sum()) if len(routes) and "distance_km" in routes.columns else 0.0
    color = TIER_COLORS[tier]
    fg = folium.FeatureGroup(
        name=f"<span style='color:{color}'>&#9632;</span> {TIER_LABELS[tier]} ({len(vehicles)} routes, {km:,.1f} km)",
        show=True,
    )
    colors = vehicle_colors(vehicles) if tier != "trunk" else dict.fromkeys(vehicles, color)
    for vid in vehicles:
        g = g_all[g_all["vehicle"] == vid].sort_values("seq")
        line = route_coords(routes, vid, g)
        if len(line) < 2:
            continue
        inbound = tier == "trunk" and "/in" in str(vid)
        n = int(g["kind"].isin(["delivery", "pickup"]).sum())
        summary = (
            f"<b>{text_html(vid)}</b> ({text_html(g['vehicle_type'].iloc[0])}) · {text_html(tier.replace('_', ' '))}"
            f"<br>depot {text_html(g['depot'].iloc[0])} · {n} stops · {g['travel_distance'].sum() / 1000:,.1f} km"
            f"<br>{fmt_clock(g['departure'].iloc[0])} → {fmt_clock(g['arrival'].iloc[-1])}"
        )
        folium.PolyLine(
            line,
            color=colors[vid],
            weight=6 if tier == "trunk" else 4,
            opacity=0.85,
            dash_array="8,6" if inbound else None,
            tooltip=js_literal_html(text_html(vid)),
            popup=folium.Popup(js_literal_html(summary), max_width=340),
            class_name=f"coldroute-tier-{tier}",
        ).add_to(fg)
        for _, r in g[g["kind"].isin(["delivery", "pickup"])].iterrows():
            folium.CircleMarker(
                location=(float(r["lat"]), float(r["lon"])),
                radius=4,
                color=colors[vid],
                fill=True,
                fill_opacity=0.9,
                tooltip=js_literal_html(
                    f"{text_html(vid)} #{int(r['seq'])} {text_html(r['order_id'])} ETA {fmt_clock(r['arrival'])}"
                ),
                class_name="coldroute-stop",
            ).add_to(fg)
    fg.add_to(m)


def _fmt_wait(s: float) -> str:
    s = max(0, int(s))
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def _node_popup(nid: str, role: str, row: pd.Series, pairs: pd.DataFrame, net: Network | None) -> str:
    """Throughput figures (with data attributes a test or script can read) and the hand-over table."""
    e = text_html
    html = [
        f"<div class='coldroute-throughput' data-node='{e(nid)}' data-role='{role}' "
        f"data-orders-down='{int(row['orders_down'])}' data-goods-down='{row['goods_down']:g}' "
        f"data-orders-up='{int(row['orders_up'])}' data-produce-up='{row['produce_up']:g}'>",
        f"<b>{e(node_label(net, nid))}</b> ({role})<br>",
        f"goods down <b>{row['goods_down']:,.0f}</b> in {int(row['orders_down'])} orders · "
        f"produce up <b>{row['produce_up']:,.0f}</b> in {int(row['orders_up'])} orders</div>",
    ]
    mine = pairs[pairs["station"] == nid]
    if len(mine):
        html.append("<table class='coldroute-handovers' style='font-size:11px;border-collapse:collapse'>")
        html.append("<tr><th></th><th>trunk</th><th>van</th><th>orders</th><th>qty</th><th>wait</th></tr>")
        rows: Any = mine.itertuples()  # named tuples of the hand-over columns
        for h in rows:
            arrow = "&#8595;" if h.direction == "down" else "&#8593;"
            first, second = (h.trunk_time, h.van_time) if h.direction == "down" else (h.van_time, h.trunk_time)
            when = f"{fmt_clock(first)} → {fmt_clock(second)}"
            html.append(
                f"<tr class='coldroute-handover' data-direction='{h.direction}'><td>{arrow}</td>"
                f"<td>{e(h.trunk_vehicle)}<br>{fmt_clock(h.trunk_time)}</td>"
                f"<td>{e(h.last_mile_vehicle)}<br>{fmt_clock(h.van_time)}</td>"
                f"<td title='{e(h.orders)}'>{int(h.n_orders)}</td><td>{h.quantity:,.0f}</td>"
                f"<td>{_fmt_wait(h.wait_s)}<br><small>{when}</small></td></tr>"
            )
        html.append("</table>")
    return "".join(html)


def _node_layer(folium: ModuleType, m: FoliumMap, tp: TieredPlan, net: Network | None) -> None:
    """Hub and station markers sized by throughput, each with its hand-overs in the popup."""
    thr = node_throughput(tp)
    pairs = handovers(tp)
    coords: dict[str, tuple[float, float]] = {}
    if net is not None:
        coords = {str(k): (float(g.y), float(g.x)) for k, g in net.nodes.geometry.items()}
    st = tp.stops
    for nid, x, y in zip(st["node_id"].astype(str), st["lon"], st["lat"]):
        coords.setdefault(nid, (float(y), float(x)))
    fg = folium.FeatureGroup(name=f"Hub and stations ({len(thr)}): throughput and hand-overs", show=True)
    biggest = max(1.0, float((thr["goods_down"] + thr["produce_up"]).max()))
    for key, row in thr.iterrows():
        nid = str(key)
        if nid not in coords:
            continue
        role = str(row["role"])
        size = (row["goods_down"] + row["produce_up"]) / biggest
        tip = (
            f"{text_html(node_label(net, str(nid)))}: goods down {row['goods_down']:,.0f}, "
            f"produce up {row['produce_up']:,.0f}, {int(row['orders_down'] + row['orders_up'])} orders"
        )
        folium.CircleMarker(
            location=coords[str(nid)],
            radius=(12 if role == "hub" else 7) + 8 * math.sqrt(size),
            color="#111111" if role == "hub" else TIER_COLORS["last_mile"],
            weight=2,
            fill=True,
            fill_color="#ffffff",
            fill_opacity=0.85,
            tooltip=js_literal_html(tip),
            popup=folium.Popup(js_literal_html(_node_popup(str(nid), role, row, pairs, net)), max_width=520),
            class_name=f"coldroute-{role}",
        ).add_to(fg)
    fg.add_to(m)


def _unserved_layer(folium: ModuleType, m: FoliumMap, tp: TieredPlan, net: Network | None) -> None:
    where = {o.id: str(o.node_id) for o in tp.orders}
    fg = folium.FeatureGroup(name=f"<span style='color:{UNSERVED_COLOR}'>&#10006;</span> unserved ({len(tp.unserved)})")
    rows: Any = tp.unserved.itertuples()
    for r in rows:
        node = where.get(str(r.order_id))
        if net is None or node not in net.nodes.index:
            continue
        geom = net.nodes.geometry.loc[node]
        text = (
            f"<b>unserved {text_html(r.order_id)}</b><br>leg {text_html(getattr(r, 'leg', ''))}"
            f"<br>{text_html(r.reason)}"
        )
        folium.CircleMarker(
            location=(float(geom.y), float(geom.x)),
            radius=8,
            color=UNSERVED_COLOR,
            weight=3,
            dash_array="3,3",
            fill=True,
            fill_opacity=0.25,
            tooltip=js_literal_html(f"unserved {text_html(r.order_id)}"),
            popup=folium.Popup(js_literal_html(text), max_width=340),
            class_name="coldroute-unserved",
        ).add_to(fg)
    fg.add_to(m)


def write_tier_map(tp: TieredPlan, path: str | Path, *, offline: bool = False) -> Path:
    """Write a tiered plan's ``map.html`` (see `tier_map`).

    Parameters
    ----------
    tp
        The tiered plan.
    path
        The HTML file.
    offline
        A page that loads nothing from the network (checked after writing).

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    MissingExtraError
        folium is not installed (extra ``[maps]``).
    """
    return save_map(tier_map(tp, offline=offline), path, offline=offline)
