"""Views of a three-tier day: ``map.html`` with a layer per tier and ``timeline.png`` grouped by tier.

* `tier_map` draws the trunk, last-mile and direct routes as three layers a planner toggles,
  the hub and every station with its **throughput** (goods down, produce up, orders) and a
  popup listing each **hand-over** (which trunk vehicle hands which orders to which van, when,
  and how long the goods wait at the station), villages and unserved orders with their leg.
* `tier_timeline` draws every vehicle's day (driving, waiting, service), trunk trucks first,
  then the stations' vans, then the hub's direct vans, and joins each hand-over's trunk event
  to its van event with a line, so the waits at the stations are visible.

`node_throughput` and `handovers` are the figures both views show, computed from the plan's
``transfers`` (and the direct leg for the hub).  Quantities are in the products' own units
(kg for the demo products).  Every string a user wrote (ids, names, vehicle types, reasons) is
escaped with [logistics.core.maps.text_html][] before it reaches the page.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pandas as pd

from logistics.app.plots import SEGMENT_COLORS, draw_vehicle, save_figure, time_axis
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
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

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

#: The route tiers of a TieredPlan, in the order layers and timeline groups are drawn.
TIERS = ("trunk", "last_mile", "direct")
TIER_LABELS = {
    "trunk": "Trunk: hub ⇄ stations",
    "last_mile": "Last mile: stations ⇄ villages",
    "direct": "Direct: hub ⇄ villages",
}
TIER_COLORS = {"trunk": "#7f2704", "last_mile": "#08519c", "direct": "#6a3d9a"}
DIRECTION_COLORS = {"down": "#d95f02", "up": "#1b9e77"}
THROUGHPUT_COLUMNS = ["node_id", "role", "orders_down", "goods_down", "orders_up", "produce_up", "handovers"]


# --------------------------------------------------------------------------- figures


def _quantities(tp: TieredPlan) -> dict[str, float]:
    return {o.id: float(sum(o.quantities.values())) for o in tp.orders}


def node_throughput(tp: TieredPlan) -> pd.DataFrame:
    """Goods and orders through the hub and each station, from the transfers (and the direct leg).

    A station's figures are its hand-overs: deliveries passed from trunk to van (down) and
    produce passed from van to trunk (up).  The hub's are everything that leaves it for the
    villages (through the stations or directly) and all produce that reaches it.

    Parameters
    ----------
    tp
        A tiered plan.

    Returns
    -------
    DataFrame
        Indexed by node id: ``role`` (hub, station), ``orders_down``, ``goods_down``,
        ``orders_up``, ``produce_up`` (the orders' summed quantities) and ``handovers``
        (distinct trunk → van pairs).
    """
    qty = _quantities(tp)
    t = tp.transfers
    net = _network(tp)
    stations = [str(s) for s in net.stations.index] if net is not None else []
    stations += sorted({str(s) for s in t["station"]} - set(stations))
    rows = []
    pairs = handovers(tp)
    for s in stations:
        ts = t[t["station"].astype(str) == s]
        down, up = ts[ts["direction"] == "down"], ts[ts["direction"] == "up"]
        rows.append(
            {
                "node_id": s,
                "role": "station",
                "orders_down": len(down),
                "goods_down": round(sum(qty.get(str(o), 0.0) for o in down["order_id"]), 3),
                "orders_up": len(up),
                "produce_up": round(sum(qty.get(str(o), 0.0) for o in up["order_id"]), 3),
                "handovers": int((pairs["station"] == s).sum()),
            }
        )
    direct = tp.direct
    served = set(direct.served_ids) if direct is not None else set()
    kinds = {o.id: o.kind for o in tp.orders}
    d_down = [o for o in served if kinds.get(o) == "delivery"]
    d_up = [o for o in served if kinds.get(o) == "pickup"]
    all_down = t[t["direction"] == "down"]["order_id"].astype(str).tolist() + d_down
    all_up = t[t["direction"] == "up"]["order_id"].astype(str).tolist() + d_up
    rows.insert(
        0,
        {
            "node_id": str(tp.hub),
            "role": "hub",
            "orders_down": len(all_down),
            "goods_down": round(sum(qty.get(o, 0.0) for o in all_down), 3),
            "orders_up": len(all_up),
            "produce_up": round(sum(qty.get(o, 0.0) for o in all_up), 3),
            "handovers": 0,
        },
    )
    return pd.DataFrame(rows, columns=THROUGHPUT_COLUMNS).set_index("node_id")


def handovers(tp: TieredPlan) -> pd.DataFrame:
    """One row per hand-over: a trunk vehicle and a van exchanging goods at a station in one direction.

    Down, the trunk's arrival at the station is joined to the van's departure; up, the van's
    return is joined to the trunk's departure.

    Parameters
    ----------
    tp
        A tiered plan.

    Returns
    -------
    DataFrame
        ``station``, ``direction``, ``trunk_vehicle``, ``last_mile_vehicle``, ``trunk_time`` and
        ``van_time`` (s from midnight), ``orders`` (ids, comma-separated), ``n_orders``,
        ``quantity`` and ``wait_s`` (the longest wait of the goods handed over).
    """
    cols = ["station", "direction", "trunk_vehicle", "last_mile_vehicle", "trunk_time", "van_time"]
    t = tp.transfers
    if t.empty:
        return pd.DataFrame(columns=cols + ["orders", "n_orders", "quantity", "wait_s"])
    qty = _quantities(tp)
    t = t.assign(
        trunk_time=t["trunk_arrival"].where(t["direction"] == "down", t["trunk_departure"]),
        van_time=t["last_mile_departure"].where(t["direction"] == "down", t["last_mile_arrival"]),
        quantity=t["order_id"].astype(str).map(qty).fillna(0.0),
    )
    out = (
        t.groupby(cols, sort=True)
        .agg(
            orders=("order_id", lambda s: ", ".join(str(x) for x in s)),
            n_orders=("order_id", "size"),
            quantity=("quantity", "sum"),
            wait_s=("wait_at_station", "max"),
        )
        .reset_index()
    )
    return out.sort_values(["station", "trunk_time", "van_time"], kind="stable").reset_index(drop=True)


def _network(tp: TieredPlan) -> Network | None:
    for p in tp.problems.values():
        if p.network is not None:
            return p.network
    return None


def _label(net: Network | None, nid: str) -> str:
    """The node's raw label (id, name, Chinese name); escape before use."""
    if net is None or nid not in net.nodes.index:
        return nid
    r = net.nodes.loc[nid]
    name, zh = str(r.get("name", "")), str(r.get("name_zh", ""))
    return f"{nid} · {name}" + (f" {zh}" if zh and zh != name and zh != "nan" else "")


def _physical(tp: TieredPlan) -> dict[str, str]:
    """Trunk vehicle id → the truck that drives it (outbound and inbound waves share a truck)."""
    st = tp.stops
    if st.empty or "physical_vehicle" not in st.columns:
        return {}
    tr = st[st["tier"] == "trunk"]
    return {str(v): str(p) for v, p in zip(tr["vehicle"], tr["physical_vehicle"])}


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
    net = _network(tp)
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
            tooltip=js_literal_html(text_html(_label(net, str(nid)))),
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
        f"<b>{e(_label(net, nid))}</b> ({role})",
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
            f"{text_html(_label(net, str(nid)))}: goods down {row['goods_down']:,.0f}, "
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


# --------------------------------------------------------------------------- timeline


def timeline_rows(tp: TieredPlan) -> dict[str, tuple[str, int]]:
    """Row of every vehicle in the tier timeline: trunk trucks, then vans by depot, then direct vans.

    Parameters
    ----------
    tp
        The tiered plan.

    Returns
    -------
    dict
        Vehicle id → (tier, row index); a truck's outbound and inbound waves share its row.
    """
    st = tp.stops
    out: dict[str, tuple[str, int]] = {}
    labels: dict[str, int] = {}
    phys = _physical(tp)
    for tier in TIERS:
        g = st[st["tier"] == tier] if len(st) else st
        order = g.sort_values(["depot", "vehicle"], kind="stable") if tier != "trunk" else g
        for vid in dict.fromkeys(order["vehicle"].astype(str)):
            key = phys.get(vid, vid) if tier == "trunk" else vid
            if key not in labels:
                labels[key] = len(labels)
            out[vid] = (tier, labels[key])
    return out


def tier_timeline(tp: TieredPlan, ax: Axes | None = None) -> Figure:
    """Each vehicle's day grouped by tier, with a line joining the two ends of every hand-over.

    A down hand-over joins the truck's arrival at the station (on the truck's row) to the
    van's departure (on the van's row); an up hand-over joins the van's return to the truck's
    departure.  The lines carry ``gid="handover"`` and one per row of `handovers`.

    Parameters
    ----------
    tp
        The tiered plan.
    ax
        Axes to draw into; a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure
        Built without pyplot (safe in workers and servers).

    Raises
    ------
    MissingExtraError
        matplotlib is not installed (extra ``[maps]``).
    """
    mfig = require("matplotlib.figure", "maps", "timeline plots")
    Line2D = require("matplotlib.lines", "maps", "timeline plots").Line2D
    Patch = require("matplotlib.patches", "maps", "timeline plots").Patch
    rows = timeline_rows(tp)
    n_rows = max((r for _, r in rows.values()), default=-1) + 1
    if ax is None:
        fig = mfig.Figure(figsize=(12, 1.8 + 0.38 * max(1, n_rows)), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    st = tp.stops
    lo, hi = math.inf, -math.inf
    labels: dict[int, str] = {}
    phys = _physical(tp)
    for vid, (tier, y) in rows.items():
        g = st[st["vehicle"].astype(str) == vid].sort_values("seq")
        draw_vehicle(ax, g, y)
        labels[y] = phys.get(vid, vid) if tier == "trunk" else vid
        lo, hi = min(lo, float(g["departure"].iloc[0])), max(hi, float(g["arrival"].iloc[-1]))
    pairs: Any = handovers(tp).itertuples()  # named tuples of the hand-over columns
    for h in pairs:
        a, b = rows.get(str(h.trunk_vehicle)), rows.get(str(h.last_mile_vehicle))
        if a is None or b is None:
            continue
        ax.plot(
            [h.trunk_time / 3600, h.van_time / 3600],
            [a[1], b[1]],
            color=DIRECTION_COLORS[str(h.direction)],
            linestyle=":",
            linewidth=1.2,
            marker="o",
            markersize=3.5,
            gid="handover",
        )
    _tier_bands(ax, rows)
    ax.set_yticks(sorted(labels))
    ax.set_yticklabels([labels[y] for y in sorted(labels)], fontsize=8)
    ax.set_ylim(n_rows - 0.5 if n_rows else 0.5, -0.5)
    time_axis(ax, lo, hi)
    handles = [Patch(color=c, label=k) for k, c in SEGMENT_COLORS.items()] + [
        Line2D([], [], color=c, linestyle=":", marker="o", label=f"hand-over {d}") for d, c in DIRECTION_COLORS.items()
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=5, fontsize=8, frameon=False)
    ax.set_title(tp.summary(), fontsize=9, loc="left")
    return fig


def _tier_bands(ax: Axes, rows: dict[str, tuple[str, int]]) -> None:
    """A separator line and a label at the start of each tier's group of rows."""
    for tier in TIERS:
        ys = [y for t, y in rows.values() if t == tier]
        if not ys:
            continue
        top = min(ys) - 0.5
        if top > -0.5:
            ax.axhline(top, color="#444444", linewidth=0.8)
        ax.text(
            1.005,
            (min(ys) + max(ys)) / 2,
            tier.replace("_", " "),
            transform=ax.get_yaxis_transform(),
            rotation=90,
            va="center",
            ha="left",
            fontsize=8,
            color=TIER_COLORS[tier],
        )


def write_tier_timeline(tp: TieredPlan, path: str | Path) -> Path:
    """Write a tiered plan's ``timeline.png`` (see `tier_timeline`).

    Parameters
    ----------
    tp
        The tiered plan.
    path
        The image file (format from its suffix).

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    MissingExtraError
        matplotlib is not installed (extra ``[maps]``).
    """
    return save_figure(tier_timeline(tp), path)
