"""Network construction, validation errors and village reassignment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

import networks
from networks import Network, NetworkError, TravelMatrix

ROOT = Path(__file__).resolve().parents[2]


def frame(rows):
    df = pd.DataFrame(rows, columns=["node_id", "name", "tier", "parent", "lon", "lat"])
    return gpd.GeoDataFrame(
        df.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(df.lon, df.lat), crs="EPSG:4326"
    )


BASE = [
    ("hub", "Hub", "hub", None, 111.03, 35.07),
    ("s1", "North", "station", "hub", 111.01, 35.27),
    ("s2", "South", "station", "hub", 111.08, 35.00),
    ("v1", "Near north", "village", "s2", 111.02, 35.25),  # parent is the far station on purpose
    ("v2", "Near south", "village", "s2", 111.09, 35.01),
]


def test_valid_network_slices_and_defaults():
    net = Network(frame(BASE))
    assert net.nodes.index.name == "node_id"
    assert net.nodes.crs == "EPSG:4326"
    assert net.hub_id == "hub"
    assert list(net.stations.index) == ["s1", "s2"]
    assert list(net.villages.index) == ["v1", "v2"]
    assert list(net.villages_of("s2").index) == ["v1", "v2"]
    assert net.nodes["synthetic"].dtype == bool and not net.nodes["synthetic"].any()
    assert (net.nodes["name_zh"] == net.nodes["name"]).all()
    assert net.summary().loc["s2", "villages"] == 2
    assert len(net) == 5 and "v1" in net


def test_projected_input_is_converted_to_wgs84():
    f = frame(BASE).to_crs("EPSG:32649")
    net = Network(f)
    assert net.nodes.crs == "EPSG:4326"
    assert net.nodes.geometry["hub"].x == pytest.approx(111.03)


def _error(rows, **kw) -> NetworkError:
    with pytest.raises(NetworkError) as ei:
        Network(frame(rows), **kw)
    return ei.value


def test_duplicate_id():
    e = _error(BASE + [("v1", "Again", "village", "s1", 111.0, 35.2)])
    assert e.record == "v1" and e.field == "node_id" and "v1" in str(e)


@pytest.mark.parametrize(
    "lon,lat,fld",
    [
        (190.0, 35.0, "lon"),
        (-181.0, 35.0, "lon"),
        (np.nan, 35.0, "lon"),
        (111.0, 95.0, "lat"),
        (111.0, -91.0, "lat"),
        (111.0, np.inf, "lat"),
    ],
)
def test_invalid_lon_lat(lon, lat, fld):
    e = _error(BASE + [("bad", "Bad", "village", "s1", lon, lat)])
    assert e.record == "bad" and e.field == fld and "bad" in str(e)


def test_unknown_tier():
    e = _error(BASE + [("x", "X", "depot", "s1", 111.0, 35.1)])
    assert e.record == "x" and e.field == "tier" and "depot" in str(e)


def test_missing_parent():
    e = _error(BASE + [("orphan", "Orphan", "village", None, 111.0, 35.1)])
    assert e.record == "orphan" and e.field == "parent"


def test_parent_not_a_node():
    e = _error(BASE + [("v9", "V9", "village", "s9", 111.0, 35.1)])
    assert e.record == "v9" and e.field == "parent" and "s9" in str(e)


@pytest.mark.parametrize(
    "row",
    [
        ("v9", "V9", "village", "hub", 111.0, 35.1),
        ("s9", "S9", "station", "s1", 111.0, 35.1),
        ("v9", "V9", "village", "v1", 111.0, 35.1),
    ],
)
def test_parent_not_one_tier_up(row):
    e = _error(BASE + [row])
    assert e.record == row[0] and e.field == "parent" and "expected" in str(e)


def test_hub_with_parent_and_no_hub():
    e = _error([("hub", "Hub", "hub", "s1", 111.0, 35.0), ("s1", "S", "station", "hub", 111.1, 35.1)])
    assert e.record == "hub" and e.field == "parent"
    e = _error([("s1", "S", "station", None, 111.1, 35.1)])
    assert e.field == "tier"


def test_geometry_and_columns():
    f = frame(BASE)
    f.loc[f.index[1], "geometry"] = LineString([(111, 35), (111.1, 35.1)])
    with pytest.raises(NetworkError) as ei:
        Network(f)
    assert ei.value.record == "s1" and ei.value.field == "geometry"
    with pytest.raises(NetworkError) as ei:
        Network(frame(BASE).drop(columns="tier"))
    assert ei.value.field == "tier"
    f = frame(BASE).set_crs(None, allow_override=True)
    with pytest.raises(NetworkError) as ei:
        Network(f)
    assert ei.value.field == "geometry"
    with pytest.raises(NetworkError):
        Network(pd.DataFrame({"node_id": ["hub"]}))


def test_roads_must_be_a_graph():
    with pytest.raises(NetworkError) as ei:
        Network(frame(BASE), roads={"a": 1})
    assert ei.value.field == "roads"


def test_villages_of_unknown_station():
    net = Network(frame(BASE))
    with pytest.raises(NetworkError) as ei:
        net.villages_of("v1")
    assert ei.value.record == "v1"


def test_reassign_villages_by_duration_and_distance():
    net = Network(frame(BASE))
    new = net.reassign_villages()
    assert new is not net
    assert new.nodes.at["v1", "parent"] == "s1"
    assert new.nodes.at["v2", "parent"] == "s2"
    assert net.nodes.at["v1", "parent"] == "s2"  # the original is untouched
    assert net.reassign_villages(by="distance").nodes.at["v1", "parent"] == "s1"
    with pytest.raises(NetworkError):
        net.reassign_villages(by="cost")


def test_reassign_uses_given_matrix_and_roads():
    net = Network(frame(BASE))
    ids = ["s1", "s2", "v1", "v2"]
    dur = np.array([[0, 10, 900, 50], [10, 0, 5, 900], [900, 5, 0, 1], [50, 900, 1, 0]])
    tm = TravelMatrix(ids, dur, dur)
    new = net.reassign_villages(matrix=tm)
    assert new.nodes.at["v1", "parent"] == "s2" and new.nodes.at["v2", "parent"] == "s1"
    roads = networks.synthetic_roads(net.nodes)
    r = net.with_roads(roads).reassign_villages()
    assert r.roads is roads and r.nodes.at["v1", "parent"] == "s1"


def test_with_synthetic_roads():
    net = Network(frame(BASE)).with_synthetic_roads()
    assert net.roads.graph["synthetic"] is True
    tm = net.travel_matrix(cache=False)
    assert tm.synthetic and (tm.duration[~np.eye(5, dtype=bool)] > 0).all()


def test_extra_point_columns_survive():
    f = frame(BASE)
    f["cold_store_t"] = [500.0, np.nan, np.nan, np.nan, np.nan]
    net = Network(f)
    assert net.nodes.at["hub", "cold_store_t"] == 500.0
    assert isinstance(net.nodes.geometry["v1"], Point)


def test_import_defers_scipy_and_the_osm_extra():
    code = "import sys, networks; print(sorted(m for m in ('scipy', 'pyrosm', 'osmium') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
