"""Plan: what the solver decided, as frames a planner can read, map and save.

A plan is data, not a solver object: ``stops`` (one row per depot departure,
order visit and depot return), ``unserved`` (order id and a reason in words),
``routes`` (one LineString per used vehicle) and ``kpis``.  It round-trips
through JSON so that jobs can save it and ``coldroute validate`` can check it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from logistics.core.errors import ProblemError
from logistics.core.maps import plan_map
from logistics.core.problem import Problem

if TYPE_CHECKING:
    from folium import Map as FoliumMap

STOP_COLUMNS = [
    "vehicle",
    "vehicle_type",
    "seq",
    "kind",
    "order_id",
    "node_id",
    "lon",
    "lat",
    "arrival",
    "start",
    "departure",
    "wait",
    "service",
    "travel_distance",
    "travel_duration",
    "load",
    "late",
    "early",
]
UNSERVED_COLUMNS = ["order_id", "reason"]
#: Columns of seconds (and the stop counter) that `Plan.from_dict` reads back as integers when they are whole.
TIME_COLUMNS = (
    "seq",
    "arrival",
    "start",
    "departure",
    "wait",
    "service",
    "travel_distance",
    "travel_duration",
    "late",
    "early",
)


@dataclass(frozen=True)
class RouteResult:
    """An engine's answer for one vehicle: order indices in visit order and service start times.

    The engines speak in indices and seconds; `Plan` is built from these so that no engine
    needs to know about frames.

    Attributes
    ----------
    vehicle
        Index of the vehicle in the problem's expanded fleet.
    orders
        Indices of the orders visited, in visit order.
    starts
        Service start time at each order, seconds from midnight (same length as ``orders``).
    depart
        Departure from the start depot, seconds from midnight.
    arrive
        Arrival at the end depot, seconds from midnight.
    breaks
        Breaks taken on the route, as (start, duration, name), seconds; in time order.
    reloads
        Returns to the start depot between two trips, as (number of orders served before it,
        start of the reload), seconds; in route order.
    """

    vehicle: int
    orders: list[int]
    starts: list[int]  # service start time at each order
    depart: int  # departure from the start depot
    arrive: int  # arrival at the end depot
    breaks: tuple[tuple[int, int, str], ...] = ()
    reloads: tuple[tuple[int, int], ...] = ()


@dataclass(eq=False)
class Plan:
    """What the solver decided, as plain frames rather than solver objects.

    Frames, because the people who read plans use pandas, spreadsheets and GIS tools: a plan
    must outlive the solver run, be saved as JSON (``coldroute validate`` re-checks it against
    its problem later), be drawn on a map and be compared across engines, and none of that
    should need the solver's internal indices.

    Parameters
    ----------
    stops
        One row per depot departure, order visit and depot return, in visit order per vehicle
        (columns [STOP_COLUMNS][logistics.core.plan.STOP_COLUMNS]: times in seconds from midnight, travel on the arc
        into the stop, load after the stop, lateness/earliness against soft windows).  Everything
        else (routes, KPIs, validation) can be recomputed from it.
    unserved
        One row per order left out, with the reason in a dispatcher's words (columns
        [UNSERVED_COLUMNS][logistics.core.plan.UNSERVED_COLUMNS]), so a partial plan explains itself.
    kpis
        Totals (vehicles, served, distance, cost, ...) from [logistics.core.costs.evaluate][].
    routes
        One LineString per used vehicle (EPSG:4326) for maps and GIS export; empty when there
        are no coordinates.
    meta
        Bookkeeping: problem name, day, engine, timings, warnings.
    """

    stops: pd.DataFrame
    unserved: pd.DataFrame
    kpis: dict[str, Any]
    routes: gpd.GeoDataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    # -- convenience views -----------------------------------------------------------------
    @property
    def served_ids(self) -> list[str]:
        """Ids of the orders visited (deliveries and pickups), in stop order."""
        s = self.stops
        return [str(x) for x in s.loc[s["kind"].isin(["delivery", "pickup"]), "order_id"]]

    @property
    def vehicles_used(self) -> list[str]:
        """Ids of the vehicles that leave the depot, in route order."""
        return list(dict.fromkeys(self.stops["vehicle"]))

    def route_of(self, vehicle: str) -> pd.DataFrame:
        """The stops of one vehicle, in visit order.

        Parameters
        ----------
        vehicle
            A vehicle id as in the ``vehicle`` column (see `vehicles_used`).

        Returns
        -------
        pandas.DataFrame
            Its rows of `stops`, sorted by ``seq``; empty for an unknown or unused vehicle.
        """
        return self.stops[self.stops["vehicle"] == vehicle].sort_values("seq")

    def stops_frame(self, clock: bool = True, day: str | None = None) -> pd.DataFrame:
        """Stops with times as timestamps (``day`` midnight + seconds) for display.

        Parameters
        ----------
        clock
            Turn ``arrival``, ``start`` and ``departure`` into timestamps; ``False`` keeps seconds
            from midnight (a copy of `stops`).
        day
            The date the seconds count from (``"2026-05-01"``); defaults to the plan's
            ``meta["day"]``, else 2026-01-01.

        Returns
        -------
        pandas.DataFrame
            A copy of `stops`; the plan itself is not changed.
        """
        s = self.stops.copy()
        if clock:
            base = pd.Timestamp(day or self.meta.get("day") or "2026-01-01")
            for c in ("arrival", "start", "departure"):
                s[c] = base + pd.to_timedelta(s[c], unit="s")
        return s

    def summary(self) -> str:
        """One line for logs and the command line: vehicles, served, unserved, km and cost.

        Returns
        -------
        str
            For example ``"3 vehicles, 41 served, 2 unserved, 187.4 km, cost ¥1,236.50"``
            (cost in yuan; missing KPIs count as 0).
        """
        k = self.kpis
        return (
            f"{k.get('vehicles', 0)} vehicles, {k.get('served', 0)} served, {k.get('unserved', 0)} unserved, "
            f"{k.get('distance_km', 0):,.1f} km, cost ¥{k.get('cost', 0):,.2f}"
        )

    # -- serialisation ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The plan as a JSON-ready mapping (format ``coldroute-plan/1``; NaN becomes ``null``).

        Returns
        -------
        dict
            ``format``, ``meta``, ``kpis``, ``stops`` (records), ``unserved`` (records) and
            ``routes`` (a GeoJSON FeatureCollection); `from_dict` reads it back.
        """
        stops = self.stops.astype(object).where(self.stops.notna(), None).to_dict(orient="records")
        return {
            "format": PLAN_FORMAT,
            "meta": _jsonable(self.meta),
            "kpis": _jsonable(self.kpis),
            "stops": _jsonable(stops),
            "unserved": _jsonable(self.unserved.to_dict(orient="records")),
            "routes": json.loads(self.routes.to_json())
            if len(self.routes)
            else {"type": "FeatureCollection", "features": []},
        }

    def to_json(self, path: str | Path | None = None, indent: int | None = 1) -> str:
        """The plan as JSON text, also written to ``path`` when given.

        Parameters
        ----------
        path
            File to write (UTF-8), or ``None`` to only return the text.
        indent
            JSON indentation; ``None`` for one line.

        Returns
        -------
        str
            The JSON document.
        """
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Plan:
        """A plan from `to_dict`'s mapping; whole-second time columns get their integer dtype back.

        Fractional seconds are kept as written (a plan is checked as saved, never rounded).

        Parameters
        ----------
        d
            A ``coldroute-plan/1`` mapping.

        Returns
        -------
        Plan
            The plan.

        Raises
        ------
        ProblemError
            ``d`` is not a coldroute plan (field ``format``).
        """
        check_plan_sections(d)
        try:
            stops = pd.DataFrame(d.get("stops", []))
        except (TypeError, ValueError) as e:
            raise ProblemError(f"plan: stops are not records ({e})", record="plan", field="stops") from None
        if stops.empty:
            stops = pd.DataFrame(columns=STOP_COLUMNS)
        for c in TIME_COLUMNS:
            if c in stops:
                # whole seconds come back as integers; fractional or missing times stay as they were written,
                # so that `validate` judges the plan that was saved, not a rounded copy of it
                col = pd.to_numeric(stops[c], errors="coerce")
                if col.notna().all() and (col == col.round()).all() and (col.abs() < 2**62).all():
                    stops[c] = col.astype("int64")
                elif col.notna().sum() == stops[c].notna().sum():
                    stops[c] = col.astype("float64")
        try:
            unserved = pd.DataFrame(d.get("unserved", []), columns=UNSERVED_COLUMNS)
        except (TypeError, ValueError) as e:
            raise ProblemError(f"plan: unserved are not records ({e})", record="plan", field="unserved") from None
        feats = d.get("routes", {}).get("features", [])
        try:
            routes = gpd.GeoDataFrame.from_features(feats, crs="EPSG:4326") if feats else empty_routes()
        except Exception as e:  # any malformed GeoJSON: shapely and geopandas raise many kinds
            raise ProblemError(f"plan: routes are not GeoJSON features ({e})", record="plan", field="routes") from None
        return cls(
            stops=stops, unserved=unserved, kpis=dict(d.get("kpis", {})), routes=routes, meta=dict(d.get("meta", {}))
        )

    @classmethod
    def from_json(cls, path_or_text: str | Path) -> Plan:
        """A plan from a JSON file, or from JSON text (anything starting with ``{``).

        Parameters
        ----------
        path_or_text
            Path of a file written by `to_json`, or the JSON text itself.

        Returns
        -------
        Plan
            The plan, as `from_dict` builds it.

        Raises
        ------
        ProblemError
            The document is not JSON or not a coldroute plan (field ``format``), or a part of it
            has the wrong shape (field ``stops``, ``unserved``, ``routes``...).
        """
        p = Path(path_or_text) if not str(path_or_text).lstrip().startswith("{") else None
        text = p.read_text(encoding="utf-8") if p is not None else str(path_or_text)
        try:
            doc = json.loads(text)
        except ValueError as e:  # JSONDecodeError, and numbers json refuses
            raise ProblemError(f"plan is not JSON: {e}", record=str(p) if p else "plan", field="format") from None
        return cls.from_dict(doc)

    def to_geojson(self, path: str | Path) -> None:
        """Routes (LineStrings) and stops (Points) in one GeoJSON FeatureCollection.

        For GIS tools (QGIS, kepler.gl): stop features carry every stop column and
        ``feature="stop"``; coordinates are WGS84 longitude/latitude.

        Parameters
        ----------
        path
            File to write (UTF-8, overwritten).
        """
        write_geojson(self.routes, self.stops, path)

    def explore(self, problem: Problem | None = None, **kwargs: Any) -> FoliumMap:
        """An interactive folium map of the plan (as geopandas' ``explore()``).

        Parameters
        ----------
        problem
            Adds temperature zones, unserved orders and network tiers to the map.
        **kwargs
            Passed to [logistics.core.maps.plan_map][] (``offline``, ``tiles``, ...).

        Returns
        -------
        folium.Map
            The map; needs the ``[maps]`` extra.
        """
        return plan_map(self, problem=problem, **kwargs)


