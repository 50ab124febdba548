"""PyVRP's integer costs of a SolverData: rates, arc costs, prizes, their scale and common divisor.

Split from `logistics.engine.solvers.pyvrp.model`, which builds the rest of the PyVRP model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from logistics.engine.solvers.arrays import COST_CAP, COST_SCALE, RATE_CAP, SolverData, cost_units

__all__ = ["COST_NOTE", "PyVRPCosts", "common_divisor", "pyvrp_costs"]

_SCALES = (1, 10, 100, 1000)
#: The note in ``relaxed`` that the freshness and lateness costs are left out (see ``models_exactly``).
COST_NOTE = "freshness and soft-window lateness costs not modelled"


@dataclass
class PyVRPCosts:
    """PyVRP's integer costs of one model: per vehicle type, per order, and the scale they carry.

    Attributes
    ----------
    fixed
        (T,) per vehicle used.
    per_m
        (T,) per metre (used where ``arc`` is None for the type).
    per_s
        (T,) per second of route duration.
    arc
        (T,) None or an (N, N) arc-cost matrix over routing nodes.
    prize
        (n_orders,) per dropped order.
    scale
        All of the above are objective units x ``scale`` / ``divisor``.
    notes
        What the costs leave out (reported among what PyVRP relaxes).
    divisor
        The common divisor taken out of every cost (see `common_divisor`).
    """

    fixed: np.ndarray
    per_m: np.ndarray
    per_s: np.ndarray
    arc: list[np.ndarray | None]
    prize: np.ndarray
    scale: int
    notes: list[str]
    divisor: int = 1


def _as_dict(cost_arrays: Any) -> dict[str, Any]:
    """``cost_arrays`` as a dict: a dict as given, or the OR-Tools engine's CostArrays."""
    if cost_arrays is None:
        return {}
    if isinstance(cost_arrays, dict):
        return dict(cost_arrays)
    out = {}
    for key, attr in (("arc", "arc"), ("unit_duration_cost", "span_per_s"), ("fixed_cost", "fixed")):
        if getattr(cost_arrays, attr, None) is not None:
            out[key] = getattr(cost_arrays, attr)
    out["_partial"] = True  # freshness and lateness terms are not linear in PyVRP's terms
    return out


def pyvrp_costs(data: SolverData, objective: str, cost_arrays: Any) -> PyVRPCosts:
    """PyVRP's integer costs: vehicle rates from the fleet, or ``cost_arrays`` when given.

    Without arc matrices, rates per metre and per second rarely are integers in
    cost units; every cost then carries a common ``scale`` (10, 100, 1000) so
    that the rates round with < 0.1 % error.

    Parameters
    ----------
    data
        The solver arrays.
    objective
        ``"distance"`` or ``"cost"``.
    cost_arrays
        The OR-Tools engine's ``CostArrays`` (or a dict of the same terms), or None.

    Returns
    -------
    PyVRPCosts
        Divided by their common divisor (`common_divisor`).
    """
    fleet = data.problem.fleet
    T = len(fleet)
    notes: list[str] = []
    ca = _as_dict(cost_arrays)
    penalty = np.asarray(ca.get("penalty", data.penalty), dtype=np.float64)
    if objective == "distance":
        return PyVRPCosts(
            np.zeros(T, np.int64),
            np.ones(T, np.int64),
            np.zeros(T, np.int64),
            [None] * T,
            np.rint(penalty).astype(np.int64),
            1,
            notes,
        )
    fixed = np.asarray(ca.get("fixed_cost", [vt.fixed_cost * COST_SCALE for vt in fleet]), float)
    per_m = np.asarray(ca.get("unit_distance_cost", [vt.cost_per_km * COST_SCALE / 1000 for vt in fleet]), float)
    per_s = np.asarray(ca.get("unit_duration_cost", [vt.cost_per_hour * COST_SCALE / 3600 for vt in fleet]), float)
    arc: list[np.ndarray | None] = [None] * T
    if ca.get("arc") is not None:
        arcs = np.asarray(ca["arc"])
        approx = False
        for t, vt in enumerate(fleet):
            if vt.max_distance is None:
                arc[t] = arcs[t]
            else:  # PyVRP's max distance reads the profile's matrix: keep metres, average the rate
                d = data.distance.sum()
                per_m[t] = arcs[t].sum() / d if d > 0 else 0.0
                approx = True
        if approx:
            notes.append("arc costs as an average rate per metre for types with a maximum distance")
    if ca.get("_partial"):
        notes.append(COST_NOTE)
    elif not ca:
        notes.append("cold-chain costs (refrigeration, fuel, freshness) not modelled")
    rates = np.concatenate([per_m[[t for t in range(T) if arc[t] is None]], per_s, fixed, penalty])
    rates = rates[rates > 0]
    scale = _SCALES[-1]
    for f in _SCALES:
        r = rates * f
        if np.all((np.abs(np.rint(r) - r) <= 1e-3 * r) | (np.rint(r) >= 1000)):
            scale = f
            break
    if scale > 1:
        arc = [None if a is None else np.asarray(a, dtype=np.int64) * scale for a in arc]
    out = PyVRPCosts(
        cost_units(fixed * scale, COST_CAP),
        cost_units(per_m * scale, RATE_CAP),
        cost_units(per_s * scale, RATE_CAP),
        arc,
        cost_units(penalty * scale, COST_CAP),
        scale,
        notes,
    )
    return _divided(out, common_divisor(out))


def common_divisor(costs: PyVRPCosts) -> int:
    """The greatest common divisor of every cost PyVRP sees (arcs, rates, fixed costs, prizes); 1 if none.

    PyVRP's penalties for time warp and excess load live between fixed bounds (``PenaltyParams``:
    0.1 to 100,000 per unit), so they only balance costs of a moderate size.  Costs in the engine's
    integer units (``COST_SCALE`` per yuan, or per second of travel in VROOM mode) are 10,000 times
    larger than PyVRP's own examples: the time-warp penalty then cannot rise above 10 times the
    cost of a second of travel, PyVRP spends its time among infeasible solutions (it warns that a
    penalty reached its bound) and returns worse routes or none that serve every order (measured on
    VROOM's Solomon r102 at 5 s: +0.9 % against VROOM, and 3 orders left out at 1 s; with the
    costs divided by their common divisor: +0.02 %, all served; docs/vroom.md).  Dividing by the
    common divisor changes no ranking of solutions, so the model stays exact.

    Parameters
    ----------
    costs
        PyVRP's integer costs before division.

    Returns
    -------
    int
    """
    parts = [np.asarray(a, dtype=np.int64).ravel() for a in costs.arc if a is not None]
    no_arc = [t for t, a in enumerate(costs.arc) if a is None]
    parts += [costs.fixed, costs.per_s, costs.per_m[no_arc], costs.prize]
    values = np.concatenate([np.asarray(p, dtype=np.int64).ravel() for p in parts])
    values = values[values > 0]
    return int(np.gcd.reduce(values)) if values.size else 1


def _divided(costs: PyVRPCosts, g: int) -> PyVRPCosts:
    """``costs`` with every cost divided by ``g`` (a common divisor, so exactly) and ``divisor`` set."""
    if g <= 1:
        return costs
    return PyVRPCosts(
        costs.fixed // g,
        costs.per_m // g,
        costs.per_s // g,
        [None if a is None else np.asarray(a, dtype=np.int64) // g for a in costs.arc],
        costs.prize // g,
        costs.scale,
        costs.notes,
        divisor=g,
    )
