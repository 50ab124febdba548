"""The three-tier logistics network: a hub, township stations and village points.

A [Network][networks.model.Network] is a validated GeoDataFrame of nodes (EPSG:4326, indexed by
``node_id``) plus an optional road graph.  It is deliberately a thin wrapper so
that planners can keep using pandas/geopandas on ``net.nodes`` directly.

Its matrix, road and file methods delegate to `networks.paths`,
`networks.synthetic` and `networks.files`, none of which imports this
module (paths takes any object with ``nodes`` and ``roads``), so the package's
module graph stays acyclic; `networks.io` and `networks.yanhu`, which
build networks, sit above it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from .errors import NetworkError
from .files import PathLike, write_nodes
from .geo import UTM49N, WGS84
from .matrix import TravelMatrix
from .paths import travel_matrix
from .synthetic import synthetic_roads

__all__ = ["REQUIRED_COLUMNS", "UTM49N", "WGS84", "Network", "Tier"]


class Tier(str, Enum):
    """The level of a node: goods flow hub → station → village and produce back up.

    Attributes
    ----------
    HUB
        The district hub (cold store), the root of the tree.
    STATION
        A township station; its parent is the hub.
    VILLAGE
        A village; its parent is a station.
    """

    HUB = "hub"
    STATION = "station"
    VILLAGE = "village"

    @property
    def rank(self) -> int:
        """0 for the hub, 1 for stations, 2 for villages: a parent is exactly one rank up."""
        return {Tier.HUB: 0, Tier.STATION: 1, Tier.VILLAGE: 2}[self]


REQUIRED_COLUMNS = ("name", "tier", "parent")


def _validate_nodes(nodes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if not isinstance(nodes, gpd.GeoDataFrame):
        raise NetworkError("nodes must be a GeoDataFrame", field="nodes")
    nodes = nodes.copy()
    if nodes.index.name != "node_id":
        if "node_id" in nodes.columns:
            nodes = nodes.set_index("node_id")
        else:
            raise NetworkError("nodes need a 'node_id' column or index", field="node_id")
    if nodes.crs is None:
        raise NetworkError("nodes have no CRS; expected EPSG:4326", field="geometry")
    if nodes.crs != WGS84:
        nodes = nodes.to_crs(WGS84)
    for col in REQUIRED_COLUMNS:
        if col not in nodes.columns:
            raise NetworkError(f"nodes lack the required column {col!r}", field=col)
    if "name_zh" not in nodes.columns:
        nodes["name_zh"] = nodes["name"]
    if "synthetic" not in nodes.columns:
        nodes["synthetic"] = False
    nodes.index = nodes.index.astype(str)
    for nid in nodes.index:
        if nid == "" or nid.lower() == "nan":
            raise NetworkError(f"empty node id {nid!r}", record=nid, field="node_id")
    dup = nodes.index[nodes.index.duplicated()]
    if len(dup):
        raise NetworkError(f"node {dup[0]!r} appears more than once", record=dup[0], field="node_id")
    valid_tiers = {t.value for t in Tier}
    for nid, tier in nodes["tier"].items():
        if tier not in valid_tiers:
            raise NetworkError(
                f"node {nid!r}: tier {tier!r} is not one of hub, station, village", record=nid, field="tier"
            )
    for nid, geom in nodes.geometry.items():
        if geom is None or geom.is_empty or geom.geom_type != "Point":
            raise NetworkError(f"node {nid!r}: geometry must be a point", record=nid, field="geometry")
        lon, lat = geom.x, geom.y
        if not (np.isfinite(lon) and -180.0 <= lon <= 180.0):
            raise NetworkError(f"node {nid!r}: longitude {lon} out of range [-180, 180]", record=nid, field="lon")
        if not (np.isfinite(lat) and -90.0 <= lat <= 90.0):
            raise NetworkError(f"node {nid!r}: latitude {lat} out of range [-90, 90]", record=nid, field="lat")
    tiers = {nid: Tier(t) for nid, t in nodes["tier"].items()}
    if Tier.HUB not in tiers.values():
        raise NetworkError("network has no hub", field="tier")
    nodes["parent"] = pd.Series(
        [None if (p is None or (isinstance(p, float) and np.isnan(p)) or p == "") else str(p) for p in nodes["parent"]],
        index=nodes.index,
        dtype=object,
    )
    for nid, p in nodes["parent"].items():
        t = tiers[nid]
        if t == Tier.HUB:
            if p is not None:
                raise NetworkError(f"hub {nid!r} cannot have a parent (got {p!r})", record=nid, field="parent")
            continue
        if p is None:
            raise NetworkError(f"{t.value} {nid!r} has no parent", record=nid, field="parent")
        if p not in nodes.index:
            raise NetworkError(f"{t.value} {nid!r}: parent {p!r} is not a node", record=nid, field="parent")
        if tiers[p].rank != t.rank - 1:
            raise NetworkError(
                f"{t.value} {nid!r}: parent {p!r} is a {tiers[p].value}, expected a "
                f"{'hub' if t == Tier.STATION else 'station'}",
                record=nid,
                field="parent",
            )
    return nodes


@dataclass(eq=False)
class Network:
    """Nodes of a three-tier network and, optionally, the road graph between them.

    A thin, validated wrapper so that planners keep using pandas/geopandas on
    ``net.nodes`` directly, while every node is known to have a valid position,
    tier and parent.

    Parameters
    ----------
    nodes : geopandas.GeoDataFrame
        Points with ``node_id`` (index or column), ``name``, ``tier`` and
        ``parent``; other CRSs are converted to EPSG:4326, and ``name_zh`` and
        ``synthetic`` are added when absent.
    roads : networkx.Graph, optional
        A ``MultiDiGraph``/``DiGraph`` whose edges carry ``length`` (m) and
        ``travel_time`` (s); when absent, travel matrices fall back to great circles
        times a detour factor.
    name : str
        Label for reports and file names.

    Raises
    ------
    NetworkError
        Naming the node (``.record``) and column (``.field``) of the first problem.
    """

    nodes: gpd.GeoDataFrame
    roads: Any = None
    name: str = "network"

    def __post_init__(self) -> None:
        self.nodes = _validate_nodes(self.nodes)
        if self.roads is not None and not isinstance(self.roads, nx.Graph):
            raise NetworkError(
                f"roads must be a networkx graph (see networks.roads.road_graph), got {type(self.roads).__name__}",
                field="roads",
            )

    # -- slices ---------------------------------------------------------------------------
    def _tier(self, tier: Tier) -> gpd.GeoDataFrame:
        return self.nodes[self.nodes["tier"].astype(str) == tier.value]

    @property
    def hub(self) -> gpd.GeoDataFrame:
        """The hub's row (a one-row frame, so it can be used like the other slices)."""
        return self._tier(Tier.HUB)

    @property
    def hub_id(self) -> str:
        """Node id of the hub (the first, if a file lists several)."""
        return str(self.hub.index[0])

    @property
    def stations(self) -> gpd.GeoDataFrame:
        """Township stations, in file order."""
        return self._tier(Tier.STATION)

    @property
    def villages(self) -> gpd.GeoDataFrame:
        """Village-tier nodes (villages and township seats), in file order."""
        return self._tier(Tier.VILLAGE)

    def villages_of(self, station: str) -> gpd.GeoDataFrame:
        """The villages served from ``station``.

        Parameters
        ----------
        station : str
            Node id of a station.

        Returns
        -------
        geopandas.GeoDataFrame
            Villages whose ``parent`` is ``station``.

        Raises
        ------
        NetworkError
            ``station`` is not a station of this network.
        """
        if station not in self.nodes.index or self.nodes.at[station, "tier"] != Tier.STATION.value:
            raise NetworkError(f"{station!r} is not a station of this network", record=station, field="node_id")
        v = self.villages
        return v[v["parent"] == station]

    def __len__(self) -> int:
        return len(self.nodes)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self.nodes.index

    @property
    def lonlat(self) -> np.ndarray:
        """``(n, 2)`` array of longitude, latitude in node order, for numeric work."""
        return np.column_stack([self.nodes.geometry.x.to_numpy(), self.nodes.geometry.y.to_numpy()])

    def summary(self) -> pd.DataFrame:
        """Villages and synthetic share per station: the table a planner looks at first.

        Returns
        -------
        pandas.DataFrame
            Indexed by station: ``name``, ``name_zh``, ``villages``, ``synthetic_villages``.
        """
        v = self.villages
        rows = []
        for sid, st in self.stations.iterrows():
            vs = v[v["parent"] == sid]
            rows.append(
                {
                    "station": sid,
                    "name": st["name"],
                    "name_zh": st["name_zh"],
                    "villages": len(vs),
                    "synthetic_villages": int(vs["synthetic"].astype(bool).sum()),
                }
            )
        return pd.DataFrame(rows).set_index("station")

    # -- matrices -------------------------------------------------------------------------
    def travel_matrix(self, ids: Sequence[Any] | None = None, **kwargs: Any) -> TravelMatrix:
        """Distances and durations between ``ids`` (default: all nodes).

        Uses the road graph when there is one, else great circles × detour.

        Parameters
        ----------
        ids : sequence, optional
            Node ids in matrix order.
        **kwargs
            Options of [networks.points_travel_matrix][] (``cache``,
            ``max_snap_m``, ``detour`` ...).

        Returns
        -------
        TravelMatrix
            Integer metres and seconds, labelled by ``ids``.
        """
        return travel_matrix(self, ids=ids, **kwargs)

    def with_roads(self, roads: Any) -> Network:
        """The same nodes with another road graph.

        Parameters
        ----------
        roads : networkx.Graph or None
            E.g. from [networks.road_graph][] or [networks.read_osm][]; None
            drops the graph.

        Returns
        -------
        Network
            A new network; this one is unchanged.
        """
        return Network(self.nodes, roads=roads, name=self.name)

    def with_synthetic_roads(self, **kwargs: Any) -> Network:
        """The same nodes with a generated road graph, for when no road data exists.

        Parameters
        ----------
        **kwargs
            Options of [networks.synthetic_roads][] (``barriers``, ``detour`` ...).

        Returns
        -------
        Network
            A new network whose ``roads`` is synthetic.
        """
        return self.with_roads(synthetic_roads(self.nodes, **kwargs))

    def reassign_villages(self, by: str = "duration", matrix: TravelMatrix | None = None) -> Network:
        """A new network whose villages hang off the station nearest to them.

        Parameters
        ----------
        by : {"duration", "distance"}
            Read from station to village (the delivery direction).
        matrix : TravelMatrix, optional
            Default: this network's travel matrix over stations and villages.

        Returns
        -------
        Network
            Same nodes and roads with new village parents; ties go to the station
            listed first.
        """
        if by not in ("duration", "distance"):
            raise NetworkError(f"by must be 'duration' or 'distance', got {by!r}", field="by")
        stations = list(self.stations.index)
        villages = list(self.villages.index)
        if not stations:
            raise NetworkError("network has no station to assign villages to", field="tier")
        if not villages:
            return Network(self.nodes, roads=self.roads, name=self.name)
        if matrix is None:
            matrix = self.travel_matrix(stations + villages)
        arr = getattr(matrix, by)
        si = matrix.indices(stations)
        vi = matrix.indices(villages)
        best = np.argmin(arr[np.ix_(si, vi)], axis=0)
        nodes = self.nodes.copy()
        nodes.loc[villages, "parent"] = [stations[k] for k in best]
        return Network(nodes, roads=self.roads, name=self.name)

    # -- files ----------------------------------------------------------------------------
    def to_file(self, path: PathLike, *, roads: bool = True, layer: str = "nodes") -> None:
        """Write the network to a file; read it back with [networks.read_network][].

        Parameters
        ----------
        path : str or pathlib.Path
            GeoPackage (``.gpkg``; nodes layer plus a ``roads`` layer when there is
            a road graph and ``roads``), GeoJSON (``.geojson``/``.json``, nodes only)
            or CSV (``.csv``, lon/lat columns).
        roads : bool
            Write the road graph too (GeoPackage only).
        layer : str
            GeoPackage layer of the nodes.
        """
        write_nodes(self.nodes, self.roads, path, roads=roads, layer=layer)
