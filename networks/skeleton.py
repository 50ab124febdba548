"""A road skeleton: estimated corridors joined to a local road network over the nodes.

`skeleton_roads` builds the default road graph of
`networks.yanhu` from the estimated corridors of `networks.corridors`:

* corridor edges between consecutive corridor vertices; corridors meet only at
  shared junctions (``x:`` labels) and at the nodes they pass through;
* motorways are entered only at their junctions, each joined by a ``motorway_link``
  to the nearest nodes;
* every node within `ACCESS_MAX_M` of another corridor (township seats, stations and
  the hub within `SEAT_ACCESS_MAX_M`) gets an access link to its nearest point on it;
* local links between neighbouring nodes: the Delaunay edges of the nodes up to
  `LOCAL_MAX_M` long;
* nothing crosses a barrier (the lakes); local and access links do not cross a
  wall (the foot of the 中条山 slopes), which only corridors cross.

Edge length = straight length × `BEND` of its class (roads bend; calibrated, see
docs/networks.md), time = length ÷ class speed (`SPEEDS_KMH`).  The graph is marked
``synthetic`` (estimated), so every matrix on it is flagged as an estimate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from pyproj import Transformer

from .errors import NetworkError
from .geo import WGS84, metric_crs, transformer

#: Class speeds, km/h.  ``motorway`` from the published 57.16 km in about 40 min of the 运三
#: expressway (86 km/h, rounded to 85); the others assumed, then scaled so that the city →
#: 解州 trip takes the published ~30 min (see docs/networks.md).
SPEEDS_KMH: dict[str, float] = {
    "motorway": 85.0,
    "motorway_link": 40.0,
    "trunk": 60.0,
    "primary": 55.0,
    "secondary": 45.0,
    "tertiary": 45.0,
    "unclassified": 32.0,
}
#: Road length ÷ drawn (straight-segment) length per class: the bends a polyline through a few
#: waypoints leaves out; calibrated on the published city → 三路里 (35 km) and city → 解州 (25 km).
BEND: dict[str, float] = {
    "motorway": 1.1,
    "motorway_link": 1.3,
    "trunk": 1.12,
    "primary": 1.12,
    "secondary": 1.15,
    "tertiary": 1.12,
    "unclassified": 1.15,
}
LOCAL_MAX_M = 4000.0
ACCESS_MAX_M = 3000.0
COUNTY_MAX_M = 15000.0
SEAT_ACCESS_MAX_M = 8000.0
#: An access point this close to a corridor vertex is that vertex.
SNAP_TO_VERTEX_M = 150.0


class _Builder:
    """Vertices (metric and lon/lat) and undirected edges of the skeleton being built."""

    def __init__(self, mcrs: str, barriers: Any, walls: Any) -> None:
        self.to_m = transformer(mcrs)
        self.to_deg = Transformer.from_crs(mcrs, WGS84, always_xy=True)
        self.mcrs = mcrs
        self.barriers = barriers
        self.walls = walls
        self.xy: dict[str, tuple[float, float]] = {}
        self.ll: dict[str, tuple[float, float]] = {}
        self.edges: dict[tuple[str, str], str] = {}

    def add_vertex(self, vid: str, lon: float, lat: float) -> None:
        if vid not in self.xy:
            x, y = self.to_m.transform(lon, lat)
            self.xy[vid] = (float(x), float(y))
            self.ll[vid] = (float(lon), float(lat))

    def blocked(self, a: str, b: str, wall: bool = True) -> bool:
        seg = shapely.LineString([self.ll[a], self.ll[b]])
        if self.barriers is not None and seg.intersects(self.barriers):
            return True
        return bool(wall and self.walls is not None and seg.intersects(self.walls))

    def add_edge(self, a: str, b: str, cls: str) -> None:
        if a == b:
            return
        key = (a, b) if a < b else (b, a)
        old = self.edges.get(key)
        if old is None or _RANK[cls] < _RANK[old]:
            self.edges[key] = cls


_RANK = {c: k for k, c in enumerate(["motorway", "trunk", "primary", "secondary", "motorway_link", "tertiary"])}
_RANK["unclassified"] = len(_RANK)


def _corridor_segments(b: _Builder, corridors: gpd.GeoDataFrame, node_ids: set[str]) -> list[tuple[str, str, str]]:
    """Add the corridor vertices; return the corridor segments (a, b, class)."""
    segs = []
    for cid, row in corridors.iterrows():
        coords = list(row.geometry.coords)
        labels = list(row["waypoints"])
        ids = []
        for k, ((lon, lat), lab) in enumerate(zip(coords, labels)):
            if lab in node_ids:
                vid = lab
            elif str(lab).startswith("x:"):
                vid = str(lab)
            else:
                vid = f"c:{cid}:{k}"
            b.add_vertex(vid, lon, lat)
            ids.append(vid)
        segs += [(u, v, str(row["road_class"])) for u, v in zip(ids[:-1], ids[1:]) if u != v]
    return segs


def _access(
    b: _Builder, segs: list[tuple[str, str, str]], nodes: list[str], seats: set[str], on_corridor: set[str]
) -> dict[int, list[tuple[float, str]]]:
    """Access links from nodes to their nearest non-motorway corridor segment; split points per segment."""
    split: dict[int, list[tuple[float, str]]] = {}
    usable = [k for k, s in enumerate(segs) if s[2] != "motorway"]
    sa = np.array([b.xy[segs[k][0]] for k in usable])
    sb = np.array([b.xy[segs[k][1]] for k in usable])
    for nid in nodes:
        if nid in on_corridor:
            continue
        p = np.array(b.xy[nid])
        d = sb - sa
        den = np.maximum((d * d).sum(axis=1), 1e-9)
        t = np.clip(((p - sa) * d).sum(axis=1) / den, 0.0, 1.0)
        dist = np.hypot(*(sa + t[:, None] * d - p).T)
        limit = SEAT_ACCESS_MAX_M if nid in seats else ACCESS_MAX_M
        for j in np.argsort(dist, kind="stable")[:3]:
            if dist[j] > limit:
                break
            k = usable[int(j)]
            u, v, _ = segs[k]
            tj = float(t[j])
            if tj * np.sqrt(den[j]) <= SNAP_TO_VERTEX_M:
                target = u
            elif (1 - tj) * np.sqrt(den[j]) <= SNAP_TO_VERTEX_M:
                target = v
            else:
                target = f"a:{nid}"
                xy = sa[j] + tj * d[j]
                lon, lat = b.to_deg.transform(xy[0], xy[1])
                b.add_vertex(target, float(lon), float(lat))
            if b.blocked(nid, target):
                continue
            if target == f"a:{nid}":
                split.setdefault(k, []).append((tj, target))
            b.add_edge(nid, target, "tertiary" if nid in seats else "unclassified")
            break
    return split


def _interchanges(b: _Builder, segs: list[tuple[str, str, str]], nodes: list[str]) -> None:
    """Join each junction of a motorway to its two nearest nodes by a motorway link."""
    other = {v for u, w, c in segs if c != "motorway" for v in (u, w)}
    junctions = sorted({v for u, w, c in segs if c == "motorway" for v in (u, w) if v.startswith("x:")})
    pts = np.array([b.xy[n] for n in nodes])
    for j in junctions:
        if j in other:
            continue
        dist = np.hypot(*(pts - np.array(b.xy[j])).T)
        joined = 0
        for k in np.argsort(dist, kind="stable"):
            if joined == 2 or dist[k] > ACCESS_MAX_M:
                break
            if not b.blocked(j, nodes[int(k)]):
                b.add_edge(j, nodes[int(k)], "motorway_link")
                joined += 1


def _local(b: _Builder, nodes: list[str], seats: set[str]) -> list[tuple[str, str, float]]:
    """Local links: Delaunay edges of the nodes up to `LOCAL_MAX_M`; the longer admissible ones are returned."""
    # deferred: scipy.spatial adds ~0.18 s to `import networks`
    from scipy.spatial import Delaunay

    pts = np.array([b.xy[n] for n in nodes])
    tri = Delaunay(pts).simplices
    e = np.unique(np.sort(np.vstack([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [0, 2]]]), axis=1), axis=0)
    spare = []
    for i, j in e.tolist():
        a, c = nodes[i], nodes[j]
        if b.blocked(a, c):
            continue
        length = float(np.hypot(*(pts[i] - pts[j])))
        if length <= LOCAL_MAX_M:
            b.add_edge(a, c, "tertiary" if (a in seats and c in seats) else "unclassified")
        else:
            spare.append((a, c, length))
    return spare


def _county(b: _Builder, seats: set[str]) -> None:
    """County roads: the Delaunay edges between seats up to `COUNTY_MAX_M`, as tertiary roads."""
    # deferred: scipy.spatial, as above
    from scipy.spatial import Delaunay

    sid = sorted(seats)
    if len(sid) < 3:
        return
    pts = np.array([b.xy[n] for n in sid])
    tri = Delaunay(pts).simplices
    e = np.unique(np.sort(np.vstack([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [0, 2]]]), axis=1), axis=0)
    for i, j in e.tolist():
        if np.hypot(*(pts[i] - pts[j])) <= COUNTY_MAX_M and not b.blocked(sid[i], sid[j]):
            b.add_edge(sid[i], sid[j], "tertiary")


def _connect(b: _Builder, spare: list[tuple[str, str, float]]) -> None:
    """Join the pieces left apart with the shortest spare local links (Kruskal over the pieces)."""
    g = nx.Graph(list(b.edges))
    g.add_nodes_from(b.xy)
    comp = {v: k for k, c in enumerate(nx.connected_components(g)) for v in c}
    if len(set(comp.values())) == 1:
        return
    parent = {k: k for k in set(comp.values())}

    def find(k: int) -> int:
        while parent[k] != k:
            k = parent[k]
        return k

    for a, c, _ in sorted(spare, key=lambda s: (s[2], s[0], s[1])):
        ra, rc = find(comp[a]), find(comp[c])
        if ra != rc:
            parent[ra] = rc
            b.add_edge(a, c, "unclassified")
    if len({find(k) for k in parent}) > 1:
        raise NetworkError("barriers and walls cut the nodes into pieces no road joins", field="geometry")


def skeleton_roads(
    nodes: gpd.GeoDataFrame,
    corridors: gpd.GeoDataFrame,
    *,
    barriers: Iterable[Any] = (),
    walls: Iterable[Any] = (),
    speeds: Mapping[str, float] | None = None,
    bend: Mapping[str, float] | None = None,
) -> nx.MultiDiGraph:
    """A two-way road graph: estimated corridors joined to local links over the nodes.

    Parameters
    ----------
    nodes : geopandas.GeoDataFrame
        Points indexed by ``node_id``; ``tier`` and ``kind`` mark the seats (hub,
        stations, ``township_seat``) that always get a corridor access link.
    corridors : geopandas.GeoDataFrame
        LineStrings (EPSG:4326) indexed by corridor id with ``road_class`` and
        ``waypoints`` (one label per vertex), as `networks.corridors.corridors` returns.
    barriers : iterable of shapely geometries
        Lon/lat polygons no road crosses (lakes).
    walls : iterable of shapely geometries
        Lon/lat lines only corridors cross (a mountain edge).
    speeds, bend : mapping of str to float, optional
        Overrides of `SPEEDS_KMH` and `BEND` per class.

    Returns
    -------
    networkx.MultiDiGraph
        Every node keeps its id (and snaps to itself); corridor vertices are
        ``c:<corridor>:<k>``, junctions ``x:<name>``, access points ``a:<node>``;
        edges carry ``length``, ``travel_time``, ``road_class``, ``speed_kmh``,
        ``oneway`` (False), ``synthetic`` (True) and ``corridor`` (or None).

    Raises
    ------
    NetworkError
        Fewer than three nodes, a bad speed, or pieces that no admissible link joins.
    """
    spd = {**SPEEDS_KMH, **(speeds or {})}
    bnd = {**BEND, **(bend or {})}
    if any(not (v > 0) for v in spd.values()) or any(not (v >= 1) for v in bnd.values()):
        raise NetworkError("speeds must be positive and bend factors at least 1", field="speed_kmh")
    nodes = nodes.to_crs(WGS84) if nodes.crs is not None and nodes.crs != WGS84 else nodes
    ids = [str(i) for i in nodes.index]
    if len(ids) < 3:
        raise NetworkError("a road skeleton needs at least three nodes", field="geometry")
    lon = nodes.geometry.x.to_numpy(dtype=float)
    lat = nodes.geometry.y.to_numpy(dtype=float)
    mcrs = metric_crs(lon, lat)
    bar = list(barriers)
    wal = list(walls)
    b = _Builder(mcrs, shapely.union_all(bar) if bar else None, shapely.union_all(wal) if wal else None)
    for i, n in enumerate(ids):
        b.add_vertex(n, lon[i], lat[i])
    tier = nodes["tier"].astype(str).to_numpy() if "tier" in nodes.columns else np.array([""] * len(ids))
    kind = nodes["kind"].astype(str).to_numpy() if "kind" in nodes.columns else np.array([""] * len(ids))
    seats = {n for n, t, k in zip(ids, tier, kind) if t in ("hub", "station") or k == "township_seat"}
    segs = _corridor_segments(b, corridors, set(ids))
    on_corridor = {v for s in segs for v in s[:2]}
    split = _access(b, segs, ids, seats, on_corridor)
    corridor_of: dict[tuple[str, str], str] = {}
    for k, (u, v, cls) in enumerate(segs):
        chain = [u, *[vid for _, vid in sorted(split.get(k, []))], v]
        for p, q in zip(chain[:-1], chain[1:]):
            b.add_edge(p, q, cls)
            corridor_of[(p, q) if p < q else (q, p)] = cls
    _interchanges(b, segs, ids)
    _county(b, seats)
    _connect(b, _local(b, ids, seats))
    return _graph(b, spd, bnd, corridor_of)


def _graph(
    b: _Builder, spd: Mapping[str, float], bnd: Mapping[str, float], on_corridor: Mapping[tuple[str, str], str]
) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(crs=WGS84, metric_crs=b.mcrs, synthetic=True, skeleton=True)
    g.add_nodes_from((v, {"x": ll[0], "y": ll[1]}) for v, ll in b.ll.items())
    out = []
    for (u, v), cls in sorted(b.edges.items()):
        straight = float(np.hypot(*(np.array(b.xy[u]) - np.array(b.xy[v]))))
        length = max(straight * bnd[cls], 1.0)
        attrs = {
            "length": length,
            "travel_time": length / (spd[cls] / 3.6),
            "road_class": cls,
            "speed_kmh": float(spd[cls]),
            "oneway": False,
            "synthetic": True,
            "corridor": (u, v) in on_corridor,
        }
        out.append((u, v, attrs))
        out.append((v, u, dict(attrs)))
    g.add_edges_from(out)
    return g
