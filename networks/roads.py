"""Road graphs: build them from line layers, snap points to them, check them.

A road graph is a networkx ``MultiDiGraph`` in the form every function of this
package expects:

* nodes carry ``x`` (longitude) and ``y`` (latitude) in EPSG:4326;
* edges carry ``length`` (metres, measured in a metric CRS), ``travel_time``
  (seconds), ``road_class``, ``speed_kmh`` and ``oneway``;
* ``graph.graph`` holds ``crs`` ("EPSG:4326"), ``metric_crs`` (the UTM zone used
  for lengths and snapping; EPSG:32649 for Yanhu) and ``synthetic`` (True when the
  roads are generated rather than surveyed).

:func:`road_graph` turns any line layer into that form; :func:`read_roads` reads
one from a GeoPackage, Shapefile or GeoJSON file; :func:`networks.osm.read_osm`
reads OpenStreetMap extracts; :func:`synthetic_roads` generates a plausible
planar road graph over a network's nodes when no road data exists.

Every vertex of every line becomes a graph node (lines sharing a vertex are
joined there), so snapping to the nearest vertex is as precise as the data and
:func:`networks.paths.route_line` can draw routes along the real geometry.
"""

from __future__ import annotations

import hashlib
import math
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from .errors import NetworkError

WGS84 = "EPSG:4326"

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


def metric_crs(lon: Sequence[float], lat: Sequence[float]) -> str:
    """The UTM zone (WGS84) of the data's mean position, e.g. ``EPSG:32649`` for Yanhu."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.size == 0:
        raise NetworkError("no coordinates to choose a metric CRS from", field="geometry")
    mlon = float(np.nanmean(lon))
    mlat = float(np.nanmean(lat))
    zone = int(min(60, max(1, math.floor((mlon + 180.0) / 6.0) + 1)))
    return f"EPSG:{32600 + zone if mlat >= 0 else 32700 + zone}"


def _transformer(crs: str) -> Transformer:
    return Transformer.from_crs(WGS84, crs, always_xy=True)


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


def _check_speeds(speeds: Mapping[str, float] | None) -> dict[str, float]:
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

    ``lines``: LineStrings/MultiLineStrings with a CRS.  Lines are joined where
    they share a vertex (coordinates rounded to ``precision`` decimal degrees,
    1e-7 ≈ 1 cm); every vertex becomes a node.

    ``class_col``: road class column (default: the first of ``highway``,
    ``road_class``, ``fclass``, ``class`` present, else every road is
    ``default_class``); its value picks the speed from ``speeds`` (merged over
    :data:`DEFAULT_SPEEDS_KMH`).  A finite positive ``speed_col`` value (km/h) on a
    row overrides its class speed.

    ``oneway_col``: ``yes``/``true``/``1`` = only in the line's direction,
    ``-1``/``reverse`` = only against it, ``no``/missing = both ways.  As in OSM, a
    missing value on a ``motorway`` or a ``junction=roundabout`` means one-way.

    ``length_col``: when given, the line's length in metres is taken from that
    column (spread over its segments in proportion to their measured length);
    otherwise lengths are measured in ``crs`` (default: the data's UTM zone, see
    :func:`metric_crs`).

    Raises :class:`NetworkError` naming the road (row label) and field for bad
    geometry, classes, speeds or one-way values.
    """
    if not isinstance(lines, gpd.GeoDataFrame):
        raise NetworkError("road lines must be a GeoDataFrame", field="geometry")
    if lines.crs is None:
        raise NetworkError("road lines have no CRS", field="geometry")
    if len(lines) == 0:
        raise NetworkError("road layer is empty", field="geometry")
    lines = lines.to_crs(WGS84) if lines.crs != WGS84 else lines
    speeds_kmh = _check_speeds(speeds)
    ccol = _pick_class_col(lines, class_col)
    records = list(lines.index)
    geoms = lines.geometry.to_numpy()
    for rec, g in zip(records, geoms):
        if g is None or g.is_empty:
            raise NetworkError(f"road {rec!r}: geometry is empty", record=rec, field="geometry")
        if g.geom_type not in ("LineString", "MultiLineString"):
            raise NetworkError(
                f"road {rec!r}: geometry is a {g.geom_type}, expected a line", record=rec, field="geometry"
            )

    n = len(lines)
    raw_classes = lines[ccol].tolist() if ccol else [None] * n
    classes = []
    for c in raw_classes:
        c = _first(c)
        classes.append(default_class if _is_missing(c) else str(c))
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
    junction = lines["junction"].tolist() if "junction" in lines.columns else [None] * n
    if oneway_col in lines.columns:
        ow = lines[oneway_col].tolist()
        direction = np.array(
            [_oneway_direction(ow[i], classes[i], junction[i], records[i], oneway_col) for i in range(n)], dtype=np.int8
        )
    else:
        direction = np.array(
            [_oneway_direction(None, classes[i], junction[i], records[i], oneway_col) for i in range(n)], dtype=np.int8
        )
    given_len = None
    if length_col is not None:
        if length_col not in lines.columns:
            raise NetworkError(f"road layer has no length column {length_col!r}", field=length_col)
        given_len = pd.to_numeric(lines[length_col], errors="coerce").to_numpy(dtype=float)
        bad = ~(np.isfinite(given_len) & (given_len >= 0))
        if bad.any():
            rec = records[int(np.argmax(bad))]
            raise NetworkError(f"road {rec!r}: {length_col} is not a length in metres", record=rec, field=length_col)
    names = lines[name_col].tolist() if name_col in lines.columns else None

    # vertices -> nodes; a MultiLineString's parts stay separate lines of the same row
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
    rows_with_segments = np.zeros(n, dtype=bool)
    rows_with_segments[seg_row] = True
    if not rows_with_segments.all():
        rec = records[int(np.argmin(rows_with_segments))]
        raise NetworkError(f"road {rec!r}: line has fewer than two distinct points", record=rec, field="geometry")

    mcrs = crs or metric_crs(node_lonlat[:, 0], node_lonlat[:, 1])
    mx, my = _transformer(mcrs).transform(node_lonlat[:, 0], node_lonlat[:, 1])
    seg_len = np.hypot(mx[b] - mx[a], my[b] - my[a])
    if given_len is not None:
        measured = np.bincount(seg_row, weights=seg_len, minlength=n)
        factor = np.where(measured > 0, given_len / np.where(measured > 0, measured, 1.0), 0.0)
        seg_len = seg_len * factor[seg_row]
    seg_speed = row_speed[seg_row]
    seg_time = seg_len / (seg_speed / 3.6)
    seg_dir = direction[seg_row]

    g = nx.MultiDiGraph(crs=WGS84, metric_crs=mcrs, synthetic=bool(synthetic))
    g.add_nodes_from((i, {"x": float(x), "y": float(y)}) for i, (x, y) in enumerate(node_lonlat.tolist()))
    edges = []
    al, bl, ll, tl, rl = a.tolist(), b.tolist(), seg_len.tolist(), seg_time.tolist(), seg_row.tolist()
    dl = seg_dir.tolist()
    spl = seg_speed.tolist()
    for u, v, length, tt, r, d, sp in zip(al, bl, ll, tl, rl, dl, spl):
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


