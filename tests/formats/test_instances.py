"""logistics.read_instance: classic benchmark files become Problems with the benchmark conventions."""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import logistics
from logistics import ProblemError, read_instance
from logistics.formats.instances import bks, detect_format, read_solution

DATA = Path(__file__).parent.parent / "data"
SHARED = Path(os.environ.get("COLDROUTE_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"))
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared benchmark data not found at {SHARED}")


def dist(problem, a, b):
    m = problem.matrix
    return int(m.distance[m.index(a), m.index(b)])


# --------------------------------------------------------------------------- Solomon


def test_solomon_c101():
    p = read_instance(DATA / "solomon" / "c101.txt")
    assert p.objective == "distance"
    assert len(p.orders) == 100
    assert [o.id for o in p.orders[:3]] == ["1", "2", "3"] and p.orders[-1].id == "100"
    (vt,) = p.fleet
    assert (vt.name, vt.count, vt.capacity, vt.start_depot, vt.end_depot) == ("vehicle", 25, 200, "0", "0")
    assert vt.compartments[0].zone == logistics.Zone.AMBIENT
    assert vt.shift == (0, 12360)  # depot window 0..1236, x10
    o1 = p.order("1")
    assert o1.quantities == {"goods": 10.0} and o1.node_id == "1" and o1.kind == "delivery"
    assert o1.time_windows == ((9120, 9670),) and o1.service == 900
    assert sum(o.quantities["goods"] for o in p.orders) == 1810
    # depot (40, 50) -> customer 1 (45, 68): sqrt(349) = 18.68... -> 18.6 -> 186
    assert dist(p, "0", "1") == 186 and dist(p, "1", "0") == 186
    assert np.array_equal(p.matrix.distance, p.matrix.duration)
    assert p.meta["scale"] == 10 and p.meta["rounding"] == "floor" and p.meta["format"] == "solomon"
    assert p.meta["bks"] == 827.3 and p.meta["bks_kind"] == "distance_dimacs"


def test_solomon_truncation_matches_dimacs_rule():
    path = DATA / "solomon" / "r101.txt"
    p = read_instance(path)
    rows = [ln.split() for ln in path.read_text().splitlines()[9:] if ln.strip()]
    xy = {r[0]: (float(r[1]), float(r[2])) for r in rows}
    assert len(xy) == 101
    for a in ("0", "1", "17", "55", "100"):
        for b in xy:
            exact = math.hypot(xy[a][0] - xy[b][0], xy[a][1] - xy[b][1])
            assert dist(p, a, b) == math.floor(10 * exact + 1e-9), (a, b)
    assert p.meta["bks"] == 1637.7


def test_solomon_rc201_and_overrides():
    p = read_instance(DATA / "solomon" / "rc201.txt")
    assert p.fleet[0].capacity == 1000 and p.fleet[0].count == 25 and p.meta["bks"] == 1261.8
    q = read_instance(DATA / "solomon" / "rc201.txt", scale=100, rounding="round", vehicles=12)
    assert q.fleet[0].count == 12 and q.meta["scale"] == 100
    assert q.order("1").service == 100 * p.order("1").service // 10
    # rounding to 1/100 is within half a unit of the exact length; truncation to 1/10 below it
    assert abs(dist(q, "0", "1") - 10 * dist(p, "0", "1")) < 10


@needs_shared
def test_homberger_from_shared_data():
    path = SHARED / "homberger" / "C1_2_1.txt"
    p = read_instance(path)
    assert len(p.orders) == 200 and p.fleet[0].count == 50 and p.fleet[0].capacity == 200
    assert p.meta["bks"] == 2698.6 and detect_format(path) == "solomon"


# --------------------------------------------------------------------------- VRPLIB


def test_vrplib_e_n22_k4():
    p = read_instance(DATA / "cvrplib" / "E-n22-k4.vrp")
    assert p.objective == "distance" and p.meta["format"] == "vrplib" and p.meta["scale"] == 1
    assert [o.id for o in p.orders] == [str(i) for i in range(2, 23)]
    (vt,) = p.fleet
    assert vt.start_depot == "1" and vt.end_depot == "1" and vt.capacity == 6000
    assert vt.count == 4 + 2  # k from the name plus spare vehicles
    assert p.order("2").quantities == {"goods": 1100.0}
    # node 1 (145, 215) -> node 2 (151, 264): sqrt(36 + 2401) = 49.37 -> nint 49
    assert dist(p, "1", "2") == 49
    assert p.meta["bks"] == 375
    lo, hi = p.order("2").time_windows[0]
    assert lo == 0 and hi >= 86_400 and vt.shift == (0, hi)


