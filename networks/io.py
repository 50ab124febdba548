"""Networks in and out of files: GeoPackage, GeoJSON and CSV.

* GeoPackage (``.gpkg``): layer ``nodes`` (points, one row per node, ``node_id``
  column) and, when the network has a road graph, layer ``roads`` (one line per
  directed edge with ``road_class``, ``speed_kmh``, ``length_m``, ``oneway`` and
  ``synthetic``).  Reading the roads back rebuilds an equivalent graph (same
  lengths and times; node labels become integers).
* GeoJSON (``.geojson``/``.json``): nodes only.
* CSV (``.csv``): nodes only, with ``lon``/``lat`` columns.

Every column of ``net.nodes`` is written, so optional attributes such as
``cold_store_t`` or ``township`` survive the round trip.  The writers live in
`networks.files` (which the model uses for [Network.to_file][networks.Network.to_file]); this
module adds reading, which builds a [Network][networks.io.Network].
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .errors import NetworkError
from .files import PathLike, file_format, read_roads_layer, write_nodes, write_roads
from .geo import WGS84
from .model import Network

__all__ = ["read_network", "read_roads_layer", "write_network", "write_roads"]

_BOOL_COLUMNS = ("synthetic",)


def write_network(net: Network, path: PathLike, *, roads: bool = True, layer: str = "nodes") -> None:
    """Write ``net`` to ``path``, format from the suffix (see the module doc).

    Parameters
    ----------
    net : Network
        The network to write.
    path : str or pathlib.Path
        ``.gpkg``, ``.geojson``/``.json`` or ``.csv``; an existing file is replaced.
    roads : bool
        Also write the road graph (GeoPackage only).
    layer : str
        GeoPackage layer of the nodes.
    """
    write_nodes(net.nodes, net.roads, path, roads=roads, layer=layer)


def _read_nodes(path: Path, fmt: str, layer: str | None, roads: bool) -> tuple[gpd.GeoDataFrame, Any]:
    """Nodes as stored in ``path``, and the road graph of its ``roads`` layer (or None)."""
    graph = None
    if fmt == "CSV":
        frame = pd.read_csv(path, dtype={"node_id": str, "parent": str})
        for col in ("lon", "lat"):
            if col not in frame.columns:
                raise NetworkError(f"{str(path)!r} lacks a {col!r} column", record=str(path), field=col)
        nodes = gpd.GeoDataFrame(
            frame.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=WGS84
        )
    elif fmt == "GPKG":
        layers = gpd.list_layers(path)["name"].tolist()
        lay = layer or ("nodes" if "nodes" in layers else layers[0])
        nodes = gpd.read_file(path, layer=lay)
        if roads and "roads" in layers:
            graph = read_roads_layer(path, layer="roads")
    else:
        nodes = gpd.read_file(path)
    return nodes, graph


def read_network(path: PathLike, *, layer: str | None = None, roads: bool = True, name: str | None = None) -> Network:
    """Read a network written by [Network.to_file][networks.Network.to_file] (or any file with the same columns).

    Parameters
    ----------
    path : str or pathlib.Path
        ``.gpkg``, ``.geojson``/``.json`` or ``.csv``.  Needs ``node_id``, ``name``,
        ``tier``, ``parent`` and point geometry (CSV: ``lon``/``lat`` columns).
    layer : str, optional
        GeoPackage layer of the nodes (default ``nodes``, else the first layer).
    roads : bool
        Attach a GeoPackage's ``roads`` layer, when present, as the road graph.
    name : str, optional
        Network name (default: the file's stem).

    Returns
    -------
    Network
        Validated; errors name the node and field.

    Raises
    ------
    NetworkError
        The file is missing, not a regular file (a pipe or a device would block), of unknown
        type, unreadable (empty, not in its format), or its nodes are invalid.  Nothing else
        escapes.
    """
    path = Path(path)
    fmt = file_format(path)
    _check_regular_file(path)
    try:
        nodes, graph = _read_nodes(path, fmt, layer, roads)
        if "node_id" in nodes.columns:
            nodes["node_id"] = nodes["node_id"].astype(str)
        for col in _BOOL_COLUMNS:
            if col in nodes.columns:
                nodes[col] = nodes[col].map(_as_bool)
        return Network(nodes, roads=graph, name=name or path.stem)
    except NetworkError:
        raise
    except Exception as e:  # pandas' EmptyDataError, pyogrio's DataSourceError, ValueError: the file's fault
        msg = f"cannot read network file {path.name!r} ({type(e).__name__}: {e})"
        raise NetworkError(msg, record=str(path), field="path") from None


def _check_regular_file(path: Path) -> None:
    """The file exists and is a regular file: a named pipe or a device would block the read."""
    try:
        st = os.stat(path)
    except (OSError, ValueError) as e:  # missing, a NUL byte, a name too long
        reason = "does not exist" if isinstance(e, FileNotFoundError) else f"cannot be read ({e})"
        raise NetworkError(f"network file {str(path)!r} {reason}", record=str(path), field="path") from None
    if not stat.S_ISREG(st.st_mode):
        raise NetworkError(
            f"network file {str(path)!r} is not a regular file (a folder, pipe or device)",
            record=str(path),
            field="path",
        )


def _as_bool(v: Any) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1", "yes", "t")
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return False
    return bool(v)