def read_roads(path: str | Path, layer: str | None = None, **kwargs) -> nx.MultiDiGraph:
    """Read a line layer (GeoPackage, Shapefile, GeoJSON, ...) into a road graph.

    ``kwargs`` go to :func:`road_graph` (``speeds``, ``class_col``, ``oneway_col`` ...).
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


# --------------------------------------------------------------------------- compiled form


@dataclass(eq=False)
class CompiledRoads:
    """Array form of a road graph used for snapping and scipy shortest paths.

    Parallel edges are reduced to the fastest one.  ``lex`` is a CSR matrix whose
    weights encode (travel time, length) lexicographically in one float64, so a
    single Dijkstra run yields the fastest path and the length of that same path;
    see :func:`networks.paths.points_travel_matrix`.
    """

    labels: np.ndarray  # node label per index
    lon: np.ndarray
    lat: np.ndarray
    x: np.ndarray  # metric coordinates
    y: np.ndarray
    metric_crs: str
    src: np.ndarray
    dst: np.ndarray
    travel_time: np.ndarray
    length: np.ndarray
    synthetic: bool
    n_edges_graph: int
    fingerprint: str = ""
    _pos: dict = field(default=None, repr=False)  # type: ignore[assignment]
    _tree: Any = field(default=None, repr=False)
    _scc: Any = field(default=None, repr=False)
    _lex: Any = field(default=None, repr=False)
    _trees: dict = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        return len(self.labels)

    def index_of(self, label) -> int:
        if self._pos is None:
            self._pos = {lab: i for i, lab in enumerate(self.labels.tolist())}
        try:
            return self._pos[label]
        except KeyError:
            raise NetworkError(f"{label!r} is not a node of the road graph", record=label, field="node") from None

    def csr(self, weight: str = "travel_time"):
        import scipy.sparse as sp

        w = getattr(self, weight)
        return sp.csr_matrix((w, (self.src, self.dst)), shape=(self.n, self.n))

    def lex(self):
        """(csr, length_scale, time_scale, shift): weight = t_units * 2**shift + l_units."""
        if self._lex is None:
            import scipy.sparse as sp

            # a fastest path is simple: at most n-1 edges, so its sums are bounded by
            # the sums of the n-1 largest edge values; all path sums stay below 2**52
            k = max(1, min(self.n - 1, len(self.src)))

            def top(values: np.ndarray) -> float:
                if len(values) <= k:
                    return float(values.sum())
                return float(np.partition(values, len(values) - k)[len(values) - k :].sum())

            lsum = top(self.length) + k
            tsum = top(self.travel_time) + k
            free = 51 - math.ceil(math.log2(lsum + 1)) - math.ceil(math.log2(tsum + 1))
            kt = min(10, free - min(7, free // 2))
            kl = min(7, free - kt)
            ls, ts = 2.0**kl, 2.0**kt
            lu = np.rint(self.length * ls)
            shift = math.ceil(math.log2(top(lu) + 1))
            while True:
                tu = np.maximum(1.0, np.rint(self.travel_time * ts))
                if top(tu) * 2.0**shift + top(lu) < 2.0**52:
                    break
                ts /= 2.0
            w = tu * 2.0**shift + lu
            mat = sp.csr_matrix((w, (self.src, self.dst)), shape=(self.n, self.n))
            self._lex = (mat, ls, ts, shift)
        return self._lex

    def tree(self, restrict: np.ndarray | None = None):
        from scipy.spatial import cKDTree

        key = None if restrict is None else "largest"
        if key not in self._trees:
            if restrict is None:
                self._trees[key] = (cKDTree(np.column_stack([self.x, self.y])), np.arange(self.n))
            else:
                self._trees[key] = (cKDTree(np.column_stack([self.x[restrict], self.y[restrict]])), restrict)
        return self._trees[key]

    def scc(self) -> tuple[int, np.ndarray]:
        if self._scc is None:
            from scipy.sparse.csgraph import connected_components

            self._scc = connected_components(self.csr(), directed=True, connection="strong")
        return self._scc

    def largest_component(self) -> np.ndarray:
        ncomp, labels = self.scc()
        sizes = np.bincount(labels, minlength=ncomp)
        return np.flatnonzero(labels == int(np.argmax(sizes)))

    def project(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        return _transformer(self.metric_crs).transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))


_COMPILED: weakref.WeakKeyDictionary[Any, tuple[tuple[int, int], CompiledRoads]] = weakref.WeakKeyDictionary()


def compile_roads(roads: nx.Graph) -> CompiledRoads:
    """The array form of ``roads``.

    Cached per graph object: treat road graphs as read-only once built, or call
    :func:`forget` after editing one in place (adding nodes is noticed, changing
    edge attributes is not).
    """
    if not isinstance(roads, nx.Graph):
        raise NetworkError(f"roads must be a networkx graph, got {type(roads).__name__}", field="roads")
    original = roads
    stamp = roads.number_of_nodes()  # counting a MultiDiGraph's edges costs as much as a matrix
    hit = _COMPILED.get(roads)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    if not roads.is_directed():
        roads = nx.MultiDiGraph(roads.to_directed())
    if roads.number_of_nodes() == 0:
        raise NetworkError("road graph has no nodes", field="roads")
    labels = list(roads.nodes)
    lon = np.empty(len(labels))
    lat = np.empty(len(labels))
    for i, (nid, d) in enumerate(roads.nodes(data=True)):
        try:
            lon[i] = float(d["x"])
            lat[i] = float(d["y"])
        except (KeyError, TypeError, ValueError):
            fld = "x" if not _finite(d.get("x")) else "y"
            raise NetworkError(
                f"road node {nid!r} lacks a numeric {fld!r} (lon/lat) attribute", record=nid, field=fld
            ) from None
        if not (np.isfinite(lon[i]) and np.isfinite(lat[i]) and abs(lon[i]) <= 180 and abs(lat[i]) <= 90):
            raise NetworkError(
                f"road node {nid!r}: x/y ({lon[i]}, {lat[i]}) is not a lon/lat position", record=nid, field="x"
            )
    pos = {lab: i for i, lab in enumerate(labels)}
    m = roads.number_of_edges()
    src = np.empty(m, dtype=np.int64)
    dst = np.empty(m, dtype=np.int64)
    tt = np.empty(m)
    ln = np.empty(m)
    for k, (u, v, d) in enumerate(roads.edges(data=True)):
        src[k] = pos[u]
        dst[k] = pos[v]
        t = d.get("travel_time")
        length = d.get("length")
        if not _finite(t) or float(t) < 0:
            raise NetworkError(
                f"road edge ({u!r}, {v!r}): travel_time {t!r} is not a non-negative number of seconds",
                record=(u, v),
                field="travel_time",
            )
        if not _finite(length) or float(length) < 0:
            raise NetworkError(
                f"road edge ({u!r}, {v!r}): length {length!r} is not a non-negative number of metres",
                record=(u, v),
                field="length",
            )
        tt[k] = float(t)
        ln[k] = float(length)
    keep = src != dst
    src, dst, tt, ln = src[keep], dst[keep], tt[keep], ln[keep]
    # fastest of parallel edges (ties: shorter)
    order = np.lexsort((ln, tt, dst, src))
    src, dst, tt, ln = src[order], dst[order], tt[order], ln[order]
    first = np.ones(len(src), dtype=bool)
    first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
    src, dst, tt, ln = src[first], dst[first], tt[first], ln[first]
    mcrs = roads.graph.get("metric_crs") or metric_crs(lon, lat)
    x, y = _transformer(mcrs).transform(lon, lat)
    h = hashlib.sha256()
    for arr in (lon, lat, src, dst, tt, ln):
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update(mcrs.encode())
    comp = CompiledRoads(
        np.array(labels, dtype=object),
        lon,
        lat,
        np.asarray(x),
        np.asarray(y),
        mcrs,
        src,
        dst,
        tt,
        ln,
        bool(roads.graph.get("synthetic", False)),
        m,
        fingerprint=h.hexdigest(),
    )
    try:
        _COMPILED[original] = (stamp, comp)
    except TypeError:  # pragma: no cover - graph type without weakref support
        pass
    return comp


def forget(roads: nx.Graph) -> None:
    """Drop the cached array form of ``roads``; call it after editing a graph in place."""
    _COMPILED.pop(roads, None)


def _finite(v) -> bool:
    try:
        return v is not None and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def fingerprint(roads: nx.Graph) -> str:
    """A hash of the graph's geometry, edges, lengths and times (used as a cache key)."""
    return compile_roads(roads).fingerprint


