"""Route jobs: a problem described in a file, solved, and written out as a folder of results.

A job file (JSON, or YAML read with ``yaml.safe_load``) names a network or a
matrix, the orders (a CSV / GeoJSON / GeoPackage beside the job, or an inline
list), products, fleet, costs and solver options; see ``docs/jobs.md`` and the
published schema ``logistics/schemas/job.schema.json``.  A VROOM input file is
accepted as a job too (see :mod:`logistics.vroom`).

Safety: nothing in a job file can run code (JSON, safe YAML, ``.npz`` matrices
read without pickles, tables through pandas/pyogrio), and every path is resolved
against the job's folder and may not leave it unless ``allow_outside=True``.

Errors are :class:`logistics.ProblemError` whose message starts with the file
and the field path (``orders[12].time_windows[0]``) and whose ``field`` is that
path.

Results of a run go to one folder, written atomically (a temporary folder beside
it, renamed into place), with a ``_SUCCESS`` marker written last:
``routes.geojson``, ``stops.csv``, ``unserved.csv``, ``kpis.json``, ``plan.json``,
``validation.json``, ``map.html``, ``timeline.png`` (and ``vroom.json`` for a
VROOM input).
"""
from __future__ import annotations

import datetime as _dt
import json
import math
import os
import re
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from networks import Network, TravelMatrix
from networks.errors import NetworkError

from .coldchain import CostModel
from .errors import ProblemError
from .model import Compartment, Order, Problem, Product, VehicleType, Zone, fmt_clock

__all__ = [
    "SolveOptions", "Job", "JobResult", "load_job", "read_job", "run_job", "run_problem", "write_outputs",
    "job_schema", "EXIT_OK", "EXIT_UNSERVED", "EXIT_BAD_INPUT", "EXIT_INTERNAL", "OUTPUT_FILES", "MARKER",
]

# Exit codes shared by the CLI and batch summaries.
EXIT_OK = 0          # plan found, every required order served, no validation violation
EXIT_UNSERVED = 1    # plan found, but required orders are unserved or the plan has violations
EXIT_BAD_INPUT = 2   # the job (or a command line argument) is invalid: nothing was solved
EXIT_INTERNAL = 3    # an unexpected error (a bug, or the solver failed)

MARKER = "_SUCCESS"
OUTPUT_FILES = ("routes.geojson", "stops.csv", "unserved.csv", "kpis.json", "plan.json", "validation.json",
                "map.html", "timeline.png")
MAX_JOB_BYTES = 64 * 1024 * 1024
MAX_YAML_NODES = 2_000_000
_SCHEMA_PATH = Path(__file__).with_name("schemas") / "job.schema.json"


@dataclass(frozen=True)
class SolveOptions:
    """How long and how to search; the ``solver`` block of a job file."""

    time_limit: float = 10.0
    seed: int = 0
    engine: str = "auto"
    iterations: int | None = None

    def merged(self, **overrides: Any) -> "SolveOptions":
        """A copy with the given fields replaced; ``None`` values keep the current field."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


@dataclass(frozen=True, eq=False)
class Job:
    """A parsed job: the problem, how to solve it, and where it came from."""

    name: str
    path: Path | None
    problem: Problem
    options: SolveOptions
    source: str = "job"          # "job" or "vroom"
    vroom: Any = None            # logistics.vroom.VroomInput for VROOM jobs


@dataclass
class JobResult:
    """Outcome of one run, as written into the ``_SUCCESS`` marker."""

    name: str
    out_dir: str
    status: str                  # "ok", "unserved" or "invalid"
    exit_code: int
    kpis: dict[str, Any]
    violations: list[str]
    unserved: int
    required_unserved: int
    elapsed_s: float
    job: str | None = None
    plan: Any = field(default=None, repr=False)   # the Plan (not kept in summaries)

    def summary(self) -> dict[str, Any]:
        """Everything but the plan, JSON-ready."""
        from .plan import _jsonable

        return _jsonable({f.name: getattr(self, f.name) for f in fields(self) if f.name != "plan"})


# --------------------------------------------------------------------------- schema


@lru_cache(maxsize=1)
def job_schema() -> dict[str, Any]:
    """The published JSON Schema of job files."""
    return json.loads(_SCHEMA_PATH.read_text(encoding="utf-8"))


def field_path(parts) -> str:
    """``['orders', 12, 'time_windows', 0]`` -> ``'orders[12].time_windows[0]'``."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out


