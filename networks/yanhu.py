"""The built-in Yanhu District (盐湖区, Yuncheng, Shanxi) three-tier network.

``networks.yanhu()`` loads ``networks/data/yanhu.geojson``, which
``scripts/make_yanhu.py`` writes from `build_yanhu_nodes` (fixed seed, so the
file is reproducible byte for byte).  What is sourced, estimated and generated:

* hub 盐湖区综合物流园区 and the stations 三路里, 北相, 东郭: positions estimated
  (±5–8 km); 解州过境物流站: position sourced.
* nine other township seats (泓芝驿, 龙居, 陶村, 上郭, 王范, 上王, 冯村, 席张, 金井):
  village-tier nodes of ``kind="township_seat"`` at estimated positions.
* village committees: 314 in all (the district's published total).  Counts are
  published for 解州 26, 东郭 10, 三路里 4, 泓芝驿 16 and 龙居 35; the other 223 are
  split evenly over the remaining eight townships.  东郭's ten villages carry
  their published names; all other villages are generated (``synthetic=True``).
  Every village position is generated near its township seat, on land, inside
  the seat's Voronoi cell and at least 600 m from other nodes.
* the salt lake (盐池) south of the city is modelled as a simplified polygon
  (`SALT_LAKE`, estimated outline); no node lies in it and no synthetic road
  crosses it.
* the hub's ``cold_store_t`` (1000 t) is an assumed figure, not published.

Columns: ``name``, ``name_zh``, ``tier``, ``parent``, ``kind`` (hub, station,
township_seat, village), ``township``, ``township_zh``, ``synthetic``,
``position_source`` (sourced / estimated / generated), ``cold_store_t``.
Each village's parent is the station its township seat reaches fastest on the
synthetic roads.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon

from .compiled import compile_roads
from .geo import UTM49N, WGS84
from .model import Network
from .synthetic import synthetic_roads

SEED = 20240601
DATA_FILE = "yanhu.geojson"
TOTAL_VILLAGES = 314
MIN_SPACING_M = 600.0
LAKE_CLEARANCE_M = 300.0
#: District extent used to keep generated villages inside Yanhu (lon/lat box, estimated).
DISTRICT_BOUNDS = (110.68, 34.86, 111.22, 35.34)

#: The salt lake (盐池, Yuncheng Salt Lake), a simplified estimated outline in lon/lat.
SALT_LAKE = Polygon(
    [
        (110.885, 34.972),
        (110.905, 34.988),
        (110.935, 34.996),
        (110.965, 35.004),
        (110.995, 35.013),
        (111.025, 35.017),
        (111.050, 35.016),
        (111.066, 35.008),
        (111.062, 34.997),
        (111.040, 34.990),
        (111.010, 34.983),
        (110.980, 34.975),
        (110.950, 34.967),
        (110.920, 34.961),
        (110.897, 34.962),
    ]
)

HUB: dict[str, Any] = {
    "node_id": "hub",
    "name": "Yanhu District Logistics Park",
    "name_zh": "盐湖区综合物流园区",
    "lat": 35.07,
    "lon": 111.03,
    "position_source": "estimated",
    "cold_store_t": 1000.0,
}

# key, name_zh, lat, lon, position_source, station id (None: a township seat), villages, count published
TOWNSHIPS = [
    ("sanluli", "三路里", 35.27, 111.01, "estimated", "st_sanluli", 4, True),
    ("beixiang", "北相", 35.12, 110.98, "estimated", "st_beixiang", None, False),
    ("dongguo", "东郭", 35.00, 111.08, "estimated", "st_dongguo", 10, True),
    ("jiezhou", "解州", 34.9124, 110.8517, "sourced", "st_jiezhou", 26, True),
    ("hongzhiyi", "泓芝驿", 35.15, 110.90, "estimated", None, 16, True),
    ("longju", "龙居", 35.04, 110.90, "estimated", None, 35, True),
    ("taocun", "陶村", 35.10, 111.05, "estimated", None, None, False),
    ("shangguo", "上郭", 35.24, 110.93, "estimated", None, None, False),
    ("wangfan", "王范", 35.20, 111.03, "estimated", None, None, False),
    ("shangwang", "上王", 35.24, 111.10, "estimated", None, None, False),
    ("fengcun", "冯村", 35.17, 110.96, "estimated", None, None, False),
    ("xizhang", "席张", 34.92, 110.74, "estimated", None, None, False),
    ("jinjing", "金井", 35.05, 110.93, "estimated", None, None, False),
]

STATIONS = {
    "st_sanluli": ("Sanluli transport station", "三路里运输站"),
    "st_beixiang": ("Beixiang integrated transport station", "北相镇综合运输站"),
    "st_dongguo": ("Dongguo integrated transport station", "东郭镇综合运输站"),
    "st_jiezhou": ("Jiezhou transit logistics station", "解州过境物流站"),
}

#: Published names of 东郭's villages (pinyin, Chinese); the first is the seat village.
DONGGUO_VILLAGES = [
    ("Dongguo", "东郭"),
    ("Baizhuang", "白庄"),
    ("Xiayue", "下月"),
    ("Xiaduan", "下段"),
    ("Jietan", "界滩"),
    ("Shangyue", "上月"),
    ("Mohe", "磨河"),
    ("Jiecun", "界村"),
    ("Chiyou", "蚩尤"),
    ("Liufan", "刘范"),
]


def salt_lake() -> Polygon:
    """The salt lake polygon (lon/lat, estimated outline): a barrier for roads and villages.

    Returns
    -------
    shapely.Polygon
        `SALT_LAKE`.
    """
    return SALT_LAKE


def on_land(lon: npt.ArrayLike, lat: npt.ArrayLike) -> np.ndarray:
    """True where a point is outside the salt lake, to check generated or user positions.

    Parameters
    ----------
    lon, lat : array-like of float
        Degrees.

    Returns
    -------
    numpy.ndarray of bool
        One flag per point.
    """
    pts = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return ~shapely.intersects(pts, SALT_LAKE)


def township_table() -> pd.DataFrame:
    """The 13 townships, with the provenance of each figure.

    Returns
    -------
    pandas.DataFrame
        Indexed by township: seat ``lat``/``lon``, ``position_source``, ``station``,
        ``villages`` and ``count_source`` (published or estimated).
    """
    counts = _village_counts()
    rows = []
    for key, zh, lat, lon, src, st, n, published in TOWNSHIPS:
        rows.append(
            {
                "township": key.capitalize(),
                "township_zh": zh,
                "lat": lat,
                "lon": lon,
                "position_source": src,
                "station": st,
                "villages": counts[key],
                "count_source": "published" if published else "estimated",
            }
        )
    return pd.DataFrame(rows).set_index("township")


def _village_counts() -> dict[str, int]:
    known = {t[0]: t[6] for t in TOWNSHIPS if t[6] is not None}
    rest = [t[0] for t in TOWNSHIPS if t[6] is None]
    left = TOTAL_VILLAGES - sum(known.values())
    base, extra = divmod(left, len(rest))
    counts = dict(known)
    for i, key in enumerate(rest):
        counts[key] = base + (1 if i < extra else 0)
    return counts


def _fixed_rows() -> list[dict[str, Any]]:
    """Rows of the hub, the stations and the township seats (positions from the tables above)."""
    rows: list[dict[str, Any]] = [
        {
            "node_id": "hub",
            "name": HUB["name"],
            "name_zh": HUB["name_zh"],
            "tier": "hub",
            "parent": None,
            "kind": "hub",
            "township": None,
            "township_zh": None,
            "synthetic": False,
            "position_source": HUB["position_source"],
            "cold_store_t": HUB["cold_store_t"],
            "lon": HUB["lon"],
            "lat": HUB["lat"],
        }
    ]
    for key, zh, lat, lon, src, st, _, _ in TOWNSHIPS:
        if st is not None:
            rows.append(
                {
                    "node_id": st,
                    "name": STATIONS[st][0],
                    "name_zh": STATIONS[st][1],
                    "tier": "station",
                    "parent": "hub",
                    "kind": "station",
                    "township": key.capitalize(),
                    "township_zh": zh,
                    "synthetic": False,
                    "position_source": src,
                    "cold_store_t": np.nan,
                    "lon": lon,
                    "lat": lat,
                }
            )
    for key, zh, lat, lon, src, st, _, _ in TOWNSHIPS:
        if st is None:
            rows.append(
                {
                    "node_id": f"tw_{key}",
                    "name": f"{key.capitalize()} township seat",
                    "name_zh": f"{zh}乡镇驻地",
                    "tier": "village",
                    "parent": None,
                    "kind": "township_seat",
                    "township": key.capitalize(),
                    "township_zh": zh,
                    "synthetic": False,
                    "position_source": src,
                    "cold_store_t": np.nan,
                    "lon": lon,
                    "lat": lat,
                }
            )
    return rows


def _village_rows(rng: np.random.Generator, fwd: Transformer, back: Transformer) -> list[dict[str, Any]]:
    """Generated villages, township by township (see the module doc for the rules)."""
    lake_m = shapely.transform(SALT_LAKE, lambda c: np.column_stack(fwd.transform(c[:, 0], c[:, 1])))
    lake_m = lake_m.buffer(LAKE_CLEARANCE_M)
    sx, sy = fwd.transform([t[3] for t in TOWNSHIPS], [t[2] for t in TOWNSHIPS])
    seats_xy = np.column_stack([sx, sy])
    counts = _village_counts()
    hx, hy = fwd.transform(HUB["lon"], HUB["lat"])
    placed = [np.array([hx, hy])] + [seats_xy[i] for i in range(len(TOWNSHIPS))]
    xmin, ymin = fwd.transform(DISTRICT_BOUNDS[0], DISTRICT_BOUNDS[1])
    xmax, ymax = fwd.transform(DISTRICT_BOUNDS[2], DISTRICT_BOUNDS[3])
    rows: list[dict[str, Any]] = []
    for ti, (key, zh, _lat, _lon, _src, _st, _, _) in enumerate(TOWNSHIPS):
        n = counts[key]
        others = np.delete(seats_xy, ti, axis=0)
        nearest = float(np.min(np.hypot(*(others - seats_xy[ti]).T)))
        radius = float(np.clip(1.2 * nearest, 4000.0, 9000.0))
        names = DONGGUO_VILLAGES if key == "dongguo" else None
        spacing = MIN_SPACING_M
        k = 0
        tries = 0
        while k < n:
            tries += 1
            if tries % 4000 == 0:  # a crowded cell: relax the spacing a little
                spacing *= 0.9
            r = radius * np.sqrt(rng.random())
            a = 2 * np.pi * rng.random()
            if names is not None and k == 0:
                r = 800.0 * np.sqrt(rng.random())  # the seat village sits at the seat
            p = seats_xy[ti] + r * np.array([np.cos(a), np.sin(a)])
            if not (xmin <= p[0] <= xmax and ymin <= p[1] <= ymax):
                continue
            if int(np.argmin(np.hypot(*(seats_xy - p).T))) != ti:
                continue
            if lake_m.contains(shapely.Point(p)):
                continue
            if min(np.hypot(*(np.array(placed) - p).T)) < spacing:
                continue
            placed.append(p)
            vlon, vlat = back.transform(p[0], p[1])
            if names is not None:
                name, name_zh, synthetic = names[k][0], names[k][1], False
            else:
                name, name_zh, synthetic = (f"{key.capitalize()} village {k + 1:02d}", f"{zh}生成村{k + 1:02d}", True)
            rows.append(
                {
                    "node_id": f"v_{key}_{k + 1:02d}",
                    "name": name,
                    "name_zh": name_zh,
                    "tier": "village",
                    "parent": None,
                    "kind": "village",
                    "township": key.capitalize(),
                    "township_zh": zh,
                    "synthetic": synthetic,
                    "position_source": "generated",
                    "cold_store_t": np.nan,
                    "lon": round(float(vlon), 6),
                    "lat": round(float(vlat), 6),
                }
            )
            k += 1
    return rows


def _assign_parents(nodes: gpd.GeoDataFrame) -> None:
    """Set every village's parent to the station that reaches its township seat fastest."""
    # deferred: scipy.sparse/csgraph/spatial add ~0.18 s (+50 %) to the 0.37 s of `import networks`
    from scipy.sparse.csgraph import dijkstra

    roads = synthetic_roads(nodes, barriers=[SALT_LAKE])
    comp = compile_roads(roads)
    st_ids = list(STATIONS)
    st_idx = np.array([comp.index_of(s) for s in st_ids])
    times = dijkstra(comp.csr(), directed=True, indices=st_idx)
    station_of = {}
    for key, _zh, _lat, _lon, _src, st, _, _ in TOWNSHIPS:
        seat = st if st is not None else f"tw_{key}"
        station_of[key.capitalize()] = st if st is not None else st_ids[int(np.argmin(times[:, comp.index_of(seat)]))]
    is_v = nodes["tier"] == "village"
    nodes.loc[is_v, "parent"] = nodes.loc[is_v, "township"].map(station_of)


