"""Coordinate systems and point checks shared by every other module of the package.

Positions enter and leave the package in WGS84 lon/lat; lengths and nearest-vertex
searches need metres, so each road graph picks the UTM zone of its data
(`metric_crs`).  Keeping these helpers here, below everything else, lets the
road, path and model modules share them without importing one another.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from pyproj import Transformer

from .errors import NetworkError

#: Geographic coordinates of every node and road vertex at the package's edges.
WGS84 = "EPSG:4326"
#: The metric CRS of the Yanhu District (UTM zone 49 N).
UTM49N = "EPSG:32649"

ArrayLike = npt.ArrayLike


def metric_crs(lon: ArrayLike, lat: ArrayLike) -> str:
    """The UTM zone (WGS84) of the data's mean position, e.g. ``EPSG:32649`` for Yanhu.

    Lengths and snapping distances are measured in this CRS, so that a road graph
    anywhere in the world gets metric figures without the caller choosing a
    projection.

    Parameters
    ----------
    lon, lat : array-like of float
        Longitudes and latitudes (degrees) of the data.

    Returns
    -------
    str
        ``"EPSG:326zz"`` north of the equator, ``"EPSG:327zz"`` south of it.
    """
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    if lon_a.size == 0:
        raise NetworkError("no coordinates to choose a metric CRS from", field="geometry")
    mlon = float(np.nanmean(lon_a))
    mlat = float(np.nanmean(lat_a))
    zone = int(min(60, max(1, math.floor((mlon + 180.0) / 6.0) + 1)))
    return f"EPSG:{32600 + zone if mlat >= 0 else 32700 + zone}"


def transformer(crs: str) -> Transformer:
    """A lon/lat (WGS84) → ``crs`` transformer with x = longitude, y = latitude.

    Parameters
    ----------
    crs : str
        Target CRS, usually from `metric_crs`.

    Returns
    -------
    pyproj.Transformer
        ``always_xy=True``, so arguments are (lon, lat) whatever the CRS axis order.
    """
    return Transformer.from_crs(WGS84, crs, always_xy=True)


def check_points(ids: Sequence[Any] | None, lon: ArrayLike, lat: ArrayLike) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """Validate points given as ids and lon/lat arrays before snapping or routing.

    A bad coordinate is reported with the id of its point, which is what a planner
    needs to fix the input file.

    Parameters
    ----------
    ids : sequence or None
        Point ids; None numbers the points 0, 1, ...
    lon, lat : array-like of float
        Longitudes and latitudes (degrees).

    Returns
    -------
    ids : list
        The ids as a list.
    lon, lat : numpy.ndarray
        Flat float arrays.

    Raises
    ------
    NetworkError
        Lengths differ, or a coordinate is not finite or out of range.
    """
    lon_a = np.asarray(lon, dtype=float).ravel()
    lat_a = np.asarray(lat, dtype=float).ravel()
    id_list = list(range(len(lon_a))) if ids is None else list(ids)
    if not (len(id_list) == len(lon_a) == len(lat_a)):
        raise NetworkError(f"{len(id_list)} ids but {len(lon_a)} longitudes and {len(lat_a)} latitudes", field="ids")
    for i, (x, y) in enumerate(zip(lon_a, lat_a)):
        if not (np.isfinite(x) and -180 <= x <= 180):
            raise NetworkError(f"point {id_list[i]!r}: longitude {x} out of range", record=id_list[i], field="lon")
        if not (np.isfinite(y) and -90 <= y <= 90):
            raise NetworkError(f"point {id_list[i]!r}: latitude {y} out of range", record=id_list[i], field="lat")
    return id_list, lon_a, lat_a
