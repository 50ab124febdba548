"""The array form of a road graph: what snapping and scipy shortest paths run on.

A networkx graph is convenient to build and inspect but slow to search; every
matrix, snap and connectivity report therefore works on a `CompiledRoads`
(numpy arrays, CSR matrices, k-d trees), built once per graph object and cached
until the graph changes size or `forget` is called.
"""

from __future__ import annotations

import hashlib
import math
import weakref
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from .errors import NetworkError
from .geo import ArrayLike, metric_crs, transformer

if TYPE_CHECKING:  # pragma: no cover
    import scipy.sparse as sp
    from scipy.spatial import cKDTree

#: (csr, length_scale, time_scale, shift) of `CompiledRoads.lex`.
LexWeights = tuple["sp.csr_matrix", float, float, int]


@dataclass(eq=False)
class CompiledRoads:
    """Array form of a road graph used for snapping and scipy shortest paths.

    Parallel edges are reduced to the fastest one.  ``lex`` is a CSR matrix whose
    weights encode (travel time, length) lexicographically in one float64, so a
    single Dijkstra run yields the fastest path and the length of that same path;
    see [networks.paths.points_travel_matrix][].

    Parameters
    ----------
    labels : numpy.ndarray
        Graph node label per vertex index.
    lon, lat : numpy.ndarray
        Vertex positions (degrees).
    x, y : numpy.ndarray
        Vertex positions in ``metric_crs`` (metres), for snapping.
    metric_crs : str
        The CRS of ``x``/``y``.
    src, dst, travel_time, length : numpy.ndarray
        One entry per directed edge (vertex indices, seconds, metres).
    synthetic : bool
        The graph is generated rather than surveyed.
    n_edges_graph : int
        Edge count of the networkx graph before parallel edges were reduced.
    fingerprint : str
        Hash of positions, edges and weights; a cache key for matrices.
    """

    labels: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    x: np.ndarray
    y: np.ndarray
    metric_crs: str
    src: np.ndarray
    dst: np.ndarray
    travel_time: np.ndarray
    length: np.ndarray
    synthetic: bool
    n_edges_graph: int
    fingerprint: str = ""
    _pos: dict[Hashable, int] | None = field(default=None, repr=False)
    _scc: tuple[int, np.ndarray] | None = field(default=None, repr=False)
    _lex: LexWeights | None = field(default=None, repr=False)
    _trees: dict[str | None, tuple[cKDTree, np.ndarray]] = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        """Number of vertices."""
        return len(self.labels)

    def index_of(self, label: Hashable) -> int:
        """Vertex index of a graph node label.

        Parameters
        ----------
        label : hashable
            A node of the road graph.

        Returns
        -------
        int
            Its row/column in the CSR matrices.
        """
        if self._pos is None:
            self._pos = {lab: i for i, lab in enumerate(self.labels.tolist())}
        try:
            return self._pos[label]
        except KeyError:
            raise NetworkError(f"{label!r} is not a node of the road graph", record=label, field="node") from None

    def csr(self, weight: str = "travel_time") -> sp.csr_matrix:
        """The graph as a CSR matrix weighted by ``weight`` (``travel_time`` or ``length``).

        Parameters
        ----------
        weight : str
            Edge array to use as weights.

        Returns
        -------
        scipy.sparse.csr_matrix
            ``n × n``; entry (u, v) is the edge's weight.
        """
        # deferred: scipy.sparse/csgraph/spatial add ~0.18 s (+50 %) to the 0.37 s of `import networks`
        import scipy.sparse as sp

        w = getattr(self, weight)
        return sp.csr_matrix((w, (self.src, self.dst)), shape=(self.n, self.n))

    def lex(self) -> LexWeights:
        """Lexicographic (time, length) weights: ``weight = t_units * 2**shift + l_units``.

        Returns
        -------
        tuple
            ``(csr, length_scale, time_scale, shift)``: lengths are in units of
            ``1/length_scale`` m, times of ``1/time_scale`` s, and every simple path's
            weight sum stays below 2**52 so float64 sums are exact.
        """
        if self._lex is None:
            # deferred: scipy.sparse/csgraph/spatial add ~0.18 s (+50 %) to the 0.37 s of `import networks`
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

    def tree(self, restrict: np.ndarray | None = None) -> tuple[cKDTree, np.ndarray]:
        """A k-d tree on metric vertex positions, for nearest-vertex snapping.

        Parameters
        ----------
        restrict : numpy.ndarray, optional
            Only these vertex indices (the largest component); the tree is cached
            under that name.

        Returns
        -------
        tree : scipy.spatial.cKDTree
            Tree over the chosen vertices.
        members : numpy.ndarray
            Vertex index of each tree point.
        """
        # deferred: scipy.sparse/csgraph/spatial add ~0.18 s (+50 %) to the 0.37 s of `import networks`
        from scipy.spatial import cKDTree

        key = None if restrict is None else "largest"
        if key not in self._trees:
            if restrict is None:
                self._trees[key] = (cKDTree(np.column_stack([self.x, self.y])), np.arange(self.n))
            else:
                self._trees[key] = (cKDTree(np.column_stack([self.x[restrict], self.y[restrict]])), restrict)
        return self._trees[key]

    def scc(self) -> tuple[int, np.ndarray]:
        """Strongly connected components: ``(count, component label per vertex)``.

        Returns
        -------
        tuple of (int, numpy.ndarray)
            As `scipy.sparse.csgraph.connected_components` returns them.
        """
        if self._scc is None:
            # deferred: scipy.sparse/csgraph/spatial add ~0.18 s (+50 %) to the 0.37 s of `import networks`
            from scipy.sparse.csgraph import connected_components

            self._scc = connected_components(self.csr(), directed=True, connection="strong")
        return self._scc

    def largest_component(self) -> np.ndarray:
        """Vertex indices of the largest strongly connected component.

        Returns
        -------
        numpy.ndarray
            Sorted vertex indices; snapping only to them keeps every pair reachable.
        """
        ncomp, labels = self.scc()
        sizes = np.bincount(labels, minlength=ncomp)
        return np.flatnonzero(labels == int(np.argmax(sizes)))

    def project(self, lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Lon/lat points in this graph's metric CRS.

        Parameters
        ----------
        lon, lat : array-like of float
            Degrees.

        Returns
        -------
        tuple of numpy.ndarray
            ``(x, y)`` in metres, comparable with `x`/`y`.
        """
        return transformer(self.metric_crs).transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))


_COMPILED: weakref.WeakKeyDictionary[Any, tuple[int, CompiledRoads]] = weakref.WeakKeyDictionary()


def _finite(v: Any) -> bool:
    try:
        return v is not None and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def _node_arrays(roads: nx.Graph) -> tuple[list[Hashable], np.ndarray, np.ndarray]:
    """Node labels and their lon/lat, checked."""
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
    return labels, lon, lat


def _edge_arrays(roads: nx.Graph, pos: dict[Hashable, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(src, dst, travel_time, length)`` per edge, without loops, fastest of parallel edges."""
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
    return src[first], dst[first], tt[first], ln[first]


def compile_roads(roads: nx.Graph) -> CompiledRoads:
    """The array form of ``roads``, built once per graph object.

    Cached per graph object: treat road graphs as read-only once built, or call
    `forget` after editing one in place (adding nodes is noticed, changing
    edge attributes is not).

    Parameters
    ----------
    roads : networkx.Graph
        A road graph (see [networks.roads.road_graph][]); undirected graphs are
        taken as two-way.

    Returns
    -------
    CompiledRoads
        Shared between calls; do not modify it.

    Raises
    ------
    NetworkError
        ``roads`` is not a graph, has no nodes, or a node or edge lacks valid
        positions, times or lengths.
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
    labels, lon, lat = _node_arrays(roads)
    pos = {lab: i for i, lab in enumerate(labels)}
    m = roads.number_of_edges()
    src, dst, tt, ln = _edge_arrays(roads, pos)
    mcrs = roads.graph.get("metric_crs") or metric_crs(lon, lat)
    x, y = transformer(mcrs).transform(lon, lat)
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
    """Drop the cached array form of ``roads``; call it after editing a graph in place.

    Parameters
    ----------
    roads : networkx.Graph
        A graph passed to `compile_roads` before (others are ignored).
    """
    _COMPILED.pop(roads, None)


def fingerprint(roads: nx.Graph) -> str:
    """A hash of the graph's geometry, edges, lengths and times (used as a cache key).

    Parameters
    ----------
    roads : networkx.Graph
        A road graph.

    Returns
    -------
    str
        Hex SHA-256; equal graphs give equal fingerprints whatever object holds them.
    """
    return compile_roads(roads).fingerprint
