"""Inputs that once ended as "internal error" (exit 3) or hung: each is bad input, exit 2, with a message.

Each case is a job, plan or command line found by probing (issue "Trust, part two", items 9, 10,
12 and deliverable 5); the message must name the field or file at fault and no traceback may
reach the user.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from logistics.app import cli

DATA = Path(__file__).parent.parent / "data" / "jobs"
SMALL = (DATA / "small.yaml").read_text(encoding="utf-8")
BASE = yaml.safe_load(SMALL)
runner = CliRunner()


def invoke(*args):
    return runner.invoke(cli.app, [str(a) for a in args])


def assert_bad_input(r, *words):
    assert r.exit_code == 2, (r.exit_code, r.output, r.exception)
    assert "Traceback" not in r.output and "internal error" not in r.output, r.output
    text = " ".join(r.output.split())
    for w in words:
        assert w in text, (w, r.output)


def job_dir(tmp_path: Path, text: str | bytes, name: str = "job.json") -> Path:
    d = tmp_path / "jobs"
    shutil.copytree(DATA, d)
    p = d / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def as_json(**patch) -> dict:
    doc = json.loads(json.dumps(BASE))
    doc.update(patch)
    return doc


def solve(p: Path, *extra):
    return invoke("solve", p, "--out", p.parent / "out", "-t", 0.3, "-q", *extra)


# --------------------------------------------------------------------------- the job document


@pytest.mark.parametrize(
    "label,text,words",
    [
        ("latin-1", SMALL.replace("small-day", "smäll").encode("latin-1"), ["line 2", "not UTF-8"]),
        ("date", SMALL.replace('day: "2026-03-02"', "day: 2026-13-45"), ["day:", "2026-13-45", "timestamp"]),
        ("!!int", SMALL.replace("seed: 0", "seed: !!int abc"), ["solver.seed", "int"]),
        ("!!timestamp", SMALL.replace('day: "2026-03-02"', "day: !!timestamp x"), ["day:", "timestamp"]),
        ("4,300+ digits", SMALL.replace("seed: 0", "seed: " + "1" * 5000), ["solver.seed", "4300 digits"]),
    ],
)
def test_yaml_and_encoding_errors_name_the_line_or_field(tmp_path, label, text, words):
    assert_bad_input(solve(job_dir(tmp_path, text, "job.yaml")), *words)


def test_a_utf16_job_with_a_byte_order_mark_is_read(tmp_path):
    r = solve(job_dir(tmp_path, SMALL.encode("utf-16"), "job.yaml"))
    assert r.exit_code == 0, r.output


def _patched(path: list, value) -> str:
    doc = as_json()
    node = doc
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = "@@"
    return json.dumps(doc).replace('"@@"', value)


@pytest.mark.parametrize(
    "path,value,field",
    [
        (["products", 0, "shelf_life_h"], "1e400", "products[0].shelf_life_h"),
        (["products", 0, "shelf_life_h"], "1e300", "products[0].shelf_life_h"),
        (["costs", "max_lateness_h"], "1e400", "costs.max_lateness_h"),
        (["costs", "max_lateness_h"], "1e300", "costs.max_lateness_h"),
        (["fleet", 0, "shift"], '["06:00", 100000000000000000000]', "fleet[0].shift[1]"),
        (["fleet", 0, "shift"], "[0, 1e300]", "fleet[0].shift[1]"),
        (["fleet", 0, "max_distance"], "1e300", "fleet[0].max_distance"),
        (["fleet", 0, "max_duration"], "100000000000000000000", "fleet[0].max_duration"),
        (["solver", "iterations"], "1e300", "solver.iterations"),
        (["solver", "iterations"], "100000000000000000000", "solver.iterations"),
    ],
)
def test_numbers_past_int64_or_infinite_name_their_field(tmp_path, path, value, field):
    assert_bad_input(solve(job_dir(tmp_path, _patched(path, value))), field, "out of range")


@pytest.mark.parametrize(
    "key,value,field",
    [
        ("time_windows", "[[0, 100000000000000000000]]", "orders[0].time_windows[0][1]"),
        ("time_windows", "[[0, 1e300]]", "orders[0].time_windows[0][1]"),
        ("service", "1e300", "orders[0].service"),
        ("service", "100000000000000000000", "orders[0].service"),
        ("shelf_life_h", "1e400", "orders[0].shelf_life_h"),
    ],
)
def test_inline_order_values_out_of_range(tmp_path, key, value, field):
    order = {"id": "o1", "node_id": "st-beixiang", "quantities": {"milk": 1}, key: "@@"}
    text = json.dumps(as_json(orders=[order])).replace('"@@"', value)
    assert_bad_input(solve(job_dir(tmp_path, text)), field)


def test_time_limit_inf_is_bad_input(tmp_path):
    assert_bad_input(invoke("solve", DATA / "small.yaml", "--out", tmp_path / "o", "-t", "inf", "-q"), "time_limit")


# --------------------------------------------------------------------------- orders files


def _orders_with_windows(tmp_path: Path, cell: str) -> Path:
    p = job_dir(tmp_path, SMALL, "job.yaml")
    rows = (p.parent / "orders.csv").read_text(encoding="utf-8").splitlines()
    rows = [rows[0] + ",time_windows", rows[1] + "," + cell] + [r + "," for r in rows[2:]]
    (p.parent / "orders.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("cell", ['"[1]"', '"[null]"', '"[[0, 1e999]]"', '"[[true, 5]]"', "0-99999999999999999999"])
def test_csv_time_window_cells_name_row_and_column(tmp_path, cell):
    assert_bad_input(solve(_orders_with_windows(tmp_path, cell)), "orders[0]", "time_windows")


def test_csv_service_past_int64_names_the_cell(tmp_path):
    p = job_dir(tmp_path, SMALL, "job.yaml")
    csv = (p.parent / "orders.csv").read_text(encoding="utf-8").replace(",600,true", ",100000000000000000000,true", 1)
    (p.parent / "orders.csv").write_text(csv, encoding="utf-8")
    assert_bad_input(solve(p), "orders[0].service", "out of range")


def test_geojson_orders_with_a_linestring_name_the_row(tmp_path):
    p = job_dir(tmp_path, SMALL.replace("orders: orders.csv", "orders: o.geojson"), "job.yaml")
    feature = {
        "type": "Feature",
        "properties": {"order_id": "o1", "qty_milk": 1},
        "geometry": {"type": "LineString", "coordinates": [[111.0, 35.0], [111.1, 35.1]]},
    }
    (p.parent / "o.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    assert_bad_input(solve(p), "orders[0].geometry", "LineString")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_as_orders_file_is_refused_not_waited_on(tmp_path):
    p = job_dir(tmp_path, SMALL.replace("orders: orders.csv", "orders: pipe.csv"), "job.yaml")
    os.mkfifo(p.parent / "pipe.csv")
    box: dict = {}
    t = threading.Thread(target=lambda: box.setdefault("r", solve(p)), daemon=True)
    t.start()
    t.join(60)
    if t.is_alive():  # unblock the reader so the test process can end
        with open(p.parent / "pipe.csv", "w"):
            pass
        pytest.fail("reading a named pipe blocked")
    assert_bad_input(box["r"], "pipe", "not a regular file")


def test_orders_row_limit_is_enforced_and_can_be_raised(tmp_path):
    p = job_dir(tmp_path, SMALL, "job.yaml")
    assert_bad_input(solve(p, "--max-orders", 3), "more than 3 orders", "--max-orders")
    assert solve(p, "--max-orders", 100).exit_code == 0
    limited = yaml.safe_load(SMALL) | {"limits": {"orders_rows": 3}}
    p2 = p.parent / "limited.json"
    p2.write_text(json.dumps(limited), encoding="utf-8")
    assert_bad_input(solve(p2), "limits.orders_rows")
    assert solve(p2, "--max-orders", 100).exit_code == 0  # the command line overrides the job


def test_orders_size_limit(tmp_path):
    p = job_dir(tmp_path, json.dumps(as_json(limits={"orders_mb": 0.0001})))
    assert_bad_input(solve(p), "orders", "MiB", "limit")
    assert solve(p, "--max-orders-mb", 1).exit_code == 0


# --------------------------------------------------------------------------- matrix files and paths


def _matrix_job(tmp_path: Path, matrix: str) -> Path:
    job = {
        "name": "m",
        "matrix": matrix,
        "orders": [{"id": "o1", "node_id": "b", "quantities": {"goods": 1}}],
        "fleet": [{"name": "v", "count": 1, "start_depot": "a", "compartments": [{"zone": "ambient", "capacity": 9}]}],
    }
    return job_dir(tmp_path, json.dumps(job))


def test_matrix_json_coords_as_a_list(tmp_path):
    p = _matrix_job(tmp_path, "m.json")
    m = {
        "ids": ["a", "b"],
        "distance": [[0, 9], [9, 0]],
        "duration": [[0, 9], [9, 0]],
        "coords": [[111, 35], [111.1, 35]],
    }
    (p.parent / "m.json").write_text(json.dumps(m))
    assert solve(p).exit_code == 0
    m["coords"] = [[111, 35]]
    (p.parent / "m.json").write_text(json.dumps(m))
    assert_bad_input(solve(p), "matrix", "coords")
    m["coords"] = "x"
    (p.parent / "m.json").write_text(json.dumps(m))
    assert_bad_input(solve(p), "matrix", "coords")


def test_npz_whose_header_declares_80_gb_is_refused(tmp_path):
    p = _matrix_job(tmp_path, "m.npz")
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }"
    header = header.ljust(117) + "\n"
    fake = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + b"\0" * 64
    with zipfile.ZipFile(p.parent / "m.npz", "w") as z:
        ids = io.BytesIO()
        np.save(ids, np.array(["a", "b"]))
        z.writestr("ids.npy", ids.getvalue())
        z.writestr("distance.npy", fake)
        z.writestr("duration.npy", fake)
    assert_bad_input(solve(p), "matrix", "m.npz", "distance")


@pytest.mark.parametrize("value", ["or\x00ders.csv", "a" * 300 + ".csv"])
def test_orders_path_with_nul_or_a_too_long_name(tmp_path, value):
    p = job_dir(tmp_path, json.dumps(as_json(orders="@@")).replace('"@@"', json.dumps(value)))
    assert_bad_input(solve(p), "orders")


def test_too_long_output_and_job_names(tmp_path):
    assert_bad_input(invoke("solve", DATA / "small.yaml", "--out", tmp_path / ("b" * 300), "-q"), "out")
    assert_bad_input(invoke("solve", tmp_path / ("j" * 300 + ".yaml"), "--out", tmp_path / "o", "-q"), "longer")


# --------------------------------------------------------------------------- validate, compare, vroom


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    out = tmp_path_factory.mktemp("solved") / "out"
    r = invoke("solve", DATA / "small.yaml", "--out", out, "-t", 0.5, "-q")
    assert r.exit_code == 0, r.output
    return out


def _plan_variant(tmp_path: Path, solved: Path, change) -> Path:
    doc = json.loads((solved / "plan.json").read_text(encoding="utf-8"))
    change(doc)
    p = tmp_path / "plan.json"
    p.write_text(json.dumps(doc), encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "change,words",
    [
        (lambda d: d["stops"][1].__setitem__("arrival", None), ["stops[1].arrival", "not a number"]),
        (lambda d: d.pop("stops"), ["stops", "missing"]),
        (lambda d: d["stops"][0].pop("vehicle"), ["stops[0].vehicle", "missing"]),
        (lambda d: d.__setitem__("routes", []), ["routes"]),
    ],
)
def test_validate_names_the_broken_field_of_a_plan(tmp_path, solved, change, words):
    p = _plan_variant(tmp_path, solved, change)
    assert_bad_input(invoke("validate", DATA / "small.yaml", p), *words)


def test_validate_plan_not_json_and_bad_demo_seed(tmp_path, solved):
    p = tmp_path / "plan.json"
    p.write_text("{not json", encoding="utf-8")
    assert_bad_input(invoke("validate", DATA / "small.yaml", p), "plan.json", "not valid JSON")
    assert_bad_input(invoke("validate", "demo:abc", solved), "demo:abc", "seed")


def test_compare_and_vroom_outputs_into_missing_folders(tmp_path, solved):
    assert_bad_input(invoke("compare", solved, "--csv", "/nonexistent/x.csv", "-q"), "--csv", "/nonexistent/x.csv")
    r = invoke("vroom", DATA / "vroom_matrix.json", "--output", "/nonexistent/x.json", "-l", 0.2)
    assert_bad_input(r, "--output", "/nonexistent/x.json")


# --------------------------------------------------------------------------- leftovers of killed runs


def test_killed_runs_leftover_temporaries_are_removed_by_the_next_run(tmp_path):
    from logistics.app import run

    out = tmp_path / "out"
    dead = tmp_path / ".out.tmp-999999999-abcd"  # no such process
    legacy = tmp_path / ".out.tmp-x1y2z3"  # an older version's name: removed once old
    alive = tmp_path / f".out.tmp-{os.getppid()}-abcd"  # a running process: kept
    for d in (dead, legacy, alive):
        d.mkdir()
        (d / "stops.csv").write_text("partial", encoding="utf-8")
    old = time.time() - 7200
    os.utime(legacy, (old, old))
    r = invoke("solve", DATA / "small.yaml", "--out", out, "-t", 0.3, "-q")
    assert r.exit_code == 0, r.output
    assert not dead.exists() and not legacy.exists() and alive.exists()
    assert run.remove_stale_temporaries(out) == []