def _schema_error(data: Any, where: str) -> ProblemError | None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(job_schema())
    errors = list(validator.iter_errors(data))
    if not errors:
        return None
    err = jsonschema.exceptions.best_match(errors)
    # descend into oneOf/anyOf alternatives to the most specific cause
    while err.context:
        deeper = jsonschema.exceptions.best_match(err.context)
        if deeper is None or len(deeper.absolute_path) < len(err.absolute_path):
            break
        if len(deeper.absolute_path) == len(err.absolute_path) and deeper.validator in ("required", "not"):
            break
        err = deeper
    path = field_path(err.absolute_path)
    msg = err.message
    parts = list(err.absolute_path)
    if err.validator == "additionalProperties":
        msg = msg.replace("Additional properties are not allowed", "unknown field(s)")
    elif err.validator in ("oneOf", "anyOf"):
        if not parts:
            msg = ("a job needs 'orders' and 'fleet' and either 'network' or 'matrix' (or 'vroom': a VROOM "
                   "input)")
        elif len(parts) == 2 and parts[0] == "orders":
            msg = "an order needs either node_id or lon and lat (not both)"
        elif parts[0] == "network":
            msg = "network is 'builtin:yanhu', a file path, {path, layer, roads} or {builtin, roads}"
        else:
            msg = f"{_short(err.instance)} is not valid here"
    elif err.validator == "pattern" and "\\d{1,3}:" in str(err.validator_value):
        msg = f"{err.instance!r} is not a time (seconds from midnight or 'HH:MM[:SS]')"
    elif len(msg) > 300:
        msg = msg[:300] + "..."
    return ProblemError(f"{where}: {path or '(top level)'}: {msg}", record=where, field=path or None)


def _short(x: Any, n: int = 80) -> str:
    r = repr(x)
    return r if len(r) <= n else r[: n - 3] + "..."


# --------------------------------------------------------------------------- reading documents


def _read_document(path: Path) -> Any:
    """JSON or YAML (safe) document; YAML times like 8:00 must be quoted."""
    if not path.is_file():
        raise ProblemError(f"job file {str(path)!r} not found", record=str(path), field=None)
    if path.stat().st_size > MAX_JOB_BYTES:
        raise ProblemError(f"{path.name}: job file is larger than {MAX_JOB_BYTES // 2**20} MiB", record=path.name)
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".yaml", ".yml"):
        return _read_yaml(text, path.name)
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError as e:
        if path.suffix.lower() != ".json" and not text.lstrip().startswith(("{", "[")):
            return _read_yaml(text, path.name)
        raise ProblemError(f"{path.name}: not valid JSON ({e})", record=path.name) from None


def _reject_constant(name: str):
    raise ValueError(f"{name} is not allowed")


def _read_yaml(text: str, where: str) -> Any:
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        raise ProblemError(f"{where}: not valid YAML ({e})", record=where) from None
    if root is not None:
        _check_acyclic(root, where)
        _lint_yaml(root, where)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:  # pragma: no cover - compose already parsed it
        raise ProblemError(f"{where}: not valid YAML ({e})", record=where) from None
    return _plain(data)


def _check_acyclic(root, where: str) -> None:
    """Reject a recursive alias (``a: &x [*x]``): the walks below would never end."""
    import yaml

    state: dict[int, int] = {}  # node id -> 1 while its children are walked, 2 when done
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            state[id(node)] = 2
            continue
        seen = state.get(id(node))
        if seen == 2:
            continue
        if seen == 1:
            raise ProblemError(f"{where}: a YAML alias refers to itself (recursive anchor)", record=where)
        state[id(node)] = 1
        stack.append((node, True))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, False) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend((part, False) for pair in node.value for part in pair)


def _lint_yaml(root, where: str) -> None:
    """Reject YAML 1.1 sexagesimal numbers (``8:00`` == 480) and alias bombs."""
    import yaml

    count = 0
    stack: list[tuple[Any, list]] = [(root, [])]
    while stack:
        node, path = stack.pop()
        count += 1
        if count > MAX_YAML_NODES:
            raise ProblemError(f"{where}: the document is too large (aliases?)", record=where)
        if isinstance(node, yaml.ScalarNode):
            if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") and ":" in str(node.value):
                fp = field_path(path)
                raise ProblemError(
                    f"{where}: {fp}: write times as quoted strings ('{node.value}'); YAML reads an unquoted "
                    f"{node.value} as a base-60 number", record=where, field=fp or None)
        elif isinstance(node, yaml.SequenceNode):  # children pushed in reverse: reported in document order
            stack.extend(reversed([(child, path + [k]) for k, child in enumerate(node.value)]))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(reversed([(child, path + [getattr(key, "value", "?")]) for key, child in node.value]))


