"""The built-in Yanhu District (盐湖区, Yuncheng, Shanxi; code 140802) three-tier network.

``networks.yanhu()`` loads ``networks/data/yanhu.geojson``, which
``scripts/make_yanhu.py`` writes from `build_yanhu_nodes` (fixed seed, so the file
is reproducible byte for byte).  Every node carries its provenance:

* ``name_source`` / ``position_source``: ``sourced`` (taken from a named source),
  ``estimated`` (placed by hand from general knowledge, ±3–5 km) or ``generated``
  (drawn by the seeded build under the rules below).
* village tier: one node per village (村委会) and community (社区居委会) committee of the
  2023 statistical division codes (vendored, see `networks.yanhu_geo.divisions`), with
  its real name (``committee_zh``), 12-digit ``adcode`` and a romanized ``name``; plus a
  ``township_seat`` node for each of the 9 towns/townships without a station.
* layers: ``rural`` (the 13 towns and townships: 174 committees) is the default
  scope; ``urban`` (the 8 subdistricts' 135 committees) joins with
  ``yanhu(urban=True)``.  The development zone's "虚拟社区" (a statistical
  placeholder) is left out.
* positions of committees are ``generated``: inside their unit's estimated extent
  (`networks.yanhu_geo.extents`), off the lakes (300 m), at least 600 m apart (250 m
  for urban communities); rural villages stay out of the built-up core, communities of
  a town stay within 2 km of its seat, urban communities inside the core.
* the hub, the four stations (at their towns' estimated seats) and the seats:
  ``estimated`` positions; the hub's ``cold_store_t`` (1000 t) is an assumed figure.

``synthetic`` is True when a node's name or position is generated.  Each
village's parent is the station that reaches its unit's committees fastest (median)
on the Delaunay synthetic roads; ``yanhu(roads=True)`` attaches the estimated corridor
skeleton (`networks.skeleton`, `networks.corridors`).
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
from shapely.geometry.base import BaseGeometry

from . import yanhu_geo as geo
from .compiled import compile_roads
from .corridors import corridors
from .geo import WGS84
from .model import Network
from .skeleton import skeleton_roads
from .synthetic import synthetic_roads

SEED = 20240601
DATA_FILE = "yanhu.geojson"
MIN_SPACING_M = 600.0
URBAN_SPACING_M = 250.0
LAKE_CLEARANCE_M = 300.0
TOWN_COMMUNITY_RADIUS_M = 2000.0

HUB: dict[str, Any] = {
    "node_id": "hub",
    "name": "Yanhu District Logistics Park",
    "name_zh": "盐湖区综合物流园区",
    "lat": geo.HUB_LONLAT[1],
    "lon": geo.HUB_LONLAT[0],
    "position_source": "estimated",
    "cold_store_t": 1000.0,
}

STATIONS = {
    "st_sanluli": ("Sanluli transport station", "三路里运输站"),
    "st_beixiang": ("Beixiang integrated transport station", "北相镇综合运输站"),
    "st_dongguo": ("Dongguo integrated transport station", "东郭镇综合运输站"),
    "st_jiezhou": ("Jiezhou transit logistics station", "解州过境物流站"),
}

COLUMNS = [
    "name",
    "name_zh",
    "committee_zh",
    "adcode",
    "tier",
    "parent",
    "kind",
    "layer",
    "township",
    "township_zh",
    "township_adcode",
    "synthetic",
    "name_source",
    "position_source",
    "cold_store_t",
]


def salt_lake() -> BaseGeometry:
    """The salt lake 盐池 (lon/lat, estimated outline); see `networks.yanhu_geo.salt_lake`.

    Returns
    -------
    shapely.Polygon
        112 km² of the published 132 km².
    """
    return geo.salt_lake()


def on_land(lon: npt.ArrayLike, lat: npt.ArrayLike) -> np.ndarray:
    """True where a point is in neither lake (盐池, 硝池).

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
    return ~shapely.intersects(pts, shapely.union_all(geo.lakes()))


