"""Road graphs from line layers, and back: the one place that knows road classes and one-way tags.

A road graph is a networkx ``MultiDiGraph`` in the form every function of this
package expects:

* nodes carry ``x`` (longitude) and ``y`` (latitude) in EPSG:4326;
* edges carry ``length`` (metres, measured in a metric CRS), ``travel_time``
  (seconds), ``road_class``, ``speed_kmh`` and ``oneway``;
* ``graph.graph`` holds ``crs`` ("EPSG:4326"), ``metric_crs`` (the UTM zone used
  for lengths and snapping; EPSG:32649 for Yanhu) and ``synthetic`` (True when the
  roads are generated rather than surveyed).

[road_graph][networks.road_layers.road_graph] turns any line layer into that form;
[read_roads][networks.road_layers.read_roads] reads one from a GeoPackage, Shapefile or GeoJSON file;
`roads_frame` turns a graph back into lines.  Every vertex of every line becomes a graph node (lines
sharing a vertex are joined there), so snapping to the nearest vertex is as
precise as the data and [networks.paths.route_line][] can draw routes along
the real geometry.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from .errors import NetworkError
from .geo import WGS84, metric_crs, transformer

#: Effective average speeds (km/h) per road class, for trucks on mixed rural and
#: urban roads; not speed limits.  Keys follow OSM ``highway`` values; ``default``
#: applies to any class not listed.  Override any of them with ``speeds=``.
DEFAULT_SPEEDS_KMH: dict[str, float] = {
    "motorway": 90.0,
    "motorway_link": 50.0,
    "trunk": 70.0,
    "trunk_link": 45.0,
    "primary": 60.0,
    "primary_link": 40.0,
    "secondary": 50.0,
    "secondary_link": 35.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "residential": 25.0,
    "living_street": 10.0,
    "service": 15.0,
    "road": 30.0,
    "track": 15.0,
    "busway": 30.0,
    "default": 30.0,
}

_ONEWAY_FORWARD = {"yes", "true", "1", "t", "y"}
_ONEWAY_REVERSE = {"-1", "reverse"}
_ONEWAY_BOTH = {"no", "false", "0", "f", "n", "", "reversible", "alternating", "nan", "none"}
_IMPLIED_ONEWAY_JUNCTION = {"roundabout", "circular"}


def _first(value: Any) -> Any:
    if isinstance(value, (list, tuple, np.ndarray)):
        return value[0] if len(value) else None
    return value


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _oneway_direction(value: Any, road_class: str, junction: Any, record: Any, col: str) -> int:
    """+1 forward only, -1 against the line's direction only, 0 both ways."""
    value = _first(value)
    if _is_missing(value):
        if str(_first(junction)).lower() in _IMPLIED_ONEWAY_JUNCTION or road_class == "motorway":
            return 1
        return 0
    if isinstance(value, (bool, np.bool_)):
        return 1 if value else 0
    if isinstance(value, (int, float, np.integer, np.floating)):
        if value in (1, -1, 0):
            return int(value)
        raise NetworkError(f"road {record!r}: {col} value {value!r} is not yes/no/-1", record=record, field=col)
    s = str(value).strip().lower()
    if s in _ONEWAY_FORWARD:
        return 1
    if s in _ONEWAY_REVERSE:
        return -1
    if s in _ONEWAY_BOTH:
        return 0
    raise NetworkError(f"road {record!r}: {col} value {value!r} is not yes/no/-1", record=record, field=col)


def merged_speeds(speeds: Mapping[str, float] | None) -> dict[str, float]:
    """Class speeds (km/h): ``speeds`` merged over `DEFAULT_SPEEDS_KMH`, checked.

    Shared by [road_graph][networks.road_layers.road_graph] and [networks.roads.synthetic_roads][] so that a
    bad override is rejected the same way whatever builds the graph.

    Parameters
    ----------
    speeds : mapping of str to float, optional
        Overrides per road class.

    Returns
    -------
    dict of str to float
        Every default class plus the overrides.

    Raises
    ------
    NetworkError
        An override is not a finite positive number.
    """
    merged = dict(DEFAULT_SPEEDS_KMH)
    for k, v in (speeds or {}).items():
        try:
            ok = math.isfinite(float(v)) and float(v) > 0
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise NetworkError(
                f"speed for road class {k!r} must be a positive number of km/h, got {v!r}", record=k, field="speeds"
            )
        merged[str(k)] = float(v)
    return merged


