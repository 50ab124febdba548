"""Estimated road corridors of the Yanhu District: the skeleton of `networks.yanhu` roads.

No road geometry of Yuncheng can be traced offline, so each documented corridor is
drawn as a polyline through the places it is described to pass (township seats,
stations, the hub, interchanges), with positions taken from the network's own
estimated seats and a few hand-placed points.  Every corridor is therefore
``position_source="estimated"`` (±2–5 km), and its ``source`` says what the route
rests on; where nothing was found the route is marked *assumed*.

`CORRIDORS` holds the definitions; ``scripts/make_yanhu_corridors.py`` writes them
(clipped to the district outline, checked against the lakes) to
``networks/data/yanhu_corridors.geojson`` with `write_corridors`, byte for byte
reproducibly; `corridors` reads the shipped file.

Waypoint labels: a node id of the built-in network (``hub``, ``st_*``, ``tw_*``) puts
the corridor through that node; ``x:NAME`` is a junction shared by the corridors that
list it (an interchange or a crossing); ``""`` is a plain shape point; ``edge`` is the
point where a corridor leaves the district.  Corridors that cross without a shared
label do not meet (an over- or underpass).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString, Point

from . import yanhu_geo as geo
from .geo import WGS84

DATA_FILE = "yanhu_corridors.geojson"

_SRC_RING = (
    "运城绕城高速 (Yuncheng ring expressway): a public page on the 中条山 tunnel road says it starts at the "
    "ring expressway's 解州 interchange (xingyuange.cn, 'Zhongtiaoshan tunnel'); the loop round the city and "
    "the lakes and every other point are estimated"
)
_SRC_G5 = (
    "大运高速 (Datong–Yuncheng, here G5/S75 north of the city): described as ending at Yuncheng and linking "
    "with the 运风 and 运三 expressways (Wikipedia-derived page 'Datong–Yuncheng Expressway'; nbwxtz.com "
    "'山西大运高速经过哪几个城市'); its line past 王范, 上王 and 三路里 is estimated"
)
_SRC_YUNFENG = (
    "运风高速 (Yuncheng–Fenglingdu, toward 永济): named as the branch of the 大运 expressway heading to "
    "Yongji and Fenglingdu (page 'Datong–Yuncheng Expressway'); its line from the 解州 interchange west "
    "past 席张 is estimated"
)
_SRC_G209 = (
    "G209: a public forum post (yunxunwl.com, 2023) says the G209 relief road runs from 裴介 (夏县, north-east) "
    "straight to Yuncheng's ring road, and a page on 平陆 (sboyo.com) that G209 leads north from 平陆 via "
    "张店 to the city; the line through 陶村, the hub, 安邑 and 东郭 is estimated"
)
_SRC_YUNJI = (
    "运稷路 (Yuncheng–Jishan road, north): named in issue 13; no description of its route was found in the "
    "public pages searched, so the line north through 北城, 冯村 and 上郭 toward 稷山 is assumed"
)
_SRC_YUNYONG = (
    "运城–永济 road (west): named in issue 13; no route description found, so the line west through 姚孟, "
    "金井 and 龙居 is assumed; it leaves the district westward and is clipped at the outline"
)
_SRC_JIEYANG = (
    "解州–杨 road: named in issue 13; no route description found, so the line from 解州 north, west of 硝池, "
    "to 龙居 is assumed"
)
_SRC_YUNJIE = (
    "city–解州 road along the lakes' north shore: a public page (m.fqmxn.com) gives 解州 as about 25 km and "
    "30 min by car from the district government; the route (west along 盐池, round the west end of 硝池) is "
    "assumed"
)
_SRC_CITY = (
    "city arterials joining the hub, the city centre and the corridors' city ends across the built-up core: "
    "assumed (the rural layer has no nodes in the core, so without them the core is a hole)"
)
_SRC_RUICHENG = (
    "解州–芮城 road over the 中条山: a public page (xingyuange.cn) describes the 中条山 tunnel road as starting "
    "at the ring expressway's 解州 interchange and crossing the range south to 陌南 (芮城); its line to the "
    "district edge is estimated, and it is the one road modelled across the mountain edge south of 解州"
)

#: The corridor definitions: id, English and Chinese name, road class, source, waypoints (label, position).
#: A position ``None`` takes the labelled node's (estimated) position; others are estimated (lon, lat).
CORRIDORS: list[dict[str, Any]] = [
    {
        "corridor": "ring",
        "name": "Yuncheng ring expressway",
        "name_zh": "运城绕城高速",
        "road_class": "motorway",
        "source": _SRC_RING,
        "waypoints": [
            ("x:yuncheng_north", (111.050, 35.100)),
            ("", (110.990, 35.108)),
            ("x:beixiang", (110.945, 35.080)),
            ("", (110.890, 35.040)),
            ("", (110.835, 34.985)),
            ("", (110.818, 34.940)),
            ("x:jiezhou", (110.832, 34.898)),
            ("", (110.900, 34.893)),
            ("", (110.960, 34.897)),
            ("", (111.010, 34.914)),
            ("", (111.055, 34.943)),
            ("", (111.100, 34.975)),
            ("x:dongguo", (111.135, 35.005)),
            ("", (111.125, 35.060)),
            ("", (111.095, 35.095)),
            ("x:yuncheng_north", (111.050, 35.100)),
        ],
    },
    {
        "corridor": "g5_north",
        "name": "Datong–Yuncheng expressway (north of the city)",
        "name_zh": "大运高速",
        "road_class": "motorway",
        "source": _SRC_G5,
        "waypoints": [
            ("x:yuncheng_north", (111.050, 35.100)),
            ("x:wangfan", (111.068, 35.160)),
            ("", (111.055, 35.215)),
            ("x:sanluli", (111.036, 35.268)),
            ("edge", (111.045, 35.400)),
        ],
    },
    {
        "corridor": "yunfeng",
        "name": "Yuncheng–Fenglingdu expressway (toward Yongji)",
        "name_zh": "运风高速",
        "road_class": "motorway",
        "source": _SRC_YUNFENG,
        "waypoints": [
            ("x:jiezhou", (110.832, 34.898)),
            ("x:xizhang", (110.785, 34.893)),
            ("edge", (110.690, 34.885)),
        ],
    },
    {
        "corridor": "g209",
        "name": "National road G209",
        "name_zh": "209国道",
        "road_class": "trunk",
        "source": _SRC_G209,
        "waypoints": [
            ("edge", (111.230, 35.150)),
            ("tw_taocun", None),
            ("hub", None),
            ("", (111.060, 35.055)),
            ("x:anyi", (111.075, 35.040)),
            ("st_dongguo", None),
            ("x:dongguo", (111.135, 35.005)),
            ("edge", (111.200, 34.960)),
        ],
    },
    {
        "corridor": "yunjie",
        "name": "City–Jiezhou road (north shore of the lakes)",
        "name_zh": "运城–解州公路",
        "road_class": "primary",
        "source": _SRC_YUNJIE,
        "waypoints": [
            ("x:city", (111.005, 35.030)),
            ("", (110.950, 35.003)),
            ("", (110.900, 34.988)),
            ("", (110.850, 34.962)),
            ("x:xiaochi_west", (110.830, 34.940)),
            ("st_jiezhou", None),
        ],
    },
    {
        "corridor": "city_ns",
        "name": "City arterial, hub to centre",
        "name_zh": "城区干道(南北)",
        "road_class": "primary",
        "source": _SRC_CITY,
        "waypoints": [
            ("hub", None),
            ("x:beicheng", (111.005, 35.052)),
            ("x:city", (111.005, 35.030)),
        ],
    },
    {
        "corridor": "city_ew",
        "name": "City arterial, centre to 安邑",
        "name_zh": "城区干道(东西)",
        "road_class": "primary",
        "source": _SRC_CITY,
        "waypoints": [
            ("x:city", (111.005, 35.030)),
            ("", (111.040, 35.035)),
            ("x:anyi", (111.075, 35.040)),
        ],
    },
    {
        "corridor": "yunji",
        "name": "Yuncheng–Jishan road",
        "name_zh": "运稷路",
        "road_class": "primary",
        "source": _SRC_YUNJI,
        "waypoints": [
            ("x:beicheng", (111.005, 35.052)),
            ("", (111.008, 35.085)),
            ("tw_fengcun", None),
            ("", (110.990, 35.170)),
            ("tw_shangguo", None),
            ("", (110.985, 35.290)),
            ("edge", (110.985, 35.420)),
        ],
    },
    {
        "corridor": "yunyong",
        "name": "Yuncheng–Yongji road",
        "name_zh": "运城–永济公路",
        "road_class": "primary",
        "source": _SRC_YUNYONG,
        "waypoints": [
            ("x:beicheng", (111.005, 35.052)),
            ("", (110.958, 35.048)),
            ("tw_jinjing", None),
            ("x:longju", (110.865, 35.028)),
            ("", (110.800, 35.010)),
            ("edge", (110.680, 34.990)),
        ],
    },
    {
        "corridor": "jieyang",
        "name": "Jiezhou–Yang road",
        "name_zh": "解州–杨公路",
        "road_class": "secondary",
        "source": _SRC_JIEYANG,
        "waypoints": [
            ("st_jiezhou", None),
            ("x:xiaochi_west", (110.830, 34.940)),
            ("", (110.840, 34.985)),
            ("x:longju", (110.865, 35.028)),
        ],
    },
    {
        "corridor": "jierui",
        "name": "Jiezhou–Ruicheng road over the Zhongtiao",
        "name_zh": "解州–芮城公路(中条山)",
        "road_class": "secondary",
        "source": _SRC_RUICHENG,
        "waypoints": [
            ("st_jiezhou", None),
            ("x:jiezhou", (110.832, 34.898)),
            ("", (110.840, 34.860)),
            ("edge", (110.845, 34.780)),
        ],
    },
]


def _node_positions() -> dict[str, tuple[float, float]]:
    """Estimated positions of the hub, the stations and the township seats (lon, lat)."""
    out = {"hub": (float(geo.HUB_LONLAT[0]), float(geo.HUB_LONLAT[1]))}
    for key, r in geo.units().iterrows():
        if r["level"] == "subdistrict":
            continue
        nid = r["station"] if isinstance(r["station"], str) else f"tw_{str(key).lower()}"
        out[nid] = (float(r["lon"]), float(r["lat"]))
    return out


def _clip_edge(inside: tuple[float, float], outside: tuple[float, float]) -> tuple[float, float]:
    """Where the segment from ``inside`` to ``outside`` leaves the district outline."""
    cut = LineString([inside, outside]).intersection(geo.outline().exterior)
    pts = [p for p in shapely.get_parts(cut) if isinstance(p, Point)]
    if not pts:
        raise ValueError(f"segment {inside} → {outside} does not leave the outline")
    p = min(pts, key=lambda q: q.distance(Point(inside)))
    return (round(p.x, 6), round(p.y, 6))


def build_corridors() -> list[dict[str, Any]]:
    """The corridor features: definitions resolved to positions and clipped to the outline.

    Returns
    -------
    list of dict
        GeoJSON features (LineString, lon/lat to 6 decimals) with properties
        ``corridor``, ``name``, ``name_zh``, ``road_class``, ``position_source``
        (always ``estimated``), ``source`` and ``waypoints`` (labels, one per vertex).

    Raises
    ------
    ValueError
        A corridor crosses a lake or an ``edge`` point lies inside the outline.
    """
    nodes = _node_positions()
    lakes = shapely.union_all(geo.lakes())
    feats = []
    for c in CORRIDORS:
        labels = [lab for lab, _ in c["waypoints"]]
        xy = [nodes[lab] if pos is None else pos for lab, pos in c["waypoints"]]
        xy = [(round(float(x), 6), round(float(y), 6)) for x, y in xy]
        for k, lab in enumerate(labels):
            if lab == "edge":
                if geo.outline().contains(Point(xy[k])):
                    raise ValueError(f"{c['corridor']}: edge point {xy[k]} lies inside the outline")
                xy[k] = _clip_edge(xy[k - 1] if k else xy[k + 1], xy[k])
        if LineString(xy).intersects(lakes):
            raise ValueError(f"corridor {c['corridor']} crosses a lake")
        props = {k: c[k] for k in ("corridor", "name", "name_zh", "road_class")}
        props.update(position_source="estimated", source=c["source"], waypoints=labels)
        feats.append({"type": "Feature", "properties": props, "geometry": {"type": "LineString", "coordinates": xy}})
    return feats


def write_corridors(path: str | Path) -> Path:
    """Write `build_corridors` as stable GeoJSON (one feature a line), byte for byte reproducible.

    Parameters
    ----------
    path : str or pathlib.Path
        Target (``scripts/make_yanhu_corridors.py`` writes the shipped file).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    doc = {
        "type": "FeatureCollection",
        "name": "yanhu_corridors",
        "note": "Estimated road corridors of 盐湖区 (positions ±2-5 km); sources per feature, see docs/networks.md",
        "features": build_corridors(),
    }
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    path = Path(path)
    path.write_text(text.replace('},{"type":"Feature"', '},\n{"type":"Feature"') + "\n", encoding="utf-8")
    return path


