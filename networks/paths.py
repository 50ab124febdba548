"""Travel matrices and route lines on a road graph (great circles when there is none).

How a road matrix is computed
-----------------------------
1. Every point is snapped to its nearest road vertex ([networks.roads.snap][]).
2. Pass-through vertices (chains of degree-2 vertices, e.g. the bends of a road
   between two junctions) that are not snapped points are contracted into single
   edges with the exact summed weight; on real road layers this removes most
   vertices before any search.
3. One scipy ``csgraph.dijkstra`` run per distinct snapped source vertex
   (``indices=`` the sources, in chunks to bound memory) over a CSR matrix whose
   weight encodes *(travel time, length)* lexicographically in one float64
   (``time_units * 2**k + length_units``, both integers, every simple path's sum
   below 2**52 so the arithmetic is exact).  The minimum is the **fastest path**;
   among equally fast paths, the shortest.  Decoding gives the **duration of the
   fastest path and the distance along that same path**, so distance and duration
   in a [TravelMatrix][networks.TravelMatrix] always describe one route.  Edge times and lengths
   are quantised to 2**-j s and 2**-i m, with j ≤ 10 and i ≤ 7 chosen per graph so
   that the sums fit (1/1024 s on small graphs, 1/32 s on a 100,000-edge graph):
   path durations are within about a second of exact float sums.
4. The access legs (point → snapped vertex at the start, vertex → point at the
   end) are added as straight distances driven at ``access_speed_kmh``.

Matrices may be asymmetric (one-way streets).  Unreachable pairs raise
[networks.UnreachableError][] naming them.  Results are cached on disk
(``$COLDROUTE_CACHE`` or ``~/.cache/coldroute``) under a hash of the ids,
coordinates, graph fingerprint and options; pass ``cache=False`` to skip.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import geopandas as gpd
import numpy as np
import shapely

from .compiled import CompiledRoads, compile_roads
from .errors import NetworkError, UnreachableError
from .geo import ArrayLike, check_points
from .matrix import DEFAULT_DETOUR, DEFAULT_SPEED_KMH, TravelMatrix, great_circle_matrix
from .snapping import snap

if TYPE_CHECKING:  # pragma: no cover
    import scipy.sparse as sp

#: Speed (km/h) for the leg between a point and its snapped road vertex.
ACCESS_SPEED_KMH = 15.0
#: Default largest allowed point-to-road distance (m) when building a matrix.
MAX_SNAP_M = 2000.0
_CACHE_VERSION = "1"
_CHUNK_CELLS = 16_000_000  # float64 cells of one dijkstra chunk (~128 MB)


class RoadNetwork(Protocol):
    """What [travel_matrix][networks.paths.travel_matrix] needs of a network: its nodes and, maybe, a road graph.

    [networks.Network][] has both; the protocol keeps this module free of the
    model so that the model can use it.

    Attributes
    ----------
    nodes : geopandas.GeoDataFrame
        Points indexed by node id.
    roads : networkx.Graph or None
        The road graph, if any.
    """

    nodes: gpd.GeoDataFrame
    roads: Any


def cache_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """Where matrices are cached: ``path``, else ``$COLDROUTE_CACHE``, else ``~/.cache/coldroute``.

    Parameters
    ----------
    path : str or os.PathLike, optional
        An explicit directory, which wins.

    Returns
    -------
    pathlib.Path
        The directory (it may not exist yet).
    """
    if path is not None:
        return Path(path)
    env = os.environ.get("COLDROUTE_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "coldroute"


def _cache_key(ids: Sequence[Any], lon: np.ndarray, lat: np.ndarray, fp: str, options: dict[str, Any]) -> str:
    h = hashlib.sha256()
    h.update(_CACHE_VERSION.encode())
    h.update(json.dumps([repr(i) for i in ids]).encode())
    h.update(np.ascontiguousarray(lon, dtype=float).tobytes())
    h.update(np.ascontiguousarray(lat, dtype=float).tobytes())
    h.update(fp.encode())
    h.update(json.dumps(options, sort_keys=True).encode())
    return h.hexdigest()[:40]


def _core_graph(comp: CompiledRoads, pinned: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray] | None:
    """Contract pass-through vertices (degree-2 chains) of the lex-weighted graph.

    A vertex that is not ``pinned`` and either joins exactly two neighbours both
    ways or has one way in and one way out adds nothing to shortest paths but a
    heap operation: chains of them become single edges whose weight is the exact
    sum (integer-valued floats) of the chain.  Returns ``(csr, index)`` where
    ``index[v]`` is the core index of vertex ``v`` (-1 if contracted), or None
    when too few vertices can be contracted to be worth it.
    """
    # deferred: scipy.sparse/csgraph/spatial add ~0.18 s (+50 %) to the 0.37 s of `import networks`
    import scipy.sparse as sp

    mat = comp.lex()[0]
    n = comp.n
    coo = mat.tocoo()
    src, dst, w = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
    outdeg = np.bincount(src, minlength=n)
    indeg = np.bincount(dst, minlength=n)
    order = np.lexsort((dst, src))
    src, dst, w = src[order], dst[order], w[order]
    start = np.concatenate([[0], np.cumsum(outdeg)])
    # in-neighbours sorted per vertex
    iorder = np.lexsort((src, dst))
    isrc = src[iorder]
    istart = np.concatenate([[0], np.cumsum(indeg)])
    o1 = np.full(n, -1)
    o2 = np.full(n, -1)
    has1 = outdeg >= 1
    o1[has1] = dst[start[:-1][has1]]
    has2 = outdeg >= 2
    o2[has2] = dst[start[:-1][has2] + 1]
    i1 = np.full(n, -1)
    i2 = np.full(n, -1)
    ih1 = indeg >= 1
    i1[ih1] = isrc[istart[:-1][ih1]]
    ih2 = indeg >= 2
    i2[ih2] = isrc[istart[:-1][ih2] + 1]
    two_way = (outdeg == 2) & (indeg == 2) & (o1 == i1) & (o2 == i2)
    one_way = (outdeg == 1) & (indeg == 1) & (o1 != i1)
    contract = two_way | one_way
    contract[pinned] = False
    if contract.sum() < 0.1 * n:
        return None
    w1 = np.zeros(n)
    w2 = np.zeros(n)
    w1[has1] = w[start[:-1][has1]]
    w2[has2] = w[start[:-1][has2] + 1]
    # walk every edge leaving a core vertex through contracted vertices to the next core vertex
    from_core = ~contract[src]
    u0 = src[from_core]
    prev = u0.copy()
    cur = dst[from_core].copy()
    acc = w[from_core].copy()
    active = contract[cur]
    for _ in range(n):
        if not active.any():
            break
        a = np.flatnonzero(active)
        c, p = cur[a], prev[a]
        go_first = (o1[c] != p) | one_way[c]
        nxt = np.where(go_first, o1[c], o2[c])
        acc[a] += np.where(go_first, w1[c], w2[c])
        prev[a] = c
        cur[a] = nxt
        active[a] = contract[nxt]
    keep = cur != u0
    core = np.flatnonzero(~contract)
    index = np.full(n, -1)
    index[core] = np.arange(len(core))
    cu, cv, cw = index[u0[keep]], index[cur[keep]], acc[keep]
    order = np.lexsort((cw, cv, cu))
    cu, cv, cw = cu[order], cv[order], cw[order]
    first = np.ones(len(cu), dtype=bool)
    first[1:] = (cu[1:] != cu[:-1]) | (cv[1:] != cv[:-1])
    m = len(core)
    return sp.csr_matrix((cw[first], (cu[first], cv[first])), shape=(m, m)), index


def _lex_dijkstra(comp: CompiledRoads, sources: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fastest-path durations (s) and their lengths (m) from ``sources`` to ``targets`` (vertex indices)."""
    # deferred: scipy.sparse/csgraph/spatial add ~0.18 s (+50 %) to the 0.37 s of `import networks`
    from scipy.sparse.csgraph import dijkstra

    mat, ls, ts, shift = comp.lex()
    core = _core_graph(comp, np.union1d(sources, targets))
    if core is not None:
        mat, index = core
        sources, targets = index[sources], index[targets]
    base = 2.0**shift
    dur = np.empty((len(sources), len(targets)))
    dist = np.empty((len(sources), len(targets)))
    step = max(1, _CHUNK_CELLS // max(mat.shape[0], 1))
    for lo in range(0, len(sources), step):
        w = dijkstra(mat, directed=True, indices=sources[lo : lo + step])[:, targets]
        with np.errstate(invalid="ignore"):
            t_units = np.floor(w / base)
            l_units = w - t_units * base
        dur[lo : lo + step] = t_units / ts
        dist[lo : lo + step] = np.where(np.isfinite(w), l_units / ls, np.inf)
    return dur, dist


def _add(seen: set[Any], item: Any) -> bool:
    """Add ``item`` to ``seen``; False, so it can sit in a generator's condition."""
    seen.add(item)
    return False


def _cached(path: Path | None, ids: list[Any], comp: CompiledRoads) -> TravelMatrix | None:
    """The matrix stored at ``path``, or None when there is none or it is damaged."""
    if path is None or not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            return TravelMatrix(
                tuple(ids), z["distance"], z["duration"], synthetic=comp.synthetic, source=str(z["source"])
            )
    except Exception:  # a damaged cache file is rebuilt
        return None


def points_travel_matrix(
    ids: Sequence[Any],
    lon: ArrayLike,
    lat: ArrayLike,
    *,
    roads: Any = None,
    detour: float = DEFAULT_DETOUR,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    access_speed_kmh: float = ACCESS_SPEED_KMH,
    max_snap_m: float | None = MAX_SNAP_M,
    component: str = "all",
    cache: bool | str | os.PathLike[str] = True,
) -> TravelMatrix:
    """Distances (m) and durations (s) between points.

    The one matrix builder: network matrices, order matrices and benchmarks all come
    through here, so road and straight-line figures are computed (and cached) the
    same way everywhere.

    Parameters
    ----------
    ids : sequence
        Point ids, unique; they label the matrix.
    lon, lat : array-like of float
        Point positions (degrees).
    roads : networkx.Graph, optional
        A road graph (see `networks.roads`): fastest paths on the graph,
        distance along those paths, plus access legs (see the module doc).  None:
        great-circle distance × ``detour`` at ``speed_kmh``.
    detour, speed_kmh : float
        Used only without ``roads``.
    access_speed_kmh : float
        Speed of the straight leg between a point and its snapped road vertex.
    max_snap_m : float or None
        Raise [NetworkError][networks.NetworkError] naming the points farther than this from any
        road (None: no limit).
    component : {"all", "largest"}
        ``"largest"``: snap only to the largest strongly connected part of the graph.
    cache : bool, str or os.PathLike
        True (default directory, see `cache_dir`), False, or a directory.

    Returns
    -------
    TravelMatrix
        Integer metres and seconds; ``synthetic`` when the roads (or their absence)
        make the figures estimates.

    Raises
    ------
    UnreachableError
        Some pairs have no road path; ``.pairs`` lists them.
    """
    if roads is None:
        return great_circle_matrix(list(ids), lon, lat, detour=detour, speed_kmh=speed_kmh)
    if not (access_speed_kmh > 0):
        raise NetworkError(f"access speed {access_speed_kmh} km/h is not positive", field="access_speed_kmh")
    id_list, lon_a, lat_a = check_points(ids, lon, lat)
    if len(set(id_list)) != len(id_list):
        seen: set[Any] = set()
        dup = next(i for i in id_list if i in seen or _add(seen, i))
        raise NetworkError(f"point id {dup!r} appears more than once", record=dup, field="ids")
    comp = compile_roads(roads)
    options = {"access_speed_kmh": float(access_speed_kmh), "max_snap_m": max_snap_m, "component": component}
    path = None
    if cache is not False and len(id_list):
        key = _cache_key(id_list, lon_a, lat_a, comp.fingerprint, options)
        path = cache_dir(None if cache is True else cache) / f"matrix-{key}.npz"
        hit = _cached(path, id_list, comp)
        if hit is not None:
            return hit
    s = snap(roads, lon_a, lat_a, ids=id_list, max_distance_m=max_snap_m, component=component)
    if max_snap_m is not None:
        s.check()
    uv, inv = np.unique(s.vertex, return_inverse=True)
    inv = inv.ravel()
    dur_v, dist_v = _lex_dijkstra(comp, uv, uv)
    dur = dur_v[np.ix_(inv, inv)]
    dist = dist_v[np.ix_(inv, inv)]
    bad = ~np.isfinite(dur)
    if bad.any():
        pairs = [(id_list[i], id_list[j]) for i, j in np.argwhere(bad)]
        shown = ", ".join(f"{a!r} -> {b!r}" for a, b in pairs[:5])
        raise UnreachableError(
            f"{len(pairs)} pair(s) have no path on the road graph: {shown}{' ...' if len(pairs) > 5 else ''} "
            "(see networks.roads.connectivity; component='largest' snaps to the main component only)",
            pairs,
        )
    off = s.distance_m
    access = off[:, None] + off[None, :]
    dist = dist + access
    dur = dur + access / (access_speed_kmh / 3.6)
    np.fill_diagonal(dist, 0.0)
    np.fill_diagonal(dur, 0.0)
    source = f"road graph {comp.fingerprint[:12]}: fastest paths (scipy dijkstra), distance along them"
    tm = TravelMatrix(tuple(id_list), dist, dur, synthetic=comp.synthetic, source=source)
    if path is not None:
        _write_cache(path, tm)
    return tm


def _write_cache(path: Path, tm: TravelMatrix) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, distance=tm.distance, duration=tm.duration, source=tm.source)
        os.replace(tmp, path)
    except OSError as e:  # a read-only cache must not stop planning
        warnings.warn(f"could not write matrix cache {path}: {e}", RuntimeWarning, stacklevel=3)