# --------------------------------------------------------------------------- snapping


@dataclass(eq=False)
class SnapResult:
    """Nearest road vertex per point.

    ``node``: graph node label; ``vertex``: its index in :class:`CompiledRoads`;
    ``distance_m``: straight distance from the point to that vertex.
    """

    ids: list
    lon: np.ndarray
    lat: np.ndarray
    node: np.ndarray
    vertex: np.ndarray
    distance_m: np.ndarray
    max_distance_m: float | None

    @property
    def report(self) -> pd.DataFrame:
        """One row per point: id, lon, lat, node, distance_m, too_far."""
        too_far = (
            (self.distance_m > self.max_distance_m)
            if self.max_distance_m is not None
            else np.zeros(len(self.ids), dtype=bool)
        )
        return pd.DataFrame(
            {
                "id": self.ids,
                "lon": self.lon,
                "lat": self.lat,
                "node": self.node,
                "distance_m": self.distance_m,
                "too_far": too_far,
            }
        )

    @property
    def too_far(self) -> pd.DataFrame:
        """Points farther than ``max_distance_m`` from any road vertex."""
        r = self.report
        return r[r["too_far"]].reset_index(drop=True)

    def check(self) -> SnapResult:
        """Raise :class:`NetworkError` naming the points that are too far from the roads."""
        far = self.too_far
        if len(far):
            first = far.iloc[0]
            names = ", ".join(f"{r.id!r} ({r.distance_m:.0f} m)" for r in far.head(5).itertuples())
            raise NetworkError(
                f"{len(far)} point(s) lie farther than {self.max_distance_m:g} m from any road: {names}"
                f"{' ...' if len(far) > 5 else ''}",
                record=first["id"],
                field="geometry",
            )
        return self