def data_path() -> Path:
    """Path of the shipped corridor file.

    Returns
    -------
    pathlib.Path
        ``networks/data/yanhu_corridors.geojson``.
    """
    return Path(str(resources.files("networks") / "data" / DATA_FILE))


@lru_cache(maxsize=1)
def _corridors() -> gpd.GeoDataFrame:
    with open(data_path(), encoding="utf-8") as f:
        doc = json.load(f)
    rows = [f["properties"] for f in doc["features"]]
    geoms = [LineString(f["geometry"]["coordinates"]) for f in doc["features"]]
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=WGS84).set_index("corridor")


def corridors() -> gpd.GeoDataFrame:
    """The shipped estimated corridors.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``corridor``: ``name``, ``name_zh``, ``road_class``,
        ``position_source``, ``source``, ``waypoints``; LineStrings in EPSG:4326.
    """
    return _corridors().copy()


def corridor_length_km() -> dict[str, float]:
    """Drawn (polyline) length of each corridor inside the district, km.

    Returns
    -------
    dict of str to float
        Per corridor id.
    """
    c = _corridors()
    return {str(k): round(float(geo.to_metric(g).length) / 1000, 1) for k, g in c.geometry.items()}


def waypoint_array(corridor: str) -> np.ndarray:
    """Vertices of one corridor (lon, lat).

    Parameters
    ----------
    corridor : str
        Corridor id.

    Returns
    -------
    numpy.ndarray
        Shape (n, 2).
    """
    return np.asarray(_corridors().geometry[corridor].coords)
