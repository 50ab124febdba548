"""Generated inputs through the whole command line: a rejected input exits 2, never 3 (internal error).

Job files (JSON and YAML) are a valid job with a part replaced by a generated value, a key
dropped, a typed YAML scalar put in, or its orders CSV given a generated cell; plan files are a
valid ``plan.json`` changed the same way and checked with ``coldroute validate``.  Every run goes
through typer's CliRunner in this process, so the default suite stays quick; the ``slow`` marker
runs many more examples.  The tally of outcomes is reported as a ``CaseCount`` warning.
"""

from __future__ import annotations

import json
import shutil
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from case_count import CaseCount
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from logistics.app import cli

DATA = Path(__file__).parent.parent / "data" / "jobs"
BASE = yaml.safe_load((DATA / "small.yaml").read_text(encoding="utf-8"))
runner = CliRunner()
FAST = dict(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None)

# Values that broke readers before: huge, infinite and fractional numbers, bad times and dates.
NUMBERS = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([0, -1, 1, 2**63, 10**16, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e300, -1e300, 1e15, 0.5, 1e-300]),
)
TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["08:00", "25:99", "8:00-9:00", "[1]", "[null]", "[[1, 2, 3]]", "2026-13-45", "", "\x00", "é"]),
)
LEAF = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
VALUE = st.recursive(
    LEAF, lambda kids: st.one_of(st.lists(kids, max_size=3), st.dictionaries(TEXT, kids, max_size=3)), max_leaves=6
)
YAML_SCALARS = st.sampled_from(
    ["2026-13-45", "!!int abc", "!!timestamp x", "!!float x", "!!binary ###", "!!bool x", "1" * 4400, ".inf", "8:00"]
)


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for k, v in enumerate(doc):
            out += _paths(v, (*prefix, k))
    return out


PATHS = [p for p in _paths(BASE) if p]


def _get(doc: Any, path: tuple) -> Any:
    for k in path:
        doc = doc[k]
    return doc


def _replace(doc: Any, path: tuple, value: Any, drop: bool) -> Any:
    doc = json.loads(json.dumps(doc))
    node = doc
    for k in path[:-1]:
        node = node[k]
    if drop:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


@pytest.fixture(scope="module")
def tally():
    c: Counter = Counter()
    yield c
    text = ", ".join(f"{k}={v}" for k, v in sorted(c.items()))
    warnings.warn(CaseCount(f"CLI fuzz: {sum(c.values())} runs ({text})"), stacklevel=1)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(DATA, d / "jobs")
    r = runner.invoke(cli.app, ["solve", str(DATA / "small.yaml"), "--out", str(d / "good"), "-t", "0.3", "-q"])
    assert r.exit_code == 0, r.output
    return d


def _check(r, tally: Counter, what: str) -> None:
    tally[f"{what} exit {r.exit_code}"] += 1
    assert r.exit_code in (0, 1, 2), (r.exit_code, r.output, r.exception)
    if r.exit_code == 2:
        assert "Traceback" not in r.output and "internal error" not in r.output, r.output


def _solve(workdir: Path, name: str, text: str | bytes, tally: Counter) -> None:
    p = workdir / "jobs" / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8", errors="surrogatepass")
    out = workdir / "out"
    shutil.rmtree(out, ignore_errors=True)
    r = runner.invoke(cli.app, ["solve", str(p), "--out", str(out), "-t", "0.05", "-q", "--engine", "ortools"])
    _check(r, tally, "solve")


JOB_EDIT = st.tuples(st.sampled_from(PATHS), VALUE, st.booleans(), st.sampled_from(["json", "yaml"]))


def _job_case(workdir: Path, tally: Counter, edit: tuple) -> None:
    path, value, drop, fmt = edit
    doc = _replace(BASE, path, value, drop and len(path) > 1)
    if fmt == "json":
        text = json.dumps(doc, allow_nan=True)
    else:
        text = yaml.safe_dump(doc, allow_unicode=True)
    _solve(workdir, f"fuzz.{fmt}", text, tally)


@settings(max_examples=60, **FAST)
@given(edit=JOB_EDIT)
def test_generated_job_files_exit_2_never_3(workdir, tally, edit):
    _job_case(workdir, tally, edit)