def _pick_class_col(lines: pd.DataFrame, class_col: str | None) -> str | None:
    if class_col is not None:
        if class_col not in lines.columns:
            raise NetworkError(f"road layer has no class column {class_col!r}", field=class_col)
        return class_col
    for c in ("highway", "road_class", "fclass", "class"):
        if c in lines.columns:
            return c
    return None


def _checked_lines(lines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``lines`` in WGS84 after checking that it is a non-empty layer with a CRS."""
    if not isinstance(lines, gpd.GeoDataFrame):
        raise NetworkError("road lines must be a GeoDataFrame", field="geometry")
    if lines.crs is None:
        raise NetworkError("road lines have no CRS", field="geometry")
    if len(lines) == 0:
        raise NetworkError("road layer is empty", field="geometry")
    return lines.to_crs(WGS84) if lines.crs != WGS84 else lines


def _check_geometries(lines: gpd.GeoDataFrame) -> None:
    """Raise naming the first row whose geometry is not a non-empty line."""
    for rec, g in zip(lines.index, lines.geometry.to_numpy()):
        if g is None or g.is_empty:
            raise NetworkError(f"road {rec!r}: geometry is empty", record=rec, field="geometry")
        if g.geom_type not in ("LineString", "MultiLineString"):
            raise NetworkError(
                f"road {rec!r}: geometry is a {g.geom_type}, expected a line", record=rec, field="geometry"
            )


def _row_speeds(
    lines: gpd.GeoDataFrame, classes: list[str], speeds_kmh: dict[str, float], speed_col: str, records: list[Any]
) -> np.ndarray:
    """Speed (km/h) per row: its class speed unless ``speed_col`` gives a positive one."""
    row_speed = np.array([speeds_kmh.get(c, speeds_kmh["default"]) for c in classes], dtype=float)
    if speed_col in lines.columns:
        given = pd.to_numeric(lines[speed_col], errors="coerce").to_numpy(dtype=float)
        raw_speeds = lines[speed_col].tolist()
        for i, rec in enumerate(records):
            raw = raw_speeds[i]
            if _is_missing(raw):
                continue
            if not (np.isfinite(given[i]) and given[i] > 0):
                raise NetworkError(
                    f"road {rec!r}: {speed_col} {raw!r} is not a positive speed", record=rec, field=speed_col
                )
            row_speed[i] = given[i]
    return row_speed


def _row_directions(lines: gpd.GeoDataFrame, classes: list[str], records: list[Any], oneway_col: str) -> np.ndarray:
    """One-way direction per row (+1, -1 or 0, see `_oneway_direction`)."""
    n = len(lines)
    junction = lines["junction"].tolist() if "junction" in lines.columns else [None] * n
    ow = lines[oneway_col].tolist() if oneway_col in lines.columns else [None] * n
    return np.array(
        [_oneway_direction(ow[i], classes[i], junction[i], records[i], oneway_col) for i in range(n)], dtype=np.int8
    )


def _given_lengths(lines: gpd.GeoDataFrame, length_col: str | None, records: list[Any]) -> np.ndarray | None:
    """Lengths (m) per row from ``length_col``, or None to measure them."""
    if length_col is None:
        return None
    if length_col not in lines.columns:
        raise NetworkError(f"road layer has no length column {length_col!r}", field=length_col)
    given_len = pd.to_numeric(lines[length_col], errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(given_len) & (given_len >= 0))
    if bad.any():
        rec = records[int(np.argmax(bad))]
        raise NetworkError(f"road {rec!r}: {length_col} is not a length in metres", record=rec, field=length_col)
    return given_len


def _segments(
    geoms: np.ndarray, records: list[Any], precision: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vertices shared by position, and the segments joining them.

    Returns ``(node_lonlat, a, b, seg_row)``: one lon/lat row per vertex, and per
    segment its two vertex indices and the row of ``lines`` it belongs to.  A
    MultiLineString's parts stay separate lines of the same row.
    """
    present = np.array([g is not None for g in geoms], dtype=bool)
    parts, part_row = shapely.get_parts(geoms, return_index=True)
    coords, vidx = shapely.get_coordinates(parts, return_index=True)
    scale = 10.0**precision
    keys = np.rint(coords * scale).astype(np.int64)
    ukeys, node_of = np.unique(keys, axis=0, return_inverse=True)
    node_of = node_of.ravel()
    node_lonlat = ukeys / scale
    if not (np.all(np.abs(node_lonlat[:, 0]) <= 180) and np.all(np.abs(node_lonlat[:, 1]) <= 90)):
        bad = int(np.argmax((np.abs(coords[:, 0]) > 180) | (np.abs(coords[:, 1]) > 90)))
        rec = records[part_row[vidx[bad]]]
        raise NetworkError(f"road {rec!r}: coordinates out of lon/lat range", record=rec, field="geometry")
    same_part = vidx[1:] == vidx[:-1]
    a = node_of[:-1][same_part]
    b = node_of[1:][same_part]
    seg_row = part_row[vidx[:-1][same_part]]
    keep = a != b
    a, b, seg_row = a[keep], b[keep], seg_row[keep]
    if a.size == 0:
        raise NetworkError("road layer has no line of two distinct points", field="geometry")
    rows_with_segments = ~present
    rows_with_segments[seg_row] = True
    if not rows_with_segments.all():  # lines that collapse to a point (at ``precision``) are left out
        kept = np.array([g if ok else None for g, ok in zip(geoms, rows_with_segments)], dtype=object)
        return _segments(kept, records, precision)
    return node_lonlat, a, b, seg_row


def road_graph(
    lines: gpd.GeoDataFrame,
    speeds: Mapping[str, float] | None = None,
    *,
    oneway_col: str = "oneway",
    class_col: str | None = None,
    speed_col: str = "speed_kmh",
    length_col: str | None = None,
    name_col: str = "name",
    default_class: str = "unclassified",
    crs: str | None = None,
    precision: int = 7,
    synthetic: bool = False,
) -> nx.MultiDiGraph:
    """A routable road graph from a line layer.

    Any road data a planner has (a GIS export, an OSM extract, a generated grid)
    goes through here, so every graph has the same attributes and units and the
    rest of the package never looks at the source format.

    Parameters
    ----------
    lines : geopandas.GeoDataFrame
        LineStrings/MultiLineStrings with a CRS.  Lines are joined where they share
        a vertex; every vertex becomes a node.  The row label names a road in errors.
    speeds : mapping of str to float, optional
        Speeds (km/h) per road class, merged over `DEFAULT_SPEEDS_KMH`.
    oneway_col : str
        ``yes``/``true``/``1`` = only in the line's direction, ``-1``/``reverse`` =
        only against it, ``no``/missing = both ways.  As in OSM, a missing value on a
        ``motorway`` or a ``junction=roundabout`` means one-way.
    class_col : str, optional
        Road class column (default: the first of ``highway``, ``road_class``,
        ``fclass``, ``class`` present, else every road is ``default_class``).
    speed_col : str
        A finite positive value (km/h) in this column overrides the row's class speed.
    length_col : str, optional
        Take each line's length (m) from this column, spread over its segments in
        proportion to their measured length, instead of measuring it.
    name_col : str
        Road names copied to the edges' ``name`` attribute.
    default_class : str
        Class of roads without one.
    crs : str, optional
        Metric CRS for lengths and snapping (default: the data's UTM zone, see
        `networks.geo.metric_crs`).
    precision : int
        Decimal degrees to which vertices are rounded before joining (7 ≈ 1 cm).
    synthetic : bool
        Mark the graph as generated rather than surveyed.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes with ``x``/``y``; edges with ``length``, ``travel_time``,
        ``road_class``, ``speed_kmh``, ``oneway`` and ``road`` (the row label).  A line whose
        points all coincide (at ``precision``) is left out with a warning and listed in
        ``graph.graph["collapsed_roads"]``; only a layer with no line left is an error.

    Raises
    ------
    NetworkError
        Naming the road (row label) and field for bad geometry, classes, speeds or
        one-way values.
    """
    lines = _checked_lines(lines)
    speeds_kmh = merged_speeds(speeds)
    ccol = _pick_class_col(lines, class_col)
    _check_geometries(lines)
    records = list(lines.index)
    n = len(lines)
    raw_classes = lines[ccol].tolist() if ccol else [None] * n
    classes = [default_class if _is_missing(c) else str(c) for c in map(_first, raw_classes)]
    row_speed = _row_speeds(lines, classes, speeds_kmh, speed_col, records)
    direction = _row_directions(lines, classes, records, oneway_col)
    given_len = _given_lengths(lines, length_col, records)
    names = lines[name_col].tolist() if name_col in lines.columns else None

    node_lonlat, a, b, seg_row = _segments(lines.geometry.to_numpy(), records, precision)
    mcrs = crs or metric_crs(node_lonlat[:, 0], node_lonlat[:, 1])
    mx, my = transformer(mcrs).transform(node_lonlat[:, 0], node_lonlat[:, 1])
    seg_len = np.hypot(mx[b] - mx[a], my[b] - my[a])
    if given_len is not None:
        measured = np.bincount(seg_row, weights=seg_len, minlength=n)
        factor = np.where(measured > 0, given_len / np.where(measured > 0, measured, 1.0), 0.0)
        seg_len = seg_len * factor[seg_row]
    seg_speed = row_speed[seg_row]
    seg_time = seg_len / (seg_speed / 3.6)
    seg_dir = direction[seg_row]

    collapsed = sorted(set(range(n)) - set(seg_row.tolist()))
    if collapsed:
        shown = ", ".join(repr(records[r]) for r in collapsed[:5])
        warnings.warn(
            f"{len(collapsed)} road line(s) collapse to a point and are left out: {shown}", UserWarning, stacklevel=2
        )
    g = nx.MultiDiGraph(crs=WGS84, metric_crs=mcrs, synthetic=bool(synthetic))
    g.graph["collapsed_roads"] = [records[r] for r in collapsed]
    g.add_nodes_from((i, {"x": float(x), "y": float(y)}) for i, (x, y) in enumerate(node_lonlat.tolist()))
    edges: list[tuple[int, int, dict[str, Any]]] = []
    for u, v, length, tt, r, d, sp in zip(
        a.tolist(),
        b.tolist(),
        seg_len.tolist(),
        seg_time.tolist(),
        seg_row.tolist(),
        seg_dir.tolist(),
        seg_speed.tolist(),
    ):
        attrs = {
            "length": length,
            "travel_time": tt,
            "road_class": classes[r],
            "speed_kmh": sp,
            "oneway": d != 0,
            "road": records[r],
        }
        if names is not None and not _is_missing(names[r]):
            attrs["name"] = names[r]
        if d >= 0:
            edges.append((u, v, attrs))
        if d <= 0:
            edges.append((v, u, attrs if d < 0 else dict(attrs)))
    g.add_edges_from(edges)
    return g


def read_roads(path: str | Path, layer: str | None = None, **kwargs: Any) -> nx.MultiDiGraph:
    """Read a line layer (GeoPackage, Shapefile, GeoJSON, ...) into a road graph.

    Parameters
    ----------
    path : str or pathlib.Path
        Any file GDAL reads.
    layer : str, optional
        Layer of a multi-layer file (default: the first).
    **kwargs
        Passed to [road_graph][networks.road_layers.road_graph] (``speeds``, ``class_col``, ``oneway_col`` ...).

    Returns
    -------
    networkx.MultiDiGraph
        See [road_graph][networks.road_layers.road_graph].

    Raises
    ------
    NetworkError
        The file is missing, unreadable or holds no lines.
    """
    path = Path(path)
    if not path.exists():
        raise NetworkError(f"road file {str(path)!r} does not exist", record=str(path), field="path")
    try:
        lines = gpd.read_file(path, layer=layer) if layer is not None else gpd.read_file(path)
    except Exception as e:  # pyogrio errors carry the useful message
        raise NetworkError(f"cannot read road layer from {str(path)!r}: {e}", record=str(path), field="path") from e
    if len(lines):
        lines = lines[~lines.geometry.isna()]
        kinds = set(lines.geometry.geom_type)
        if not kinds & {"LineString", "MultiLineString"}:
            raise NetworkError(
                f"{str(path)!r} holds no lines (found {sorted(kinds)})", record=str(path), field="geometry"
            )
    return road_graph(lines, **kwargs)


def roads_frame(roads: nx.Graph) -> gpd.GeoDataFrame:
    """One LineString per directed edge (u → v) with its attributes, EPSG:4326.

    The inverse of [road_graph][networks.road_layers.road_graph] for writing, mapping or inspecting a graph
    with pandas.

    Parameters
    ----------
    roads : networkx.Graph
        A road graph.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``u``, ``v`` and every edge attribute.
    """
    rows: list[dict[Hashable, Any]] = []
    geoms = []
    xy = {n: (d["x"], d["y"]) for n, d in roads.nodes(data=True)}
    for u, v, d in roads.edges(data=True):
        row: dict[Hashable, Any] = {"u": u, "v": v}
        row.update({k: val for k, val in d.items() if k != "geometry"})
        rows.append(row)
        geoms.append(shapely.LineString([xy[u], xy[v]]))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=WGS84)