def test_vrplib_nint_rounding_all_arcs():
    p = read_instance(DATA / "cvrplib" / "X-n101-k25.vrp")
    import vrplib

    inst = vrplib.read_instance(str(DATA / "cvrplib" / "X-n101-k25.vrp"))
    expect = np.floor(np.asarray(inst["edge_weight"]) + 0.5).astype(np.int64)
    assert np.array_equal(p.matrix.distance, expect)
    assert p.fleet[0].count == 25 + 3 and p.fleet[0].capacity == 206


def test_vrplib_explicit_lower_row():
    p = read_instance(DATA / "cvrplib" / "E-n13-k4.vrp")
    assert p.meta["edge_weight_type"] == "EXPLICIT"
    assert dist(p, "1", "2") == 9 and dist(p, "2", "1") == 9
    assert dist(p, "1", "3") == 14 and dist(p, "2", "3") == 21
    assert np.array_equal(p.matrix.distance, p.matrix.distance.T)
    assert p.meta["bks"] == 247 and len(p.orders) == 12


def test_read_solution_numbers_customers_from_node_two():
    p = read_instance(DATA / "cvrplib" / "X-n101-k25.vrp")
    routes, cost = read_solution(DATA / "cvrplib" / "X-n101-k25.sol", p)
    assert cost == 27591 and len(routes) == 26
    assert routes[0] == ["32", "47", "36"]  # "Route #1: 31 46 35"
    assert sorted(int(x) for r in routes for x in r) == list(range(2, 102))
    total = 0
    for r in routes:
        seq = ["1", *r, "1"]
        total += sum(dist(p, a, b) for a, b in zip(seq, seq[1:]))
    assert total == 27591


def test_vrplib_fleet_override():
    p = read_instance(DATA / "cvrplib" / "E-n22-k4.vrp", vehicles=9)
    assert p.fleet[0].count == 9


# --------------------------------------------------------------------------- Li & Lim, Cordeau


def test_lilim_lc101_pairs():
    p = read_instance(DATA / "lilim" / "lc101.txt")
    assert p.meta["format"] == "lilim" and p.meta["scale"] == 100 and p.meta["bks"] == 828.9369
    assert len(p.orders) == 106
    pickups = [o for o in p.orders if o.kind == "pickup"]
    assert len(pickups) == 53
    for o in pickups:
        d = p.order(o.pair)
        assert d.kind == "delivery" and d.pair == o.id and d.quantities == o.quantities
    # "1 45 68 -10 912 967 90 11 0": delivery of pickup 11
    o1 = p.order("1")
    assert o1.kind == "delivery" and o1.pair == "11" and o1.quantities == {"goods": 10.0}
    assert o1.time_windows == ((91200, 96700),) and o1.service == 9000
    assert p.order("3").kind == "pickup" and p.order("3").pair == "75"
    assert p.fleet[0].count == 25 and p.fleet[0].capacity == 200 and p.fleet[0].shift == (0, 123600)
    assert dist(p, "0", "1") == 1868  # 18.682 -> 1868 at 1/100


def test_cordeau_p01():
    p = read_instance(DATA / "mdvrp" / "p01.txt")
    assert p.meta["format"] == "cordeau" and p.meta["bks"] == 576.87
    assert len(p.orders) == 50 and [o.id for o in p.orders[:2]] == ["1", "2"]
    assert [vt.name for vt in p.fleet] == ["d51", "d52", "d53", "d54"]
    assert all(vt.count == 4 and vt.capacity == 80 and vt.max_duration is None for vt in p.fleet)
    assert [vt.start_depot for vt in p.fleet] == ["51", "52", "53", "54"]
    assert p.order("1").quantities == {"goods": 7.0}
    assert p.meta["depots"] == ["51", "52", "53", "54"]


@needs_shared
def test_cordeau_route_duration_limit():
    p = read_instance(SHARED / "mdvrp" / "pr01.txt")
    assert all(vt.max_duration == 500 * 100 for vt in p.fleet)
    assert p.order("1").service > 0


# --------------------------------------------------------------------------- detection and bks


