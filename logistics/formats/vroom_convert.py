"""Classic benchmark instances as VROOM inputs, converted the way VROOM's own scripts convert them.

VROOM's benchmark converters (VROOM-Project/vroom-scripts, ``src/vrptw_to_json.py``,
``src/pdptw_to_json.py``, ``src/cvrplib_to_json.py``) turn Solomon, Li & Lim and CVRPLIB files
into VROOM JSON with a custom ``durations`` matrix of Euclidean distances rounded TSPLIB-style
(``int(d + 0.5)``); Solomon and Li & Lim times and distances are first multiplied by 1000, so
that VROOM's integer costs keep three decimals.  ``location`` holds the instance's x/y
(display only, as a matrix is given).  These functions reproduce that conversion, so that
VROOM's published benchmark inputs and ours are the same documents.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from logistics.core.errors import ProblemError

__all__ = ["PRECISION", "cvrplib_to_vroom", "lilim_to_vroom", "solomon_to_vroom"]

#: vroom-scripts' ``CUSTOM_PRECISION`` for Solomon and Li & Lim: times and distances x 1000.
PRECISION = 1000
#: vroom-scripts' ``VEHICLE_MARGIN_FACTOR``: fleet size of CVRPLIB X instances, which do not give one.
VEHICLE_MARGIN = 1.07


def _matrix(coords: list[tuple[float, float]], precision: int = 1) -> list[list[int]]:
    """vroom-scripts' ``get_matrix``: ``int(precision × euclid + 0.5)``, symmetric."""
    n = len(coords)
    m = [[0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            d = math.hypot(coords[i][0] - coords[j][0], coords[i][1] - coords[j][1])
            m[i][j] = m[j][i] = int(precision * d + 0.5)
    return m


def _rows(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text(encoding="utf-8").splitlines() if line.split()]


def solomon_to_vroom(path: str | Path) -> dict[str, Any]:
    """A Solomon VRPTW file as VROOM input (``vrptw_to_json.py``).

    Parameters
    ----------
    path
        A Solomon instance (``c101.txt``).

    Returns
    -------
    dict
        VROOM input: one job per customer (delivery, time window and service x 1000), the fleet
        of the file with the depot's window, and the durations matrix.

    Raises
    ------
    ProblemError
        The file has no vehicle or customer section.
    """
    p = Path(path)
    rows = _rows(p)
    try:
        k = next(i for i, r in enumerate(rows) if r[0].upper() == "NUMBER")
        n_veh, cap = int(rows[k + 1][0]), int(rows[k + 1][1])
        first = next(i for i, r in enumerate(rows) if r[0].upper().startswith("CUST")) + 1
    except (StopIteration, IndexError, ValueError):
        raise ProblemError(f"{p.name}: not a Solomon instance", record=p.name) from None
    nodes = [r for r in rows[first:] if len(r) >= 7 and r[0].isdigit()]
    coords = [(float(r[1]), float(r[2])) for r in nodes]
    jobs: list[dict[str, Any]] = [
        {
            "id": int(r[0]),
            "location": [float(r[1]), float(r[2])],
            "location_index": i,
            "delivery": [int(float(r[3]))],
            "time_windows": [[PRECISION * int(float(r[4])), PRECISION * int(float(r[5]))]],
            "service": PRECISION * int(float(r[6])),
        }
        for i, r in enumerate(nodes)
    ]
    depot = jobs.pop(0)
    tw = depot["time_windows"][0]
    vehicles = [
        {
            "id": v,
            "start": depot["location"],
            "start_index": 0,
            "end": depot["location"],
            "end_index": 0,
            "capacity": [cap],
            "time_window": list(tw),
        }
        for v in range(n_veh)
    ]
    return {"vehicles": vehicles, "jobs": jobs, "matrices": {"car": {"durations": _matrix(coords, PRECISION)}}}


def lilim_to_vroom(path: str | Path) -> dict[str, Any]:
    """A Li & Lim PDPTW file as VROOM input (``pdptw_to_json.py``).

    Parameters
    ----------
    path
        A Li & Lim instance (``lc101.txt``).

    Returns
    -------
    dict
        VROOM input: one shipment per pickup-delivery request (times x 1000), the fleet of the
        file with the depot's window, and the durations matrix.

    Raises
    ------
    ProblemError
        A delivery names no pickup, or amounts of a pair disagree.
    """
    p = Path(path)
    rows = _rows(p)
    n_veh, cap = int(rows[0][0]), int(rows[0][1])
    depot = rows[1]
    loc0 = [int(float(depot[1])), int(float(depot[2]))]
    coords: list[tuple[float, float]] = [(float(loc0[0]), float(loc0[1]))]
    tw = [PRECISION * int(float(depot[4])), PRECISION * int(float(depot[5]))]
    pickups, deliveries = [], {}
    for r in rows[2:]:
        step = {
            "id": int(r[0]),
            "location": [float(r[1]), float(r[2])],
            "location_index": len(coords),
            "time_windows": [[PRECISION * int(float(r[4])), PRECISION * int(float(r[5]))]],
            "service": PRECISION * int(float(r[6])),
        }
        coords.append((float(r[1]), float(r[2])))
        amount, sib_pickup, sib_delivery = int(float(r[3])), int(r[7]), int(r[8])
        if sib_pickup == 0:
            pickups.append((step, amount, sib_delivery))
        else:
            deliveries[step["id"]] = (step, amount, sib_pickup)
    shipments = []
    for step, amount, did in pickups:
        if did not in deliveries or deliveries[did][2] != step["id"] or deliveries[did][1] != -amount:
            raise ProblemError(f"{p.name}: pickup {step['id']} and delivery {did} do not match", record=p.name)
        shipments.append({"amount": [amount], "pickup": step, "delivery": deliveries[did][0]})
    vehicles = [
        {
            "id": v,
            "start": loc0,
            "start_index": 0,
            "end": loc0,
            "end_index": 0,
            "capacity": [cap],
            "time_window": tw,
        }
        for v in range(n_veh)
    ]
    return {
        "vehicles": vehicles,
        "shipments": shipments,
        "matrices": {"car": {"durations": _matrix(coords, PRECISION)}},
    }


def cvrplib_to_vroom(path: str | Path) -> dict[str, Any]:
    """A CVRPLIB ``.vrp`` file (EUC_2D) as VROOM input (``cvrplib_to_json.py``).

    Parameters
    ----------
    path
        A CVRPLIB instance (``A-n32-k5.vrp``).

    Returns
    -------
    dict
        VROOM input: one delivery job per customer, ``k`` vehicles (from ``VEHICLES``, the name's
        ``-k<k>``, or for X instances 1.07 x the total demand over the capacity, plus one), the
        durations matrix of rounded Euclidean distances.

    Raises
    ------
    ProblemError
        The file is not EUC_2D or lacks a section.
    """
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    head = dict(re.findall(r"^\s*([A-Z_]+)\s*:\s*(.+?)\s*$", text, flags=re.M))
    if head.get("EDGE_WEIGHT_TYPE") != "EUC_2D":
        raise ProblemError(f"{p.name}: only EUC_2D instances are converted", record=p.name, field="EDGE_WEIGHT_TYPE")
    dim, cap = int(head["DIMENSION"]), int(head["CAPACITY"])
    lines = text.splitlines()

    def section(name: str) -> list[list[str]]:
        k = next((i for i, s in enumerate(lines) if s.strip().startswith(name)), None)
        if k is None:
            raise ProblemError(f"{p.name}: no {name}", record=p.name, field=name)
        return [s.split() for s in lines[k + 1 : k + 1 + dim]]

    nodes = [r for r in section("NODE_COORD_SECTION") if len(r) >= 3]
    coords = [(float(r[1]), float(r[2])) for r in nodes]
    demand = {int(r[0]): int(r[1]) for r in section("DEMAND_SECTION") if len(r) >= 2 and r[0].lstrip("-").isdigit()}
    jobs: list[dict[str, Any]] = [
        {
            "id": int(r[0]),
            "location": [float(r[1]), float(r[2])],
            "location_index": i,
            "delivery": [demand.get(int(r[0]), 0)],
        }
        for i, r in enumerate(nodes)
    ]
    depot_id = int(section("DEPOT_SECTION")[0][0])
    k = next(i for i, j in enumerate(jobs) if j["id"] == depot_id)
    depot = jobs.pop(k)
    if "VEHICLES" in head:
        n_veh = int(head["VEHICLES"])
    elif "X" in head.get("NAME", p.stem):
        n_veh = int(1 + VEHICLE_MARGIN * sum(j["delivery"][0] for j in jobs) / cap)
    else:
        name = head.get("NAME", p.stem)
        n_veh = int(name[name.find("k") + 1 :])
    vehicles = [
        {
            "id": v,
            "start": depot["location"],
            "start_index": depot["location_index"],
            "end": depot["location"],
            "end_index": depot["location_index"],
            "capacity": [cap],
        }
        for v in range(n_veh)
    ]
    return {"vehicles": vehicles, "jobs": jobs, "matrices": {"car": {"durations": _matrix(coords)}}}
