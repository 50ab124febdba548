"""Coverage analytics: how soon after the hub's departure each village is reached, and how often per week.

* [reach_times][logistics.planners.coverage.reach_times] — from a plan (a `TieredPlan` or a
  single [Plan][logistics.Plan]): each village's first service that day and
  the hours since the day's first departure from the hub.
* [potential_reach][logistics.planners.coverage.potential_reach] — from a network and fleet, without a plan: the
  fastest hub → station → village time (trunk drive, handling, last-mile drive),
  or hub → village directly when ``direct``; a lower bound on any plan's reach.
* [service_days][logistics.planners.coverage.service_days] — days per week each village is served, from a weekly
  schedule: a list (or weekday → plan mapping) of daily plans, or a frequency
  rule (days per week, or weekday names, by village, station or ``"default"``;
  or a function of village and station).
* [coverage][logistics.planners.coverage.coverage] — per station (or township) and overall: villages, share
  reached within each of ``hours``, mean/max hours, mean/min service days per
  week and the share served at least ``min_days`` a week.
* [coverage_layer][logistics.planners.coverage.coverage_layer] — the per-village metrics as a GeoDataFrame (map layer);
  [folium_layer][logistics.planners.coverage.folium_layer] draws it as a folium FeatureGroup.
* [coverage_areas][logistics.planners.coverage.coverage_areas] — an (estimated) area per township or station, and
  [folium_area_layer][logistics.planners.coverage.folium_area_layer] shades those areas by a coverage column.

Times are seconds from midnight in plans; reach is reported in hours.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from logistics.core.calendar import WEEKDAYS
from logistics.core.extras import require
from logistics.core.maps import js_literal_html, text_html
from networks import Network, TravelMatrix
from networks.geo import metric_crs
from networks.yanhu_geo import extents

__all__ = [
    "WEEKDAYS",
    "coverage",
    "coverage_areas",
    "coverage_layer",
    "folium_area_layer",
    "folium_layer",
    "potential_reach",
    "reach_times",
    "service_days",
]


def _is_tiered(x: Any) -> bool:
    return hasattr(x, "last_mile") and hasattr(x, "trunk")


def _village_table(network: Network | None, source: Any = None) -> pd.DataFrame:
    """village → station (and township where the network has one)."""
    if network is not None:
        v = network.villages
        out = pd.DataFrame({"village": v.index.astype(str), "station": v["parent"].astype(str).to_numpy()})
        if "township" in v.columns:
            out["township"] = v["township"].astype(str).to_numpy()
        return out
    if _is_tiered(source):
        a = source.assignment
        return pd.DataFrame({"village": a["village"].astype(str), "station": a["station"].astype(str)})
    raise ValueError("give the network (a single Plan does not say which nodes are villages)")


def _village_stops(source: Any) -> tuple[pd.DataFrame, float | None]:
    """Stops at villages (order stops of last-mile/direct legs) and the day's first departure from the hub."""
    if _is_tiered(source):
        st = source.stops
        hub = source.hub
        starts = st[(st["kind"] == "start") & (st["node_id"].astype(str) == str(hub))]
        t0 = float(starts["departure"].min()) if len(starts) else None
        vs = st[st["tier"].isin(["last_mile", "direct"]) & st["kind"].isin(["delivery", "pickup"])]
        return vs, t0
    st = source.stops
    starts = st[st["kind"] == "start"]
    t0 = float(starts["departure"].min()) if len(starts) else None
    return st[st["kind"].isin(["delivery", "pickup"])], t0


