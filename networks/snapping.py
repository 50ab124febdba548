"""Points onto road graphs: the nearest road vertex of each point, and how far it is.

Every matrix and route starts here: a village or customer is joined to the road
graph at its nearest vertex, and the straight leg between them is driven at an
access speed.  A point far from any road is a data problem the planner must see,
so `SnapResult` lists such points and `SnapResult.check` raises
naming them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from .compiled import compile_roads
from .errors import NetworkError
from .geo import ArrayLike, check_points


@dataclass(eq=False)
class SnapResult:
    """Nearest road vertex per point.

    Parameters
    ----------
    ids : list
        Point ids, in input order.
    lon, lat : numpy.ndarray
        Point positions (degrees).
    node : numpy.ndarray
        Graph node label of each point's nearest vertex.
    vertex : numpy.ndarray
        Index of that vertex in `networks.compiled.CompiledRoads`.
    distance_m : numpy.ndarray
        Straight distance (m) from the point to that vertex.
    max_distance_m : float or None
        The limit beyond which a point counts as too far (None: no limit).
    """

    ids: list[Any]
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
        """Raise [NetworkError][networks.NetworkError] naming the points that are too far from the roads.

        Returns
        -------
        SnapResult
            ``self``, when every point is close enough, so calls can be chained.
        """
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


def snap(
    roads: nx.Graph,
    lon: ArrayLike,
    lat: ArrayLike,
    *,
    max_distance_m: float | None = 1000.0,
    ids: Sequence[Any] | None = None,
    component: str = "all",
) -> SnapResult:
    """Snap points to the nearest road vertex (scipy cKDTree on metric coordinates).

    Parameters
    ----------
    roads : networkx.Graph
        A road graph.
    lon, lat : array-like of float
        Point positions (degrees).
    max_distance_m : float or None
        Points farther than this are listed in ``result.too_far`` (call
        ``result.check()`` to raise instead); None: no limit.
    ids : sequence, optional
        Point ids for reports and errors (default 0, 1, ...).
    component : {"all", "largest"}
        ``"largest"`` snaps only to the largest strongly connected component, so that
        every snapped pair is mutually reachable.

    Returns
    -------
    SnapResult
        One entry per point, in input order.
    """
    if component not in ("all", "largest"):
        raise NetworkError(f"component must be 'all' or 'largest', got {component!r}", field="component")
    id_list, lon_a, lat_a = check_points(ids, lon, lat)
    comp = compile_roads(roads)
    restrict = comp.largest_component() if component == "largest" else None
    tree, members = comp.tree(restrict)
    if len(lon_a) == 0:
        empty = np.array([], dtype=np.int64)
        return SnapResult(id_list, lon_a, lat_a, np.array([], dtype=object), empty, np.array([]), max_distance_m)
    px, py = comp.project(lon_a, lat_a)
    dist, k = tree.query(np.column_stack([px, py]))
    vertex = members[k]
    return SnapResult(
        id_list,
        lon_a,
        lat_a,
        comp.labels[vertex],
        vertex.astype(np.int64),
        np.asarray(dist, dtype=float),
        max_distance_m,
    )
