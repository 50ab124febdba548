"""Cold-chain cost model: refrigeration, freshness decay, load-dependent fuel and CO2.

Defaults follow the cold-chain VRP literature (see README, "Cost model"); every
parameter is overridable per scenario.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from logistics.core.errors import ProblemError
from logistics.core.model import MAX_DECAY_PER_H, Order, Product, VehicleType
from logistics.core.units import Zone, _numbers

# Quality-loss rate λ per hour by zone (exponential decay value·(1-e^(-λt))).
#: The latest a soft window may be served, hours (a year; the solver counts seconds in int64).
MAX_LATENESS_H = 8760.0

DEFAULT_DECAY_PER_H = {Zone.FROZEN: 0.0005, Zone.CHILLED: 0.0015, Zone.FRESH: 0.002, Zone.AMBIENT: 0.0}


@dataclass(frozen=True)
class CostModel:
    """Scenario cost parameters (¥, litres, hours).

    One frozen object per scenario so that a plan's cost can be recomputed later from the
    same figures the solver used; every default is a literature value a planner may override.

    Parameters
    ----------
    diesel_price, fuel_empty_l_per_km, fuel_full_l_per_km, co2_per_l, carbon_price
        Fuel and carbon: fuel use rises linearly with the load between the empty and full rates.
    reefer_drive_per_h, reefer_door_per_h, unload_decay_factor
        Refrigeration cost while driving or waiting and while the doors are open, and how much
        faster goods age with the doors open.
    early_per_h, late_per_h, max_lateness_h
        Soft time windows: what an early or late hour costs and how late a stop may be at most.
    decay_per_h
        Freshness decay rate λ per hour by temperature zone (a product's own rate wins; goods riding
        warmer than their zone age at least at the warmer zone's rate, see `decay_rate`).

    Raises
    ------
    ProblemError
        A figure is not a finite number >= 0 (a negative price would pay for driving, NaN would make
        every cost 0), ``max_lateness_h`` is above `MAX_LATENESS_H`, or ``decay_per_h`` names an
        unknown zone; ``record`` is ``"costs"``, ``field`` the parameter.
    """

    diesel_price: float = 7.5  # ¥ per litre
    fuel_empty_l_per_km: float = 0.165  # litres per km, empty
    fuel_full_l_per_km: float = 0.377  # litres per km, full
    co2_per_l: float = 2.68  # kg CO2 per litre diesel
    carbon_price: float = 0.0  # ¥ per kg CO2
    reefer_drive_per_h: float = 5.0  # ¥ per hour refrigeration while driving/waiting
    reefer_door_per_h: float = 6.0  # ¥ per hour refrigeration with doors open (service)
    unload_decay_factor: float = 1.5  # decay speed-up while doors are open
    early_per_h: float = 0.0  # ¥ per hour a vehicle arrives before a soft window opens (waiting
    #                                     already costs driver and reefer hours; set it where customers charge
    #                                     for early arrivals or the yard is congested)
    late_per_h: float = 70.0  # ¥ per hour of service after a soft window
    max_lateness_h: float = 2.0  # how late a soft window may be served at most
    decay_per_h: dict[Zone, float] = field(default_factory=lambda: dict(DEFAULT_DECAY_PER_H))

    def __post_init__(self) -> None:
        names = [f for f in self.__dataclass_fields__ if f != "decay_per_h"]
        _numbers(self, names, "costs", "costs")
        for f in names:
            v = getattr(self, f)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
                raise ProblemError(f"costs: {f} {v!r} is not a number", record="costs", field=f)
            if not (math.isfinite(v) and v >= 0):
                raise ProblemError(f"costs: {f} must be a finite number >= 0, got {v}", record="costs", field=f)
            object.__setattr__(self, f, float(v))
        if self.max_lateness_h > MAX_LATENESS_H:
            raise ProblemError(
                f"costs: max_lateness_h {self.max_lateness_h:g} is above the supported maximum {MAX_LATENESS_H:g} h",
                record="costs",
                field="max_lateness_h",
            )
        if not isinstance(self.decay_per_h, Mapping):
            raise ProblemError("costs: decay_per_h must map zones to rates", record="costs", field="decay_per_h")
        rates: dict[Zone, float] = {}
        for z, r in self.decay_per_h.items():
            zone = Zone.parse(z, record="costs", field="decay_per_h")
            try:
                rate = float(r)
            except (TypeError, ValueError):
                rate = math.nan
            if not (math.isfinite(rate) and 0 <= rate <= MAX_DECAY_PER_H):
                raise ProblemError(
                    f"costs: decay_per_h.{zone.value} must be a number from 0 to {MAX_DECAY_PER_H:g}, got {r!r}",
                    record="costs",
                    field=f"decay_per_h.{zone.value}",
                )
            rates[zone] = rate
        object.__setattr__(self, "decay_per_h", rates)


class CostedProblem(Protocol):
    """What the cost functions read of a problem.

    A protocol rather than [Problem][logistics.core.problem.Problem] itself because the problem
    module builds its default [CostModel][logistics.core.costs.CostModel] from this one; naming the class here
    would close an import cycle.

    Attributes
    ----------
    costs
        The cost model (yuan rates).
    products
        Products by name.
    fleet
        The vehicle types.
    order_index
        Orders by id.
    """

    @property
    def costs(self) -> CostModel:
        """The cost model: yuan rates for freshness loss, waiting and soft windows."""

    @property
    def products(self) -> Mapping[str, Product]:
        """Products by name."""

    @property
    def fleet(self) -> tuple[VehicleType, ...]:
        """The vehicle types, in fleet order."""

    @property
    def order_index(self) -> dict[str, Order]:
        """Orders by id."""


class PlanStops(Protocol):
    """What `evaluate` reads of a plan: its stops and unserved frames (see `Plan`).

    Attributes
    ----------
    stops
        One row per stop (`STOP_COLUMNS`), times in seconds from midnight.
    unserved
        One row per order left out (`UNSERVED_COLUMNS`).
    """

    @property
    def stops(self) -> pd.DataFrame:
        """One row per depot departure, order visit and depot return."""

    @property
    def unserved(self) -> pd.DataFrame:
        """One row per order left out, with the reason."""


def decay_rate(problem: CostedProblem, product: Product, riding: Zone | None = None) -> float:
    """λ per hour for a product: its own, else the zone default of the cost model.

    Goods riding a compartment warmer than their zone (out of refrigeration, see
    ``Product.ambient_limit_h``) age at the faster of that rate and the warmer zone's default:
    never slower for being out of refrigeration.  The default ambient rate is 0 (goods that need
    no cooling do not age), so by default fresh goods riding ambient keep their own rate;
    raise ``CostModel.decay_per_h["ambient"]`` to price time out of refrigeration.

    Parameters
    ----------
    problem
        Supplies the cost model's zone defaults.
    product
        The product whose rate is wanted.
    riding
        The zone of the compartment the goods ride; ``None`` = their own zone.

    Returns
    -------
    float
        Decay rate per hour (0 means the product does not age).
    """
    rates = problem.costs.decay_per_h
    own = float(product.decay_per_h) if product.decay_per_h is not None else float(rates.get(product.zone, 0.0))
    if riding is not None and riding.warmer_than(product.zone):
        return max(own, float(rates.get(riding, 0.0)))
    return own


def quality_loss(
    problem: CostedProblem,
    order: Order,
    hours_in_vehicle: float,
    door_hours: float = 0.0,
    vehicle: VehicleType | None = None,
) -> float:
    """Freshness lost (¥): value·q·(1 − e^(−λ·t)), door-open time aging faster.

    Parameters
    ----------
    problem
        Supplies products and the cost model.
    order
        The order whose goods age.
    hours_in_vehicle
        Hours the goods spend in the vehicle before they are handed over.
    door_hours
        Hours with the doors open (service), which age goods ``unload_decay_factor`` times faster.
    vehicle
        The vehicle type the goods ride: goods in a compartment warmer than their zone age at the
        rate `decay_rate` gives them there; ``None`` = every product in its own zone.

    Returns
    -------
    float
        The value lost, in ¥.
    """
    t = hours_in_vehicle + problem.costs.unload_decay_factor * door_hours
    return sum(worth * (1.0 - math.exp(-lam * max(t, 0.0))) for worth, lam in decay_terms(problem, order, vehicle))


def decay_terms(problem: CostedProblem, order: Order, vehicle: VehicleType | None = None) -> list[tuple[float, float]]:
    """What ages in an order: (value·quantity ¥, λ per hour) of each of its goods that loses value.

    `quality_loss` sums ``worth·(1 − e^(−λ·t))`` over these; a search that prices thousands of
    routes ([logistics.engine.descent][]) reads them once per order and vehicle type instead.

    Parameters
    ----------
    problem
        Supplies products and the cost model.
    order
        The order.
    vehicle
        The vehicle type the goods ride (their compartment's zone may age them faster, see
        `decay_rate`); ``None`` = every product in its own zone.

    Returns
    -------
    list of tuple of (float, float)
        One pair per good with a positive value, quantity and rate.
    """
    terms = []
    for name, q in order.quantities.items():
        prod = problem.products[name]
        k = vehicle.compartment_for(prod) if vehicle is not None else None
        lam = decay_rate(problem, prod, vehicle.compartments[k].zone if vehicle is not None and k is not None else None)
        if lam > 0 and prod.value > 0 and q > 0:
            terms.append((prod.value * q, lam))
    return terms


def fuel_litres(costs: CostModel, km: Any, load_share: Any) -> Any:
    """Fuel burnt over ``km`` with ``load_share`` of the capacity on board (floats or arrays alike).

    One formula for the plan's figures (`evaluate`) and for the routes a search prices.

    Parameters
    ----------
    costs
        The cost model: empty and full rates per km.
    km
        Distance driven, a float or an array of legs.
    load_share
        Load on board over the vehicle's capacity, clipped to 0–1.

    Returns
    -------
    float or numpy.ndarray
        Litres, rising linearly from the empty to the full rate with the load.
    """
    if isinstance(load_share, float):  # one leg: no array call (a search prices many)
        full: Any = min(max(load_share, 0.0), 1.0)
    else:
        full = np.clip(load_share, 0.0, 1.0)
    return km * (costs.fuel_empty_l_per_km + (costs.fuel_full_l_per_km - costs.fuel_empty_l_per_km) * full)


def route_cost(
    costs: CostModel,
    vt: VehicleType,
    *,
    km: float,
    duration_h: float,
    driving_h: float,
    service_h: float,
    fuel_l: float,
    quality_loss: float,
    late_h: float,
    early_h: float,
) -> dict[str, float]:
    """A route's cost items (¥) from what it measures: the one place the items are priced and summed.

    `evaluate` prices every route of a plan with it, and [logistics.engine.descent][] every route
    it tries, so the two cannot drift apart.

    Parameters
    ----------
    costs
        The cost model.
    vt
        The vehicle type driving the route.
    km, duration_h, driving_h, service_h, fuel_l
        Distance, hours from departure to return, hours driving and serving, litres of fuel.
    quality_loss
        The goods' freshness lost on the route (¥).
    late_h, early_h
        Hours after soft windows closed and before they opened.

    Returns
    -------
    dict
        ``fixed_cost``, ``distance_cost``, ``time_cost``, ``fuel_cost``, ``carbon_cost``,
        ``refrigeration_cost``, ``quality_loss``, ``window_cost``, ``co2_kg`` and ``cost``, their sum.
    """
    reefer = 0.0
    if vt.refrigerated:
        reefer = costs.reefer_drive_per_h * (duration_h - service_h) + costs.reefer_door_per_h * service_h
    co2 = fuel_l * costs.co2_per_l
    items = {
        "fixed_cost": float(vt.fixed_cost),
        "distance_cost": vt.cost_per_km * km,
        "time_cost": vt.cost_per_hour * duration_h + vt.cost_per_travel_hour * driving_h,
        "fuel_cost": fuel_l * costs.diesel_price,
        "carbon_cost": co2 * costs.carbon_price,
        "refrigeration_cost": reefer,
        "quality_loss": quality_loss,
        "window_cost": late_h * costs.late_per_h + early_h * costs.early_per_h,
    }
    items["cost"] = (
        items["fixed_cost"]
        + items["distance_cost"]
        + items["time_cost"]
        + items["fuel_cost"]
        + items["carbon_cost"]
        + reefer
        + quality_loss
        + items["window_cost"]
    )
    items["co2_kg"] = co2
    return items


def evaluate(problem: CostedProblem, plan: PlanStops) -> tuple[dict[str, Any], pd.DataFrame]:
    """Exact cold-chain KPIs of a plan, recomputed from its stops.

    Fuel rises linearly with the load on each arc (empty → full rate), refrigeration is
    charged per hour driving/waiting and per hour with doors open, freshness loss is
    exponential.  These are the figures to trust; ``kpis['objective']`` is the solver's
    linear proxy.

    Parameters
    ----------
    problem
        The problem the plan answers (costs, products, fleet, orders).
    plan
        The plan; only its ``stops`` and ``unserved`` frames are read.

    Returns
    -------
    tuple of (dict, pandas.DataFrame)
        ``(kpis, per_route)``: totals, and one row of figures per used vehicle.
    """
    types = {vt.name: vt for vt in problem.fleet}
    orders = problem.order_index
    rows: list[dict[str, Any]] = []
    stops = plan.stops
    for vid, route in _routes(stops):
        rows.append({"vehicle": vid, **_route_costs(problem, types[str(route["vehicle_type"][0])], route, orders)})
    per_route = pd.DataFrame(
        rows,
        columns=[
            "vehicle",
            "distance_km",
            "duration_h",
            "driving_h",
            "service_h",
            "waiting_h",
            "fuel_l",
            "co2_kg",
            "fixed_cost",
            "distance_cost",
            "time_cost",
            "fuel_cost",
            "carbon_cost",
            "refrigeration_cost",
            "quality_loss",
            "late_h",
            "early_h",
            "window_cost",
            "cost",
        ],
    )
    unserved_ids = list(plan.unserved["order_id"]) if len(plan.unserved) else []
    penalty = sum((orders[i].penalty or 0.0) for i in unserved_ids if i in orders and not orders[i].required)
    required_left = [i for i in unserved_ids if i in orders and orders[i].required]
    sums = {k: float(per_route[k].sum()) for k in per_route.columns if k != "vehicle"}
    kpis = {
        "vehicles": len(per_route),
        "served": int(stops["kind"].isin(["delivery", "pickup"]).sum()),
        "unserved": len(unserved_ids),
        "distance": int(stops["travel_distance"].sum()),
        **{k: round(v, 4) for k, v in sums.items()},
        "penalty_cost": round(float(penalty), 4),
        # required orders left out cost nothing above: counted here so no comparison calls such a plan cheaper
        "required_unserved": len(required_left),
        "required_penalty_cost": round(float(sum(orders[i].penalty or 0.0 for i in required_left)), 4),
    }
    kpis["cost"] = round(sums.get("cost", 0.0) + penalty, 4)
    kpis["delivered_qty"] = float(
        sum(sum(orders[i].quantities.values()) for i in stops.loc[stops["kind"] == "delivery", "order_id"])
    )
    kpis["picked_up_qty"] = float(
        sum(sum(orders[i].quantities.values()) for i in stops.loc[stops["kind"] == "pickup", "order_id"])
    )
    return kpis, per_route


_ROUTE_COLUMNS = (
    "vehicle_type",
    "kind",
    "order_id",
    "arrival",
    "start",
    "departure",
    "wait",
    "service",
    "travel_distance",
    "travel_duration",
    "load",
    "late",
    "early",
)


def _routes(stops: pd.DataFrame) -> list[tuple[Any, dict[str, np.ndarray]]]:
    """Each vehicle's stops in visit order, as column arrays, vehicles in order of first appearance.

    One pass over the frame's columns instead of a pandas group, sort and record conversion per
    route: the plan's KPIs are computed after every solve, many times in the tier planner.
    """
    if len(stops) == 0:
        return []
    codes, vehicles = pd.factorize(stops["vehicle"], sort=False)
    order = np.lexsort((stops["seq"].to_numpy(), codes))
    cols = {c: stops[c].to_numpy()[order] for c in _ROUTE_COLUMNS}
    sorted_codes = codes[order]
    cuts = np.flatnonzero(np.diff(sorted_codes)) + 1
    bounds = zip(np.concatenate(([0], cuts)), np.concatenate((cuts, [len(order)])))
    return [(vehicles[sorted_codes[a]], {c: v[a:b] for c, v in cols.items()}) for a, b in bounds]


def _stop_losses(
    problem: CostedProblem, vt: VehicleType, g: Mapping[str, np.ndarray], orders: Mapping[str, Order]
) -> list[float]:
    """Freshness lost (¥) at each stop of one route (its stops' columns ``g`` in visit order), 0 where none.

    A delivery ages from the route's departure (a paired one from its pickup's departure) until
    its service starts; produce picked up (unpaired) ages from leaving the village until the route
    is back.  Door-open time ages faster (`quality_loss`).
    """
    depart, end = int(g["departure"][0]), int(g["arrival"][-1])
    kinds, ids = g["kind"], g["order_id"]
    first_departure: dict[Any, Any] = {}
    for oid, dep in zip(ids, g["departure"]):
        first_departure.setdefault(oid, dep)
    losses = [0.0] * len(kinds)
    for k, kind in enumerate(kinds):
        if kind not in ("delivery", "pickup"):
            continue
        o = orders[ids[k]]
        door_h = g["service"][k] / 3600.0
        if kind == "delivery":
            t0 = int(first_departure[o.pair]) if o.pair is not None and o.pair in first_departure else depart
            losses[k] = quality_loss(problem, o, (g["start"][k] - t0) / 3600.0, door_h, vt)
        elif o.pair is None:
            losses[k] = quality_loss(problem, o, (end - g["departure"][k]) / 3600.0, door_h, vt)
    return losses


def freshness_by_kind(problem: CostedProblem, plan: PlanStops) -> dict[str, float]:
    """A plan's freshness loss (``kpis["quality_loss"]``) split between deliveries and picked-up produce.

    Goods going down and produce going up age over different stretches of a route (see
    `evaluate`), and a planner weighing a day's cost wants to know which of the two it is paying for.

    Parameters
    ----------
    problem
        The problem the plan answers.
    plan
        The plan; only its ``stops`` are read.

    Returns
    -------
    dict
        ``{"delivery": ¥, "pickup": ¥}``; a paired shipment's loss counts under ``"delivery"``.
    """
    types = {vt.name: vt for vt in problem.fleet}
    orders = problem.order_index
    split = {"delivery": 0.0, "pickup": 0.0}
    for _, route in _routes(plan.stops):
        vt = types[str(route["vehicle_type"][0])]
        for kind, loss in zip(route["kind"], _stop_losses(problem, vt, route, orders)):
            if kind in split:
                split[kind] += loss
    return split


def _route_costs(
    problem: CostedProblem, vt: VehicleType, g: Mapping[str, np.ndarray], orders: Mapping[str, Order]
) -> dict[str, float]:
    """The cost figures of one route (its stops' columns ``g`` in visit order) on a vehicle of type ``vt``."""
    c = problem.costs
    cap = vt.capacity or 1.0
    km = g["travel_distance"].sum() / 1000.0
    loads = g["load"].astype(float)
    arc_km = g["travel_distance"].astype(float)[1:] / 1000.0
    fuel = float(np.sum(fuel_litres(c, arc_km, loads[:-1] / cap)))
    depart = int(g["departure"][0])
    end = int(g["arrival"][-1])
    dur_h = (end - depart) / 3600.0
    service_h = g["service"][g["kind"] != "break"].sum() / 3600.0  # a break stop's length is no service
    driving_h = g["travel_duration"].sum() / 3600.0
    waiting_h = g["wait"].sum() / 3600.0
    qloss = 0.0
    for loss in _stop_losses(problem, vt, g, orders):
        qloss += loss
    late_h = early_h = 0.0
    for k, kind in enumerate(g["kind"]):
        if kind in ("delivery", "pickup"):
            late_h += g["late"][k] / 3600.0
            early_h += g["early"][k] / 3600.0
    items = route_cost(
        c,
        vt,
        km=km,
        duration_h=dur_h,
        driving_h=driving_h,
        service_h=service_h,
        fuel_l=fuel,
        quality_loss=qloss,
        late_h=late_h,
        early_h=early_h,
    )
    measures = {"distance_km": km, "duration_h": dur_h, "driving_h": driving_h, "service_h": service_h}
    return {**measures, "waiting_h": waiting_h, "fuel_l": fuel, "late_h": late_h, "early_h": early_h, **items}