#: The ``format`` of a plan document written by `Plan.to_dict`.
PLAN_FORMAT = "coldroute-plan/1"
#: A plan document's sections and the JSON type of each.
PLAN_SECTIONS: tuple[tuple[str, type], ...] = (
    ("stops", list),
    ("unserved", list),
    ("kpis", dict),
    ("meta", dict),
    ("routes", dict),
)


def check_plan_sections(d: Any) -> None:
    """Check that ``d`` is a plan document: its format, and the JSON type of each section present.

    `Plan.from_dict` relies on it; readers of files from elsewhere (``coldroute validate``) add their
    own stricter checks on top (every section present, every stop's columns).

    Parameters
    ----------
    d
        The parsed document.

    Raises
    ------
    ProblemError
        Not a ``coldroute-plan/1`` mapping (field ``format``), or a section of the wrong type (the
        section's name as field).
    """
    if not isinstance(d, dict) or d.get("format") != PLAN_FORMAT:
        fmt = d.get("format") if isinstance(d, dict) else type(d).__name__
        raise ProblemError(
            f"not a coldroute plan (format {fmt!r}, expected {PLAN_FORMAT!r})", record="plan", field="format"
        )
    for key, kind in PLAN_SECTIONS:
        if not isinstance(d.get(key, kind()), kind):
            raise ProblemError(
                f"plan: {key} must be a JSON {'list' if kind is list else 'object'} (a {type(d[key]).__name__} "
                "was found)",
                record="plan",
                field=key,
            )