NUMERIC_PATHS = [
    p for p in PATHS if isinstance(_get(BASE, p), (int, float)) and not isinstance(_get(BASE, p), bool)
] + [
    ("fleet", 0, "shift", 1),
    ("fleet", 0, "max_duration"),
    ("fleet", 0, "max_distance"),
    ("costs", "max_lateness_h"),
    ("products", 1, "shelf_life_h"),
]
EXTREME = st.sampled_from([2**63, 10**20, 1e300, 1e16, -(2**63), 1e-300, 10**15, 1e14])


@settings(max_examples=40, **FAST)
@given(path=st.sampled_from(NUMERIC_PATHS), value=EXTREME, fmt=st.sampled_from(["json", "yaml"]))
def test_extreme_numbers_in_numeric_fields_exit_2_never_3(workdir, tally, path, value, fmt):
    _job_case(workdir, tally, (path, value, False, fmt))


@settings(max_examples=30, **FAST)
@given(key=st.sampled_from([p for p in PATHS if not isinstance(p[-1], int)]), scalar=YAML_SCALARS)
def test_typed_yaml_scalars_exit_2_never_3(workdir, tally, key, scalar):
    doc = _replace(BASE, key, "@@SCALAR@@", False)
    text = yaml.safe_dump(doc, allow_unicode=True).replace("'@@SCALAR@@'", scalar)
    _solve(workdir, "fuzz.yaml", text, tally)


ORDER_COLUMNS = ["order_id", "node_id", "kind", "qty_milk", "tw_start", "tw_end", "service", "required", "time_windows"]


@settings(max_examples=40, **FAST)
@given(row=st.integers(0, 6), col=st.sampled_from(ORDER_COLUMNS), cell=st.one_of(TEXT, NUMBERS.map(str)))
def test_generated_orders_csv_cells_exit_2_never_3(workdir, tally, row, col, cell):
    import pandas as pd

    frame = pd.read_csv(DATA / "orders.csv", dtype=str, keep_default_na=False)
    if col not in frame.columns:
        frame[col] = ""
    frame.loc[row, col] = cell
    (workdir / "jobs" / "orders.csv").write_text(frame.to_csv(index=False), encoding="utf-8")
    try:
        _solve(workdir, "fuzz.yaml", (DATA / "small.yaml").read_text(encoding="utf-8"), tally)
    finally:
        shutil.copy(DATA / "orders.csv", workdir / "jobs" / "orders.csv")


def _plan_paths(workdir: Path) -> list[tuple]:
    plan = json.loads((workdir / "good" / "plan.json").read_text(encoding="utf-8"))
    return [p for p in _paths(plan) if p and p[0] in ("stops", "unserved", "format", "kpis", "routes")]


PLAN_EDIT = st.tuples(st.integers(0, 10**6), VALUE, st.booleans())


@settings(max_examples=120, **FAST)
@given(edit=PLAN_EDIT)
def test_generated_plan_files_exit_2_never_3(workdir, tally, edit):
    k, value, drop = edit
    plan = json.loads((workdir / "good" / "plan.json").read_text(encoding="utf-8"))
    paths = [p for p in _paths(plan) if p and p[0] != "meta" and (len(p) < 4 or p[0] != "routes")]
    path = paths[k % len(paths)]
    doc = _replace(plan, path, value, drop)
    p = workdir / "plan.json"
    p.write_text(json.dumps(doc, allow_nan=True), encoding="utf-8", errors="surrogatepass")
    r = runner.invoke(cli.app, ["validate", str(DATA / "small.yaml"), str(p), "-q"])
    _check(r, tally, "validate")


@settings(max_examples=60, **FAST)
@given(data=st.binary(max_size=200) | TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_random_bytes_as_job_and_plan_exit_2(workdir, tally, data):
    _solve(workdir, "bytes.yaml", data, tally)
    p = workdir / "plan.json"
    p.write_bytes(data)
    _check(runner.invoke(cli.app, ["validate", str(DATA / "small.yaml"), str(p), "-q"]), tally, "validate")


@pytest.mark.slow
@settings(max_examples=1500, **FAST)
@given(edit=JOB_EDIT)
def test_generated_job_files_exit_2_never_3_long(workdir, tally, edit):
    _job_case(workdir, tally, edit)