def _plain(x: Any) -> Any:
    """YAML dates/datetimes to ISO strings; everything else unchanged."""
    if isinstance(x, dict):
        return {(k if isinstance(k, str) else str(k)): _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    if isinstance(x, (_dt.date, _dt.datetime)):
        return x.isoformat()
    return x


def is_vroom_document(data: Any) -> bool:
    return (isinstance(data, dict) and "vehicles" in data and ("jobs" in data or "shipments" in data)
            and "fleet" not in data)


# --------------------------------------------------------------------------- paths


def resolve_path(base: Path, value: str, field: str, *, allow_outside: bool = False, where: str = "job") -> Path:
    """``value`` relative to the job folder ``base``; it must exist and stay inside unless allowed."""
    p = Path(value)
    full = p if p.is_absolute() else base / p
    real = full.resolve()
    if not allow_outside:
        root = base.resolve()
        if real != root and not real.is_relative_to(root):
            raise ProblemError(f"{where}: {field}: path {value!r} leaves the job's folder ({root}); pass "
                               f"allow_outside=True (--allow-outside) to permit it", record=where, field=field)
    if not real.exists():
        raise ProblemError(f"{where}: {field}: file {value!r} not found (looked for {real})", record=where,
                           field=field)
    return real


# --------------------------------------------------------------------------- loading


def load_job(path: str | os.PathLike, *, allow_outside: bool = False) -> tuple[Problem, SolveOptions]:
    """Read and validate a job file: ``(problem, solve options)``.

    Raises :class:`ProblemError` naming the field path of the first problem.
    """
    job = read_job(path, allow_outside=allow_outside)
    return job.problem, job.options


def read_job(path: str | os.PathLike, *, allow_outside: bool = False) -> Job:
    """Like :func:`load_job`, with the job's name and source."""
    try:
        return _read_job(Path(path), allow_outside)
    except RecursionError:  # the JSON/YAML parsers, the schema check and our walks all recurse
        where = Path(path).name
        raise ProblemError(f"{where}: the document is nested too deeply", record=where) from None


def _read_job(path: Path, allow_outside: bool) -> Job:
    where = path.name
    data = _read_document(path)
    base = path.resolve().parent
    if is_vroom_document(data):
        from .vroom import read_vroom

        vin = read_vroom(data, name=path.stem, where=where)
        return Job(name=path.stem, path=path, problem=vin.problem, options=SolveOptions(), source="vroom",
                   vroom=vin)
    if not isinstance(data, dict):
        raise ProblemError(f"{where}: a job is a mapping of fields (network, orders, fleet, ...)", record=where)
    err = _schema_error(data, where)
    if err is not None:
        raise err
    name = data.get("name") or path.stem
    options = SolveOptions(**{k: v for k, v in (data.get("solver") or {}).items()})
    if "vroom" in data:
        from .vroom import read_vroom

        vpath = resolve_path(base, data["vroom"], "vroom", allow_outside=allow_outside, where=where)
        vin = read_vroom(vpath, name=name)
        return Job(name=name, path=path, problem=vin.problem, options=options, source="vroom", vroom=vin)
    problem = build_problem(data, base, where=where, name=name, allow_outside=allow_outside)
    return Job(name=name, path=path, problem=problem, options=options)


def build_problem(data: Mapping[str, Any], base: Path, *, where: str = "job", name: str = "job",
                  allow_outside: bool = False) -> Problem:
    """A Problem from a (schema-valid) job mapping; paths relative to ``base``."""
    meta: dict[str, Any] = {"job": where}
    network = _load_network(data.get("network"), base, where, allow_outside) if data.get("network") else None
    matrix = None
    if data.get("matrix"):
        matrix, coords = _load_matrix(data["matrix"], base, where, allow_outside)
        if coords:
            meta["coords"] = coords
    products = _build_products(data.get("products"), where)
    fleet = _build_fleet(data["fleet"], where)
    orders_spec = data["orders"]
    if isinstance(orders_spec, str):
        orders, row_of = _orders_from_file(orders_spec, base, where, allow_outside)
    else:
        orders, row_of = _orders_inline(orders_spec, where)
    costs = _build_costs(data.get("costs") or {}, where)
    try:
        return Problem(orders=tuple(orders), fleet=tuple(fleet), products=products, network=network, matrix=matrix,
                       costs=costs, objective=data.get("objective", "cost"), name=name, day=data.get("day"),
                       meta=meta)
    except ProblemError as e:
        raise _locate(e, where, orders=row_of, fleet=[v.name for v in fleet], products=list(products),
                      products_is_list=isinstance(data.get("products"), list)) from None
    except NetworkError as e:
        raise ProblemError(f"{where}: {'matrix' if matrix is not None else 'network'}: {e}", record=where,
                           field="matrix" if matrix is not None else "network") from None


def _prefixed(e: ProblemError, where: str, prefix: str) -> ProblemError:
    fp = prefix + (("" if e.field.startswith("[") else ".") + e.field if e.field else "")
    return ProblemError(f"{where}: {fp}: {e}", record=e.record, field=fp)


def _locate(e: ProblemError, where: str, *, orders: Mapping[str, int], fleet: list[str], products: list[str],
            products_is_list: bool) -> ProblemError:
    """Turn a model error (record id + attribute) into a job field path."""
    rec = None if e.record is None else str(e.record)
    if rec is not None and rec in orders:
        return _prefixed(e, where, f"orders[{orders[rec]}]")
    if rec is not None and rec in fleet:
        return _prefixed(e, where, f"fleet[{fleet.index(rec)}]")
    if rec is not None and rec in products:
        return _prefixed(e, where, f"products[{products.index(rec)}]" if products_is_list else f"products.{rec}")
    fp = e.field or None
    return ProblemError(f"{where}: {fp + ': ' if fp else ''}{e}", record=e.record, field=fp)


def _load_network(spec: Any, base: Path, where: str, allow_outside: bool) -> Network:
    roads = None
    layer = None
    fname = "network"
    if isinstance(spec, dict):
        layer = spec.get("layer")
        roads = spec.get("roads")
        if "builtin" in spec:
            spec = "builtin:" + spec["builtin"]
            fname = "network.builtin"
        else:
            spec = spec["path"]
            fname = "network.path"
    if isinstance(spec, str) and spec.startswith("builtin:"):
        which = spec.split(":", 1)[1]
        if which != "yanhu":
            raise ProblemError(f"{where}: {fname}: unknown built-in network {spec!r} (known: builtin:yanhu)",
                               record=where, field=fname)
        import networks

        return networks.yanhu(roads=bool(roads))
    p = resolve_path(base, spec, fname, allow_outside=allow_outside, where=where)
    return read_network_file(p, layer=layer, roads=True if roads is None else bool(roads), where=where,
                             field=fname)


def read_network_file(path: Path, *, layer: str | None = None, roads: bool = True, where: str = "job",
                      field: str = "network") -> Network:
    """A Network from a GeoPackage / GeoJSON / CSV of nodes (``node_id, name, tier, parent``, points)."""
    from networks import read_network

    try:
        return read_network(path, layer=layer, roads=roads)
    except NetworkError as e:
        sub = f"{field}.{e.field}" if e.field and e.field != "path" else field
        rec = f" (node {e.record!r})" if e.record is not None and e.record != str(path) else ""
        raise ProblemError(f"{where}: {sub}{rec}: {e}", record=e.record, field=sub) from None
    except Exception as e:  # noqa: BLE001 - GDAL raises many kinds
        raise ProblemError(f"{where}: {field}: cannot read {path.name}: {e}", record=where, field=field) from None


def _load_matrix(spec: str, base: Path, where: str, allow_outside: bool):
    p = resolve_path(base, spec, "matrix", allow_outside=allow_outside, where=where)
    coords = None
    try:
        if p.suffix.lower() == ".npz":
            tm = TravelMatrix.from_npz(p)
        elif p.suffix.lower() == ".json":
            d = json.loads(p.read_text(encoding="utf-8"), parse_constant=_reject_constant)
            if not isinstance(d, dict) or not {"ids", "distance", "duration"} <= set(d):
                raise ProblemError(f"{where}: matrix: {p.name} needs ids, distance and duration", record=where,
                                   field="matrix")
            tm = TravelMatrix(tuple(str(i) for i in d["ids"]), np.asarray(d["distance"], dtype=float),
                              np.asarray(d["duration"], dtype=float), synthetic=bool(d.get("synthetic", False)),
                              source=str(d.get("source", p.name)))
            if d.get("coords"):
                coords = {str(k): (float(v[0]), float(v[1])) for k, v in d["coords"].items()}
        else:
            raise ProblemError(f"{where}: matrix: {p.name}: a matrix is a .npz or .json file", record=where,
                               field="matrix")
    except ProblemError:
        raise
    except NetworkError as e:
        raise ProblemError(f"{where}: matrix: {p.name}: {e}", record=where, field="matrix") from None
    except (ValueError, KeyError, TypeError, OSError) as e:
        raise ProblemError(f"{where}: matrix: cannot read {p.name}: {e}", record=where, field="matrix") from None
    return tm, coords


def _build_products(spec: Any, where: str) -> dict[str, Product]:
    if spec is None:
        return {"goods": Product("goods")}
    items = list(spec) if isinstance(spec, list) else [dict(v, name=k) for k, v in spec.items()]
    out: dict[str, Product] = {}
    for k, p in enumerate(items):
        prefix = f"products[{k}]" if isinstance(spec, list) else f"products.{p['name']}"
        if p["name"] in out:
            raise ProblemError(f"{where}: {prefix}.name: product {p['name']!r} appears more than once",
                               record=p["name"], field=f"{prefix}.name")
        try:
            kw = dict(p)
            if "carriers" in kw:
                kw["carriers"] = tuple(kw["carriers"])
            out[p["name"]] = Product(**kw)
        except ProblemError as e:
            raise _prefixed(e, where, prefix) from None
    return out


def _build_fleet(spec: list, where: str) -> list[VehicleType]:
    fleet = []
    for k, v in enumerate(spec):
        try:
            kw = dict(v)
            comps = []
            for j, c in enumerate(kw.pop("compartments")):
                try:
                    comps.append(Compartment(**c))
                except ProblemError as e:
                    raise ProblemError(str(e), record=v["name"], field=f"compartments[{j}]") from None
            kw["compartments"] = tuple(comps)
            if "shift" in kw:
                kw["shift"] = tuple(kw["shift"])
            if isinstance(kw.get("max_duration"), str):
                from .model import parse_clock

                kw["max_duration"] = parse_clock(kw["max_duration"], record=v["name"], field="max_duration")
            for d in ("start_depot", "end_depot"):
                if d in kw:
                    kw[d] = str(kw[d])
            fleet.append(VehicleType(**kw))
        except ProblemError as e:
            raise _prefixed(e, where, f"fleet[{k}]") from None
    return fleet


def _build_costs(spec: Mapping[str, Any], where: str) -> CostModel:
    kw = dict(spec)
    if "decay_per_h" in kw:
        base = CostModel().decay_per_h
        base.update({Zone(z): float(r) for z, r in kw["decay_per_h"].items()})
        kw["decay_per_h"] = base
    if kw.get("fuel_full_l_per_km", math.inf) < kw.get("fuel_empty_l_per_km", 0):
        raise ProblemError(f"{where}: costs.fuel_full_l_per_km: below fuel_empty_l_per_km", record=where,
                           field="costs.fuel_full_l_per_km")
    return CostModel(**kw)


def _order_kwargs(rec: Mapping[str, Any]) -> dict[str, Any]:
    kw = dict(rec)
    kw["id"] = str(kw["id"])
    kw.setdefault("quantities", {})
    for f in ("node_id", "pair"):
        if kw.get(f) is not None:
            kw[f] = str(kw[f])
    if "time_windows" in kw:
        kw["time_windows"] = tuple(tuple(w) for w in kw["time_windows"])
    return kw


def _orders_inline(spec: list, where: str) -> tuple[list[Order], dict[str, int]]:
    orders, row_of = [], {}
    for k, rec in enumerate(spec):
        try:
            o = Order(**_order_kwargs(rec))
        except ProblemError as e:
            raise _prefixed(e, where, f"orders[{k}]") from None
        if o.id in row_of:
            raise ProblemError(f"{where}: orders[{k}].id: order {o.id!r} appears more than once (first at "
                               f"orders[{row_of[o.id]}])", record=o.id, field=f"orders[{k}].id")
        row_of[o.id] = k
        orders.append(o)
    return orders, row_of


_BOOL = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False, "y": True, "n": False,
         "t": True, "f": False, "": None}