def empty_routes() -> gpd.GeoDataFrame:
    """A routes frame with no rows but the right columns and CRS, for plans without geometry.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``vehicle``, ``vehicle_type``, ``stops``, ``distance_km``, ``duration_h`` and a
        geometry in EPSG:4326, so code that concatenates or writes routes needs no special case.
    """
    return gpd.GeoDataFrame(
        {"vehicle": [], "vehicle_type": [], "stops": [], "distance_km": [], "duration_h": []},
        geometry=gpd.GeoSeries([], crs="EPSG:4326"),
        crs="EPSG:4326",
    )


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating, float)):
        f = float(x)
        return None if math.isnan(f) else f
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, (pd.Timestamp,)):
        return x.isoformat()
    return x


def write_geojson(routes: gpd.GeoDataFrame, stops: pd.DataFrame, path: str | Path) -> None:
    """Routes (LineStrings) and stops (Points, ``feature="stop"``) in one GeoJSON FeatureCollection.

    One writer for single-tier plans and tiered ones (whose rows carry ``tier`` and ``leg``), so
    GIS tools read both the same way.

    Parameters
    ----------
    routes
        One row per route with its geometry.
    stops
        One row per stop with ``lon`` and ``lat``; every other column becomes a property.
    path
        File to write (UTF-8, overwritten).
    """
    feats = json.loads(routes.to_json())["features"] if len(routes) else []
    for r in stops.to_dict(orient="records"):
        props = {k: v for k, v in r.items() if k not in ("lon", "lat")}
        props["feature"] = "stop"
        feats.append(
            {
                "type": "Feature",
                "properties": _jsonable(props),
                "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
            }
        )
    doc = {"type": "FeatureCollection", "features": feats}
    Path(path).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def trip_times(stops: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """When the trip of every order leaves its depot and is back at one, from a plan's stop rows.

    A route of one trip leaves at its start row's departure and is back at its end row's arrival;
    with reloads, a trip leaves when the reload before it ends (its departure) and is back at the
    arrival at the reload after it (its produce is unloaded then).

    Parameters
    ----------
    stops
        ``plan.stops`` (vehicle, seq, kind, order_id, arrival, start, departure).

    Returns
    -------
    dict
        Order id → (trip departure, trip return), seconds.
    """
    out: dict[str, tuple[float, float]] = {}
    if stops.empty:
        return out
    for _, g in stops.groupby("vehicle", sort=False):
        g = g.sort_values("seq")
        leave: float | None = None
        trip: list[str] = []
        for kind, oid, arr, st, dep in zip(g["kind"], g["order_id"], g["arrival"], g["start"], g["departure"]):
            if kind in ("reload", "end") and leave is not None:
                out.update({o: (leave, float(arr)) for o in trip})
                trip = []
            if kind == "start" or kind == "reload":
                leave = float(dep)
            elif kind in ("delivery", "pickup"):
                trip.append(str(oid))
    return out