def travel_matrix(network: RoadNetwork, ids: Sequence[Any] | None = None, **kwargs: Any) -> TravelMatrix:
    """Matrix between ``ids`` of ``network``, on its road graph when it has one.

    Parameters
    ----------
    network : Network
        Anything with ``nodes`` (indexed by node id) and ``roads``.
    ids : sequence, optional
        Node ids, in matrix order (default: all nodes).
    **kwargs
        Options of [points_travel_matrix][networks.paths.points_travel_matrix].

    Returns
    -------
    TravelMatrix
        Labelled by ``ids``.

    Raises
    ------
    NetworkError
        An id is not a node of the network.
    """
    if ids is None:
        nodes = network.nodes
    else:
        ids = list(ids)
        missing = [i for i in ids if i not in network.nodes.index]
        if missing:
            raise NetworkError(f"node {missing[0]!r} is not in the network", record=missing[0], field="node_id")
        nodes = network.nodes.loc[ids]
    return points_travel_matrix(
        list(nodes.index), nodes.geometry.x.to_numpy(), nodes.geometry.y.to_numpy(), roads=network.roads, **kwargs
    )


def route_line(
    roads: Any,
    lon_seq: Sequence[float],
    lat_seq: Sequence[float],
    *,
    max_snap_m: float | None = None,
    component: str = "all",
) -> shapely.LineString:
    """The line a vehicle drives through the points in order, following fastest road paths.

    Each leg is point → snapped vertex → road vertices of the fastest path → next
    snapped vertex → next point, so route maps show the roads the matrix costed.
    One route of [route_lines][networks.paths.route_lines].

    Parameters
    ----------
    roads : networkx.Graph or None
        A road graph; None draws straight legs.
    lon_seq, lat_seq : sequence of float
        The stops in driving order (degrees).
    max_snap_m : float, optional
        Raise when a stop is farther than this from any road.
    component : {"all", "largest"}
        As for [networks.roads.snap][].

    Returns
    -------
    shapely.LineString
        Lon/lat; a single stop gives a degenerate two-point line.

    Raises
    ------
    UnreachableError
        A leg has no road path.
    """
    return route_lines(roads, [(lon_seq, lat_seq)], max_snap_m=max_snap_m, component=component)[0]


