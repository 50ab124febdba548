"""邮快合作: postal and express carriers sharing the rural leg, compared with each running its own vans.

Parcels of several carriers (orders with ``carrier`` = "EMS", "ZTO", "YTO", …)
go to the same villages.  [compare_carrier_sharing][logistics.planners.carriers.compare_carrier_sharing] plans
the township → village leg twice:

* **separate**: every carrier runs its own vans from every station (one
  problem per station and carrier, each with the given fleet);
* **shared**: one pooled fleet per station (the carriers' vans together, so
  capacity never limits sharing) serves all parcels; with ``consolidate`` the
  parcels of one village and window become one stop whose service time counts
  the fixed part of a stop (``stop_service_s``) once.

Both are solved with [logistics.solve][], per-station problems in parallel
([logistics.planners.tiers.solve_many][]).  The frame reports vehicles,
vehicle-km, village visits and cost per carrier and in total, and the saving.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from logistics.core.costs import CostModel
from logistics.core.errors import ProblemError
from logistics.core.model import Compartment, Order, Product, VehicleType
from logistics.core.options import SolveOptions, resolve_options
from logistics.core.plan import Plan
from logistics.core.problem import Problem
from logistics.core.shares import CARRIER_SCENARIO_SHARE
from logistics.core.units import Zone
from logistics.planners.tiers import solve_many
from networks import Network, TravelMatrix

__all__ = ["CARRIERS", "PARCELS", "compare_carrier_sharing", "demo_parcels", "parcel_van"]

#: Postal carrier first, then express brands common in rural Shanxi.
CARRIERS = ("EMS", "ZTO", "YTO", "STO", "Yunda")
Key = tuple[str, str, str]  # (scenario, depot, carrier)

#: The one product of parcel orders.
PARCELS = {"parcels": Product("parcels", Zone.AMBIENT, value=0.0)}
#: compare_carrier_sharing's time limit when neither ``time_limit`` nor ``options`` gives one (s).
DEFAULT_TIME_LIMIT_S = 20.0


def parcel_van(count: int = 2) -> VehicleType:
    """A small ambient parcel van (800 kg).

    Parameters
    ----------
    count
        Vans of this type per carrier and station.

    Returns
    -------
    VehicleType
        The van type (its depot is replaced by each station).
    """
    return VehicleType(
        "parcel-van",
        count,
        (Compartment(Zone.AMBIENT, 800),),
        start_depot="hub",
        fixed_cost=80.0,
        cost_per_km=0.8,
        cost_per_hour=30.0,
        shift=(7 * 3600, 19 * 3600),
        refrigerated=False,
    )


def demo_parcels(
    network: Network,
    carriers: Sequence[str] = CARRIERS,
    seed: int = 0,
    share: float = 0.6,
    villages: Sequence[str] | None = None,
) -> list[Order]:
    """Each village gets parcels from a random subset of carriers (each with probability ``share``).

    Parameters
    ----------
    network
        The network whose villages get parcels.
    carriers
        Carrier names.
    seed
        Random seed.
    share
        Probability that a carrier has a parcel for a village.
    villages
        The villages (default: every village of ``network``).

    Returns
    -------
    list of Order
        ``<carrier>-<village>`` deliveries of 3-39 kg, 08:00-18:00.
    """
    rng = np.random.default_rng(seed)
    out = []
    for v in sorted(villages if villages is not None else network.villages.index):
        for c in carriers:
            if rng.random() < share:
                kg = float(rng.integers(3, 40))
                out.append(
                    Order(
                        f"{c}-{v}",
                        {"parcels": kg},
                        node_id=str(v),
                        carrier=c,
                        time_windows=((8 * 3600, 18 * 3600),),
                        service=120 + int(6 * kg),
                    )
                )
    return out


def _merge(orders: list[Order], stop_service_s: int) -> list[Order]:
    """One order per (village, windows) with the summed parcels; the fixed part of a stop counted once."""
    groups: dict[tuple[Any, ...], list[Order]] = {}
    for o in orders:
        groups.setdefault((o.node_id, o.time_windows, o.kind), []).append(o)
    out = []
    for (node, tws, kind), g in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2])):
        if len(g) == 1:
            out.append(g[0])
            continue
        q: dict[str, float] = {}
        for o in g:
            for p, x in o.quantities.items():
                q[p] = q.get(p, 0.0) + x
        service = max(max(o.service for o in g), sum(o.service for o in g) - (len(g) - 1) * stop_service_s)
        out.append(
            Order(
                f"shared:{node}:{kind}:{tws[0][0]}-{tws[-1][1]}",
                q,
                node_id=node,
                kind=kind,
                time_windows=tws,
                service=service,
                shelf_life_h=min((o.shelf_life_h for o in g if o.shelf_life_h is not None), default=None),
                carrier="shared",
            )
        )
    return out


def compare_carrier_sharing(
    network: Network,
    orders: Sequence[Order],
    fleet: Sequence[VehicleType] | VehicleType,
    *,
    options: SolveOptions | None = None,
    products: Mapping[str, Product] | None = None,
    costs: CostModel | None = None,
    depots: Mapping[str, str] | None = None,
    consolidate: bool = True,
    stop_service_s: int = 120,
    time_limit: float | None = None,
    seed: int | None = None,
    workers: int | None = None,
    engine: str | None = None,
    iterations: int | None = None,
    matrix: TravelMatrix | None = None,
    return_plans: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, dict[str, Any]]:
    """Separate runs per carrier vs shared runs for the same villages (see the module docstring).

    Parameters
    ----------
    network
        The network (villages, their stations, positions).
    orders
        Parcel orders, each with a ``carrier``.
    fleet
        Van types every carrier has at every station (their depots are replaced by the station).
    options
        Time limit of the whole comparison (default 20 s here; split evenly between the two
        scenarios), seed, engine, iterations and workers.
    products
        Product name → product (default [PARCELS][logistics.planners.carriers.PARCELS]).
    costs
        The cost model.
    depots
        Village → depot (default: the village's parent station).
    consolidate
        In the shared scenario, one stop per village and window for all carriers' parcels.
    stop_service_s
        The fixed part of a stop's service, counted once in a consolidated stop.
    time_limit, seed, workers, engine, iterations
        Shortcuts for the fields of ``options``.
    matrix
        A travel matrix over the network's nodes (default: ``network.travel_matrix()``).
    return_plans
        Also return the plans and problems.

    Returns
    -------
    DataFrame or tuple
        A frame indexed by row (``separate:<carrier>``, ``separate``, ``shared``, ``saving``,
        ``saving_pct``) with ``vehicles``, ``vehicle_km``, ``cost``, ``village_visits``,
        ``parcels`` (orders), ``served`` and ``unserved``; with ``return_plans`` also
        ``{"plans": ..., "problems": ...}`` keyed by (scenario, depot, carrier).
    """
    if time_limit is None and options is None:
        time_limit = DEFAULT_TIME_LIMIT_S
    opts = resolve_options(
        options, time_limit=time_limit, seed=seed, workers=workers, engine=engine, iterations=iterations
    )
    if isinstance(fleet, VehicleType):
        fleet = [fleet]
    products = dict(products) if products is not None else dict(PARCELS)
    costs = costs if costs is not None else CostModel()
    orders = list(orders)
    carriers = sorted({str(o.carrier) for o in orders if o.carrier is not None})
    if any(o.carrier is None for o in orders):
        bad = next(o for o in orders if o.carrier is None)
        raise ProblemError(f"order {bad.id!r} has no carrier", record=bad.id, field="carrier")
    if not carriers:
        raise ProblemError("no orders to compare", record="orders", field="orders")
    parent = {str(v): str(p) for v, p in network.villages["parent"].items()}
    depots = dict(depots) if depots is not None else parent
    for o in orders:
        if o.node_id not in depots:
            raise ProblemError(
                f"order {o.id!r}: {o.location!r} is not a village with a depot", record=o.id, field="node_id"
            )
    tm = matrix if matrix is not None else network.travel_matrix()
    scene = _Scenarios(network, tm, products, costs)
    by_depot: dict[str, list[Order]] = {}
    for o in orders:
        by_depot.setdefault(depots[str(o.node_id)], []).append(o)
    separate, shared = scene.build(by_depot, carriers, list(fleet), consolidate, stop_service_s)
    half = opts.time_limit * CARRIER_SCENARIO_SHARE
    plans = solve_many(separate, half, options=opts)
    plans |= solve_many(shared, half, options=opts)
    problems: dict[Key, Problem] = {**separate, **shared}
    rows = [
        _row(plans, problems, orders, [k for k in separate if k[2] == c], f"separate:{c}", "separate", c)
        for c in carriers
    ]
    rows.append(_row(plans, problems, orders, list(separate), "separate", "separate", "all"))
    rows.append(_row(plans, problems, orders, list(shared), "shared", "shared", "all"))
    rows += _saving_rows(rows[-2], rows[-1])
    frame = pd.DataFrame(rows).set_index("row")
    frame.attrs["summary"] = {
        "carriers": carriers,
        "depots": sorted(by_depot),
        "orders": len(orders),
        "saving_cost": rows[-2]["cost"],
        "saving_cost_pct": rows[-1]["cost"],
        "saving_km_pct": rows[-1]["vehicle_km"],
        "saving_vehicles": rows[-2]["vehicles"],
    }
    if return_plans:
        return frame, {"plans": plans, "problems": problems}
    return frame


class _Scenarios:
    """Builds the per-depot problems of both scenarios on one matrix, cost model and product set."""

    def __init__(self, network: Network, tm: TravelMatrix, products: dict[str, Product], costs: CostModel) -> None:
        self.network, self.tm, self.products, self.costs = network, tm, products, costs
        self.coords = {str(k): (float(g.x), float(g.y)) for k, g in network.nodes.geometry.items()}

    def problem(self, depot: str, os_: Sequence[Order], types: Sequence[VehicleType], name: str) -> Problem:
        ids = list(dict.fromkeys([depot] + [str(o.node_id) for o in os_]))
        return Problem(
            tuple(os_),
            tuple(types),
            products=self.products,
            matrix=self.tm.sub(ids),
            network=self.network,
            costs=self.costs,
            name=name,
            meta={"coords": {k: self.coords[k] for k in ids if k in self.coords}},
        )

    def build(
        self,
        by_depot: Mapping[str, list[Order]],
        carriers: list[str],
        fleet: list[VehicleType],
        consolidate: bool,
        stop_service_s: int,
    ) -> tuple[dict[Key, Problem], dict[Key, Problem]]:
        """(separate, shared) problems keyed by (scenario, depot, carrier)."""
        separate: dict[Key, Problem] = {}
        shared: dict[Key, Problem] = {}
        for d, os_ in sorted(by_depot.items()):
            for c in carriers:
                mine = [o for o in os_ if o.carrier == c]
                if mine:
                    types = [
                        replace(vt, name=f"{vt.name}@{d}:{c}", start_depot=d, end_depot=d, carrier=c) for vt in fleet
                    ]
                    separate[("separate", d, c)] = self.problem(d, mine, types, f"{c} {d}")
            pooled = [
                replace(
                    vt,
                    name=f"{vt.name}@{d}:shared",
                    start_depot=d,
                    end_depot=d,
                    carrier=None,
                    count=vt.count * len(carriers),
                )
                for vt in fleet
            ]
            sh_orders = _merge(os_, stop_service_s) if consolidate else os_
            shared[("shared", d, "shared")] = self.problem(d, sh_orders, pooled, f"shared {d}")
        return separate, shared


def _row(
    plans: Mapping[Key, Plan],
    problems: Mapping[Key, Problem],
    orders: Sequence[Order],
    keys: list[Key],
    label: str,
    scenario: str,
    carrier: str,
) -> dict[str, Any]:
    """One row of the frame: the plans of ``keys`` summed; parcels counted as the original orders."""
    ps = [plans[k] for k in keys]
    served = 0
    unserved = 0
    for k in keys:
        p = plans[k]
        sizes = {o.id: _members(o, orders) for o in problems[k].orders}
        served += sum(sizes[i] for i in p.served_ids)
        unserved += sum(sizes[i] for i in p.unserved["order_id"])
    visits = sum(
        int(((p.stops["kind"].isin(["delivery", "pickup"])) & (p.stops["node_id"] != p.stops["node_id"].shift())).sum())
        for p in ps
    )
    return {
        "row": label,
        "scenario": scenario,
        "carrier": carrier,
        "vehicles": int(sum(p.kpis.get("vehicles", 0) for p in ps)),
        "vehicle_km": round(sum(float(p.kpis.get("distance_km", 0.0)) for p in ps), 3),
        "cost": round(sum(float(p.kpis.get("cost", 0.0)) for p in ps), 2),
        "village_visits": visits,
        "parcels": served + unserved,
        "served": served,
        "unserved": unserved,
    }


def _saving_rows(sep: dict[str, Any], sh: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``saving`` and ``saving_pct`` rows: separate minus shared."""
    nums = ("vehicles", "vehicle_km", "cost", "village_visits")
    return [
        {
            "row": "saving",
            "scenario": "saving",
            "carrier": "all",
            **{k: round(sep[k] - sh[k], 3) for k in nums},
            "parcels": sep["parcels"],
            "served": sh["served"] - sep["served"],
            "unserved": sh["unserved"] - sep["unserved"],
        },
        {
            "row": "saving_pct",
            "scenario": "saving",
            "carrier": "all",
            **{k: round(100.0 * (sep[k] - sh[k]) / sep[k], 2) if sep[k] else 0.0 for k in nums},
            "parcels": sep["parcels"],
            "served": np.nan,
            "unserved": np.nan,
        },
    ]


def _members(order: Order, orders: Sequence[Order]) -> int:
    """How many original parcels an order of a scenario stands for (merged shared stops hold several)."""
    if not order.id.startswith("shared:"):
        return 1
    return sum(
        1
        for o in orders
        if o.node_id == order.node_id and o.time_windows == order.time_windows and o.kind == order.kind
    )