def township_table() -> pd.DataFrame:
    """The 21 units with seat position, station, layer and committee counts.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``township`` (English): ``township_zh``, ``adcode``, ``level``,
        ``layer``, seat ``lat``/``lon`` (estimated), ``station``, ``villages`` (村委会),
        ``communities`` (居委会), counted from the vendored division codes.
    """
    u = geo.units()
    d = geo.divisions()
    counts = d.groupby(["unit_code", "kind"]).size().unstack(fill_value=0)
    out = pd.DataFrame(
        {
            "township_zh": u["unit_zh"],
            "adcode": u["adcode"],
            "level": u["level"],
            "layer": np.where(u["level"] == "subdistrict", "urban", "rural"),
            "lat": u["lat"],
            "lon": u["lon"],
            "position_source": "estimated",
            "station": u["station"],
            "villages": counts.reindex(u["adcode"])["village"].to_numpy(),
            "communities": counts.reindex(u["adcode"])["community"].to_numpy(),
        },
        index=u.index.rename("township"),
    )
    return out


def _row(node_id: str, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(synthetic=False, cold_store_t=np.nan, layer="rural", node_id=node_id)
    row.update(kw)
    return row


def _fixed_rows() -> list[dict[str, Any]]:
    """The hub, the stations and the seats of the towns without a station."""
    rows = [
        _row(
            "hub",
            name=HUB["name"],
            name_zh=HUB["name_zh"],
            adcode=geo.AREA_CODE,
            tier="hub",
            kind="hub",
            name_source="sourced",
            position_source=HUB["position_source"],
            cold_store_t=HUB["cold_store_t"],
            lon=HUB["lon"],
            lat=HUB["lat"],
        )
    ]
    u = geo.units()
    for key, r in u[u["station"].notna()].iterrows():
        name, name_zh = STATIONS[r["station"]]
        rows.append(
            _row(
                r["station"],
                name=name,
                name_zh=name_zh,
                adcode=r["adcode"],
                tier="station",
                parent="hub",
                kind="station",
                township=key,
                township_zh=r["unit_zh"],
                township_adcode=r["adcode"],
                name_source="sourced",
                position_source="estimated",
                lon=r["lon"],
                lat=r["lat"],
            )
        )
    for key, r in u[u["station"].isna() & (u["level"] != "subdistrict")].iterrows():
        rows.append(
            _row(
                f"tw_{str(key).lower()}",
                name=f"{key} township seat",
                name_zh=f"{r['unit_zh_full']}驻地",
                adcode=r["adcode"],
                tier="village",
                kind="township_seat",
                township=key,
                township_zh=r["unit_zh"],
                township_adcode=r["adcode"],
                name_source="sourced",
                position_source="estimated",
                lon=r["lon"],
                lat=r["lat"],
            )
        )
    return rows


class _Placer:
    """Seeded rejection sampling of points in a region, keeping a spacing to earlier points."""

    def __init__(self, rng: np.random.Generator, fixed_xy: np.ndarray) -> None:
        self.rng = rng
        self.xy: list[np.ndarray] = [p for p in fixed_xy]
        self.urban_from = len(self.xy)

    def place(self, region: BaseGeometry, spacing: float, urban: bool) -> np.ndarray:
        x0, y0, x1, y1 = region.bounds
        shapely.prepare(region)
        tries = 0
        while True:
            tries += 1
            if tries % 2000 == 0:  # a crowded region: relax the spacing a little
                spacing *= 0.9
            p = np.array([x0 + (x1 - x0) * self.rng.random(), y0 + (y1 - y0) * self.rng.random()])
            if not region.contains(shapely.Point(p)):
                continue
            # urban communities keep their (smaller) spacing among themselves only
            others = np.array(self.xy[self.urban_from :] if urban else self.xy)
            if len(others) and np.min(np.hypot(*(others - p).T)) < spacing:
                continue
            self.xy.append(p)
            return p


def _regions() -> dict[str, dict[str, BaseGeometry]]:
    """Per unit (metric): where its villages, town communities and urban communities may go."""
    lakes = geo.to_metric(shapely.union_all(geo.lakes())).buffer(LAKE_CLEARANCE_M)
    core = geo.to_metric(geo.urban_core())
    core_clear = core.buffer(LAKE_CLEARANCE_M)
    out: dict[str, dict[str, BaseGeometry]] = {}
    u = geo.units()
    for key, cell in geo.extents().geometry.items():
        ext = geo.to_metric(cell).buffer(-100.0).difference(lakes)  # 100 m inside its extent
        seat = geo.to_metric(shapely.Point(u.at[key, "lon"], u.at[key, "lat"]))
        if u.at[key, "level"] == "subdistrict":
            outside = ext.difference(core_clear)
            village = outside if outside.area > 2e6 else ext
            community = ext.intersection(core) if ext.intersection(core).area > 0.5e6 else ext
        else:
            village = ext.difference(core_clear)
            community = ext.intersection(seat.buffer(TOWN_COMMUNITY_RADIUS_M))
        out[key] = {"village": village, "community": community}
    return out


def _committee_rows(rng: np.random.Generator, fixed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One generated-position node per committee, unit by unit in code order."""
    fxy = geo.to_metric(shapely.multipoints([(r["lon"], r["lat"]) for r in fixed]))
    placer = _Placer(rng, shapely.get_coordinates(fxy))
    regions = _regions()
    u = geo.units()
    d = geo.divisions()
    rows: list[dict[str, Any]] = []
    for ukey, unit in sorted(u.iterrows(), key=lambda kv: kv[1]["level"] == "subdistrict"):
        key = str(ukey)
        urban = unit["level"] == "subdistrict"
        if urban and placer.urban_from == len(fixed):
            placer.urban_from = len(placer.xy)
        mine = d[d["unit_code"] == unit["adcode"]].sort_values("code")
        for k, (_, c) in enumerate(mine.iterrows(), start=1):
            community = c["kind"] == "community"
            spacing = URBAN_SPACING_M if urban and community else MIN_SPACING_M
            p = placer.place(regions[key][c["kind"]], spacing, urban and community)
            lon, lat = geo.to_lonlat(shapely.Point(p)).coords[0]
            official = c["committee_zh"]
            place = official.removesuffix("社区居委会").removesuffix("村委会")
            zh = f"{place}社区" if community else (place if place.endswith("村") else f"{place}村")
            rows.append(
                _row(
                    f"v_{key.lower()}_{k:02d}",
                    name=f"{c['pinyin']} Community" if community else c["pinyin"],
                    name_zh=zh,
                    committee_zh=official,
                    adcode=c["code"],
                    tier="village",
                    kind=c["kind"],
                    layer="urban" if urban else "rural",
                    township=key,
                    township_zh=unit["unit_zh"],
                    township_adcode=unit["adcode"],
                    synthetic=True,
                    name_source="sourced",
                    position_source="generated",
                    lon=lon,
                    lat=lat,
                )
            )
    return rows


def _assign_parents(nodes: gpd.GeoDataFrame) -> None:
    """Set every village's parent to the station reaching its unit's committees fastest (median)."""
    # deferred: scipy.sparse/csgraph/spatial add ~0.18 s (+50 %) to the 0.37 s of `import networks`
    from scipy.sparse.csgraph import dijkstra

    comp = compile_roads(synthetic_roads(nodes, barriers=geo.lakes()))
    st_ids = list(STATIONS)
    times = dijkstra(comp.csr(), directed=True, indices=[comp.index_of(s) for s in st_ids])
    is_v = nodes["tier"] == "village"
    station_of = {}
    for key, members in nodes[is_v].groupby("township").groups.items():
        own = nodes.loc[nodes["tier"] == "station"]
        own = own[own["township"] == key]
        if len(own):
            station_of[key] = own.index[0]
            continue
        cols = [comp.index_of(str(n)) for n in members]
        station_of[key] = st_ids[int(np.argmin(np.median(times[:, cols], axis=1)))]
    nodes.loc[is_v, "parent"] = nodes.loc[is_v, "township"].map(station_of)


def build_yanhu_nodes(seed: int = SEED) -> gpd.GeoDataFrame:
    """Build every Yanhu node, both layers (deterministic for a given seed); see the module doc.

    The shipped data file is this function's output, so the data can be audited
    and regenerated rather than trusted.

    Parameters
    ----------
    seed : int
        Seed of the committee placement.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``node_id``, EPSG:4326, with the columns `COLUMNS`.
    """
    rng = np.random.default_rng(seed)
    fixed = _fixed_rows()
    frame = pd.DataFrame(fixed + _committee_rows(rng, fixed))
    frame["lon"] = frame["lon"].round(6)
    frame["lat"] = frame["lat"].round(6)
    nodes = gpd.GeoDataFrame(
        frame.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=WGS84
    ).set_index("node_id")
    nodes["synthetic"] = nodes["synthetic"].astype(bool)
    _assign_parents(nodes)
    return nodes[[*COLUMNS, "geometry"]]


def _feature(nid: Any, row: pd.Series) -> dict[str, Any]:
    props: dict[str, Any] = {"node_id": nid}
    for col in COLUMNS:
        v = row[col]
        if isinstance(v, (float, np.floating)):
            v = None if np.isnan(v) else float(v)
        elif isinstance(v, (bool, np.bool_)):
            v = bool(v)
        props[col] = v
    g = row.geometry
    return {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [g.x, g.y]}}


def write_yanhu(path: str | Path, seed: int = SEED) -> Path:
    """Write the built nodes as stable GeoJSON (6 decimals), reproducible byte for byte.

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
    doc = {
        "type": "FeatureCollection",
        "name": "yanhu",
        "note": "Yanhu District three-tier network; provenance per node (name_source, position_source), "
        "sources in docs/networks.md",
        "seed": seed,
        "features": [_feature(nid, row) for nid, row in nodes.iterrows()],
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
def _all_nodes() -> gpd.GeoDataFrame:
    with open(data_path(), encoding="utf-8") as f:
        doc = json.load(f)
    frame = pd.DataFrame([f["properties"] for f in doc["features"]])
    xy = [f["geometry"]["coordinates"] for f in doc["features"]]
    frame["synthetic"] = frame["synthetic"].astype(bool)
    frame["cold_store_t"] = pd.to_numeric(frame["cold_store_t"], errors="coerce")
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy([p[0] for p in xy], [p[1] for p in xy]), crs=WGS84
    ).set_index("node_id")


def _nodes(urban: bool) -> gpd.GeoDataFrame:
    n = _all_nodes()
    return n if urban else n[n["layer"] == "rural"]


def skeleton(nodes: gpd.GeoDataFrame) -> nx.MultiDiGraph:
    """The Yanhu road skeleton over ``nodes``: estimated corridors plus local links.

    Parameters
    ----------
    nodes : geopandas.GeoDataFrame
        Yanhu nodes (either layer or both).

    Returns
    -------
    networkx.MultiDiGraph
        See `networks.skeleton.skeleton_roads`; the lakes are barriers and the foot of
        the 中条山 slopes south of 解州 a wall only the corridors cross.
    """
    return skeleton_roads(nodes, corridors(), barriers=geo.lakes(), walls=[geo.zhongtiao_foot()])


@lru_cache(maxsize=2)
def _roads(urban: bool) -> nx.MultiDiGraph:
    return skeleton(_nodes(urban))


def yanhu_roads(urban: bool = False) -> nx.MultiDiGraph:
    """The default road graph of the built-in network: the estimated corridor skeleton.

    Parameters
    ----------
    urban : bool
        Over the nodes of ``yanhu(urban=True)`` rather than the rural default.

    Returns
    -------
    networkx.MultiDiGraph
        A fresh copy (built once per process), safe to edit.
    """
    g = _roads(urban).copy()
    g.graph["source"] = (
        "estimated: corridors of networks/data/yanhu_corridors.geojson joined to local links; "
        "盐池 and 硝池 avoided, the 中条山 edge south of 解州 crossed only by corridors"
    )
    return g


def yanhu(roads: bool = False, urban: bool = False) -> Network:
    """The built-in Yanhu District network (hub, 4 stations, 9 seats, 174 rural committees).

    Parameters
    ----------
    roads : bool
        Attach the default road graph, an estimated skeleton (see `skeleton` and
        `networks.skeleton.skeleton_roads`); replace it with
        ``net.with_roads(networks.roads.road_graph(...))`` when real roads are known.
    urban : bool
        Add the urban layer: the 135 committees of the 8 subdistricts (the city).

    Returns
    -------
    Network
        A fresh copy named ``"yanhu"`` (``"yanhu-urban"`` with the urban layer).
    """
    return Network(
        _nodes(urban).copy(),
        roads=yanhu_roads(urban) if roads else None,
        name="yanhu-urban" if urban else "yanhu",
    )
