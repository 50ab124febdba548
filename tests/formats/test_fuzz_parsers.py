"""Fuzzing the input parsers: only ProblemError may escape, never TypeError/KeyError/AttributeError & co.

* ``logistics.orders_from_frame`` on DataFrames read by ``pandas.read_csv`` from
  random CSV text (known columns, garbage cells, ragged rows, broken quotes)
  and from random bytes, and on DataFrames whose cells are arbitrary Python
  objects (lists, dicts, timestamps, NaN, nested lists).
* ``logistics.jobs.load_job`` on JSON and YAML documents: a valid job with one
  or more parts replaced by random structures of any type, deep nesting,
  random text, and orders CSV files of random text.

Inputs that pandas itself cannot parse are counted separately (that is
pandas' own error, before our parser runs).  The number of inputs tried is
reported as a ``CaseCount`` warning in pytest's warnings summary.
"""

from __future__ import annotations

import io
import json
import os
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from case_count import CaseCount
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import logistics as L
from logistics.formats.jobfile import load_job

SETTINGS = dict(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
if os.environ.get("COLDROUTE_FUZZ_NOSHRINK"):  # report every distinct failure at once, without shrinking
    SETTINGS["phases"] = [Phase.explicit, Phase.generate]


@pytest.fixture(scope="module")
def tally():
    c: Counter = Counter()
    yield c
    by_test: dict = {}
    for (test, outcome), v in c.items():
        by_test.setdefault(test, {})[outcome] = v
    for test, counts in sorted(by_test.items()):
        text = ", ".join(f"{k}={v}" for k, v in sorted(counts.items()))
        warnings.warn(CaseCount(f"{test}: {sum(counts.values())} inputs tried ({text})"), stacklevel=1)


# --------------------------------------------------------------------------- orders_from_frame

COLUMNS = [
    "order_id",
    "node_id",
    "lon",
    "lat",
    "kind",
    "qty_goods",
    "qty_milk",
    "qty_",
    "demand",
    "tw_start",
    "tw_end",
    "time_windows",
    "service",
    "required",
    "penalty",
    "pair",
    "shelf_life_h",
    "soft",
    "carrier",
    "vehicle_types",
    "quantities",
    "id",
    "unknown",
    "",
]
TOKENS = [
    "",
    "o1",
    "o2",
    "1",
    "0",
    "-1",
    "3.5",
    "1e400",
    "-1e400",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "08:00",
    "8:00:00",
    "25:99",
    "24:00",
    "999:59",
    "99999999999999999999",
    "true",
    "false",
    "yes",
    "no",
    "TRUE",
    "delivery",
    "pickup",
    "return",
    "van;reefer",
    ";",
    "[[0, 100]]",
    "[[1,2,3]]",
    '[["08:00", "09:00"]]',
    "{}",
    "[",
    "]",
    "08:00-10:00",
    "08:00-10:00;14:00-16:00",
    "abc",
    "é",
    "中文",
    " ",
    "None",
    "null",
    "0x10",
    '"1,5"',
    '"',
    "'",
    "\\",
    "1_000",
    "+5",
    ".5",
    "5.",
    "1e308",
    "-0",
    "\t",
    '"a\nb"',
]
CELL = st.one_of(
    st.sampled_from(TOKENS),
    st.text(max_size=6),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@st.composite
def csv_texts(draw) -> str:
    cols = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=8))
    if draw(st.booleans()) and "order_id" not in cols:
        cols = ["order_id"] + cols
    rows = []
    for _ in range(draw(st.integers(0, 5))):
        width = len(cols) if draw(st.integers(0, 4)) else draw(st.integers(0, len(cols) + 2))  # some ragged
        rows.append(",".join(draw(CELL) for _ in range(width)))
    return "\n".join([",".join(cols)] + rows) + ("\n" if draw(st.booleans()) else "")


def parse_orders(frame: pd.DataFrame):
    """orders_from_frame, where only ProblemError may escape."""
    try:
        orders = L.orders_from_frame(frame)
    except L.ProblemError as e:
        assert str(e).strip(), "a rejection must say what is wrong"
        assert e.field, f"the error must name the field: {e}"
        assert e.record is not None or "row" in str(e) or "order" in str(e), f"the error must name the record: {e}"
        return "rejected"
    assert all(isinstance(o, L.Order) for o in orders)
    return "parsed"