def build_yanhu_nodes(seed: int = SEED) -> gpd.GeoDataFrame:
    """Generate the Yanhu nodes (deterministic for a given seed); see the module doc.

    The shipped data file is this function's output, so the data can be audited
    and regenerated rather than trusted.

    Parameters
    ----------
    seed : int
        Seed of the village placement.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``node_id``, EPSG:4326, with the columns of the module doc.
    """
    rng = np.random.default_rng(seed)
    fwd = Transformer.from_crs(WGS84, UTM49N, always_xy=True)
    back = Transformer.from_crs(UTM49N, WGS84, always_xy=True)
    rows = _fixed_rows() + _village_rows(rng, fwd, back)
    frame = pd.DataFrame(rows)
    nodes = gpd.GeoDataFrame(
        frame.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=WGS84
    ).set_index("node_id")
    _assign_parents(nodes)
    return nodes


def write_yanhu(path: str | Path, seed: int = SEED) -> Path:
    """Write the generated nodes as stable GeoJSON (6 decimals), reproducible byte for byte.

    Parameters
    ----------
    path : str or pathlib.Path
        Target file (``scripts/make_yanhu.py`` writes the shipped one).
    seed : int
        As for `build_yanhu_nodes`.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    nodes = build_yanhu_nodes(seed)
    features = []
    for nid, row in nodes.iterrows():
        props: dict[str, Any] = {"node_id": nid}
        for col in nodes.columns:
            if col == "geometry":
                continue
            v = row[col]
            if isinstance(v, (float, np.floating)):
                v = None if np.isnan(v) else float(v)
            elif isinstance(v, (bool, np.bool_)):
                v = bool(v)
            props[col] = v
        g = row.geometry
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Point", "coordinates": [round(g.x, 6), round(g.y, 6)]},
            }
        )
    doc = {
        "type": "FeatureCollection",
        "name": "yanhu",
        "note": "Yanhu District three-tier network; positions of villages are generated, see docs/networks.md",
        "seed": seed,
        "features": features,
    }
    path = Path(path)
    text = json.dumps(doc, ensure_ascii=False, indent=None, separators=(",", ":"))
    path.write_text(text.replace('},{"type":"Feature"', '},\n{"type":"Feature"') + "\n", encoding="utf-8")
    return path


def data_path() -> Path:
    """Path of the shipped data file.

    Returns
    -------
    pathlib.Path
        ``networks/data/yanhu.geojson`` inside the installed package.
    """
    return Path(str(resources.files("networks") / "data" / DATA_FILE))


@lru_cache(maxsize=1)
def _nodes() -> gpd.GeoDataFrame:
    with open(data_path(), encoding="utf-8") as f:
        doc = json.load(f)
    rows = [f["properties"] for f in doc["features"]]
    xy = [f["geometry"]["coordinates"] for f in doc["features"]]
    frame = pd.DataFrame(rows)
    frame["synthetic"] = frame["synthetic"].astype(bool)
    frame["cold_store_t"] = pd.to_numeric(frame["cold_store_t"], errors="coerce")
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy([p[0] for p in xy], [p[1] for p in xy]), crs=WGS84
    ).set_index("node_id")


@lru_cache(maxsize=1)
def _roads() -> nx.MultiDiGraph:
    return synthetic_roads(_nodes(), barriers=[SALT_LAKE])


def yanhu_roads() -> nx.MultiDiGraph:
    """The default synthetic road graph of the built-in network.

    Returns
    -------
    networkx.MultiDiGraph
        A fresh copy (built once per process), safe to edit.
    """
    g = _roads().copy()
    g.graph["source"] = "synthetic: Delaunay over Yanhu nodes, detour 1.3, salt lake avoided"
    return g


def yanhu(roads: bool = False) -> Network:
    """The built-in Yanhu District network (hub, 4 stations, 9 township seats, 314 villages).

    Parameters
    ----------
    roads : bool
        Attach the default synthetic road graph (see
        [networks.roads.synthetic_roads][]); replace it with
        ``net.with_roads(networks.roads.road_graph(...))`` when real roads are known.

    Returns
    -------
    Network
        A fresh copy named ``"yanhu"``.
    """
    return Network(_nodes().copy(), roads=yanhu_roads() if roads else None, name="yanhu")