@pytest.mark.parametrize(
    "rel,fmt",
    [
        ("solomon/c101.txt", "solomon"),
        ("cvrplib/E-n22-k4.vrp", "vrplib"),
        ("lilim/lc101.txt", "lilim"),
        ("mdvrp/p01.txt", "cordeau"),
    ],
)
def test_detect_format_by_content(tmp_path, rel, fmt):
    assert detect_format(DATA / rel) == fmt
    renamed = tmp_path / "instance.dat"
    shutil.copy(DATA / rel, renamed)
    assert detect_format(renamed) == fmt
    assert read_instance(renamed).meta["format"] == fmt
    assert read_instance(renamed).meta["bks"] is None  # no bks.csv beside it


def test_format_aliases_and_unknown(tmp_path):
    assert read_instance(DATA / "solomon" / "c101.txt", format="homberger").meta["format"] == "solomon"
    with pytest.raises(ProblemError, match="unknown instance format"):
        read_instance(DATA / "solomon" / "c101.txt", format="excel")
    junk = tmp_path / "junk.txt"
    junk.write_text("hello world\nthis is not an instance\n")
    with pytest.raises(ProblemError, match="cannot tell the instance format"):
        read_instance(junk)
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    with pytest.raises(ProblemError, match="empty"):
        read_instance(empty)
    with pytest.raises(ProblemError, match="no such instance file"):
        read_instance(tmp_path / "missing.txt")


def test_bks_lookup(tmp_path):
    assert bks(DATA / "solomon" / "c101.txt") == 827.3
    assert bks(DATA / "solomon" / "c101.txt", "distance") == 828.94
    assert bks(DATA / "solomon" / "r101.txt", "vehicles") == 19
    assert bks(DATA / "cvrplib" / "E-n22-k4.vrp") == 375
    assert bks(DATA / "lilim" / "lc101.txt") == 828.9369
    assert bks(DATA / "mdvrp" / "p01.txt") == 576.87
    assert bks(tmp_path / "c101.txt") is None
    # a set's bks.csv one folder up (cvrplib/X/X-n101-k25.vrp -> cvrplib/bks.csv)
    (tmp_path / "X").mkdir()
    shutil.copy(DATA / "cvrplib" / "X-n101-k25.vrp", tmp_path / "X")
    shutil.copy(DATA / "cvrplib" / "bks.csv", tmp_path)
    assert bks(tmp_path / "X" / "X-n101-k25.vrp") == 27591
    assert read_instance(tmp_path / "X" / "X-n101-k25.vrp").meta["bks"] == 27591
    with pytest.raises(KeyError):
        bks(DATA / "solomon" / "c101.txt", "no_such_column")


@needs_shared
def test_bks_from_shared_sets():
    assert bks(SHARED / "cvrplib" / "X" / "X-n101-k25.vrp") == 27591
    assert bks(SHARED / "homberger" / "RC2_4_10.txt") is not None


# --------------------------------------------------------------------------- bad files


def broken(tmp_path, rel: str, line_no: int, new: str | None, name: str | None = None) -> Path:
    """A copy of a test file with 1-based line ``line_no`` replaced (or removed when ``new`` is None)."""
    lines = (DATA / rel).read_text().replace("\r\n", "\n").split("\n")
    if new is None:
        del lines[line_no - 1]
    else:
        lines[line_no - 1] = new
    out = tmp_path / (name or Path(rel).name)
    out.write_text("\n".join(lines))
    return out


def test_solomon_bad_number_names_line_and_field(tmp_path):
    f = broken(
        tmp_path, "solomon/c101.txt", 13, "    3      42         66         ten          65        146         90"
    )
    with pytest.raises(ProblemError, match=r"c101\.txt, line 13: DEMAND: 'ten' is not a number") as e:
        read_instance(f)
    assert e.value.field == "DEMAND" and e.value.record == "c101.txt:13"


@pytest.mark.parametrize(
    "line,field,msg",
    [
        ("    3      42         66         10          65", "DUE DATE", "expected 7 fields"),
        ("    3      42         66         10          165        146         90", "DUE DATE", "before ready time"),
        ("    2      42         66         10          65        146         90", "CUST NO.", "already given"),
        ("    3      42         66         300          65        146         90", "DEMAND", "exceeds the vehicle"),
        ("    3      42         66         -1          65        146         90", "DEMAND", "negative demand"),
        ("    3      42         66         10          65        146         -5", "SERVICE TIME", "negative service"),
    ],
)
def test_solomon_bad_rows(tmp_path, line, field, msg):
    f = broken(tmp_path, "solomon/c101.txt", 13, line)
    with pytest.raises(ProblemError, match=msg) as e:
        read_instance(f)
    assert e.value.field == field and "line 13" in str(e.value)