#: Vertex chains of road paths kept per compiled graph (pairs of snapped vertices); a plan is
#: rebuilt several times while it is planned (re-timing, dropping stops), and every rebuild
#: draws the same legs.  Cleared when it grows past `_PATH_CACHE_MAX` pairs.
_PATH_CACHE: weakref.WeakKeyDictionary[CompiledRoads, dict[tuple[int, int], np.ndarray]] = weakref.WeakKeyDictionary()
_PATH_CACHE_MAX = 200_000
#: First search radius of a leg, as a multiple of the time to drive its straight line at the
#: graph's top speed (a lower bound of the fastest path); doubled until every target is reached.
_FIRST_RADIUS = 3.0


def route_lines(
    roads: Any,
    routes: Sequence[tuple[ArrayLike, ArrayLike]],
    *,
    max_snap_m: float | None = None,
    component: str = "all",
) -> list[shapely.LineString]:
    """The lines many vehicles drive, each through its stops in order along fastest road paths.

    All routes are snapped in one call, and each distinct leg is searched once: one
    Dijkstra run per distinct leg start, cut at a radius around the farthest of its targets
    (widened until all are reached, so the paths are the exact fastest paths of the whole
    graph), and cached per graph.  Drawing a whole plan on a city graph of 90,000 vertices
    costs about what one uncut search per route used to.

    Parameters
    ----------
    roads : networkx.Graph or None
        A road graph; None draws straight legs.
    routes : sequence of (lon sequence, lat sequence)
        Each route's stops in driving order (degrees).
    max_snap_m : float, optional
        Raise when a stop is farther than this from any road.
    component : {"all", "largest"}
        As for [networks.roads.snap][].

    Returns
    -------
    list of shapely.LineString
        One lon/lat line per route; a single stop gives a degenerate two-point line.

    Raises
    ------
    NetworkError
        A route has no points.
    UnreachableError
        A leg has no road path.
    """
    checked = []
    for lon_seq, lat_seq in routes:
        _, lon, lat = check_points(None, lon_seq, lat_seq)
        if len(lon) == 0:
            raise NetworkError("a route line needs at least one point", field="geometry")
        checked.append((lon, lat))
    if roads is None:
        return [_straight(lon, lat) for lon, lat in checked]
    comp = compile_roads(roads)
    all_lon = np.concatenate([lon for lon, _ in checked]) if checked else np.empty(0)
    all_lat = np.concatenate([lat for _, lat in checked]) if checked else np.empty(0)
    if not len(all_lon):
        return []
    s = snap(roads, all_lon, all_lat, max_distance_m=max_snap_m, component=component)
    if max_snap_m is not None:
        s.check()
    bounds = np.cumsum([0] + [len(lon) for lon, _ in checked])
    verts = [s.vertex[a:b].astype(np.int64) for a, b in zip(bounds[:-1], bounds[1:])]
    pairs = {(int(a), int(b)) for v in verts for a, b in zip(v[:-1], v[1:]) if a != b}
    chains = _vertex_paths(comp, pairs)
    out = []
    for (lon, lat), v in zip(checked, verts):
        if len(lon) == 1:
            out.append(_straight(lon, lat))
            continue
        coords: list[tuple[float, float]] = [(lon[0], lat[0])]
        for k, (a, b) in enumerate(zip(v[:-1], v[1:])):
            if lon[k] == lon[k + 1] and lat[k] == lat[k + 1]:
                continue  # two stops at one place: no leg (the matrix has 0 m there too)
            chain = chains[(int(a), int(b))] if a != b else np.array([b])
            coords.extend(zip(comp.lon[chain].tolist(), comp.lat[chain].tolist()))
            coords.append((lon[k + 1], lat[k + 1]))
        dedup = [coords[0]]
        for c in coords[1:]:
            if c != dedup[-1]:
                dedup.append(c)
        if len(dedup) == 1:
            dedup.append(dedup[0])
        out.append(shapely.LineString(dedup))
    return out


