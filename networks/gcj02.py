"""GCJ-02 ⇄ WGS84 conversion for coordinates published on Chinese web maps.

Maps drawn for Chinese web services (AMap, the ECharts county maps, Tencent) are
in GCJ-02, the national obfuscated datum: WGS84 shifted by a smooth,
position-dependent offset of a few hundred metres (about 0.006° east and
0.0008° north near Yuncheng).  `wgs84_to_gcj02` is the widely published forward
transform (Krasovsky ellipsoid, a = 6 378 245 m, e² = 0.00669342162296594323);
`gcj02_to_wgs84` inverts it by fixed-point iteration, which converges to well
under a centimetre in a few steps because the offset changes slowly.

Outside mainland China the forward transform is the identity on the real maps;
these functions do not apply that rule and shift every point, since they are
only used on data known to be in GCJ-02.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_A = 6378245.0
_EE = 0.00669342162296594323


def _shift(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The GCJ-02 offset (degrees of longitude, latitude) at WGS84 points."""
    x = lon - 105.0
    y = lat - 35.0
    pi = np.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x)) + common
    dlat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x)) + common
    dlon += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad = lat / 180.0 * pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * pi)
    dlon = dlon * 180.0 / (_A / sqrt_magic * np.cos(rad) * pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Shift WGS84 points to GCJ-02 (the published forward transform).

    Parameters
    ----------
    lon, lat : array-like of float
        WGS84 degrees.

    Returns
    -------
    tuple of numpy.ndarray
        GCJ-02 longitude and latitude.
    """
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    dlon, dlat = _shift(lon_a, lat_a)
    return lon_a + dlon, lat_a + dlat


def gcj02_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike, iterations: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Invert `wgs84_to_gcj02` by fixed-point iteration.

    Starts from the GCJ-02 point and moves it by the forward error
    ``iterations`` times; after 8 steps the round trip error is below 1e-9°.

    Parameters
    ----------
    lon, lat : array-like of float
        GCJ-02 degrees.
    iterations : int
        Fixed-point steps.

    Returns
    -------
    tuple of numpy.ndarray
        WGS84 longitude and latitude.
    """
    g_lon = np.asarray(lon, dtype=float)
    g_lat = np.asarray(lat, dtype=float)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(iterations):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        w_lon = w_lon - (f_lon - g_lon)
        w_lat = w_lat - (f_lat - g_lat)
    return w_lon, w_lat
