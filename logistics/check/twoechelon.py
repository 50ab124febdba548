"""An independent check of a 2E-CVRP solution against its instance: exact cost and every rule.

It shares no code with the planner; distances are recomputed from the coordinates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from logistics.core.twoechelon import TwoEchelonInstance

__all__ = ["check_2evrp", "solution_cost"]


def _dist_lookup(inst: TwoEchelonInstance) -> Callable[[str, str], float]:
    ids = inst.ids()
    pos = {k: i for i, k in enumerate(ids)}
    d = inst.distance()
    return lambda a, b: float(d[pos[a], pos[b]])


def solution_cost(inst: TwoEchelonInstance, sol: Any) -> float:
    """Exact cost from the coordinates (float Euclidean distances).

    Parameters
    ----------
    inst
        The instance.
    sol
        A solution with ``first_level`` and ``second_level`` routes (see
        [TwoEchelonSolution][logistics.planners.twoechelon.TwoEchelonSolution]).

    Returns
    -------
    float
        Fixed costs, distance costs and, where given, handling costs.
    """
    dist = _dist_lookup(inst)
    total = 0.0
    for r in sol.first_level:
        rt = r["route"]
        total += inst.truck_fixed + inst.truck_cost * sum(dist(a, b) for a, b in zip(rt, rt[1:]))
    for r in sol.second_level:
        rt = r["route"]
        total += inst.cf_fixed + inst.cf_cost * sum(dist(a, b) for a, b in zip(rt, rt[1:]))
    if inst.handling.any():
        for r in sol.second_level:
            k = int(r["satellite"][1:]) - 1
            total += inst.handling[k] * r["load"]
    return total


def check_2evrp(inst: TwoEchelonInstance, sol: Any, tol: float = 1e-6) -> list[str]:
    """What a solution breaks (empty: feasible): coverage, capacities, fleet sizes, satellite flow balance.

    Parameters
    ----------
    inst
        The instance.
    sol
        A solution with ``first_level``, ``second_level`` and ``unserved``.
    tol
        Tolerance for loads and flows.

    Returns
    -------
    list of str
        One message per broken rule.
    """
    out: list[str] = []
    sats = {f"S{k + 1}" for k in range(inst.n_satellites)}
    cust = {f"c{i + 1}": float(inst.demand[i]) for i in range(inst.n_customers)}
    seen: dict[str, int] = {}
    outflow = dict.fromkeys(sats, 0.0)
    per_sat = dict.fromkeys(sats, 0)
    for r in sol.second_level:
        s, rt = r["satellite"], r["route"]
        if s not in sats:
            out.append(f"city freighter based at unknown satellite {s!r}")
            continue
        if rt[0] != s or rt[-1] != s:
            out.append(f"city freighter route {rt} does not start and end at {s}")
        per_sat[s] += 1
        load = 0.0
        for c in rt[1:-1]:
            if c not in cust:
                out.append(f"route {rt} visits {c!r}, which is not a customer")
                continue
            seen[c] = seen.get(c, 0) + 1
            load += cust[c]
        if load > inst.cf_capacity + tol:
            out.append(f"city freighter from {s} carries {load:g} > capacity {inst.cf_capacity:g}")
        if abs(load - float(r.get("load", load))) > tol:
            out.append(f"city freighter from {s} reports load {r.get('load')}, customers sum to {load:g}")
        outflow[s] += load
    for c, k in seen.items():
        if k > 1:
            out.append(f"customer {c} served {k} times")
    missing = sorted(set(cust) - set(seen) - set(sol.unserved))
    if missing:
        out.append(f"customers neither served nor unserved: {missing[:10]}")
    if sol.unserved:
        out.append(f"{len(sol.unserved)} customer(s) unserved")
    for s, k in per_sat.items():
        if k > inst.cf_per_satellite:
            out.append(f"{k} city freighters at {s}, at most {inst.cf_per_satellite} allowed")
    if sum(per_sat.values()) > inst.cf_count:
        out.append(f"{sum(per_sat.values())} city freighters, at most {inst.cf_count} allowed")
    if len(sol.first_level) > inst.truck_count:
        out.append(f"{len(sol.first_level)} trucks, at most {inst.truck_count} allowed")
    inflow = dict.fromkeys(sats, 0.0)
    for r in sol.first_level:
        rt = r["route"]
        if rt[0] != "D" or rt[-1] != "D":
            out.append(f"truck route {rt} does not start and end at the depot")
        load = sum(float(q) for q in r["loads"].values())
        if load > inst.truck_capacity + tol:
            out.append(f"truck carries {load:g} > capacity {inst.truck_capacity:g}")
        for s, q in r["loads"].items():
            if s not in rt:
                out.append(f"truck route {rt} unloads at {s} without visiting it")
            inflow[s] = inflow.get(s, 0.0) + float(q)
    for s in sats:
        if abs(inflow.get(s, 0.0) - outflow[s]) > tol * max(1.0, outflow[s]):
            out.append(f"satellite {s}: trucks bring {inflow.get(s, 0.0):g}, freighters take {outflow[s]:g}")
    return out