def _parse_windows_text(text: str) -> list[tuple[str, str]]:
    """'08:00-10:00;14:00-16:00' or a JSON list [[a, b], ...]."""
    t = text.strip()
    if t.startswith("["):
        return [tuple(w) for w in json.loads(t)]
    out = []
    for part in re.split(r"[;|]", t):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"(\S+?)\s*[-–]\s*(\S+)", part)
        if not m:
            raise ValueError(f"time window {part!r} is not 'start-end'")
        a, b = m.group(1), m.group(2)
        out.append((int(a) if a.isdigit() else a, int(b) if b.isdigit() else b))
    return out


def _orders_from_file(spec: str, base: Path, where: str, allow_outside: bool):
    from .model import orders_from_frame

    p = resolve_path(base, spec, "orders", allow_outside=allow_outside, where=where)
    suffix = p.suffix.lower()
    str_cols = {c: str for c in ("order_id", "id", "node_id", "pair", "carrier", "kind", "time_windows",
                                 "tw_start", "tw_end", "service", "required", "soft")}
    try:
        if suffix == ".csv":
            frame = pd.read_csv(p, dtype=str_cols, keep_default_na=False, na_values=[""])
        elif suffix in (".geojson", ".gpkg", ".json"):
            import geopandas as gpd

            frame = gpd.read_file(p)
        else:
            raise ProblemError(f"{where}: orders: {p.name}: orders are a .csv, .geojson or .gpkg file",
                               record=where, field="orders")
    except ProblemError:
        raise
    except Exception as e:  # noqa: BLE001 - pandas / GDAL raise many kinds
        raise ProblemError(f"{where}: orders: cannot read {p.name}: {e}", record=where, field="orders") from None
    frame = frame.reset_index(drop=True)
    if "order_id" not in frame.columns and "id" in frame.columns:
        frame = frame.rename(columns={"id": "order_id"})
    if "order_id" not in frame.columns:
        raise ProblemError(f"{where}: orders: {p.name} has no order_id column", record=where, field="orders")
    for col in ("order_id", "node_id", "pair", "kind", "carrier"):
        if col in frame.columns:
            frame[col] = pd.Series([None if _missing(v) else str(v) for v in frame[col]], index=frame.index,
                                   dtype=object)
    ids = list(frame["order_id"])
    for col in ("required", "soft"):
        if col not in frame.columns:
            continue
        values = []
        for row, v in enumerate(frame[col]):
            if isinstance(v, str):
                b = _BOOL.get(v.strip().lower(), "bad")
                if b == "bad":
                    fp = f"orders[{row}].{col}"
                    raise ProblemError(f"{where}: {fp}: {p.name} row {row}: {v!r} is not true/false",
                                       record=ids[row], field=fp)
                v = b
            values.append(None if _missing(v) else v)
        frame[col] = pd.Series(values, index=frame.index, dtype=object)
    for col in ("service", "tw_start", "tw_end"):
        if col not in frame.columns:
            continue
        values = []
        for v in frame[col]:
            if isinstance(v, str) and re.fullmatch(r"\s*\d+\s*", v):
                v = int(v)
            elif isinstance(v, _dt.time):  # GDAL reads 'HH:MM' in GeoJSON as a time of day
                v = v.hour * 3600 + v.minute * 60 + v.second
            values.append(None if _missing(v) else v)
        frame[col] = pd.Series(values, index=frame.index, dtype=object)
    if "time_windows" in frame.columns:
        parsed = []
        for row, v in enumerate(frame["time_windows"]):
            if _missing(v):
                parsed.append(None)
                continue
            if isinstance(v, str):
                try:
                    parsed.append(_parse_windows_text(v))
                except ValueError as e:
                    raise ProblemError(f"{where}: orders[{row}].time_windows: {p.name} row {row}: {e}",
                                       record=frame.at[row, "order_id"], field=f"orders[{row}].time_windows") \
                        from None
            else:
                parsed.append(v)
        frame["time_windows"] = pd.Series(parsed, index=frame.index, dtype=object)
    for col in [c for c in frame.columns if str(c).startswith("qty_")]:
        if frame[col].dtype != object:
            continue
        values = []
        for row, v in enumerate(frame[col]):
            if _missing(v):
                values.append(math.nan)
                continue
            try:
                values.append(float(v))
            except (TypeError, ValueError):
                fp = f"orders[{row}].quantities.{col[4:]}"
                raise ProblemError(f"{where}: {fp}: {p.name} row {row}: {v!r} is not a number",
                                   record=frame.at[row, "order_id"], field=fp) from None
        frame[col] = pd.Series(values, index=frame.index, dtype=float)
    row_of = {}
    for row, rid in enumerate(frame["order_id"]):
        if rid is not None:
            if rid in row_of:
                raise ProblemError(f"{where}: orders[{row}].id: order {rid!r} appears more than once "
                                   f"({p.name} rows {row_of[rid]} and {row})", record=rid, field=f"orders[{row}].id")
            row_of[rid] = row
    try:
        orders = orders_from_frame(frame)
    except ProblemError as e:
        rec = None if e.record is None else str(e.record)
        row = row_of.get(rec) if rec is not None else next(
            (r for r, v in enumerate(frame["order_id"]) if v is None), None)
        prefix = f"orders[{row}]" if row is not None else "orders"
        err = _prefixed(e, where, prefix)
        raise ProblemError(f"{err} ({p.name} row {row})", record=e.record, field=err.field) from None
    return orders, row_of


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and v.strip() == "")