def read_csv(data, **kw):
    try:
        return pd.read_csv(data, **kw)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError, OverflowError):
        return None  # pandas' own complaint about the file, before our parser runs


@settings(max_examples=400, **SETTINGS)
@given(text=csv_texts())
def test_orders_from_csv_text(text, tally):
    frame = read_csv(io.StringIO(text))
    tally["orders_from_frame(csv text)", "unreadable by pandas" if frame is None else parse_orders(frame)] += 1


@settings(max_examples=150, **SETTINGS)
@given(
    header=st.sampled_from(["", "order_id,node_id,qty_goods,tw_start,tw_end\n", "order_id,lon,lat,kind\n"]),
    body=st.binary(max_size=200),
)
def test_orders_from_csv_bytes(header, body, tally):
    frame = read_csv(io.BytesIO(header.encode() + body))
    tally["orders_from_frame(csv bytes)", "unreadable by pandas" if frame is None else parse_orders(frame)] += 1


PLAUSIBLE = st.sampled_from(
    [
        None,
        np.nan,
        0,
        1,
        5,
        3600,
        28800,
        5.5,
        "08:00",
        "17:30",
        "a",
        "o1",
        "delivery",
        "pickup",
        "true",
        "false",
        True,
        False,
        34.5,
        109.0,
        "van",
        "van;reefer",
        ["van"],
    ]
)
OBJECTS = st.one_of(
    PLAUSIBLE,
    PLAUSIBLE,
    PLAUSIBLE,
    PLAUSIBLE,
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(),
    st.text(max_size=10),
    st.sampled_from(
        [
            np.nan,
            pd.NaT,
            pd.Timestamp("2026-01-01 08:30"),
            np.int64(7),
            np.float32(2.5),
            b"bytes",
            (1, 2),
            [[0, 3600]],
            [[0, 1, 2]],
            [[None, None]],
            [["08:00", "09:00"], ["10:00", "11:00"]],
            {"goods": 1},
            {"goods": "x"},
            {1: 2},
            [],
            {},
            [[[1]]],
            object(),
        ]
    ),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=250, **SETTINGS)
@given(cols=st.lists(st.sampled_from(COLUMNS[:-1]), min_size=1, max_size=6, unique=True), data=st.data())
def test_orders_from_frames_of_arbitrary_objects(cols, data, tally):
    n = data.draw(st.integers(1, 3))
    frame = pd.DataFrame({c: pd.Series([data.draw(OBJECTS) for _ in range(n)], dtype=object) for c in cols})
    if "order_id" not in cols and data.draw(st.booleans()):
        frame.insert(0, "order_id", [f"o{i}" for i in range(n)])
    tally["orders_from_frame(objects)", parse_orders(frame)] += 1


# --------------------------------------------------------------------------- jobs

MATRIX = {
    "ids": ["D", "a", "b"],
    "distance": [[0, 1000, 2000], [1000, 0, 1500], [2000, 1500, 0]],
    "duration": [[0, 100, 200], [100, 0, 150], [200, 150, 0]],
}
BASE_JOB = {
    "name": "fuzz",
    "matrix": "matrix.json",
    "products": [{"name": "milk", "zone": "chilled", "shelf_life_h": 8}, {"name": "rice", "zone": "ambient"}],
    "fleet": [
        {
            "name": "reefer",
            "count": 2,
            "start_depot": "D",
            "compartments": [{"zone": "chilled", "capacity": 100}, {"zone": "ambient", "capacity": 100}],
            "shift": ["06:00", "18:00"],
        }
    ],
    "orders": [
        {"id": "o1", "node_id": "a", "quantities": {"milk": 5}, "time_windows": [["08:00", "12:00"]]},
        {"id": "o2", "node_id": "b", "quantities": {"rice": 5}, "kind": "pickup", "service": 300},
    ],
    "costs": {"diesel_price": 7.5},
    "solver": {"time_limit": 1, "seed": 0, "engine": "ortools"},
}

JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**20), 10**20),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=8),
        st.sampled_from(
            [
                "08:00",
                "25:61",
                "builtin:yanhu",
                "matrix.json",
                "../x.csv",
                "/etc/passwd",
                "orders.csv",
                "chilled",
                "D",
                "a",
                "o1",
            ]
        ),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8,
)


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for k, v in enumerate(doc):
            yield from _paths(v, prefix + (k,))


def _replace(doc, path, value):
    if not path:
        return value
    doc = json.loads(json.dumps(doc))
    cur = doc
    for p in path[:-1]:
        cur = cur[p]
    if value is _DELETE:
        del cur[path[-1]]
    else:
        cur[path[-1]] = value
    return doc


_DELETE = object()
NEST = "__nest__"


def _expand(doc):
    """``{NEST: depth, "leaf": v}`` markers become ``depth`` levels of alternating lists and mappings."""
    if isinstance(doc, dict):
        if isinstance(doc.get(NEST), int) and not isinstance(doc[NEST], bool) and "leaf" in doc:
            v = _expand(doc["leaf"])
            for k in range(doc[NEST]):
                v = [v] if k % 2 else {"k": v}
            return v
        return {k: _expand(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_expand(v) for v in doc]
    return doc


def _get(doc, path):
    for p in path:
        doc = doc[p]
    return doc


_NUMBERS = [0, 1, -1, 2, 7, 86_400, 86_401, 10**6, 10**12, 10**20]
_STRINGS = [
    "",
    "x",
    "00:00",
    "06:00",
    "23:59",
    "24:00",
    "99:59:59",
    "8:00",
    "D",
    "a",
    "b",
    "o1",
    "o2",
    "milk",
    "rice",
    "chilled",
    "frozen",
    "ambient",
    "pickup",
    "delivery",
    "reefer",
    "2026-02-30",
    "2026-03-02",
    "builtin:yanhu",
    "matrix.json",
    "orders.csv",
    "base.json",
]


def _same_type(v) -> st.SearchStrategy:
    if isinstance(v, bool):
        return st.booleans()
    if isinstance(v, int):
        return st.sampled_from(_NUMBERS)
    if isinstance(v, float):
        return st.sampled_from([0.0, 1e-9, 0.5, 2.5, 1e6, 1e300] + [float(x) for x in _NUMBERS])
    if isinstance(v, str):
        return st.one_of(st.sampled_from(_STRINGS), st.text(max_size=5))
    if isinstance(v, list):
        return st.sampled_from([[], v + v, v[:1], list(reversed(v)), v * 3])
    if isinstance(v, dict):
        keys = list(v)
        return st.sampled_from([{}] + [{k: x for k, x in v.items() if k != drop} for drop in keys])
    return st.just(v)


@st.composite
def job_documents(draw):
    doc = BASE_JOB
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(doc))
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(["same", "same", "same", "value", "delete", "nest", "type"]))
        if how == "same":  # a value of the same JSON type: passes the schema more often, reaches the model
            doc = _replace(doc, path, draw(_same_type(_get(doc, path))))
        elif how == "delete" and path:
            doc = _replace(doc, path, _DELETE)
        elif how == "nest":  # expanded by _expand: deep values must not be drawn (hypothesis prints them)
            doc = _replace(doc, path, {NEST: draw(st.sampled_from([5, 50, 2000])), "leaf": draw(JSON_VALUES)})
        elif how == "type":
            doc = _replace(doc, path, draw(st.sampled_from([None, True, 0, -1, 1.5, "", "x", [], {}, [[]], [{}]])))
        else:
            doc = _replace(doc, path, draw(JSON_VALUES))
    return doc


@pytest.fixture(scope="module")
def job_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("fuzzjobs")
    (d / "matrix.json").write_text(json.dumps(MATRIX))
    (d / "orders.csv").write_text("order_id,node_id,qty_milk\no1,a,5\n")
    return d


def run_job_file(path: Path) -> str:
    try:
        problem, options = load_job(path)
    except L.ProblemError:
        return "rejected"
    assert isinstance(problem, L.Problem)
    return "loaded"


