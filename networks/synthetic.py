"""Synthetic road graphs: plausible roads over a network's nodes when no road data exists.

No road extract of Yuncheng is available offline, yet plans should still follow
roads rather than straight lines, avoid the salt lake and prefer the main roads
between township seats.  [synthetic_roads][networks.synthetic.synthetic_roads] builds such a graph from the
nodes alone and marks it ``synthetic`` so that every figure derived from it is
flagged as an estimate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

from .errors import NetworkError
from .geo import WGS84, metric_crs, transformer
from .road_layers import merged_speeds


def _candidate_edges(
    pts: np.ndarray, lon: np.ndarray, lat: np.ndarray, barriers: Iterable[Any], max_edge_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Delaunay edges not crossing ``barriers``, at most ``max_edge_m`` long or in the MST.

    Returns the vertex pairs (sorted, ``a < b``) and their straight lengths (m).
    """
    # deferred: scipy.sparse/csgraph/spatial add ~0.18 s (+50 %) to the 0.37 s of `import networks`
    import scipy.sparse as sp

    # deferred: scipy, as above
    from scipy.sparse.csgraph import minimum_spanning_tree

    # deferred: scipy, as above
    from scipy.spatial import Delaunay

    n = len(pts)
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
    return cand[keep], straight[keep]


def _road_classes(
    nodes: gpd.GeoDataFrame, pts: np.ndarray, cand: np.ndarray, length: np.ndarray, max_edge_m: float
) -> np.ndarray:
    """Road class per candidate edge from the structure of the network (see `synthetic_roads`)."""
    # deferred: scipy.sparse/csgraph/spatial add ~0.18 s (+50 %) to the 0.37 s of `import networks`
    import scipy.sparse as sp

    # deferred: scipy, as above
    from scipy.sparse.csgraph import shortest_path

    # deferred: scipy, as above
    from scipy.spatial import Delaunay

    n = len(pts)
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
    return road_class


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
    edges longer than ``max_edge_m`` and edges crossing any of ``barriers``, plus
    the minimum spanning tree of the admissible edges so that it stays connected.
    Road classes: ``trunk`` along the shortest paths from the hub to each station,
    ``secondary`` along the paths between neighbouring township seats (stations
    and nodes whose ``kind`` is ``township_seat``), ``tertiary`` on other edges
    touching a seat, ``unclassified`` between villages.

    Parameters
    ----------
    nodes : geopandas.GeoDataFrame
        Points indexed (or with a column) ``node_id``; ``tier`` and ``kind`` columns
        pick the road classes when present.
    barriers : iterable of shapely geometries
        Polygons in lon/lat that no road may cross (e.g. a lake).
    detour : float
        Edge length = straight length × ``detour`` (at least 1).
    max_edge_m : float
        Longest straight edge kept, unless the graph needs it to stay connected.
    speeds : mapping of str to float, optional
        Class speeds (km/h) merged over `networks.roads.DEFAULT_SPEEDS_KMH`.

    Returns
    -------
    networkx.MultiDiGraph
        Node labels are the network's node ids, so every node snaps to itself;
        ``graph.graph["synthetic"]`` is True.

    Raises
    ------
    NetworkError
        Fewer than two nodes, ``detour`` below 1, a bad speed, or barriers that cut
        the nodes apart.
    """
    if detour < 1.0:
        raise NetworkError(f"detour factor {detour} is below 1", field="detour")
    speeds_kmh = merged_speeds(speeds)
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
    x, y = transformer(mcrs).transform(lon, lat)
    pts = np.column_stack([x, y])
    cand, straight = _candidate_edges(pts, lon, lat, barriers, max_edge_m)
    length = straight * detour
    road_class = _road_classes(nodes, pts, cand, length, max_edge_m)

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