# --------------------------------------------------------------------------- running


def run_job(path: str | os.PathLike, out_dir: str | os.PathLike, *, time_limit: float | None = None,
            seed: int | None = None, engine: str | None = None, iterations: int | None = None,
            offline: bool = False, progress: Callable[[float, float], None] | None = None,
            allow_outside: bool = False) -> JobResult:
    """Load the job at ``path``, solve it, validate the plan and write the results into ``out_dir``.

    Keyword arguments override the job's ``solver`` block.  The folder is
    replaced atomically; it must be new, empty or a previous result folder.
    """
    t0 = time.perf_counter()
    job = read_job(path, allow_outside=allow_outside)
    opts = job.options.merged(time_limit=time_limit, seed=seed, engine=engine, iterations=iterations)
    return run_problem(job.problem, out_dir, opts, name=job.name, offline=offline, progress=progress,
                       job_path=str(path), vroom=job.vroom, t0=t0)


def run_problem(problem: Problem, out_dir: str | os.PathLike, options: SolveOptions | None = None, *,
                name: str | None = None, offline: bool = False,
                progress: Callable[[float, float], None] | None = None, job_path: str | None = None,
                vroom: Any = None, t0: float | None = None,
                on_phase: Callable[[str], None] | None = None) -> JobResult:
    """Solve ``problem``, validate the plan and write the result folder.

    ``progress(elapsed_s, best_cost)`` is passed to :func:`logistics.solve`;
    ``on_phase("writing")`` is called once the search is over.
    """
    from . import validate
    from .solve import solve

    t0 = time.perf_counter() if t0 is None else t0
    options = options or SolveOptions()
    check_out_dir(out_dir)
    plan = solve(problem, time_limit=options.time_limit, seed=options.seed, engine=options.engine,
                 progress=progress, iterations=options.iterations)
    if on_phase is not None:
        on_phase("writing")
    violations = [str(v) for v in validate(problem, plan)]
    extra = {}
    if vroom is not None:
        from .vroom import plan_to_vroom

        extra["vroom.json"] = json.dumps(plan_to_vroom(vroom, plan), indent=1, ensure_ascii=False)
    required_unserved = sum(1 for oid in plan.unserved["order_id"] if problem.order(str(oid)).required)
    status = "invalid" if violations else ("unserved" if required_unserved else "ok")
    result = JobResult(
        name=name or problem.name, out_dir=str(Path(out_dir)), status=status,
        exit_code=EXIT_OK if status == "ok" else EXIT_UNSERVED, kpis=dict(plan.kpis), violations=violations,
        unserved=int(len(plan.unserved)), required_unserved=int(required_unserved), elapsed_s=0.0, job=job_path,
        plan=plan)
    result.elapsed_s = round(time.perf_counter() - t0, 3)
    write_outputs(problem, plan, out_dir, offline=offline, result=result, extra_files=extra)
    return result