def test_base_job_loads(job_dir):
    p = job_dir / "base.json"
    p.write_text(json.dumps(BASE_JOB))
    assert run_job_file(p) == "loaded"


def _dump(doc) -> str:
    try:
        return json.dumps(doc)
    except RecursionError:  # deeper than json.dumps goes: write it by hand
        return _dump_deep(doc)


def _dump_deep(doc) -> str:
    out, stack = [], [doc]
    while stack:
        x = stack.pop()
        if isinstance(x, str) and x in ("]", "}", ","):
            out.append(x)
        elif isinstance(x, list):
            stack.append("]")
            for k, v in reversed(list(enumerate(x))):
                stack.append(v)
                if k:
                    stack.append(",")
            out.append("[")
        elif isinstance(x, dict):
            stack.append("}")
            items = list(x.items())
            for k, (key, v) in reversed(list(enumerate(items))):
                stack.append(v)
                stack.append(("key", key))
                if k:
                    stack.append(",")
            out.append("{")
        elif isinstance(x, tuple) and x and x[0] == "key":
            out.append(json.dumps(x[1]) + ":")
        else:
            out.append(json.dumps(x))
    return "".join(out)


@settings(max_examples=300, **SETTINGS)
@given(doc=job_documents(), fmt=st.sampled_from(["json", "json", "yaml"]))
def test_job_documents(doc, fmt, job_dir, tally):
    doc = _expand(doc)
    path = job_dir / f"job.{fmt}"
    if fmt == "json":
        path.write_text(_dump(doc), encoding="utf-8")
    else:
        try:
            text = yaml.safe_dump(doc, allow_unicode=True)
        except RecursionError:
            text = _dump(doc)  # JSON is YAML too
        path.write_text(text, encoding="utf-8")
    tally["load_job(documents)", run_job_file(path)] += 1


YAMLISH = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "",
            "[]",
            "null",
            "- a\n- b",
            "fleet: 1",
            "orders: [",
            "{a: *x}",
            "a: &x [*x]",
            "fleet: !!python/object:os.system",
            "shift: [8:00, 9:00]",
            "orders: orders.csv\nfleet: []\nmatrix: matrix.json",
            "\x00",
            "\ufeff{}",
            "{" * 5000,
            "[" * 5000 + "]" * 5000,
            "a: " + "[" * 300,
            "key: 'unterminated",
            "%YAML 1.1\n---\na: b",
            "--- !!binary abc",
            "a: b\n\tc: d",
            "name: x\nname: y",
            '{"orders": [], "fleet": [], "matrix": "matrix.json"}',
        ]
    ),
)


@settings(max_examples=200, **SETTINGS)
@given(text=YAMLISH, suffix=st.sampled_from([".yaml", ".json", ".yml", ".txt"]))
def test_job_text(text, suffix, job_dir, tally):
    path = job_dir / f"text{suffix}"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    tally["load_job(text)", run_job_file(path)] += 1


@settings(max_examples=200, **SETTINGS)
@given(text=csv_texts())
def test_job_orders_csv(text, job_dir, tally):
    (job_dir / "fuzz_orders.csv").write_text(text, encoding="utf-8")
    doc = dict(BASE_JOB, orders="fuzz_orders.csv")
    path = job_dir / "csvjob.json"
    path.write_text(json.dumps(doc))
    tally["load_job(orders csv)", run_job_file(path)] += 1


# --------------------------------------------------------------------------- regressions found by fuzzing


def _one_row(**cells) -> pd.DataFrame:
    return pd.DataFrame(
        {"order_id": ["o1"], "node_id": ["a"]} | {k: pd.Series([v], dtype=object) for k, v in cells.items()}
    )


