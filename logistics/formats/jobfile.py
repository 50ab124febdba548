"""Job files (JSON or YAML): from a document to a checked Problem and its SolveOptions.

A job file names everything a run needs: the network or a travel matrix, orders (inline or a
CSV/GeoJSON file, see [logistics.formats.orders_file][]), products, fleet, costs and the
``solver`` block.  Documents are read and schema-checked by [logistics.formats.documents][];
this module turns the checked mapping into model objects and maps model errors back to the
job's field paths, so the user is told which line of *their* file to fix.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from logistics.core.costs import CostModel
from logistics.core.errors import ProblemError
from logistics.core.model import Product, VehicleType
from logistics.core.options import SolveOptions
from logistics.core.problem import Problem
from logistics.core.units import Zone
from logistics.formats.depots import depot_places, insert_depots
from logistics.formats.documents import (
    check_input_file,
    decode_text,
    is_vroom_document,
    prefixed_error,
    read_document,
    reject_constant,
    resolve_path,
)
from logistics.formats.job_checks import (
    ErrorLog,
    bad_records,
    check_references,
    place_ids,
    product_names,
    schema_errors,
    skipped,
)
from logistics.formats.job_fleets import TierSpec, build_fleet, check_tier_orders, read_tiers
from logistics.formats.matrix_file import check_npz
from logistics.formats.orders_file import ReadLimits, orders_inline, read_orders_file
from logistics.formats.vroom import VroomInput, read_vroom
from networks import Network, TravelMatrix, read_network, yanhu
from networks.errors import NetworkError

#: Largest travel matrix file read (and largest array an ``.npz`` may declare): 16,000 places.
MAX_MATRIX_BYTES = 4 * 2**30

__all__ = ["Job", "ReadLimits", "build_problem", "load_job", "read_job", "read_network_file", "read_solver"]


@dataclass(frozen=True, eq=False)
class Job:
    """A parsed job: the problem, how to solve it, and where it came from.

    Parameters
    ----------
    name, path
        The job's name (its ``name`` field or file stem) and file.
    problem, options
        What to solve and how.
    source, vroom
        ``"job"``, or ``"vroom"`` with the [VroomInput][logistics.formats.vroom_write.VroomInput] needed to
        answer in VROOM's output format.
    tiers
        A three-tier job's ``tiers`` block (``None`` for a single-tier job); ``problem`` then holds
        the orders, products, costs and network, with the tier fleets based at the hub.
    """

    name: str
    path: Path | None
    problem: Problem
    options: SolveOptions
    source: str = "job"  # "job" or "vroom"
    vroom: VroomInput | None = None
    tiers: TierSpec | None = None


# --------------------------------------------------------------------------- loading


def load_job(
    path: str | os.PathLike, *, allow_outside: bool = False, limits: Mapping[str, Any] | None = None
) -> tuple[Problem, SolveOptions]:
    """Read and validate a job file: ``(problem, solve options)``.

    Parameters
    ----------
    path
        A job file (JSON or YAML), or a VROOM input.
    allow_outside
        Let the job's paths point outside its folder.
    limits
        Overrides of the job's ``limits`` block (``orders_rows``, ``orders_mb``; ``None`` values
        keep the job's).

    Returns
    -------
    tuple of (Problem, SolveOptions)
        The problem and the job's ``solver`` block (defaults for a VROOM input).

    Raises
    ------
    ProblemError
        The job is invalid; the field is the path of the first problem
        (``orders[3].time_windows``).
    """
    job = read_job(path, allow_outside=allow_outside, limits=limits)
    return job.problem, job.options


def read_job(path: str | os.PathLike, *, allow_outside: bool = False, limits: Mapping[str, Any] | None = None) -> Job:
    """Like [load_job][logistics.formats.jobfile.load_job], with the job's name and source.

    Parameters
    ----------
    path
        A job file (JSON or YAML), or a VROOM input.
    allow_outside
        Let the job's paths point outside its folder.
    limits
        Overrides of the job's ``limits`` block (``orders_rows``, ``orders_mb``).

    Returns
    -------
    Job
        Name, path, problem, options, and for a VROOM input (``source="vroom"``) what was read
        from it, to write the answer back in VROOM's format.

    Raises
    ------
    ProblemError
        The job is invalid, or nested too deeply to read.
    """
    try:
        return _read_job(Path(path), allow_outside, limits)
    except RecursionError:  # the JSON/YAML parsers, the schema check and our walks all recurse
        where = Path(path).name
        raise ProblemError(f"{where}: the document is nested too deeply", record=where) from None


def _read_job(path: Path, allow_outside: bool, overrides: Mapping[str, Any] | None) -> Job:
    where = path.name
    data = read_document(path)
    base = path.resolve().parent
    if is_vroom_document(data):
        vin = read_vroom(data, name=path.stem, where=where)
        return Job(name=path.stem, path=path, problem=vin.problem, options=SolveOptions(), source="vroom", vroom=vin)
    if not isinstance(data, dict):
        raise ProblemError(f"{where}: a job is a mapping of fields (network, orders, fleet, ...)", record=where)
    log = ErrorLog(where)
    for e in schema_errors(data, where):
        log.add(e)
    bad = bad_records(log)
    name = str(data["name"]) if isinstance(data.get("name"), str) and data["name"] else path.stem
    options = SolveOptions()
    if not skipped(bad, "solver", within=True):
        with log.catch():
            options = read_solver(data.get("solver"), where)
    if "vroom" in data:
        log.raise_all()
        vpath = resolve_path(base, data["vroom"], "vroom", allow_outside=allow_outside, where=where)
        vin = read_vroom(vpath, name=name)
        return Job(name=name, path=path, problem=vin.problem, options=options, source="vroom", vroom=vin)
    limits = ReadLimits().merged(None if skipped(bad, "limits", within=True) else data.get("limits")).merged(overrides)
    problem, tiers = _build(data, base, where, name, allow_outside, limits, log)
    return Job(name=name, path=path, problem=problem, options=options, tiers=tiers)


def read_solver(spec: Mapping[str, Any] | None, where: str = "job") -> SolveOptions:
    """The job's ``solver`` block as `SolveOptions`.

    Parameters
    ----------
    spec
        The block (``time_limit``, ``seed``, ``engine``, ``iterations``, ``workers``, ``log``,
        ``stop_early``, ``cooperative``, ``decompose``, ``max_part``), or
        ``None`` for the defaults.
    where
        The job's name, for errors.

    Returns
    -------
    SolveOptions
        The checked options.

    Raises
    ------
    ProblemError
        A value is out of range; the field is ``solver.<name>`` so the message points into the file.
    """
    try:
        return SolveOptions(**dict(spec or {}))
    except ProblemError as e:
        raise prefixed_error(e, where, "solver") from None
    except TypeError as e:  # an unknown key: the schema rejects it first, this is for callers without it
        raise ProblemError(f"{where}: solver: {e}", record=where, field="solver") from None


def build_problem(
    data: Mapping[str, Any],
    base: Path,
    *,
    where: str = "job",
    name: str = "job",
    allow_outside: bool = False,
    limits: ReadLimits | None = None,
    log: ErrorLog | None = None,
) -> Problem:
    """A Problem from a (schema-valid) job mapping; paths relative to ``base``.

    Parameters
    ----------
    data
        The job document, already checked against `job_schema`.
    base
        The job file's folder: network, matrix and orders files are resolved against it.
    where
        The job's name, for errors.
    name
        The problem's name.
    allow_outside
        Let the job's paths point outside ``base``.
    limits
        How much of an orders file is read (default: the job's ``limits`` block, else `ReadLimits()`).
    log
        Errors found so far (the schema's); records they name are not built again.

    Returns
    -------
    Problem
        The problem; ``meta["job"]`` is ``where`` (and ``meta["matrix_file"]`` the matrix file).

    Raises
    ------
    ProblemError
        A file is missing or outside ``base``, or a record is invalid; the field is its path
        in the job.  Several problems are raised together as a
        [ProblemErrors][logistics.core.errors.ProblemErrors] listing each one.
    """
    return _build(data, base, where, name, allow_outside, limits, log)[0]


def _build(
    data: Mapping[str, Any],
    base: Path,
    where: str,
    name: str,
    allow_outside: bool,
    limits: ReadLimits | None,
    log: ErrorLog | None = None,
) -> tuple[Problem, TierSpec | None]:
    """`build_problem`, and the checked ``tiers`` block of a three-tier job."""
    log = log if log is not None else ErrorLog(where)
    bad = bad_records(log)
    meta: dict[str, Any] = {"job": where}
    if "tiers" in data and data.get("matrix"):
        log.add(
            ProblemError(
                f"{where}: matrix: a tiered job's travel times come from its network (give no matrix)",
                record=where,
                field="matrix",
            )
        )
    network = matrix = None
    placed = bool(data.get("network") or data.get("matrix"))  # else depots by coordinates make the network
    if data.get("network") and not skipped(bad, "network", within=True):
        with log.catch():
            network = _load_network(data.get("network"), base, where, allow_outside)
    if data.get("matrix") and not skipped(bad, "matrix", within=True):
        with log.catch():
            matrix, coords = _load_matrix(data["matrix"], base, where, allow_outside)
            meta["matrix_file"] = Path(data["matrix"]).name
            if coords:
                meta["coords"] = coords
    products = _build_products(data.get("products"), where, log=log, bad=bad)
    orders, row_of, file_depots = _read_orders(data, base, where, allow_outside, limits, log, bad)
    tiers = None
    fleet: list[VehicleType] = []
    fleet_fields: list[str] = []
    fleet_records: list[tuple[int, dict[str, Any]]] = []
    if "tiers" in data:  # a three-tier day: the fleets are the tiers' (checked against the network)
        with log.catch():
            if "fleet" in data:
                raise ProblemError(
                    f"{where}: fleet: a tiered job names its vehicles in tiers.trunk_fleet and tiers.last_mile_fleet",
                    record=where,
                    field="fleet",
                )
            if not skipped(bad, "tiers", within=True) and (network is not None or not data.get("network")):
                tiers = read_tiers(data["tiers"], network, where)
                assert network is not None  # read_tiers refuses a job without one
                typed = tiers.vehicle_types(network.hub_id)
                fleet, fleet_fields = [v for _, v in typed], [f for f, _ in typed]
        if tiers is not None and network is not None:
            with log.catch():
                check_tier_orders(orders, row_of, network, where)
    else:
        network, fleet_records = _place_depots(data, network, matrix, file_depots, placed, name, meta, log, bad)
        for k, rec in fleet_records:
            with log.catch():
                fleet += build_fleet([rec], where, first=k)
                fleet_fields.append(f"fleet[{k}]")
    costs = CostModel()
    if not skipped(bad, "costs", within=True):
        with log.catch():
            costs = _build_costs(data.get("costs") or {}, where)
    check_references(
        log,
        fleet=[rec for _, rec in fleet_records],
        fleet_paths=[f"fleet[{k}]" for k, _ in fleet_records],
        orders=orders,
        order_paths={o: f"orders[{k}]" for o, k in row_of.items()},
        products=None if skipped(bad, "products") else list(product_names(data.get("products"))),
        places=place_ids(network, matrix),
    )
    log.raise_all()
    try:
        problem = Problem(
            orders=tuple(orders),
            fleet=tuple(fleet),
            products=products,
            network=network,
            matrix=matrix,
            costs=costs,
            objective=data.get("objective", "cost"),
            name=name,
            day=data.get("day"),
            meta=meta,
        )
        return problem, tiers
    except ProblemError as e:
        raise _locate(
            e,
            where,
            orders=row_of,
            fleet={v.name: f for v, f in zip(fleet, fleet_fields)},
            products=list(products),
            products_is_list=isinstance(data.get("products"), list),
        ) from None
    except NetworkError as e:
        raise ProblemError(
            f"{where}: {'matrix' if matrix is not None else 'network'}: {e}",
            record=where,
            field="matrix" if matrix is not None else "network",
        ) from None


def _read_orders(
    data: Mapping[str, Any],
    base: Path,
    where: str,
    allow_outside: bool,
    limits: ReadLimits | None,
    log: ErrorLog,
    bad: set[tuple[Any, ...]],
) -> tuple[list, dict[str, int], dict[str, tuple[float, float]]]:
    """The job's orders (inline or a file), each one's row, and the depots an orders file places."""
    spec = data.get("orders")
    if isinstance(spec, str) and not skipped(bad, "orders", within=True):
        with log.catch():
            lim = limits if limits is not None else ReadLimits().merged(data.get("limits"))
            read = read_orders_file(spec, base, where, allow_outside, lim, log=log)
            return read.orders, read.row_of, read.depots
    elif isinstance(spec, list) and not skipped(bad, "orders"):
        keep = [k for k in range(len(spec)) if not skipped(bad, "orders", k)]
        orders, row_of = orders_inline(spec, where, log=log, rows=keep)
        return orders, row_of, {}
    return [], {}, {}


def _place_depots(
    data: Mapping[str, Any],
    network: Network | None,
    matrix: TravelMatrix | None,
    file_depots: Mapping[str, tuple[float, float]],
    placed: bool,
    name: str,
    meta: dict[str, Any],
    log: ErrorLog,
    bad: set[tuple[Any, ...]],
) -> tuple[Network | None, list[tuple[int, dict[str, Any]]]]:
    """Depots given by coordinates into the network (or a network of their own); the fleet records by index."""
    where = log.where
    spec: list[Any] = data["fleet"] if isinstance(data.get("fleet"), list) and not skipped(bad, "fleet") else []
    places = depot_places([], {}, where)
    with log.catch():
        places = depot_places(spec, file_depots, where)
    if network is not None or matrix is not None or not placed:
        with log.catch():
            network, depot_coords = insert_depots(places, network, matrix, where, name)
            meta["coords"] = {**meta.get("coords", {}), **depot_coords}
    if not placed and network is None:
        msg = (
            f"{where}: network: a job needs a network, a matrix, or depots given by coordinates "
            f"(start_depot: {{name, lon, lat}})"
        )
        log.add(ProblemError(msg, record=where, field="network"))
    records = [(k, v) for k, v in enumerate(places.fleet) if isinstance(v, dict) and not skipped(bad, "fleet", k)]
    return network, records


def _locate(
    e: ProblemError,
    where: str,
    *,
    orders: Mapping[str, int],
    fleet: Mapping[str, str],
    products: list[str],
    products_is_list: bool,
) -> ProblemError:
    """Turn a model error (record id + attribute) into a job field path."""
    rec = None if e.record is None else str(e.record)
    if rec is not None and rec in orders:
        return prefixed_error(e, where, f"orders[{orders[rec]}]")
    if rec is not None and rec in fleet:
        return prefixed_error(e, where, fleet[rec])
    if rec is not None and rec in products:
        return prefixed_error(e, where, f"products[{products.index(rec)}]" if products_is_list else f"products.{rec}")
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
            raise ProblemError(
                f"{where}: {fname}: unknown built-in network {spec!r} (known: builtin:yanhu)", record=where, field=fname
            )
        return yanhu(roads=bool(roads))
    p = resolve_path(base, spec, fname, allow_outside=allow_outside, where=where)
    return read_network_file(p, layer=layer, roads=True if roads is None else bool(roads), where=where, field=fname)


def read_network_file(
    path: Path, *, layer: str | None = None, roads: bool = True, where: str = "job", field: str = "network"
) -> Network:
    """A Network from a GeoPackage / GeoJSON / CSV of nodes (``node_id, name, tier, parent``, points).

    Parameters
    ----------
    path
        The file.
    layer, roads
        GeoPackage layer; whether to build the road graph (else great-circle travel).
    where, field
        The job and field that named the file, for errors.

    Returns
    -------
    networks.Network
        The network.

    Raises
    ------
    ProblemError
        The file cannot be read or a node is invalid (the field names the node's column).
    """
    try:
        return read_network(path, layer=layer, roads=roads)
    except NetworkError as e:
        sub = f"{field}.{e.field}" if e.field and e.field != "path" else field
        rec = f" (node {e.record!r})" if e.record is not None and e.record != str(path) else ""
        raise ProblemError(f"{where}: {sub}{rec}: {e}", record=e.record, field=sub) from None
    except Exception as e:
        raise ProblemError(f"{where}: {field}: cannot read {path.name}: {e}", record=where, field=field) from None


def _load_matrix(spec: str, base: Path, where: str, allow_outside: bool):
    p = resolve_path(base, spec, "matrix", allow_outside=allow_outside, where=where)
    coords = None
    try:
        check_input_file(p, MAX_MATRIX_BYTES, what="matrix file", where=where, field="matrix")
        if p.suffix.lower() == ".npz":
            check_npz(p, MAX_MATRIX_BYTES, where=where)
            tm = TravelMatrix.from_npz(p)
        elif p.suffix.lower() == ".json":
            d = json.loads(decode_text(p.read_bytes(), p.name), parse_constant=reject_constant)
            if not isinstance(d, dict) or not {"ids", "distance", "duration"} <= set(d):
                raise ProblemError(
                    f"{where}: matrix: {p.name} needs ids, distance and duration", record=where, field="matrix"
                )
            tm = TravelMatrix(
                tuple(str(i) for i in d["ids"]),
                np.asarray(d["distance"], dtype=float),
                np.asarray(d["duration"], dtype=float),
                synthetic=bool(d.get("synthetic", False)),
                source=str(d.get("source", p.name)),
            )
            if d.get("coords"):
                coords = _matrix_coords(d["coords"], tm.ids, p.name, where)
        else:
            raise ProblemError(
                f"{where}: matrix: {p.name}: a matrix is a .npz or .json file", record=where, field="matrix"
            )
    except ProblemError:
        raise
    except NetworkError as e:
        raise ProblemError(f"{where}: matrix: {p.name}: {e}", record=where, field="matrix") from None
    except (ValueError, KeyError, TypeError, OSError, EOFError, MemoryError) as e:
        raise ProblemError(f"{where}: matrix: cannot read {p.name}: {e}", record=where, field="matrix") from None
    return tm, coords


def _matrix_coords(spec: Any, ids: tuple[str, ...], fname: str, where: str) -> dict[str, tuple[float, float]]:
    """A matrix file's ``coords``: ``{id: [lon, lat]}``, or a list of ``[lon, lat]`` in the order of ``ids``."""
    if isinstance(spec, list):
        if len(spec) != len(ids):
            raise ProblemError(
                f"{where}: matrix: {fname}: coords lists {len(spec)} points for {len(ids)} ids",
                record=where,
                field="matrix",
            )
        spec = dict(zip(ids, spec))
    if not isinstance(spec, dict):
        raise ProblemError(
            f"{where}: matrix: {fname}: coords is a mapping of id to [lon, lat]", record=where, field="matrix"
        )
    out: dict[str, tuple[float, float]] = {}
    for k, v in spec.items():
        if not (isinstance(v, (list, tuple)) and len(v) == 2 and all(_finite(x) for x in v)):
            raise ProblemError(
                f"{where}: matrix: {fname}: coords[{str(k)!r}] is not [lon, lat] ({v!r:.60})",
                record=str(k),
                field="matrix",
            )
        out[str(k)] = (float(v[0]), float(v[1]))
    return out


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _build_products(
    spec: Any, where: str, log: ErrorLog | None = None, bad: set[tuple[Any, ...]] | None = None
) -> dict[str, Product]:
    if spec is None:
        return {"goods": Product("goods")}
    if bad and skipped(bad, "products", within=not isinstance(spec, (list, dict))):
        return {}
    own = log is None
    log = log if log is not None else ErrorLog(where)
    items = list(spec) if isinstance(spec, list) else [dict(v, name=k) for k, v in spec.items()]
    out: dict[str, Product] = {}
    for k, p in enumerate(items):
        prefix = f"products[{k}]" if isinstance(spec, list) else f"products.{p['name']}"
        if bad and skipped(bad, "products", k if isinstance(spec, list) else p["name"]):
            continue
        if p["name"] in out:
            log.add(
                ProblemError(
                    f"{where}: {prefix}.name: product {p['name']!r} appears more than once",
                    record=p["name"],
                    field=f"{prefix}.name",
                )
            )
            continue
        try:
            kw = dict(p)
            if "carriers" in kw:
                kw["carriers"] = tuple(kw["carriers"])
            out[p["name"]] = Product(**kw)
        except ProblemError as e:
            log.add(prefixed_error(e, where, prefix))
    if own:
        log.raise_all()
    return out


def _build_costs(spec: Mapping[str, Any], where: str) -> CostModel:
    kw = dict(spec)
    if "decay_per_h" in kw:
        base = CostModel().decay_per_h
        base.update({Zone(z): float(r) for z, r in kw["decay_per_h"].items()})
        kw["decay_per_h"] = base
    if kw.get("fuel_full_l_per_km", math.inf) < kw.get("fuel_empty_l_per_km", 0):
        raise ProblemError(
            f"{where}: costs.fuel_full_l_per_km: below fuel_empty_l_per_km",
            record=where,
            field="costs.fuel_full_l_per_km",
        )
    return CostModel(**kw)