def reach_times(source: Any, network: Network | None = None, *, hub: str | None = None) -> pd.DataFrame:
    """Per village: first service start (s), hours since the hub's first departure, visited or not.

    For a single Plan the reference is the earliest departure from ``hub`` (default:
    the network's hub; any depot if none of the routes starts there).

    Parameters
    ----------
    source
        A [TieredPlan][logistics.planners.tiers.TieredPlan] or a single [Plan][logistics.Plan].
    network
        The network (needed for a single Plan: it says which nodes are villages).
    hub
        The hub id for a single Plan (default: the network's hub).

    Returns
    -------
    DataFrame
        ``village``, ``station``, ``first_service``, ``hours``, ``visited``, ``stops`` (and
        ``depot`` for a tiered plan); ``attrs["hub_departure"]`` is the reference time.
    """
    villages = _village_table(network, source)
    stops, t0 = _village_stops(source)
    if not _is_tiered(source):
        h = hub or (network.hub_id if network is not None else None)
        st = source.stops
        hs = st[(st["kind"] == "start") & (st["node_id"].astype(str) == str(h))]
        if len(hs):
            t0 = float(hs["departure"].min())
    first = stops.groupby(stops["node_id"].astype(str))["start"].min() if len(stops) else pd.Series(dtype=float)
    n_stops = stops.groupby(stops["node_id"].astype(str)).size() if len(stops) else pd.Series(dtype=int)
    out = villages.copy()
    out["first_service"] = out["village"].map(first).astype(float)
    out["hours"] = (out["first_service"] - t0) / 3600.0 if t0 is not None else np.nan
    out["visited"] = out["first_service"].notna()
    out["stops"] = out["village"].map(n_stops).fillna(0).astype(int)
    if _is_tiered(source):
        dep = source.assignment.set_index("village")["depot"]
        out["depot"] = out["village"].map(dep)
    out.attrs["hub_departure"] = t0
    return out


def potential_reach(
    network: Network,
    *,
    trunk_fleet: Sequence[Any] | None = None,
    last_mile_fleet: Sequence[Any] | None = None,
    handling_s: int = 1800,
    direct: bool = False,
    matrix: TravelMatrix | None = None,
) -> pd.DataFrame:
    """Fastest possible hub → village times (hours) on ``network`` for the fleets' speed factors.

    Via the village's station: trunk drive (fastest trunk type) + ``handling_s`` +
    last-mile drive (fastest van type); with ``direct``, also the van straight
    from the hub, and ``hours`` is the smaller of the two.

    Parameters
    ----------
    network
        The three-tier network.
    trunk_fleet, last_mile_fleet
        Vehicle types whose fastest speed factor counts (default 1.0).
    handling_s
        Seconds at the station between trunk and van.
    direct
        Also allow the van straight from the hub.
    matrix
        A travel matrix over the network's nodes (default: ``network.travel_matrix()``).

    Returns
    -------
    DataFrame
        Per village: ``hours_via_station``, ``hours_direct``, ``hours`` and ``visited`` (always true).
    """
    tm = matrix if matrix is not None else network.travel_matrix()
    tsf = min((vt.speed_factor for vt in trunk_fleet), default=1.0) if trunk_fleet else 1.0
    lsf = min((vt.speed_factor for vt in last_mile_fleet), default=1.0) if last_mile_fleet else 1.0
    hub = network.hub_id
    villages = _village_table(network)
    d = tm.duration
    h = tm.index(hub)
    via, dirh = [], []
    for v, s in zip(villages["village"], villages["station"]):
        iv, is_ = tm.index(v), tm.index(s)
        via.append((d[h, is_] * tsf + handling_s + d[is_, iv] * lsf) / 3600.0)
        dirh.append(d[h, iv] * lsf / 3600.0)
    out = villages.copy()
    out["hours_via_station"] = via
    out["hours_direct"] = dirh
    out["hours"] = np.minimum(out["hours_via_station"], out["hours_direct"]) if direct else out["hours_via_station"]
    out["visited"] = True
    return out


def _served_nodes(plan: Any) -> set[str]:
    if plan is None:
        return set()
    stops, _ = _village_stops(plan)
    return set(stops["node_id"].astype(str))


def _days_from_rule(rule: Any, village: str, station: str) -> set[int]:
    if callable(rule):
        val = rule(village, station)
    else:
        val = rule.get(village, rule.get(station, rule.get("default", 0)))
    if isinstance(val, (int, np.integer)):
        n = int(val)
        if not 0 <= n <= 7:
            raise ValueError(f"{village}: {n} days per week is not between 0 and 7")
        # spread n days over the week: 0..6 evenly (Mon first)
        return {int(math.floor(k * 7 / n)) for k in range(n)} if n else set()
    days = set()
    for x in val:
        if isinstance(x, (int, np.integer)):
            days.add(int(x) % 7)
        else:
            key = str(x)[:3].title()
            if key not in WEEKDAYS:
                raise ValueError(f"{village}: {x!r} is not a weekday")
            days.add(WEEKDAYS.index(key))
    return days


