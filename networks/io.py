"""Networks in and out of files: GeoPackage, GeoJSON and CSV.

* GeoPackage (``.gpkg``): layer ``nodes`` (points, one row per node, ``node_id``
  column) and, when the network has a road graph, layer ``roads`` (one line per
  directed edge with ``road_class``, ``speed_kmh``, ``length_m``, ``oneway`` and
  ``synthetic``).  Reading the roads back rebuilds an equivalent graph (same
  lengths and times; node labels become integers).
* GeoJSON (``.geojson``/``.json``): nodes only.
* CSV (``.csv``): nodes only, with ``lon``/``lat`` columns.

Every column of ``net.nodes`` is written, so optional attributes such as
``cold_store_t`` or ``township`` survive the round trip.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from .errors import NetworkError
from .model import WGS84, Network

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

_FORMATS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON", ".csv": "CSV"}
_BOOL_COLUMNS = ("synthetic",)


def _format(path: Path) -> str:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise NetworkError(
            f"{str(path)!r}: unknown network file type {path.suffix!r} (use {', '.join(sorted(_FORMATS))})",
            record=str(path),
            field="path",
        )
    return fmt


def _nodes_frame(net: Network) -> gpd.GeoDataFrame:
    nodes = net.nodes.reset_index()
    for col in nodes.columns:
        if col == "geometry":
            continue
        if nodes[col].dtype == object:
            nodes[col] = nodes[col].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else v)
    nodes["tier"] = nodes["tier"].astype(str)
    nodes["synthetic"] = nodes["synthetic"].astype(bool)
    return nodes


def write_network(net: Network, path, *, roads: bool = True, layer: str = "nodes") -> None:
    """Write ``net`` to ``path`` (format from the suffix); see the module doc."""
    path = Path(path)
    fmt = _format(path)
    nodes = _nodes_frame(net)
    if fmt == "CSV":
        frame = pd.DataFrame(nodes.drop(columns="geometry"))
        frame.insert(1, "lon", nodes.geometry.x)
        frame.insert(2, "lat", nodes.geometry.y)
        frame.to_csv(path, index=False)
        return
    if path.exists():
        path.unlink()
    if fmt == "GPKG":
        nodes.to_file(path, layer=layer, driver="GPKG")
        if roads and net.roads is not None:
            write_roads(net.roads, path, layer="roads")
    else:
        nodes.to_file(path, driver="GeoJSON")


def write_roads(roads: nx.Graph, path, *, layer: str = "roads") -> None:
    """Write a road graph as one line per directed edge (GeoPackage layer or GeoJSON file)."""
    from .roads import roads_frame

    path = Path(path)
    frame = roads_frame(roads)
    keep = ["u", "v", "road_class", "speed_kmh", "length", "travel_time", "name"]
    frame = frame[[c for c in keep if c in frame.columns] + ["geometry"]].copy()
    frame["u"] = frame["u"].astype(str)
    frame["v"] = frame["v"].astype(str)
    frame = frame.rename(columns={"length": "length_m", "travel_time": "travel_time_s"})
    frame["oneway"] = "yes"
    frame["synthetic"] = bool(roads.graph.get("synthetic", False))
    if _format(path) == "GPKG":
        frame.to_file(path, layer=layer, driver="GPKG")
    else:
        frame.to_file(path, driver="GeoJSON")


def read_roads_layer(path, *, layer: str = "roads") -> nx.MultiDiGraph:
    """Read a road graph written by :func:`write_roads` (exact lengths and speeds)."""
    from .roads import road_graph

    lines = gpd.read_file(path, layer=layer) if _format(Path(path)) == "GPKG" else gpd.read_file(path)
    synthetic = bool(lines["synthetic"].astype(bool).all()) if "synthetic" in lines.columns else False
    return road_graph(
        lines,
        class_col="road_class",
        oneway_col="oneway",
        speed_col="speed_kmh",
        length_col="length_m",
        synthetic=synthetic,
    )


def read_network(path, *, layer: str | None = None, roads: bool = True, name: str | None = None) -> Network:
    """Read a network written by :meth:`Network.to_file` (or any file with the same columns).

    Needs ``node_id``, ``name``, ``tier``, ``parent`` and point geometry (CSV:
    ``lon``/``lat`` columns).  A GeoPackage's ``roads`` layer, when present and
    ``roads`` is true, becomes the road graph.  Validation errors name the node and
    field.
    """
    path = Path(path)
    fmt = _format(path)
    if not path.exists():
        raise NetworkError(f"network file {str(path)!r} does not exist", record=str(path), field="path")
    graph = None
    if fmt == "CSV":
        frame = pd.read_csv(path, dtype={"node_id": str, "parent": str})
        for col in ("lon", "lat"):
            if col not in frame.columns:
                raise NetworkError(f"{str(path)!r} lacks a {col!r} column", record=str(path), field=col)
        nodes = gpd.GeoDataFrame(
            frame.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=WGS84
        )
    else:
        if fmt == "GPKG":
            import pyogrio

            layers = [row[0] for row in pyogrio.list_layers(path)]
            lay = layer or ("nodes" if "nodes" in layers else layers[0])
            nodes = gpd.read_file(path, layer=lay)
            if roads and "roads" in layers:
                graph = read_roads_layer(path, layer="roads")
        else:
            nodes = gpd.read_file(path)
    if "node_id" in nodes.columns:
        nodes["node_id"] = nodes["node_id"].astype(str)
    for col in _BOOL_COLUMNS:
        if col in nodes.columns:
            nodes[col] = nodes[col].map(_as_bool)
    return Network(nodes, roads=graph, name=name or path.stem)


def _as_bool(v) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1", "yes", "t")
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return False
    return bool(v)