def _straight(lon: np.ndarray, lat: np.ndarray) -> shapely.LineString:
    xy = np.column_stack([lon, lat])
    if len(xy) == 1:
        xy = np.vstack([xy, xy])
    return shapely.LineString(xy)


def _vertex_paths(comp: CompiledRoads, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], np.ndarray]:
    """Vertex chain (both ends included) of the fastest path of every pair of vertex indices."""
    # deferred: scipy.sparse/csgraph/spatial add ~0.18 s (+50 %) to the 0.37 s of `import networks`
    from scipy.sparse.csgraph import dijkstra

    cache = _PATH_CACHE.setdefault(comp, {})
    if len(cache) > _PATH_CACHE_MAX:
        cache.clear()
    todo: dict[int, list[int]] = {}
    for a, b in sorted(pairs - cache.keys()):
        todo.setdefault(a, []).append(b)
    if todo:
        mat, _, ts, shift = comp.lex()
        speeds = comp.length / np.maximum(comp.travel_time, 1e-9)
        top = float(speeds.max()) if len(speeds) else 1.0
        for a, targets in todo.items():
            tg = np.asarray(targets)
            reach_m = float(np.hypot(comp.x[tg] - comp.x[a], comp.y[tg] - comp.y[a]).max())
            seconds = max(60.0, _FIRST_RADIUS * reach_m / top)
            while True:
                # past a week of driving, search the whole graph: what is not reached then has no path
                limit = (np.floor(seconds * ts) + 1.0) * 2.0**shift if seconds < 7 * 86400 else np.inf
                dist, pred = dijkstra(mat, directed=True, indices=a, return_predecessors=True, limit=limit)
                if np.isfinite(dist[tg]).all() or not np.isfinite(limit):
                    break
                seconds *= 4
            for b in targets:
                if not np.isfinite(dist[b]):
                    raise UnreachableError(f"no road path from vertex {a} to vertex {b}", [(a, b)])
                chain = [b]
                cur = b
                while cur != a:
                    cur = int(pred[cur])
                    chain.append(cur)
                cache[(a, b)] = np.array(chain[::-1], dtype=np.int64)
    return {p: cache[p] for p in pairs}