def check_out_dir(out_dir: str | os.PathLike) -> None:
    """Refuse to replace a folder that is not a (previous) result folder."""
    out = Path(out_dir)
    if out.exists():
        if not out.is_dir():
            raise ProblemError(f"output {str(out)!r} exists and is not a folder", record=str(out), field="out")
        ours = set(OUTPUT_FILES) | {MARKER, "vroom.json"}
        others = [p.name for p in out.iterdir() if p.name not in ours]
        if others:
            raise ProblemError(f"output folder {str(out)!r} holds other files ({', '.join(sorted(others)[:3])}); "
                               f"give a new or empty folder", record=str(out), field="out")


def write_outputs(problem: Problem, plan, out_dir: str | os.PathLike, *, offline: bool = False,
                  result: JobResult | None = None, extra_files: Mapping[str, str] | None = None) -> Path:
    """Write every result file into a temporary folder and rename it to ``out_dir``; ``_SUCCESS`` last."""
    from . import validate

    out = Path(out_dir).absolute()
    check_out_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        os.chmod(tmp, 0o755)
        if result is None:
            violations = [str(v) for v in validate(problem, plan)]
            req = sum(1 for oid in plan.unserved["order_id"] if problem.order(str(oid)).required)
            status = "invalid" if violations else ("unserved" if req else "ok")
            result = JobResult(name=problem.name, out_dir=str(out), status=status,
                               exit_code=EXIT_OK if status == "ok" else EXIT_UNSERVED, kpis=dict(plan.kpis),
                               violations=violations, unserved=int(len(plan.unserved)), required_unserved=req,
                               elapsed_s=0.0)
        _write_files(problem, plan, tmp, offline=offline, result=result)
        for fname, text in (extra_files or {}).items():
            (tmp / fname).write_text(text, encoding="utf-8")
        marker = result.summary()
        marker.update({"format": "coldroute-run/1", "finished": _dt.datetime.now().isoformat(timespec="seconds"),
                       "out_dir": str(out), "files": sorted(p.name for p in tmp.iterdir())})
        _write_json(tmp / MARKER, marker)
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _swap_into_place(tmp: Path, out: Path) -> None:
    if out.exists():
        old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
        os.replace(out, old)
        try:
            os.replace(tmp, out)
        except OSError:
            os.replace(old, out)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)