def service_days(
    schedule: Any, network: Network | None = None, *, villages: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Days per week each village is served.

    ``schedule`` is a list of daily plans (Plan or TieredPlan, ``None`` for a day
    off; the list is the week, Monday first), a mapping weekday name → plan, or
    a frequency rule: a mapping of village ids, station ids and ``"default"`` to
    days per week (spread evenly from Monday) or to weekday names, or a function
    ``(village, station) -> days or weekday names``.  A week plan
    ([logistics.planners.week.WeekPlan][]) counts as its mapping weekday → plan.

    Parameters
    ----------
    schedule
        Daily plans or a frequency rule (see above).
    network
        The network (which nodes are villages, and their stations).
    villages
        A ``village``/``station`` frame to use instead of the network's.

    Returns
    -------
    DataFrame
        The village table with ``days_per_week`` and ``weekdays``.
    """
    table = (
        villages
        if villages is not None
        else _village_table(
            network, None if network is not None else (schedule[0] if isinstance(schedule, list) else None)
        )
    )
    table = table.copy()
    schedule = getattr(schedule, "by_weekday", schedule)  # a week plan: its days' plans
    plans: list[tuple[int, Any]] | None = None
    if isinstance(schedule, (list, tuple)):
        plans = list(enumerate(schedule))
        week_len = len(schedule)
    elif (
        isinstance(schedule, Mapping)
        and schedule
        and all(str(k)[:3].title() in WEEKDAYS for k in schedule)
        and all(v is None or hasattr(v, "stops") for v in schedule.values())
    ):
        plans = [(WEEKDAYS.index(str(k)[:3].title()), p) for k, p in schedule.items()]
        week_len = 7
    if plans is not None:
        served = {day: _served_nodes(p) for day, p in plans}
        days = [{d for d, nodes in served.items() if v in nodes} for v in table["village"]]
    else:
        week_len = 7
        days = [_days_from_rule(schedule, v, s) for v, s in zip(table["village"], table["station"])]
    table["days_per_week"] = [len(d) * 7.0 / week_len if week_len else 0.0 for d in days]
    table["weekdays"] = [
        ",".join(WEEKDAYS[k % 7] for k in sorted(d))
        if week_len == 7 or plans is None
        else ",".join(f"day{k + 1}" for k in sorted(d))
        for d in days
    ]
    return table


def coverage(
    source: Any = None,
    network: Network | None = None,
    *,
    hours: Iterable[float] = (2, 4, 6),
    schedule: Any = None,
    by: str = "station",
    min_days: float = 3,
    **reach_kw: Any,
) -> pd.DataFrame:
    """Per station (``by="station"``) or township, plus an ``all`` row: reach and service-frequency metrics.

    ``source`` is a plan (TieredPlan or Plan); ``None`` uses
    [potential_reach][logistics.planners.coverage.potential_reach] on ``network`` (``reach_kw`` go there: fleets,
    ``handling_s``, ``direct``).  Without ``schedule`` the day-of-``source`` counts as
    the only service day, so frequency columns are omitted.

    Parameters
    ----------
    source
        A plan, or ``None`` for the network's potential reach.
    network
        The network.
    hours
        Thresholds for the ``within_<h>h`` shares.
    schedule
        A weekly schedule or frequency rule ([service_days][logistics.planners.coverage.service_days]).
    by
        ``"station"`` or another village column (``"township"``).
    min_days
        Days per week for the ``share_at_least_<d>_days`` column.
    **reach_kw
        Passed to [potential_reach][logistics.planners.coverage.potential_reach] when ``source`` is ``None``.

    Returns
    -------
    DataFrame
        One row per group plus ``all``.
    """
    layer = _metrics(source, network, hours=hours, schedule=schedule, **reach_kw)
    if by not in layer.columns:
        raise ValueError(f"cannot group by {by!r}: the villages have no such column")
    hours = list(hours)
    rows = []
    for key, g in list(layer.groupby(by, sort=True)) + [("all", layer)]:
        r: dict[str, Any] = {by: key, "villages": len(g), "visited_share": float(g["visited"].mean())}
        for h in hours:
            r[f"within_{h:g}h"] = float(g[f"within_{h:g}h"].mean())
        hv = g["hours"].dropna()
        r["mean_hours"] = float(hv.mean()) if len(hv) else np.nan
        r["max_hours"] = float(hv.max()) if len(hv) else np.nan
        if "days_per_week" in g.columns:
            r["mean_days_per_week"] = float(g["days_per_week"].mean())
            r["min_days_per_week"] = float(g["days_per_week"].min())
            r[f"share_at_least_{min_days:g}_days"] = float((g["days_per_week"] >= min_days - 1e-9).mean())
        rows.append(r)
    return pd.DataFrame(rows).set_index(by)


def _metrics(
    source: Any, network: Network | None, *, hours: Iterable[float], schedule: Any, **reach_kw: Any
) -> pd.DataFrame:
    if source is None:
        if network is None:
            raise ValueError("give a plan or a network")
        layer = potential_reach(network, **reach_kw)
    else:
        layer = reach_times(source, network)
    for h in hours:
        layer[f"within_{h:g}h"] = layer["visited"] & (layer["hours"] <= h + 1e-9)
    if schedule is not None:
        sd = service_days(schedule, network, villages=layer[["village", "station"]])
        layer["days_per_week"] = sd["days_per_week"].to_numpy()
        layer["weekdays"] = sd["weekdays"].to_numpy()
    return layer


def coverage_layer(
    source: Any = None,
    network: Network | None = None,
    *,
    hours: Iterable[float] = (2, 4, 6),
    schedule: Any = None,
    **reach_kw: Any,
) -> gpd.GeoDataFrame:
    """Villages (points, EPSG:4326) with reach hours, ``within_<h>h`` flags and service days per week.

    Parameters
    ----------
    source, network, hours, schedule, **reach_kw
        As for [coverage][logistics.planners.coverage.coverage]; ``network`` is required (village positions).

    Returns
    -------
    GeoDataFrame
        One point per village with the per-village metrics.
    """
    if network is None:
        raise ValueError("coverage_layer needs the network for village positions")
    layer = _metrics(source, network, hours=hours, schedule=schedule, **reach_kw)
    geom = network.nodes.geometry.reindex(layer["village"]).to_numpy()
    return gpd.GeoDataFrame(layer.reset_index(drop=True), geometry=list(geom), crs="EPSG:4326")


def folium_layer(
    layer: gpd.GeoDataFrame,
    column: str = "hours",
    *,
    name: str | None = None,
    cmap: str = "RdYlGn_r",
    radius: float = 5.0,
) -> Any:
    """A folium FeatureGroup of circle markers coloured by ``column`` (grey: not visited / no value).

    Parameters
    ----------
    layer
        A [coverage_layer][logistics.planners.coverage.coverage_layer] frame.
    column
        The column that colours the markers.
    name
        The group's name in the layer control (default: ``villages by <column>``).
    cmap
        A matplotlib colour map name.
    radius
        Marker radius in pixels.

    Returns
    -------
    folium.FeatureGroup
        One circle marker per village with a tooltip.
    """
    # deferred: folium and matplotlib are the optional [maps] extra, imported only to draw
    folium = require("folium", "maps", "coverage maps")
    colors = require("matplotlib.colors", "maps", "coverage maps")
    colormaps = require("matplotlib", "maps", "coverage maps").colormaps

    fg = folium.FeatureGroup(name=name or f"villages by {column}")
    vals = pd.to_numeric(layer[column], errors="coerce")
    lo, hi = (float(vals.min()), float(vals.max())) if vals.notna().any() else (0.0, 1.0)
    norm = colors.Normalize(vmin=lo, vmax=hi if hi > lo else lo + 1)
    cm = colormaps[cmap]
    for (_, r), v in zip(layer.iterrows(), vals):
        color = "#999999" if pd.isna(v) else colors.to_hex(cm(norm(v)))
        value = "-" if pd.isna(v) else f"{v:.2f}"
        tip = js_literal_html(f"{text_html(r['village'])} ({text_html(r['station'])}): {text_html(column)} = {value}")
        folium.CircleMarker(
            [r.geometry.y, r.geometry.x],
            radius=radius,
            color=color,
            fill=True,
            fill_color=color,
            fill_opacity=0.8,
            weight=1,
            tooltip=tip,
        ).add_to(fg)
    return fg


#: Where each kind of area comes from (the ``area_source`` column of `coverage_areas`).
AREA_SOURCES = {
    "yanhu_units": "estimated: Voronoi cell of the unit's seat clipped to the district outline (networks.yanhu_geo)",
    "voronoi": "estimated: union of the Voronoi cells of the group's villages, within 5 km of the network",
}


def coverage_areas(network: Network, by: str = "township") -> gpd.GeoDataFrame:
    """One polygon per township (or station) to shade on a map: where its villages lie.

    On the Yanhu network the townships are the district's units and their areas are
    `networks.yanhu_geo.extents` (estimated: Voronoi cells of the seats, clipped to the outline).
    Elsewhere, or grouped by another column, an area is the union of its villages' Voronoi
    cells, cut to 5 km around the network's nodes.  Both are estimates, never surveyed
    boundaries, and the ``area_source`` column says so.

    Parameters
    ----------
    network
        The three-tier network.
    by
        The villages' grouping column: ``"township"`` (when the network has it) or ``"station"``.

    Returns
    -------
    GeoDataFrame
        Indexed by group, ``area_source``, polygons in EPSG:4326.

    Raises
    ------
    ValueError
        The villages have no such column.
    """
    villages = _village_table(network)
    if by not in villages.columns:
        raise ValueError(f"cannot group by {by!r}: the villages have no such column")
    groups = sorted(set(villages[by]))
    if by == "township" and network.name.startswith("yanhu"):
        ext = extents()
        if set(groups) <= set(ext.index):
            out = ext.loc[groups, ["geometry"]].copy()
            out["area_source"] = AREA_SOURCES["yanhu_units"]
            out.index.name = by
            return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
    nodes = network.nodes
    crs = metric_crs(nodes.geometry.x, nodes.geometry.y)
    pts = network.villages.geometry.to_crs(crs)
    xy = shapely.multipoints(np.column_stack([pts.x, pts.y]))
    every = nodes.geometry.to_crs(crs)
    frame = shapely.convex_hull(shapely.multipoints(np.column_stack([every.x, every.y]))).buffer(5000)
    if len(pts) >= 3:
        cells = list(shapely.get_parts(shapely.voronoi_polygons(xy, extend_to=frame)))
        cell_of = [next((c for c in cells if c.covers(p)), p.buffer(2000)) for p in pts]
    else:
        cell_of = [p.buffer(5000) for p in pts]
    key = villages.set_index("village")[by]
    geoms = []
    for g in groups:
        mine = [c for v, c in zip(pts.index.astype(str), cell_of) if key.get(v) == g]
        geoms.append(shapely.union_all(mine).intersection(frame))
    out = gpd.GeoDataFrame({by: groups, "area_source": AREA_SOURCES["voronoi"]}, geometry=geoms, crs=crs)
    return out.set_index(by).to_crs("EPSG:4326")


def folium_area_layer(
    areas: gpd.GeoDataFrame,
    values: pd.Series,
    *,
    name: str,
    label: str,
    cmap: str = "RdYlGn",
    vmin: float = 0.0,
    vmax: float = 1.0,
) -> Any:
    """A folium FeatureGroup of ``areas`` shaded by ``values`` (grey where a group has no value).

    Parameters
    ----------
    areas
        From [coverage_areas][logistics.planners.coverage.coverage_areas], indexed by group.
    values
        Group → value (e.g. the share of villages reached within T hours).
    name
        The layer's name in the layer control (plain text; escaped here).
    label
        What the value is, for the tooltips (plain text; escaped here).
    cmap, vmin, vmax
        A matplotlib colour map and the value range it spans (shares: 0 to 1).

    Returns
    -------
    folium.FeatureGroup
        One shaded polygon per area, class ``coldroute-coverage-area``, with a tooltip.
    """
    # deferred: folium and matplotlib are the optional [maps] extra, imported only to draw
    folium = require("folium", "maps", "coverage maps")
    colors = require("matplotlib.colors", "maps", "coverage maps")
    colormaps = require("matplotlib", "maps", "coverage maps").colormaps

    fg = folium.FeatureGroup(name=text_html(name))
    norm = colors.Normalize(vmin=vmin, vmax=vmax if vmax > vmin else vmin + 1)
    cm = colormaps[cmap]
    for key, geom in areas.geometry.items():
        v = values.get(key, np.nan)
        color = "#bbbbbb" if pd.isna(v) else colors.to_hex(cm(norm(float(v))))
        shown = "no villages" if pd.isna(v) else f"{float(v):.0%}" if vmax == 1.0 else f"{float(v):.2f}"
        tip = js_literal_html(f"<b>{text_html(key)}</b>: {text_html(label)} {shown}")
        folium.GeoJson(
            shapely.geometry.mapping(geom),
            style_function=lambda _f, c=color: {
                "fillColor": c,
                "color": "#555555",
                "weight": 1,
                "fillOpacity": 0.55,
                "className": "coldroute-coverage-area",
            },
            tooltip=folium.Tooltip(tip),
        ).add_to(fg)
    return fg
