"""OpenStreetMap extracts into road graphs.

``.osm.pbf`` files are read with pyrosm; OSM XML (``.osm``, ``.osm.bz2``,
``.osm.gz``, ``.xml``) with osmium (pyosmium, libosmium's own parser).  Both end
in [networks.roads.road_graph][], so the graph has the same form whatever the
source: ``length`` (m), ``travel_time`` (s) from the class speeds, one-way
streets honoured (``oneway=yes/-1``, roundabouts, motorways).

Way selection for ``network_type="driving"`` follows the usual drivable-road
filter (pyrosm's and OSMnx's "drive"): no footways, paths, cycleways, tracks,
service roads, areas, or ways closed to cars by ``access``/``motor_vehicle``/
``motorcar``/``vehicle`` = no/private.  ``"driving+service"`` keeps service roads
except parking aisles, driveways and private ones; ``"all"`` keeps every highway.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
import shapely

from .errors import NetworkError
from .geo import WGS84
from .road_layers import road_graph

NETWORK_TYPES = ("driving", "driving+service", "all")
_ALWAYS_EXCLUDED = {
    "abandoned",
    "construction",
    "no",
    "planned",
    "platform",
    "proposed",
    "raceway",
    "razed",
    "rest_area",
    "services",
    "disused",
}
_NOT_DRIVABLE = {
    "bridleway",
    "bus_guideway",
    "busway",
    "corridor",
    "cycleway",
    "elevator",
    "escalator",
    "footway",
    "ladder",
    "path",
    "pedestrian",
    "steps",
    "track",
    "trail",
}
_CAR_ACCESS_KEYS = ("motorcar", "motor_vehicle", "vehicle", "access")
_CLOSED = {"no", "private"}
_TAGS = ("highway", "oneway", "junction", "name", "maxspeed", "service", "access")
_INSTALL_HINT = "pip install 'coldroute[osm]'"


def _values(v: str | None) -> set[str]:
    return {p.strip() for p in v.split(";")} if v else set()


def keep_way(tags: Mapping[str, str], network_type: str = "driving") -> bool:
    """Whether a way with these OSM tags belongs to a ``network_type`` road graph.

    The same filter for both readers, so a PBF and an XML extract of one area give
    the same graph.

    Parameters
    ----------
    tags : mapping of str to str
        The way's OSM tags.
    network_type : {"driving", "driving+service", "all"}
        See the module doc.

    Returns
    -------
    bool
        True when the way is kept.
    """
    hw = tags.get("highway")
    if not hw or _values(hw) & _ALWAYS_EXCLUDED or "yes" in _values(tags.get("area")):
        return False
    if network_type == "all":
        return True
    if _values(hw) & _NOT_DRIVABLE:
        return False
    for key in _CAR_ACCESS_KEYS:  # the most specific access tag decides
        if tags.get(key) is not None:
            if _values(tags[key]) & _CLOSED:
                return False
            break
    service = _values(tags.get("service"))
    if network_type == "driving":
        if "service" in _values(hw) or service & {
            "alley",
            "driveway",
            "emergency_access",
            "parking",
            "parking_aisle",
            "private",
        }:
            return False
    elif service & {"emergency_access", "parking", "parking_aisle", "private"}:
        return False
    return True


def parse_maxspeed(value: Any) -> float | None:
    """km/h from an OSM ``maxspeed`` value, for ``use_maxspeed=True``.

    Parameters
    ----------
    value : str, float or None
        E.g. ``"50"``, ``"30 mph"``, ``"50;70"`` (the first value counts).

    Returns
    -------
    float or None
        Positive km/h, or None when the value is missing or not numeric
        (``"signals"``, ``"none"``), so the class speed applies.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    s = str(value).strip().lower().split(";")[0]
    factor = 1.609344 if s.endswith("mph") else 1.0
    s = s.replace("mph", "").replace("km/h", "").replace("kmh", "").strip()
    try:
        v = float(s) * factor
    except ValueError:
        return None
    return v if v > 0 else None


