"""Networks to and from GeoPackage, GeoJSON and CSV."""

from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pytest

import networks
from networks import Network, NetworkError, read_network
from networks.io import read_roads_layer, write_roads


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COLDROUTE_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def yanhu() -> Network:
    return networks.yanhu(roads=True)


def assert_same_nodes(a: Network, b: Network) -> None:
    assert list(a.nodes.index) == list(b.nodes.index)
    assert b.nodes.crs == "EPSG:4326"
    np.testing.assert_allclose(a.nodes.geometry.x, b.nodes.geometry.x, atol=1e-9)
    np.testing.assert_allclose(a.nodes.geometry.y, b.nodes.geometry.y, atol=1e-9)
    assert (a.nodes["tier"] == b.nodes["tier"]).all()
    assert a.nodes["parent"].fillna("").tolist() == b.nodes["parent"].fillna("").tolist()
    assert b.nodes["synthetic"].dtype == bool and (a.nodes["synthetic"] == b.nodes["synthetic"]).all()
    for col in ("name", "name_zh", "kind", "township", "township_zh", "position_source"):
        assert a.nodes[col].fillna("").tolist() == b.nodes[col].fillna("").tolist(), col
    assert b.nodes.at["hub", "cold_store_t"] == a.nodes.at["hub", "cold_store_t"]
    assert b.nodes["cold_store_t"].isna().sum() == a.nodes["cold_store_t"].isna().sum()


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".csv"])
def test_round_trip_nodes(tmp_path, yanhu, suffix):
    path = tmp_path / f"net{suffix}"
    yanhu.to_file(path, roads=False)
    back = read_network(path)
    assert_same_nodes(yanhu, back)
    assert back.roads is None
    assert back.name == "net"


def test_gpkg_round_trip_with_roads(tmp_path, yanhu):
    path = tmp_path / "yanhu.gpkg"
    yanhu.to_file(path)
    back = read_network(path)
    assert_same_nodes(yanhu, back)
    g = back.roads
    assert g is not None and g.graph["synthetic"] is True
    assert g.number_of_nodes() == yanhu.roads.number_of_nodes()
    assert g.number_of_edges() == yanhu.roads.number_of_edges()
    ids = ["hub", "st_jiezhou", "tw_longju", "v_dongguo_03"]
    a = yanhu.travel_matrix(ids, cache=False)
    b = back.travel_matrix(ids, cache=False)
    np.testing.assert_allclose(a.distance, b.distance, atol=1)
    np.testing.assert_allclose(a.duration, b.duration, atol=1)
    assert read_network(path, roads=False).roads is None


def test_small_network_with_optional_columns(tmp_path):
    nodes = gpd.GeoDataFrame(
        {
            "node_id": ["h", "s", "v"],
            "name": ["H", "S", "V"],
            "tier": ["hub", "station", "village"],
            "parent": [None, "h", "s"],
            "synthetic": [False, False, True],
            "cold_store_t": [250.5, np.nan, np.nan],
            "households": [np.nan, np.nan, 120.0],
        },
        geometry=gpd.points_from_xy([111.0, 111.1, 111.12], [35.0, 35.1, 35.11]),
        crs="EPSG:4326",
    )
    net = Network(nodes)
    for suffix in (".gpkg", ".geojson", ".csv"):
        path = tmp_path / f"small{suffix}"
        net.to_file(path)
        back = read_network(path)
        assert back.nodes.at["h", "cold_store_t"] == 250.5
        assert back.nodes.at["v", "households"] == 120.0
        assert back.nodes.at["v", "synthetic"] == True  # noqa: E712
        assert back.nodes.at["s", "parent"] == "h" and back.nodes.at["h", "parent"] is None


def test_overwrite_and_roads_geojson(tmp_path, yanhu):
    path = tmp_path / "net.gpkg"
    yanhu.to_file(path)
    yanhu.to_file(path, roads=False)  # rewriting replaces the file
    assert read_network(path).roads is None
    rpath = tmp_path / "roads.geojson"
    write_roads(yanhu.roads, rpath)
    g = read_roads_layer(rpath)
    assert g.number_of_edges() == yanhu.roads.number_of_edges()


def test_read_errors(tmp_path, yanhu):
    with pytest.raises(NetworkError) as ei:
        read_network(tmp_path / "none.gpkg")
    assert ei.value.field == "path"
    with pytest.raises(NetworkError) as ei:
        yanhu.to_file(tmp_path / "net.xlsx")
    assert ei.value.field == "path"
    # a file with a bad node: the error names it
    bad = yanhu.nodes.reset_index()
    bad.loc[bad["node_id"] == "v_longju_05", "tier"] = "town"
    path = tmp_path / "bad.geojson"
    bad.to_file(path, driver="GeoJSON")
    with pytest.raises(NetworkError) as ei:
        read_network(path)
    assert ei.value.record == "v_longju_05" and ei.value.field == "tier"
    csv = tmp_path / "nolat.csv"
    csv.write_text("node_id,name,tier,parent,lon\nh,H,hub,,111.0\n")
    with pytest.raises(NetworkError) as ei:
        read_network(csv)
    assert ei.value.field == "lat"


@pytest.mark.parametrize(
    "name,text",
    [
        ("empty.csv", ""),  # pandas' EmptyDataError
        ("junk.gpkg", "junk"),  # pyogrio's DataSourceError
        ("junk.geojson", "{junk"),
        ("bad.csv", "node_id,lon,lat\na,abc,1\n"),  # a ValueError building the points
    ],
)
def test_unreadable_network_files_raise_network_error(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    with pytest.raises(NetworkError) as ei:
        read_network(p)
    assert ei.value.field == "path" and name in str(ei.value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    p = tmp_path / "nodes.csv"
    os.mkfifo(p)
    with pytest.raises(NetworkError, match="not a regular file"):
        read_network(p)