@pytest.mark.parametrize(
    "cells,field",
    [
        ({"time_windows": 5.0}, "time_windows"),  # was: TypeError 'float' object is not iterable
        ({"time_windows": [5, 6]}, "time_windows"),  # was: TypeError 'int' object is not iterable
        ({"service": {"a": 1}}, "service"),  # was: TypeError from int(dict)
        ({"service": float("inf")}, "service"),  # was: OverflowError from int(inf)
        ({"vehicle_types": 3.5}, "vehicle_types"),  # was: TypeError 'float' object is not iterable
        ({"required": "maybe"}, "required"),  # was: silently required (bool('maybe'))
        ({"soft": [1]}, "soft"),
        ({"penalty": "lots", "required": False}, "penalty"),  # was: TypeError comparing str >= int
        ({"lon": "east", "lat": 1.0, "node_id": None}, "lon"),  # was: ValueError from float('east')
    ],
)
def test_regression_orders_from_frame_cells(cells, field):
    with pytest.raises(L.ProblemError) as ei:
        L.orders_from_frame(_one_row(**cells))
    assert (ei.value.record, ei.value.field) == ("o1", field)


def test_regression_orders_from_frame_text_flags_and_numeric_pairs():
    frame = pd.read_csv(
        io.StringIO(
            "order_id,node_id,kind,required,soft,penalty,pair\n1,a,pickup,false,yes,5,2\n2,b,delivery,no,no,5,1\n"
        )
    )
    frame["pair"] = frame["pair"].astype(float)  # a column with gaps reads as floats: 1.0, 2.0
    orders = L.orders_from_frame(frame)
    assert [(o.required, o.soft, o.pair) for o in orders] == [(False, True, "2"), (False, False, "1")]


def test_regression_unhashable_pair_is_a_problem_error_not_a_type_error():
    import networks

    tm = networks.TravelMatrix(["D", "a"], np.array([[0, 1], [1, 0]]), np.array([[0, 1], [1, 0]]))
    fleet = [L.VehicleType("v", 1, (L.Compartment("ambient", 10),), start_depot="D")]
    with pytest.raises(L.ProblemError) as ei:
        L.Problem([L.Order("o1", {}, node_id="a", pair=["o2"])], fleet, matrix=tm)
    assert (ei.value.record, ei.value.field) == ("o1", "pair")


@pytest.mark.parametrize("text", ["[" * 5000 + "]" * 5000, '{"a":' * 5000 + "1" + "}" * 5000])
def test_regression_deeply_nested_json_job(text, job_dir):
    # was: RecursionError from json.loads
    p = job_dir / "deep.json"
    p.write_text(text)
    with pytest.raises(L.ProblemError, match="nested too deeply"):
        load_job(p)


@pytest.mark.parametrize("text", ["a: &x [*x]", "fleet: &f {x: *f}\norders: []"])
def test_regression_recursive_yaml_alias_is_rejected_at_once(text, job_dir):
    # was: a walk that never ended (each step copied a path one element longer)
    p = job_dir / "alias.yaml"
    p.write_text(text)
    t0 = __import__("time").perf_counter()
    with pytest.raises(L.ProblemError, match="refers to itself"):
        load_job(p)
    assert __import__("time").perf_counter() - t0 < 2


@pytest.mark.parametrize(
    "path,value,field",
    [
        (("fleet", 0, "count"), 10**20, "fleet[0].count"),  # was: loaded; solving it asked for a 298 GiB array
        (("day",), "2026-13-45", "day"),  # was: loaded; writing the plan raised DateParseError
    ],
)
def test_regression_job_values_that_broke_the_solve(path, value, field, job_dir):
    doc = _replace(BASE_JOB, path, value)
    p = job_dir / "odd.json"
    p.write_text(json.dumps(doc))
    with pytest.raises(L.ProblemError) as ei:
        load_job(p)
    assert ei.value.field == field


def test_regression_huge_seed_is_a_problem_error():
    # was: TypeError from PyVRP's RandomNumberGenerator (a seed beyond 32 bits)
    import networks

    tm = networks.TravelMatrix(["D", "a"], np.array([[0, 1], [1, 0]]), np.array([[0, 1], [1, 0]]))
    p = L.Problem(
        [L.Order("o1", {}, node_id="a")],
        [L.VehicleType("v", 1, (L.Compartment("ambient", 10),), start_depot="D")],
        matrix=tm,
    )
    for seed in (10**30, -1, 2.5, True):
        with pytest.raises(L.ProblemError) as ei:
            L.solve(p, time_limit=1, seed=seed, engine="auto")
        assert (ei.value.record, ei.value.field) == ("solve", "seed")