def test_solomon_bad_vehicle_block(tmp_path):
    f = broken(tmp_path, "solomon/c101.txt", 5, "  25         lots")
    with pytest.raises(ProblemError, match=r"line 5: CAPACITY"):
        read_instance(f)
    f = broken(tmp_path, "solomon/c101.txt", 5, "  0         200")
    with pytest.raises(ProblemError, match=r"line 5: NUMBER"):
        read_instance(f)


def test_vrplib_bad_files(tmp_path):
    f = broken(tmp_path, "cvrplib/E-n22-k4.vrp", 32, "3 seven hundred")
    with pytest.raises(ProblemError, match=r"line 32") as e:
        read_instance(f)
    assert e.value.field in ("demand", "row")
    f = broken(tmp_path, "cvrplib/E-n22-k4.vrp", 32, "3 -700")
    with pytest.raises(ProblemError, match=r"line 32: demand: node 3: negative demand"):
        read_instance(f)
    f = broken(tmp_path, "cvrplib/E-n22-k4.vrp", 10, "3 159 north")
    with pytest.raises(ProblemError, match=r"line 10: y: 'north' is not a number"):
        read_instance(f)
    f = broken(tmp_path, "cvrplib/E-n22-k4.vrp", 6, None)  # drop CAPACITY
    with pytest.raises(ProblemError, match="no CAPACITY") as e:
        read_instance(f)
    assert e.value.field == "CAPACITY"
    f = broken(tmp_path, "cvrplib/E-n22-k4.vrp", 5, "EDGE_WEIGHT_TYPE : GEO")
    with pytest.raises(ProblemError, match=r"line 5: EDGE_WEIGHT_TYPE: 'GEO' is not supported"):
        read_instance(f)
    f = broken(tmp_path, "cvrplib/E-n22-k4.vrp", 4, "DIMENSION : 23")
    with pytest.raises(ProblemError, match="NODE_COORD_SECTION: 22 rows, but DIMENSION is 23"):
        read_instance(f)
    f = broken(tmp_path, "cvrplib/E-n22-k4.vrp", 32, "3 7000")
    with pytest.raises(ProblemError, match="exceeds capacity"):
        read_instance(f)


def test_lilim_bad_sibling(tmp_path):
    # task 1 is the delivery of pickup 11; make it point at 12 instead
    f = broken(tmp_path, "lilim/lc101.txt", 3, "1\t45\t68\t-10\t912\t967\t90\t12\t0")
    with pytest.raises(ProblemError, match="should point back to task 1") as e:
        read_instance(f)
    assert "line" in str(e.value)
    f = broken(tmp_path, "lilim/lc101.txt", 3, "1\t45\t68\t-10\t912\t967\t90\t11")
    with pytest.raises(ProblemError, match=r"line 3: delivery_sibling: expected 9 fields"):
        read_instance(f, format="lilim")


def test_lilim_speed_zero_reads_as_one(tmp_path):
    # lc104, lr107 and a few others publish "25 200 0" as their first line
    f = broken(tmp_path, "lilim/lc101.txt", 1, "25\t200\t0")
    p = read_instance(f)
    assert dist(p, "0", "1") == 1868 and p.matrix.duration[0, 1] == 1868
    f = broken(tmp_path, "lilim/lc101.txt", 1, "25\t200\t-1")
    with pytest.raises(ProblemError, match=r"line 1: S: speed must not be negative"):
        read_instance(f)


def test_cordeau_bad_header(tmp_path):
    f = broken(tmp_path, "mdvrp/p01.txt", 1, "3 4 50 4")
    with pytest.raises(ProblemError, match=r"line 1: type: problem type 3 is not 2"):
        read_instance(f, format="cordeau")
    f = broken(tmp_path, "mdvrp/p01.txt", 8, " 2 49 49 0  x 1 4 1 2 4 8")
    with pytest.raises(ProblemError, match=r"line 8: q: 'x' is not a number"):
        read_instance(f, format="cordeau")
