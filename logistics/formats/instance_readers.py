"""Readers of the classic benchmark formats: Solomon/Homberger, Li & Lim, VRPLIB (CVRP) and Cordeau MDVRP.

Each turns one file into a [Problem][logistics.core.problem.Problem] with the format's distance
convention (see [logistics.formats.instances][]).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from logistics.core.errors import ProblemError
from logistics.core.model import GOODS, Order
from logistics.core.problem import Problem
from logistics.formats.instance_common import (
    _ambient_type,
    _euclid_matrix,
    _horizon,
    _is_int,
    _is_num,
    _Lines,
    _make_problem,
    _meta,
)
from networks import TravelMatrix

# --------------------------------------------------------------------------- Solomon / Homberger


_SOLOMON_COLS = ["CUST NO.", "XCOORD.", "YCOORD.", "DEMAND", "READY TIME", "DUE DATE", "SERVICE TIME"]


def _read_solomon(path: Path, vehicles: int | None, scale: int, rounding: str) -> Problem:
    L = _Lines(path)
    rows = L.rows
    if not rows:
        raise L.error(None, "name", "the file is empty")
    name = rows[0][1]
    k = next((i for i, (_, t) in enumerate(rows) if t.upper().startswith("VEHICLE")), None)
    if k is None:
        raise L.error(rows[0][0], "VEHICLE", "no VEHICLE block")
    # VEHICLE / NUMBER CAPACITY / <n> <q>
    k += 1
    if k < len(rows) and not _is_num(rows[k][1].split()[0]):
        k += 1  # the "NUMBER CAPACITY" header
    if k >= len(rows):
        raise L.error(rows[-1][0], "NUMBER", "the VEHICLE block has no values")
    v = L.numbers(rows[k][0], rows[k][1], ["NUMBER", "CAPACITY"], ints=["NUMBER"])
    if v["NUMBER"] < 1:
        raise L.error(rows[k][0], "NUMBER", f"fleet size must be positive, got {v['NUMBER']:g}")
    if v["CAPACITY"] <= 0:
        raise L.error(rows[k][0], "CAPACITY", f"capacity must be positive, got {v['CAPACITY']:g}")
    c = next((i for i in range(k + 1, len(rows)) if rows[i][1].upper().startswith("CUSTOMER")), None)
    if c is None:
        raise L.error(rows[k][0], "CUSTOMER", "no CUSTOMER block")
    c += 1
    if c < len(rows) and not _is_num(rows[c][1].split()[0]):
        c += 1  # the column header
    table = []
    for no, text in rows[c:]:
        r = L.numbers(no, text, _SOLOMON_COLS, ints=["CUST NO."])
        table.append((no, r))
    return _vrptw_problem(
        L,
        name,
        table,
        int(v["NUMBER"]) if vehicles is None else vehicles,
        v["CAPACITY"],
        scale,
        rounding,
        fmt="solomon",
    )


def _vrptw_problem(
    L: _Lines,
    name: str,
    table: list[tuple[int, dict]],
    count: int,
    capacity: float,
    scale: int,
    rounding: str,
    fmt: str,
) -> Problem:
    """Depot in row 0, customers after; Solomon-style columns (also used for Li & Lim)."""
    if len(table) < 2:
        raise L.error(table[-1][0] if table else None, "CUSTOMER", "need a depot row and at least one customer")
    seen: dict[int, int] = {}
    for pos, (no, r) in enumerate(table):
        cid = int(r["CUST NO."])
        if cid in seen:
            raise L.error(no, "CUST NO.", f"customer {cid} already given on line {seen[cid]}")
        seen[cid] = no
        if pos == 0 and cid != 0:
            raise L.error(no, "CUST NO.", f"the first row must be the depot 0, got {cid}")
        if r["READY TIME"] < 0:
            raise L.error(no, "READY TIME", f"negative ready time {r['READY TIME']:g}")
        if r["DUE DATE"] < r["READY TIME"]:
            raise L.error(no, "DUE DATE", f"due date {r['DUE DATE']:g} before ready time {r['READY TIME']:g}")
        if r["SERVICE TIME"] < 0:
            raise L.error(no, "SERVICE TIME", f"negative service time {r['SERVICE TIME']:g}")
        if fmt == "solomon":
            if r["DEMAND"] < 0:
                raise L.error(no, "DEMAND", f"negative demand {r['DEMAND']:g}")
            if r["DEMAND"] > capacity:
                raise L.error(no, "DEMAND", f"demand {r['DEMAND']:g} exceeds the vehicle capacity {capacity:g}")
    xy = np.array([[r["XCOORD."], r["YCOORD."]] for _, r in table])
    dist = _euclid_matrix(xy, scale, rounding, speed=1.0)
    speed = getattr(L, "speed", 1.0)
    dur = dist if speed == 1.0 else _euclid_matrix(xy, scale, rounding, speed=speed)
    ids = tuple(str(int(r["CUST NO."])) for _, r in table)
    sc = lambda x: int(round(x * scale))  # noqa: E731
    depot = table[0][1]
    shift = (sc(depot["READY TIME"]), sc(depot["DUE DATE"]))
    orders = []
    for no, r in table[1:]:
        oid = str(int(r["CUST NO."]))
        kw: dict[str, Any] = {}
        qty = r["DEMAND"]
        if fmt == "lilim":
            kw = L.pairs[oid]  # type: ignore[attr-defined]
            qty = abs(qty)
        orders.append(
            Order(
                id=oid,
                node_id=oid,
                quantities={"goods": qty},
                time_windows=((sc(r["READY TIME"]), sc(r["DUE DATE"])),),
                service=sc(r["SERVICE TIME"]),
                **kw,
            )
        )
    matrix = TravelMatrix(ids, dist, dur, source=f"euclidean x{scale} ({rounding})")
    fleet = (_ambient_type("vehicle", count, capacity, "0", shift),)
    meta = _meta(L.path, fmt, name, scale, rounding, count, capacity)
    return _make_problem(
        L,
        orders=tuple(orders),
        fleet=fleet,
        products={"goods": GOODS},
        matrix=matrix,
        objective="distance",
        name=L.path.stem,
        meta=meta,
    )


# --------------------------------------------------------------------------- Li & Lim


_LILIM_COLS = ["id", "x", "y", "demand", "earliest", "latest", "service", "pickup_sibling", "delivery_sibling"]


def _read_lilim(path: Path, vehicles: int | None, scale: int, rounding: str) -> Problem:
    L = _Lines(path)
    if not L.rows:
        raise L.error(None, "K", "the file is empty")
    no, text = L.rows[0]
    head = L.numbers(no, text, ["K", "Q", "S"], ints=["K"])
    if head["K"] < 1:
        raise L.error(no, "K", f"fleet size must be positive, got {head['K']:g}")
    if head["Q"] <= 0:
        raise L.error(no, "Q", f"capacity must be positive, got {head['Q']:g}")
    if head["S"] < 0:
        raise L.error(no, "S", f"speed must not be negative, got {head['S']:g}")
    if head["S"] == 0:
        head["S"] = 1.0  # a few published files (lc104, lr107, ...) say 0; the benchmark's speed is 1
    raw = []
    for no, text in L.rows[1:]:
        raw.append((no, L.numbers(no, text, _LILIM_COLS, ints=["id", "pickup_sibling", "delivery_sibling"])))
    if not raw:
        raise L.error(L.rows[0][0], "id", "no task rows")
    by_id = {int(r["id"]): (no, r) for no, r in raw}
    pairs: dict[str, dict[str, Any]] = {}
    for no, r in raw[1:]:
        i, q = int(r["id"]), r["demand"]
        ps, ds = int(r["pickup_sibling"]), int(r["delivery_sibling"])
        if abs(q) > head["Q"]:
            raise L.error(no, "demand", f"demand {q:g} exceeds the vehicle capacity {head['Q']:g}")
        if ps == 0 and ds > 0 and q >= 0:
            kind, partner, back = "pickup", ds, "pickup_sibling"
        elif ps > 0 and ds == 0 and q <= 0:
            kind, partner, back = "delivery", ps, "delivery_sibling"
        else:
            raise L.error(
                no,
                "pickup_sibling",
                f"task {i} is neither a pickup (demand >= 0, delivery_sibling set) "
                f"nor a delivery (demand <= 0, pickup_sibling set)",
            )
        if partner not in by_id or partner == 0:
            raise L.error(
                no,
                "delivery_sibling" if kind == "pickup" else "pickup_sibling",
                f"task {i} refers to task {partner}, which does not exist",
            )
        pno, pr = by_id[partner]
        if int(pr[back]) != i:
            raise L.error(pno, back, f"task {partner} should point back to task {i}, got {int(pr[back])}")
        if abs(pr["demand"]) != abs(q):
            raise L.error(
                no, "demand", f"task {i} moves {abs(q):g} but its sibling {partner} moves {abs(pr['demand']):g}"
            )
        pairs[str(i)] = {"kind": kind, "pair": str(partner)}
    table = [
        (
            no,
            {
                "CUST NO.": r["id"],
                "XCOORD.": r["x"],
                "YCOORD.": r["y"],
                "DEMAND": r["demand"],
                "READY TIME": r["earliest"],
                "DUE DATE": r["latest"],
                "SERVICE TIME": r["service"],
            },
        )
        for no, r in raw
    ]
    L.pairs = pairs  # type: ignore[attr-defined]
    L.speed = float(head["S"])  # type: ignore[attr-defined]
    return _vrptw_problem(
        L, path.stem, table, int(head["K"]) if vehicles is None else vehicles, head["Q"], scale, rounding, fmt="lilim"
    )


# --------------------------------------------------------------------------- VRPLIB (CVRP)


def _scan_vrplib(L: _Lines) -> dict[str, Any]:
    """Check a VRPLIB file line by line (so errors name a line); return its header."""
    header: dict[str, tuple[int, str]] = {}
    section = None
    counts: dict[str, int] = {}
    for no, text in L.rows:
        up = text.upper()
        m = re.match(r"^([A-Z_]+)\s*:\s*(.*)$", text.strip(), flags=re.I)
        if up.startswith("EOF"):
            break
        if m and not up.split(":")[0].strip().endswith("_SECTION"):
            header[m.group(1).upper()] = (no, m.group(2).strip())
            section = None
            continue
        word = up.split()[0]
        if word.endswith("_SECTION"):
            section = word
            counts[section] = 0
            continue
        if section is None:
            raise L.error(no, "header", f"expected 'KEY : VALUE' or a *_SECTION line, got {text[:60]!r}")
        parts = text.split()
        if section == "NODE_COORD_SECTION":
            L.numbers(no, text, ["node", "x", "y"], min_fields=3, ints=["node"])
        elif section == "DEMAND_SECTION":
            r = L.numbers(no, text, ["node", "demand"], ints=["node"])
            if r["demand"] < 0:
                raise L.error(no, "demand", f"node {int(r['node'])}: negative demand {r['demand']:g}")
        elif section == "DEPOT_SECTION":
            for x in parts:
                if not _is_int(x):
                    raise L.error(no, "depot", f"{x!r} is not a node number")
        else:
            for x in parts:
                if not _is_num(x):
                    raise L.error(no, section.lower(), f"{x!r} is not a number")
        counts[section] = counts.get(section, 0) + 1
    for key in ("DIMENSION", "CAPACITY"):
        if key not in header:
            raise L.error(None, key, f"the header has no {key}")
    for key, ints in (("DIMENSION", True), ("CAPACITY", False)):
        no, v = header[key]
        if not (_is_int(v) if ints else _is_num(v)) or float(v) <= 0:
            raise L.error(no, key, f"{v!r} is not a positive {'integer' if ints else 'number'}")
    if "DEMAND_SECTION" not in counts:
        raise L.error(None, "DEMAND_SECTION", "no DEMAND_SECTION")
    ewt = header.get("EDGE_WEIGHT_TYPE", (None, "EUC_2D"))[1].upper()
    if ewt not in ("EUC_2D", "CEIL_2D", "EXPLICIT"):
        raise L.error(
            header.get("EDGE_WEIGHT_TYPE", (None,))[0],
            "EDGE_WEIGHT_TYPE",
            f"{ewt!r} is not supported (EUC_2D, CEIL_2D, EXPLICIT)",
        )
    if ewt != "EXPLICIT" and "NODE_COORD_SECTION" not in counts:
        raise L.error(None, "NODE_COORD_SECTION", f"EDGE_WEIGHT_TYPE {ewt} needs a NODE_COORD_SECTION")
    if ewt == "EXPLICIT" and "EDGE_WEIGHT_SECTION" not in counts:
        raise L.error(None, "EDGE_WEIGHT_SECTION", "EDGE_WEIGHT_TYPE EXPLICIT needs an EDGE_WEIGHT_SECTION")
    n = int(header["DIMENSION"][1])
    for sec in ("NODE_COORD_SECTION", "DEMAND_SECTION"):
        if sec in counts and counts[sec] != n:
            raise L.error(None, sec, f"{counts[sec]} rows, but DIMENSION is {n}")
    return {k: v for k, (_, v) in header.items()} | {"_lines": header}


def _read_vrplib(path: Path, vehicles: int | None) -> Problem:
    # deferred: vrplib is only needed for CVRPLIB files and pulls in its own parsers; keep it off import logistics
    import vrplib

    L = _Lines(path)
    _scan_vrplib(L)  # checks the header's syntax before vrplib reads it
    try:
        inst = vrplib.read_instance(str(path), compute_edge_weights=False)
    except Exception as e:  # vrplib raises plain ValueError/IndexError on malformed sections
        raise ProblemError(f"{path.name}: vrplib cannot parse the file: {e}", record=path.name, field="format") from e
    n = int(inst["dimension"])
    capacity = float(inst["capacity"])
    demand = np.asarray(inst["demand"], dtype=float).reshape(-1)
    if len(demand) != n:
        raise L.error(None, "DEMAND_SECTION", f"{len(demand)} demands, but DIMENSION is {n}")
    depots = np.asarray(inst.get("depot", [0]), dtype=int).reshape(-1)
    if len(depots) != 1:
        raise L.error(None, "DEPOT_SECTION", f"exactly one depot is supported, got {len(depots)}")
    depot = int(depots[0])
    if not 0 <= depot < n:
        raise L.error(None, "DEPOT_SECTION", f"depot node {depot + 1} is not in 1..{n}")
    ewt = str(inst.get("edge_weight_type", "EUC_2D")).upper()
    if ewt == "EXPLICIT":
        w = np.asarray(inst.get("edge_weight"), dtype=float)
        if w.shape != (n, n):
            raise L.error(None, "EDGE_WEIGHT_SECTION", f"weights form a {w.shape} matrix, expected ({n}, {n})")
        if not np.allclose(w, np.round(w)):
            raise L.error(None, "EDGE_WEIGHT_SECTION", "explicit weights must be integers")
        dist = np.round(w).astype(np.int64)
        rounding = "explicit"
    else:
        xy = np.asarray(inst["node_coord"], dtype=float)
        rounding = "ceil" if ewt == "CEIL_2D" else "round"
        dist = _euclid_matrix(xy, 1, rounding)
    np.fill_diagonal(dist, 0)
    if (dist < 0).any():
        raise L.error(None, "EDGE_WEIGHT_SECTION", "negative edge weight")
    service = np.zeros(n, dtype=np.int64)
    if "service_time" in inst:
        service = np.rint(np.asarray(inst["service_time"], dtype=float).reshape(-1)).astype(np.int64)
        if len(service) == 1:
            service = np.full(n, int(service[0]), dtype=np.int64)
    H = _horizon(dist, service)
    tws = None
    if "time_window" in inst:
        tws = np.rint(np.asarray(inst["time_window"], dtype=float)).astype(np.int64)
    for i in range(n):
        if i != depot and demand[i] > capacity:
            raise L.error(None, "DEMAND_SECTION", f"node {i + 1}: demand {demand[i]:g} exceeds capacity {capacity:g}")
    total = float(demand.sum())
    name = str(inst.get("name", path.stem)).strip()
    if vehicles is not None:
        count = int(vehicles)
        rule = "given"
    elif "vehicles" in inst:
        count = int(inst["vehicles"])
        rule = "VEHICLES header"
    else:
        m = re.search(r"-k(\d+)", name) or re.search(r"-k(\d+)", path.stem)
        k = int(m.group(1)) if m else math.ceil(total / capacity)
        k = max(k, math.ceil(total / capacity), 1)
        count = k + max(2, math.ceil(k / 10))
        rule = f"k={k} + {max(2, math.ceil(k / 10))} spare"
    ids = tuple(str(i + 1) for i in range(n))
    did = ids[depot]
    shift = (int(tws[depot][0]), int(tws[depot][1])) if tws is not None else (0, H)
    orders = []
    for i in range(n):
        if i == depot:
            continue
        tw = ((int(tws[i][0]), int(tws[i][1])),) if tws is not None else ((0, H),)
        orders.append(
            Order(
                id=ids[i],
                node_id=ids[i],
                quantities={"goods": float(demand[i])},
                time_windows=tw,
                service=int(service[i]),
            )
        )
    matrix = TravelMatrix(ids, dist, dist.copy(), source=f"vrplib {ewt} ({rounding})")
    fleet = (_ambient_type("vehicle", count, capacity, did, shift),)
    meta = _meta(path, "vrplib", name, 1, rounding, count, capacity, fleet_rule=rule, edge_weight_type=ewt)
    return _make_problem(
        L,
        orders=tuple(orders),
        fleet=fleet,
        products={"goods": GOODS},
        matrix=matrix,
        objective="distance",
        name=path.stem,
        meta=meta,
    )


# --------------------------------------------------------------------------- Cordeau MDVRP


def _read_cordeau(path: Path, vehicles: int | None, scale: int, rounding: str) -> Problem:
    L = _Lines(path)
    if not L.rows:
        raise L.error(None, "type", "the file is empty")
    no, text = L.rows[0]
    head = L.numbers(no, text, ["type", "m", "n", "t"], ints=["type", "m", "n", "t"])
    typ, m, n, t = (int(head[k]) for k in ("type", "m", "n", "t"))
    if typ != 2:
        raise L.error(no, "type", f"problem type {typ} is not 2 (MDVRP)")
    if m < 1 or n < 1 or t < 1:
        raise L.error(no, "m" if m < 1 else "n" if n < 1 else "t", "must be positive")
    if len(L.rows) < 1 + t + n + t:
        raise L.error(
            L.rows[-1][0],
            "rows",
            f"expected {t} depot limit lines and {n + t} node lines, got {len(L.rows) - 1} lines in all",
        )
    limits = [L.numbers(no, text, ["D", "Q"]) for no, text in L.rows[1 : 1 + t]]
    for (no, _), lim in zip(L.rows[1 : 1 + t], limits):
        if lim["D"] < 0:
            raise L.error(no, "D", f"negative route duration limit {lim['D']:g}")
        if lim["Q"] <= 0:
            raise L.error(no, "Q", f"capacity must be positive, got {lim['Q']:g}")
    nodes = []
    for no, text in L.rows[1 + t : 1 + t + n + t]:
        nodes.append((no, L.numbers(no, text, ["i", "x", "y", "d", "q"], min_fields=5, ints=["i"])))
    seen: dict[int, int] = {}
    for no, r in nodes:
        i = int(r["i"])
        if i in seen:
            raise L.error(no, "i", f"node {i} already given on line {seen[i]}")
        seen[i] = no
        if r["d"] < 0:
            raise L.error(no, "d", f"negative service duration {r['d']:g}")
        if r["q"] < 0:
            raise L.error(no, "q", f"negative demand {r['q']:g}")
    cap = max(lim["Q"] for lim in limits)
    for no, r in nodes[:n]:
        if r["q"] > cap:
            raise L.error(no, "q", f"demand {r['q']:g} exceeds every vehicle's capacity ({cap:g})")
    xy = np.array([[r["x"], r["y"]] for _, r in nodes])
    dist = _euclid_matrix(xy, scale, rounding)
    ids = tuple(str(int(r["i"])) for _, r in nodes)
    sc = lambda x: int(round(x * scale))  # noqa: E731
    service = [sc(r["d"]) for _, r in nodes[:n]]
    H = _horizon(dist, service)
    orders = tuple(
        Order(id=ids[k], node_id=ids[k], quantities={"goods": r["q"]}, time_windows=((0, H),), service=service[k])
        for k, (_, r) in enumerate(nodes[:n])
    )
    count = m if vehicles is None else int(vehicles)
    fleet = []
    for k, lim in enumerate(limits):
        did = ids[n + k]
        fleet.append(
            _ambient_type(f"d{did}", count, lim["Q"], did, (0, H), max_duration=sc(lim["D"]) if lim["D"] > 0 else None)
        )
    meta = _meta(path, "cordeau", path.stem, scale, rounding, count, cap, depots=[ids[n + k] for k in range(t)])
    return _make_problem(
        L,
        orders=orders,
        fleet=tuple(fleet),
        products={"goods": GOODS},
        matrix=TravelMatrix(ids, dist, dist.copy(), source=f"euclidean x{scale} ({rounding})"),
        objective="distance",
        name=path.stem,
        meta=meta,
    )