def _write_json(path: Path, data: Any) -> None:
    from .plan import _jsonable

    path.write_text(json.dumps(_jsonable(data), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_files(problem: Problem, plan, folder: Path, *, offline: bool, result: JobResult) -> None:
    from . import viz

    plan.to_geojson(folder / "routes.geojson")
    stops = plan.stops.copy()
    for c in ("arrival", "start", "departure"):
        stops[f"{c}_clock"] = [fmt_clock(v) for v in stops[c]] if len(stops) else []
    stops.to_csv(folder / "stops.csv", index=False)
    unserved_frame(problem, plan).to_csv(folder / "unserved.csv", index=False)
    _write_json(folder / "kpis.json", plan.kpis)
    plan.to_json(folder / "plan.json")
    _write_json(folder / "validation.json", {"violations": result.violations, "status": result.status,
                                             "required_unserved": result.required_unserved})
    m = viz.plan_map(plan, problem=problem, offline=offline)
    viz.save_map(m, folder / "map.html", offline=offline)
    fig = viz.timeline(plan)
    viz.save_figure(fig, folder / "timeline.png")


def unserved_frame(problem: Problem, plan) -> pd.DataFrame:
    """Unserved orders with their reason, kind, place and whether they were required."""
    from .build_plan import coordinates

    coords = coordinates(problem)
    rows = []
    for oid, reason in zip(plan.unserved["order_id"], plan.unserved["reason"]):
        o = problem.order(str(oid))
        x, y = coords.get(o.location, (math.nan, math.nan))
        rows.append({"order_id": o.id, "reason": reason, "kind": o.kind, "node_id": o.node_id, "required": o.required,
                     "lon": x, "lat": y})
    return pd.DataFrame(rows, columns=["order_id", "reason", "kind", "node_id", "required", "lon", "lat"])


def read_marker(out_dir: str | os.PathLike) -> dict[str, Any] | None:
    """The ``_SUCCESS`` summary of a finished result folder, or None."""
    p = Path(out_dir) / MARKER
    if not p.is_file():
        return None
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except ValueError:
        return {}


def error_code(exc: BaseException) -> int:
    """Exit code for an exception raised while running a job."""
    if isinstance(exc, (ProblemError, NetworkError, FileNotFoundError, IsADirectoryError)):
        return EXIT_BAD_INPUT
    return EXIT_INTERNAL