def _check_points(ids, lon, lat) -> tuple[list, np.ndarray, np.ndarray]:
    lon = np.asarray(lon, dtype=float).ravel()
    lat = np.asarray(lat, dtype=float).ravel()
    ids = list(range(len(lon))) if ids is None else list(ids)
    if not (len(ids) == len(lon) == len(lat)):
        raise NetworkError(f"{len(ids)} ids but {len(lon)} longitudes and {len(lat)} latitudes", field="ids")
    for i, (x, y) in enumerate(zip(lon, lat)):
        if not (np.isfinite(x) and -180 <= x <= 180):
            raise NetworkError(f"point {ids[i]!r}: longitude {x} out of range", record=ids[i], field="lon")
        if not (np.isfinite(y) and -90 <= y <= 90):
            raise NetworkError(f"point {ids[i]!r}: latitude {y} out of range", record=ids[i], field="lat")
    return ids, lon, lat


def snap(
    roads: nx.Graph,
    lon,
    lat,
    *,
    max_distance_m: float | None = 1000.0,
    ids: Sequence | None = None,
    component: str = "all",
) -> SnapResult:
    """Snap points to the nearest road vertex (scipy cKDTree on metric coordinates).

    ``component="largest"`` snaps only to the largest strongly connected component,
    so that every snapped pair is mutually reachable.  Points farther than
    ``max_distance_m`` are listed in ``result.too_far`` (call ``result.check()`` to
    raise instead).
    """
    if component not in ("all", "largest"):
        raise NetworkError(f"component must be 'all' or 'largest', got {component!r}", field="component")
    ids, lon, lat = _check_points(ids, lon, lat)
    comp = compile_roads(roads)
    restrict = comp.largest_component() if component == "largest" else None
    tree, members = comp.tree(restrict)
    if len(lon) == 0:
        empty = np.array([], dtype=np.int64)
        return SnapResult(ids, lon, lat, np.array([], dtype=object), empty, np.array([]), max_distance_m)
    px, py = comp.project(lon, lat)
    dist, k = tree.query(np.column_stack([px, py]))
    vertex = members[k]
    return SnapResult(
        ids, lon, lat, comp.labels[vertex], vertex.astype(np.int64), np.asarray(dist, dtype=float), max_distance_m
    )


