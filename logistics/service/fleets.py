"""Fleet presets the dispatcher page offers for an uploaded orders CSV (on the built-in Yanhu network).

Each preset is the ``products`` and ``fleet`` blocks of a job file; the orders CSV's
``qty_<product>`` columns name these products.  Vehicle figures are illustrative (estimated,
not taken from a carrier), like the demo day's.
"""

from __future__ import annotations

import copy
from typing import Any

#: Products every preset knows: an orders CSV may use any of their ``qty_`` columns.
PRODUCTS: list[dict[str, Any]] = [
    {"name": "goods", "zone": "ambient"},
    {"name": "rice", "zone": "ambient"},
    {"name": "milk", "zone": "chilled", "shelf_life_h": 48, "value": 8},
    {"name": "frozen_dumplings", "zone": "frozen", "value": 12},
    {"name": "apples", "zone": "fresh", "shelf_life_h": 72, "value": 6},
]

_SHIFT = ["06:00", "20:00"]

#: Preset name to (label, fleet block); figures are estimates for illustration.
FLEETS: dict[str, tuple[str, list[dict[str, Any]]]] = {
    "vans": (
        "4 ambient vans (1 t), from the hub",
        [
            {
                "name": "van-1t",
                "count": 4,
                "start_depot": "hub",
                "compartments": [{"zone": "ambient", "capacity": 1000}],
                "fixed_cost": 80,
                "cost_per_km": 0.8,
                "shift": _SHIFT,
            }
        ],
    ),
    "reefers": (
        "3 multi-temperature reefers (frozen 300, chilled 800, ambient 900), from the hub",
        [
            {
                "name": "reefer-2t",
                "count": 3,
                "start_depot": "hub",
                "compartments": [
                    {"zone": "frozen", "capacity": 300},
                    {"zone": "chilled", "capacity": 800},
                    {"zone": "fresh", "capacity": 600},
                    {"zone": "ambient", "capacity": 900},
                ],
                "fixed_cost": 150,
                "cost_per_km": 1.2,
                "shift": _SHIFT,
            }
        ],
    ),
}


def fleet_job(fleet: str, orders: str, *, time_limit: float | None = None) -> dict[str, Any]:
    """A job document on the built-in Yanhu network with a preset fleet and the given orders file.

    Parameters
    ----------
    fleet
        A key of `FLEETS`.
    orders
        The orders file's name inside the job's own folder (set by the server).
    time_limit
        Seconds to search (default 10).

    Returns
    -------
    dict
        A job document for [logistics.formats.jobfile.read_job][].
    """
    return {
        "name": f"orders-{fleet}",
        "network": "builtin:yanhu",
        "orders": orders,
        "products": copy.deepcopy(PRODUCTS),
        "fleet": copy.deepcopy(FLEETS[fleet][1]),
        "solver": {"time_limit": float(time_limit) if time_limit else 10.0, "seed": 0},
    }
