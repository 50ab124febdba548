"""Which vehicles may carry an order, grouped by their depot and the order's ride limit on them.

The full model gives an unpaired delivery (and a pickup with a ride limit) one loading (unloading)
node per group of vehicles that share a depot location and the order's ride limit
(`logistics.engine.solvers.ortools.model`).  Checking every order against every vehicle took 3 M
checks for a 5,000-order day of 630 vehicles (0.32 s for 2,000 stops); vehicles of one type at one
depot are alike here, so each order is checked once per type and depot.
"""

from __future__ import annotations

import numpy as np

from logistics.engine.solvers.arrays import SolverData

__all__ = ["depot_alternatives"]


def depot_alternatives(
    data: SolverData, orders: list[int], depot_nodes: np.ndarray
) -> list[tuple[int, list[int], int]]:
    """The extra nodes ``orders`` need: one per depot location and ride limit of the vehicles that may carry each.

    Parameters
    ----------
    data
        The solver arrays.
    orders
        Order indices, in the order their nodes are wanted.
    depot_nodes
        Each vehicle's depot routing node (``data.starts`` for loading, ``data.ends`` for unloading).

    Returns
    -------
    list of (int, list of int, int)
        ``(order, vehicles in index order, depot node of the first of them)``, per order in the
        order given and, within an order, by (depot location, ride limit).
    """
    fleet: dict[tuple[int, int], list[int]] = {}
    for v in range(data.n_vehicles):
        fleet.setdefault((int(data.vehicle_type[v]), int(data.loc[depot_nodes[v]])), []).append(v)
    out = []
    for i in orders:
        by_loc: dict[tuple[int, int], list[int]] = {}
        for (t, loc), vs in fleet.items():
            if data.allowed[t, i]:
                by_loc.setdefault((loc, int(data.ride[t, i])), []).extend(vs)
        out += [(i, sorted(vs), int(depot_nodes[min(vs)])) for _, vs in sorted(by_loc.items())]
    return out