# --------------------------------------------------------------------------- connectivity


@dataclass(eq=False)
class ConnectivityReport:
    """Strongly connected components of a road graph and the nodes outside the main one.

    ``components``: one row per component (size, whether it can reach / be reached
    from the main component, an example node and its position).  ``nodes``: one row
    per node outside the main component with ``reaches_main`` and
    ``reached_from_main``; an ``issue`` of ``disconnected`` means no road links it
    at all (a gap in the layer), ``cannot reach main`` / ``not reachable from main``
    point to one-way traps.
    """

    components: pd.DataFrame
    nodes: pd.DataFrame

    @property
    def ok(self) -> bool:
        return len(self.nodes) == 0

    def check(self) -> ConnectivityReport:
        if not self.ok:
            r = self.nodes.iloc[0]
            raise NetworkError(
                f"road graph is not strongly connected: {len(self.nodes)} node(s) outside the main component, "
                f"e.g. node {r['node']!r} at ({r['lon']:.6f}, {r['lat']:.6f}): {r['issue']}",
                record=r["node"],
                field="connectivity",
            )
        return self


def connectivity(roads: nx.Graph) -> ConnectivityReport:
    """Report disconnected pieces and one-way traps of ``roads`` (see :class:`ConnectivityReport`)."""
    from scipy.sparse.csgraph import breadth_first_order, connected_components

    comp = compile_roads(roads)
    ncomp, labels = comp.scc()
    _, weak = connected_components(comp.csr(), directed=True, connection="weak")
    sizes = np.bincount(labels, minlength=ncomp)
    main = int(np.argmax(sizes))
    root = int(np.flatnonzero(labels == main)[0])
    a = comp.csr()
    fwd = np.zeros(comp.n, dtype=bool)
    fwd[breadth_first_order(a, root, directed=True, return_predecessors=False)] = True
    bwd = np.zeros(comp.n, dtype=bool)
    bwd[breadth_first_order(a.T.tocsr(), root, directed=True, return_predecessors=False)] = True
    main_weak = weak[root]

    def issue(i: int) -> str:
        if weak[i] != main_weak:
            return "disconnected"
        if not bwd[i] and not fwd[i]:
            return "cannot reach main and not reachable from main"
        return "cannot reach main" if not bwd[i] else "not reachable from main"

    rows = []
    for c in np.argsort(-sizes, kind="stable"):
        members = np.flatnonzero(labels == c)
        i = int(members[0])
        rows.append(
            {
                "component": int(c),
                "nodes": int(sizes[c]),
                "main": bool(c == main),
                "reaches_main": bool(bwd[i]),
                "reached_from_main": bool(fwd[i]),
                "issue": "" if c == main else issue(i),
                "example_node": comp.labels[i],
                "lon": comp.lon[i],
                "lat": comp.lat[i],
            }
        )
    comps = pd.DataFrame(rows)
    out = np.flatnonzero(labels != main)
    nodes = pd.DataFrame(
        {
            "node": comp.labels[out],
            "lon": comp.lon[out],
            "lat": comp.lat[out],
            "component": labels[out],
            "reaches_main": bwd[out],
            "reached_from_main": fwd[out],
            "issue": [issue(int(i)) for i in out],
        }
    )
    return ConnectivityReport(comps, nodes)


