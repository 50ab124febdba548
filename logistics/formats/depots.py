"""Depots given by coordinates: a vehicle type's ``start_depot: {name, lon, lat}`` or an orders file's depot rows.

A courier knows where the depot is, not a node id of some network.  Depots placed by
coordinates are added to the job's network as hub-tier nodes (so the travel matrix snaps
them to the road graph exactly as it snaps orders placed by coordinates, or measures
straight lines when there are no roads); without a network they make one of their own; with
only a travel matrix they must name one of its ids, and the coordinates place it on the map.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from logistics.core.errors import ProblemError
from networks import Network, TravelMatrix
from networks.errors import NetworkError

__all__ = ["DepotPlaces", "depot_places", "insert_depots"]

#: Id of the first depot given by coordinates without a name (then ``depot-2``, ``depot-3``, ...).
DEFAULT_DEPOT = "depot"
#: ``position_source`` of a node added for a depot given by coordinates.
POSITION_SOURCE = "job file (coordinates)"


@dataclass
class DepotPlaces:
    """Depots placed by coordinates, and the fleet with every depot written as an id.

    Parameters
    ----------
    fleet
        The job's vehicle types, ``start_depot``/``end_depot`` replaced by the depot's id.
    points
        Depot id to ``(lon, lat)``.
    fields
        Depot id to the job field that placed it first (``fleet[0].start_depot``), for errors.
    """

    fleet: list[Any]
    points: dict[str, tuple[float, float]] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)


def depot_places(fleet: list[Any], file_depots: Mapping[str, tuple[float, float]], where: str) -> DepotPlaces:
    """Collect the depots given by coordinates in the fleet and the orders file.

    Parameters
    ----------
    fleet
        The job's ``fleet`` records (schema-checked mappings).
    file_depots
        Depots from the orders file's rows of kind ``depot``: id to ``(lon, lat)``.
    where
        The job's name, for errors.

    Returns
    -------
    DepotPlaces
        The fleet with ids in place of coordinates, and each depot's position.

    Raises
    ------
    ProblemError
        One name given two different positions (the field is the second place).
    """
    out = DepotPlaces(fleet=[])
    for name, xy in file_depots.items():
        out.points[name] = (float(xy[0]), float(xy[1]))
        out.fields[name] = "orders"
    unnamed: dict[tuple[float, float], str] = {}
    for k, v in enumerate(fleet):
        if not isinstance(v, Mapping):
            out.fleet.append(v)
            continue
        rec = dict(v)
        for f in ("start_depot", "end_depot"):
            spec = rec.get(f)
            if not isinstance(spec, Mapping):
                continue
            fp = f"fleet[{k}].{f}"
            xy = (float(spec["lon"]), float(spec["lat"]))
            given = spec.get("name")
            if given is None:
                name = unnamed.get(xy) or _free_name(out.points, len(unnamed))
                unnamed[xy] = name
            else:
                name = str(given)
            known = out.points.get(name)
            if known is not None and not _same(known, xy):
                raise ProblemError(
                    f"{where}: {fp}: depot {name!r} at ({xy[0]}, {xy[1]}) is already placed at "
                    f"({known[0]}, {known[1]}) by {out.fields[name]}",
                    record=name,
                    field=fp,
                )
            out.points.setdefault(name, xy)
            out.fields.setdefault(name, fp)
            rec[f] = name
        out.fleet.append(rec)
    return out


def _free_name(points: Mapping[str, Any], k: int) -> str:
    name = DEFAULT_DEPOT if k == 0 else f"{DEFAULT_DEPOT}-{k + 1}"
    while name in points:
        k += 1
        name = f"{DEFAULT_DEPOT}-{k + 1}"
    return name


def _same(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return math.isclose(a[0], b[0], abs_tol=1e-9) and math.isclose(a[1], b[1], abs_tol=1e-9)


def insert_depots(
    places: DepotPlaces, network: Network | None, matrix: TravelMatrix | None, where: str, name: str
) -> tuple[Network | None, dict[str, tuple[float, float]]]:
    """Put the depots placed by coordinates where the travel matrix will find them.

    Parameters
    ----------
    places
        From [depot_places][logistics.formats.depots.depot_places].
    network, matrix
        The job's network and travel matrix (either may be ``None``).
    where, name
        The job's name (errors) and the name of a network made for the depots alone.

    Returns
    -------
    tuple of (Network or None, dict)
        The network with the depots added as hub-tier nodes (a new network of the depots alone
        when the job has neither network nor matrix; the job's own when there is a matrix), and
        coordinates for maps of depots that are matrix ids.

    Raises
    ------
    ProblemError
        A depot's name is already a node of the network, or, with a matrix, is not one of its ids.
    """
    if not places.points:
        return network, {}
    if matrix is not None:
        for d, fp in places.fields.items():
            if d not in matrix:
                raise ProblemError(
                    f"{where}: {fp}: depot {d!r} given by coordinates is not an id of the travel matrix "
                    f"(with a matrix, name the depot by one of its ids)",
                    record=d,
                    field=fp,
                )
        return network, dict(places.points)
    if network is not None:
        for d, fp in places.fields.items():
            if d in network.nodes.index:
                raise ProblemError(
                    f"{where}: {fp}: depot {d!r} given by coordinates is already a node of the network; "
                    f"give it another name or name the node without coordinates",
                    record=d,
                    field=fp,
                )
    rows = gpd.GeoDataFrame(
        {
            "node_id": list(places.points),
            "name": list(places.points),
            "name_zh": list(places.points),
            "tier": "hub",
            "parent": None,
            "position_source": POSITION_SOURCE,
            "synthetic": False,
        },
        geometry=[Point(x, y) for x, y in places.points.values()],
        crs="EPSG:4326",
    ).set_index("node_id")
    try:
        if network is None:
            return Network(rows, roads=None, name=name), {}
        nodes = gpd.GeoDataFrame(pd.concat([network.nodes, rows]), geometry="geometry", crs=network.nodes.crs)
        return Network(nodes, roads=network.roads, name=network.name), {}
    except NetworkError as e:
        raise ProblemError(
            f"{where}: fleet: depots given by coordinates: {e}", record=e.record, field="fleet"
        ) from None