def osm_lines(path: str | Path, network_type: str = "driving") -> gpd.GeoDataFrame:
    """The selected highway ways of an OSM file as a line GeoDataFrame (EPSG:4326).

    The step before [networks.roads.road_graph][], exposed so that ways can be
    inspected or edited before they become a graph.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.osm.pbf`` (pyrosm) or OSM XML (``.osm``, ``.osm.bz2``, ``.osm.gz``,
        ``.xml``; osmium).
    network_type : {"driving", "driving+service", "all"}
        Which ways to keep (see the module doc).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per way (or per piece of a way that leaves the extract) with
        ``osm_id`` and the tags ``highway``, ``oneway``, ``junction``, ``name``,
        ``maxspeed``, ``service``, ``access``.

    Raises
    ------
    NetworkError
        Missing or unreadable file, unknown type, or no matching roads.
    ImportError
        pyrosm / osmium (the ``[osm]`` extra) is not installed.
    """
    path = Path(path)
    if not path.exists():
        raise NetworkError(f"OSM file {str(path)!r} does not exist", record=str(path), field="path")
    if network_type not in NETWORK_TYPES:
        raise NetworkError(
            f"network_type {network_type!r} is not one of {', '.join(NETWORK_TYPES)}", field="network_type"
        )
    name = path.name.lower()
    if name.endswith(".pbf"):
        return _pbf_lines(path, network_type)
    if name.endswith((".osm", ".osm.bz2", ".osm.gz", ".xml", ".xml.bz2", ".xml.gz")):
        return _xml_lines(path, network_type)
    raise NetworkError(
        f"{str(path)!r}: not an OSM file (.osm.pbf, .osm, .osm.bz2, .osm.gz)", record=str(path), field="path"
    )


def _pbf_lines(path: Path, network_type: str) -> gpd.GeoDataFrame:
    try:
        # deferred: pyrosm is the optional [osm] extra, needed only for .pbf files
        import pyrosm
    except ImportError as e:
        raise ImportError(f"reading {str(path)!r} needs pyrosm: {_INSTALL_HINT}") from e

    try:
        edges = pyrosm.OSM(str(path)).get_network(network_type=network_type)
    except Exception as e:
        raise NetworkError(f"cannot read {str(path)!r}: {e}", record=str(path), field="path") from e
    if edges is None or len(edges) == 0:
        raise NetworkError(f"{str(path)!r} has no {network_type} roads", record=str(path), field="highway")
    cols = [c for c in ("id", *_TAGS) if c in edges.columns]
    out = gpd.GeoDataFrame(edges[cols].copy(), geometry=edges.geometry.to_numpy(), crs=WGS84)
    out = out.rename(columns={"id": "osm_id"})
    return out.reset_index(drop=True)


def _xml_lines(path: Path, network_type: str) -> gpd.GeoDataFrame:
    try:
        # deferred: osmium is the optional [osm] extra, needed only for OSM XML files
        import osmium
    except ImportError as e:
        raise ImportError(f"reading {str(path)!r} needs osmium (pyosmium): {_INSTALL_HINT}") from e

    rows: list[dict[str, Any]] = []
    geoms: list[shapely.LineString] = []
    try:
        fp: Any = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations()
        for obj in fp:
            if not obj.is_way():
                continue
            tags = {t.k: t.v for t in obj.tags}
            if not keep_way(tags, network_type):
                continue
            # a way may leave the extract: split it where node locations are missing
            run: list[tuple[float, float]] = []
            for nd in obj.nodes:
                if nd.location.valid():
                    run.append((nd.location.lon, nd.location.lat))
                    continue
                if len(run) >= 2:
                    rows.append({"osm_id": obj.id, **{k: tags.get(k) for k in _TAGS}})
                    geoms.append(shapely.LineString(run))
                run = []
            if len(run) >= 2:
                rows.append({"osm_id": obj.id, **{k: tags.get(k) for k in _TAGS}})
                geoms.append(shapely.LineString(run))
    except RuntimeError as e:
        raise NetworkError(f"cannot read {str(path)!r}: {e}", record=str(path), field="path") from e
    if not rows:
        raise NetworkError(f"{str(path)!r} has no {network_type} roads", record=str(path), field="highway")
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=WGS84)


def read_osm(
    path: str | Path,
    network_type: str = "driving",
    *,
    speeds: Mapping[str, float] | None = None,
    use_maxspeed: bool = False,
    **kwargs: Any,
) -> nx.MultiDiGraph:
    """A road graph (see `networks.roads`) from an OSM extract.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.osm.pbf`` or OSM XML (see `osm_lines`).
    network_type : {"driving", "driving+service", "all"}
        Which ways to keep.
    speeds : mapping of str to float, optional
        Class speeds (km/h per ``highway`` value) over the defaults.
    use_maxspeed : bool
        Take a way's numeric ``maxspeed`` tag instead of its class speed where present.
    **kwargs
        Passed to [networks.roads.road_graph][].

    Returns
    -------
    networkx.MultiDiGraph
        With ``graph.graph["source"]`` naming the file.
    """
    lines = osm_lines(path, network_type)
    if use_maxspeed and "maxspeed" in lines.columns:
        lines["speed_kmh"] = lines["maxspeed"].map(parse_maxspeed)
    g = road_graph(lines, speeds, class_col="highway", oneway_col="oneway", **kwargs)
    g.graph["source"] = f"OpenStreetMap: {Path(path).name} ({network_type})"
    return g
