"""Nodes and road graphs into files, and road layers back: the file formats, without the model.

[networks.Network.to_file][] and [networks.io.write_network][] both end
here; keeping these writers free of `networks.model` lets the model call
them while `networks.io` (which builds networks when reading) imports the
model.  See `networks.io` for the formats.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from .errors import NetworkError
from .road_layers import road_graph, roads_frame

#: File suffix → GDAL driver (or ``CSV``).
FORMATS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON", ".csv": "CSV"}
PathLike = str | Path


def file_format(path: Path) -> str:
    """The format of a network file, from its suffix.

    Parameters
    ----------
    path : pathlib.Path
        A ``.gpkg``, ``.geojson``, ``.json`` or ``.csv`` file.

    Returns
    -------
    str
        ``"GPKG"``, ``"GeoJSON"`` or ``"CSV"``.

    Raises
    ------
    NetworkError
        Any other suffix.
    """
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise NetworkError(
            f"{str(path)!r}: unknown network file type {path.suffix!r} (use {', '.join(sorted(FORMATS))})",
            record=str(path),
            field="path",
        )
    return fmt


def _nodes_frame(nodes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = nodes.reset_index()
    for col in frame.columns:
        if col == "geometry":
            continue
        if frame[col].dtype == object:
            frame[col] = frame[col].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else v)
    frame["tier"] = frame["tier"].astype(str)
    frame["synthetic"] = frame["synthetic"].astype(bool)
    return frame


def write_nodes(
    nodes: gpd.GeoDataFrame,
    graph: nx.Graph | None,
    path: PathLike,
    *,
    roads: bool = True,
    layer: str = "nodes",
) -> None:
    """Write validated network nodes (and a road graph) to ``path``, format from the suffix.

    Parameters
    ----------
    nodes : geopandas.GeoDataFrame
        ``Network.nodes``: indexed by ``node_id``, with ``tier`` and ``synthetic``.
    graph : networkx.Graph or None
        The network's road graph.
    path : str or pathlib.Path
        Target file; an existing GeoPackage or GeoJSON file is replaced.
    roads : bool
        Write ``graph`` as a ``roads`` layer (GeoPackage only).
    layer : str
        GeoPackage layer of the nodes.
    """
    path = Path(path)
    fmt = file_format(path)
    frame = _nodes_frame(nodes)
    if fmt == "CSV":
        table = pd.DataFrame(frame.drop(columns="geometry"))
        table.insert(1, "lon", frame.geometry.x)
        table.insert(2, "lat", frame.geometry.y)
        table.to_csv(path, index=False)
        return
    if path.exists():
        path.unlink()
    if fmt == "GPKG":
        frame.to_file(path, layer=layer, driver="GPKG")
        if roads and graph is not None:
            write_roads(graph, path, layer="roads")
    else:
        frame.to_file(path, driver="GeoJSON")


def write_roads(roads: nx.Graph, path: PathLike, *, layer: str = "roads") -> None:
    """Write a road graph as one line per directed edge (GeoPackage layer or GeoJSON file).

    Lengths and times are written as stored, so `read_roads_layer` rebuilds
    the same graph rather than re-measuring it.

    Parameters
    ----------
    roads : networkx.Graph
        A road graph.
    path : str or pathlib.Path
        ``.gpkg`` (adds or replaces ``layer``) or ``.geojson``/``.json``.
    layer : str
        GeoPackage layer name.
    """
    path = Path(path)
    frame = roads_frame(roads)
    keep = ["u", "v", "road_class", "speed_kmh", "length", "travel_time", "name"]
    frame = frame[[c for c in keep if c in frame.columns] + ["geometry"]].copy()
    frame["u"] = frame["u"].astype(str)
    frame["v"] = frame["v"].astype(str)
    frame = frame.rename(columns={"length": "length_m", "travel_time": "travel_time_s"})
    frame["oneway"] = "yes"
    frame["synthetic"] = bool(roads.graph.get("synthetic", False))
    if file_format(path) == "GPKG":
        frame.to_file(path, layer=layer, driver="GPKG")
    else:
        frame.to_file(path, driver="GeoJSON")


def read_roads_layer(path: PathLike, *, layer: str = "roads") -> nx.MultiDiGraph:
    """Read a road graph written by `write_roads` (exact lengths and speeds).

    Parameters
    ----------
    path : str or pathlib.Path
        The file written by `write_roads`.
    layer : str
        GeoPackage layer name.

    Returns
    -------
    networkx.MultiDiGraph
        Same lengths and times as the graph written; node labels become integers.
    """
    lines = gpd.read_file(path, layer=layer) if file_format(Path(path)) == "GPKG" else gpd.read_file(path)
    synthetic = bool(lines["synthetic"].astype(bool).all()) if "synthetic" in lines.columns else False
    return road_graph(
        lines,
        class_col="road_class",
        oneway_col="oneway",
        speed_col="speed_kmh",
        length_col="length_m",
        synthetic=synthetic,
    )