def largest_component(roads: nx.Graph) -> nx.MultiDiGraph:
    """The subgraph of the largest strongly connected component (a copy)."""
    comp = compile_roads(roads)
    keep = comp.labels[comp.largest_component()].tolist()
    return roads.subgraph(keep).copy()


# --------------------------------------------------------------------------- frames


def roads_frame(roads: nx.Graph) -> gpd.GeoDataFrame:
    """One LineString per directed edge (u → v) with its attributes, EPSG:4326."""
    rows = []
    geoms = []
    xy = {n: (d["x"], d["y"]) for n, d in roads.nodes(data=True)}
    for u, v, d in roads.edges(data=True):
        row = {"u": u, "v": v}
        row.update({k: val for k, val in d.items() if k != "geometry"})
        rows.append(row)
        geoms.append(shapely.LineString([xy[u], xy[v]]))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=WGS84)


# --------------------------------------------------------------------------- synthetic roads


def synthetic_roads(
    nodes: gpd.GeoDataFrame,
    *,
    barriers: Iterable[Any] = (),
    detour: float = 1.3,
    max_edge_m: float = 9000.0,
    speeds: Mapping[str, float] | None = None,
) -> nx.MultiDiGraph:
    """A plausible two-way road graph over a network's nodes when no road data exists.

    The graph is the Delaunay triangulation of the nodes (scipy.spatial), minus
    edges longer than ``max_edge_m`` and edges crossing any of ``barriers``
    (shapely polygons in lon/lat, e.g. a lake), plus the minimum spanning tree of
    the admissible edges so that it stays connected.  Edge length = straight
    length × ``detour``.  Road classes: ``trunk`` along the shortest paths from the
    hub to each station, ``secondary`` along the paths between neighbouring
    township seats (stations and nodes whose ``kind`` is ``township_seat``),
    ``tertiary`` on other edges touching a seat, ``unclassified`` between
    villages.  Node labels are the network's node ids, so every node snaps to
    itself.  ``graph.graph["synthetic"]`` is True.
    """
    import scipy.sparse as sp
    from scipy.sparse.csgraph import minimum_spanning_tree, shortest_path
    from scipy.spatial import Delaunay

    if detour < 1.0:
        raise NetworkError(f"detour factor {detour} is below 1", field="detour")
    speeds_kmh = _check_speeds(speeds)
    if nodes.index.name != "node_id" and "node_id" in nodes.columns:
        nodes = nodes.set_index("node_id")
    nodes = nodes.to_crs(WGS84) if nodes.crs is not None and nodes.crs != WGS84 else nodes
    ids = [str(i) for i in nodes.index]
    n = len(ids)
    if n < 2:
        raise NetworkError("synthetic roads need at least two nodes", field="geometry")
    lon = nodes.geometry.x.to_numpy(dtype=float)
    lat = nodes.geometry.y.to_numpy(dtype=float)
    mcrs = metric_crs(lon, lat)
    x, y = _transformer(mcrs).transform(lon, lat)
    pts = np.column_stack([x, y])
    if n == 2:
        cand = np.array([[0, 1]])
    else:
        tri = Delaunay(pts)
        s = tri.simplices
        e = np.vstack([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]])
        e.sort(axis=1)
        cand = np.unique(e, axis=0)
    seg = shapely.linestrings(
        np.stack(
            [np.column_stack([lon[cand[:, 0]], lat[cand[:, 0]]]), np.column_stack([lon[cand[:, 1]], lat[cand[:, 1]]])],
            axis=1,
        )
    )
    crossing = np.zeros(len(cand), dtype=bool)
    for poly in barriers:
        crossing |= shapely.intersects(seg, poly)
    cand = cand[~crossing]
    straight = np.hypot(*(pts[cand[:, 0]] - pts[cand[:, 1]]).T)
    mst = minimum_spanning_tree(sp.coo_matrix((straight + 1e-9, (cand[:, 0], cand[:, 1])), shape=(n, n))).tocoo()
    in_mst = set(zip(np.minimum(mst.row, mst.col).tolist(), np.maximum(mst.row, mst.col).tolist()))
    if len(in_mst) < n - 1:
        raise NetworkError("barriers cut the nodes into pieces that no straight road can join", field="geometry")
    keep = (straight <= max_edge_m) | np.array([(int(a), int(b)) in in_mst for a, b in cand])
    cand, straight = cand[keep], straight[keep]
    length = straight * detour

    # road classes from the structure of the network
    tier = nodes["tier"].astype(str).to_numpy() if "tier" in nodes.columns else np.array(["village"] * n)
    kind = nodes["kind"].astype(str).to_numpy() if "kind" in nodes.columns else np.array([""] * n)
    seat = (tier == "station") | (kind == "township_seat")
    road_class = np.where(seat[cand[:, 0]] | seat[cand[:, 1]], "tertiary", "unclassified").astype(object)
    edge_pos = {(int(a), int(b)): k for k, (a, b) in enumerate(cand)}
    w = sp.coo_matrix((length, (cand[:, 0], cand[:, 1])), shape=(n, n)).tocsr()

    def upgrade(src: int, targets: np.ndarray, cls: str, pred: np.ndarray) -> None:
        for t in targets:
            cur = int(t)
            while cur != src and pred[cur] >= 0:
                p = int(pred[cur])
                k = edge_pos[(min(p, cur), max(p, cur))]
                if cls == "trunk" or road_class[k] != "trunk":
                    road_class[k] = cls
                cur = p

    seats = np.flatnonzero(seat | (tier == "hub"))
    if len(seats) >= 2:
        _, preds = shortest_path(w, directed=False, indices=seats, return_predecessors=True)
        # secondary: between seats that are neighbours in the seats' own triangulation
        if len(seats) >= 3:
            st = Delaunay(pts[seats]).simplices
            pairs = {
                tuple(sorted((int(seats[a]), int(seats[b]))))
                for s3 in st
                for a, b in ((s3[0], s3[1]), (s3[1], s3[2]), (s3[0], s3[2]))
            }
        else:
            pairs = {(int(seats[0]), int(seats[1]))}
        row = {int(s): i for i, s in enumerate(seats)}
        for a, b in sorted(pairs):
            if np.hypot(*(pts[a] - pts[b])) > 3 * max_edge_m:
                continue
            upgrade(a, np.array([b]), "secondary", preds[row[a]])
        hubs = np.flatnonzero(tier == "hub")
        stations = np.flatnonzero(tier == "station")
        for h in hubs:
            upgrade(int(h), stations, "trunk", preds[row[int(h)]])

    speed = np.array([speeds_kmh.get(c, speeds_kmh["default"]) for c in road_class])
    ttime = length / (speed / 3.6)
    g = nx.MultiDiGraph(crs=WGS84, metric_crs=mcrs, synthetic=True, detour=float(detour))
    g.add_nodes_from((ids[i], {"x": float(lon[i]), "y": float(lat[i])}) for i in range(n))
    edges = []
    for (a, b), ln, tt, c, sp_ in zip(
        cand.tolist(), length.tolist(), ttime.tolist(), road_class.tolist(), speed.tolist()
    ):
        attrs = {"length": ln, "travel_time": tt, "road_class": c, "speed_kmh": sp_, "oneway": False, "synthetic": True}
        edges.append((ids[a], ids[b], attrs))
        edges.append((ids[b], ids[a], dict(attrs)))
    g.add_edges_from(edges)
    return g
