"""What the tier planner returns: `TieredPlan`, its combined KPIs and the transfer columns."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from logistics.check.tiers import validate_tiers
from logistics.check.validator import Violation
from logistics.core.costs import CostModel
from logistics.core.errors import ProblemError
from logistics.core.model import Order, Product
from logistics.core.plan import Plan, _jsonable
from logistics.core.problem import Problem
from logistics.planners.tiers.layout import Layout
from logistics.planners.tiers.operations import combined_frames
from logistics.planners.tiers.records import (
    order_from_record,
    order_record,
    problem_from_record,
    problem_record,
    product_from_record,
    product_record,
)

__all__ = ["TIERED_PLAN_FORMAT", "TRANSFER_COLUMNS", "TieredPlan", "tier_kpis"]

#: The ``format`` of a tiered plan document written by `TieredPlan.to_dict`.
TIERED_PLAN_FORMAT = "coldroute-tiered-plan/1"


@dataclass(eq=False)
class TieredPlan:
    """A three-tier plan: the trunk plan, one last-mile plan per depot, and how goods change hands.

    ``last_mile`` is keyed by depot id: station ids, and the hub id for villages
    served directly from the hub.  ``problems`` holds the Problem each leg was
    solved as (``"trunk"`` and the depot ids) so every leg can be checked with
    [logistics.validate][].  ``transfers`` has one row per order handed
    over at a station: ``direction`` (down: delivery, up: produce),
    ``trunk_order`` (the trunk order carrying it), arrival/departure of the
    trunk at the station, the last-mile vehicle, its departure from (down) or
    return to (up) the station, and ``wait_at_station`` (s): goods' time at the
    station between the two vehicles.  ``stops``/``routes`` combine every leg
    with ``tier`` (trunk, last_mile, direct), ``leg`` and ``depot`` columns.

    Parameters
    ----------
    trunk
        The trunk plan: outbound and inbound waves merged (``wave`` column).
    last_mile
        Depot id → last-mile plan (the hub's: villages served directly).
    transfers
        One row per order handed over at a station
        ([TRANSFER_COLUMNS][logistics.planners.tiers.result.TRANSFER_COLUMNS]).
    unserved
        ``order_id``, ``leg`` and ``reason`` of every order not served end to end.
    kpis
        Combined KPIs (`tier_kpis`).
    stops, routes
        Every leg's stops and routes with ``tier``, ``leg`` and ``depot`` columns.
    problems
        ``"trunk"`` and depot ids → the Problem that leg was solved as.
    orders, products
        The village-level orders and the products, as given.
    hub
        The hub id.
    handling_s
        Seconds to unload and reload goods at a station.
    assignment
        Per village: its station, the depot that served it, ``mode`` and whether it ``moved``.
    meta
        Settings, the planner's decision ``log``, ``trunk_members`` and ``elapsed_s``.
    """

    trunk: Plan
    last_mile: dict[str, Plan]
    transfers: pd.DataFrame
    unserved: pd.DataFrame
    kpis: dict[str, Any]
    stops: pd.DataFrame
    routes: gpd.GeoDataFrame
    problems: dict[str, Problem]
    orders: tuple[Order, ...]
    products: dict[str, Product]
    hub: str
    handling_s: int
    assignment: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def direct(self) -> Plan | None:
        """The plan of the villages served directly from the hub, if any."""
        return self.last_mile.get(self.hub)

    def legs(self) -> Iterator[tuple[str, Problem | None, Plan]]:
        """(name, problem, plan) for the trunk and every last-mile depot.

        Yields
        ------
        tuple of (str, Problem or None, Plan)
            ``"trunk"`` first, then each depot id (the hub's leg is the villages served directly);
            the problem is ``None`` for a plan read back without its network.
        """
        yield "trunk", self.problems.get("trunk"), self.trunk
        for k, plan in self.last_mile.items():
            yield k, self.problems.get(k), plan

    def validate(self, legs: bool = True) -> list[Violation]:
        """Violations of the tier rules (and of every leg's plan when ``legs``); empty means feasible.

        Parameters
        ----------
        legs
            Also run [logistics.validate][] on every leg.

        Returns
        -------
        list of Violation
            What [logistics.check.tiers.validate_tiers][] finds.
        """
        return validate_tiers(self, legs=legs)

    def summary(self) -> str:
        """One line: served orders, vehicles, distance, cost and villages served from the hub.

        Returns
        -------
        str
            For logs and the command line; cost in yuan.
        """
        k = self.kpis
        return (
            f"{k['served']}/{k['orders']} orders served, {k['vehicles']} vehicles "
            f"({k['trunk_vehicles']} trunk), {k['distance_km']:,.1f} km, cost ¥{k['cost']:,.2f}, "
            f"{k['direct_villages']} villages direct from the hub"
        )

    # -- documents ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The plan as a JSON-ready mapping (format ``coldroute-tiered-plan/1``).

        Every leg is a ``coldroute-plan/1`` document (`Plan.to_dict`); the legs' problems are kept
        without their travel times (see [logistics.planners.tiers.records][]) so that `from_dict`
        with the network can check every leg again.

        Returns
        -------
        dict
            ``format``, ``hub``, ``handling_s``, ``kpis``, ``meta``, ``legs`` (``trunk`` and each
            depot), ``transfers``, ``unserved`` and ``assignment`` (records), ``orders``,
            ``products`` and ``problems``.
        """

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return list(_jsonable(frame.astype(object).where(frame.notna(), None).to_dict(orient="records")))

        return {
            "format": TIERED_PLAN_FORMAT,
            "hub": self.hub,
            "handling_s": int(self.handling_s),
            "kpis": _jsonable(self.kpis),
            "meta": _jsonable(self.meta),
            "legs": {"trunk": self.trunk.to_dict()} | {d: p.to_dict() for d, p in self.last_mile.items()},
            "transfers": records(self.transfers),
            "unserved": records(self.unserved),
            "assignment": records(self.assignment),
            "orders": [order_record(o) for o in self.orders],
            "products": {k: product_record(p) for k, p in self.products.items()},
            "problems": {k: problem_record(p) for k, p in self.problems.items()},
        }

    @classmethod
    def from_dict(
        cls,
        d: Mapping[str, Any],
        *,
        layout: Layout | None = None,
        costs: CostModel | None = None,
        orders: Sequence[Order] | None = None,
        products: Mapping[str, Product] | None = None,
    ) -> TieredPlan:
        """A tiered plan from `to_dict`'s mapping.

        Parameters
        ----------
        d
            A ``coldroute-tiered-plan/1`` mapping.
        layout
            The network (and travel matrix) the plan was made on: with it every leg's problem is
            rebuilt, so `validate` checks every leg too; without it ``problems`` is empty.
        costs
            The cost model of the legs' problems (default `CostModel()`).
        orders, products
            The job's orders and products, to check the plan against them rather than against
            the copies in the document.

        Returns
        -------
        TieredPlan
            The plan.

        Raises
        ------
        ProblemError
            Not a tiered plan document (field ``format``), or a section is malformed (its name
            as field: ``legs.st1.stops``, ``transfers``, ``problems.trunk``).
        """
        if not isinstance(d, Mapping) or d.get("format") != TIERED_PLAN_FORMAT:
            fmt = d.get("format") if isinstance(d, Mapping) else type(d).__name__
            raise ProblemError(
                f"not a tiered plan (format {fmt!r}, expected {TIERED_PLAN_FORMAT!r})", record="plan", field="format"
            )
        try:
            legs = dict(d["legs"])
            plans: dict[str, Plan] = {}
            for k, doc in legs.items():
                try:
                    plans[str(k)] = Plan.from_dict(doc)
                except ProblemError as e:
                    raise ProblemError(
                        f"legs.{k}: {e}", record="plan", field=f"legs.{k}.{e.field or ''}".rstrip(".")
                    ) from None
            trunk = plans.pop("trunk")
            if products is None:
                products = {str(k): product_from_record(v) for k, v in d.get("products", {}).items()}
            if orders is None:
                orders = [order_from_record(o) for o in d.get("orders", [])]
            transfers = pd.DataFrame(list(d.get("transfers", [])), columns=TRANSFER_COLUMNS)
            unserved = pd.DataFrame(list(d.get("unserved", [])), columns=["order_id", "leg", "reason"])
            assignment = pd.DataFrame(list(d.get("assignment", [])))
            hub, handling = str(d["hub"]), int(d["handling_s"])
            meta, kpis = dict(d.get("meta", {})), dict(d.get("kpis", {}))
        except ProblemError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise ProblemError(f"not a readable tiered plan ({type(e).__name__}: {e})", record="plan") from None
        problems: dict[str, Problem] = {}
        if layout is not None:
            for k, rec in dict(d.get("problems", {})).items():
                problems[str(k)] = problem_from_record(rec, layout, products, costs, str(k))
        stops, routes = combined_frames(trunk, plans, hub)
        return cls(
            trunk=trunk,
            last_mile=plans,
            transfers=transfers,
            unserved=unserved,
            kpis=kpis,
            stops=stops,
            routes=routes,
            problems=problems,
            orders=tuple(orders),
            products=dict(products),
            hub=hub,
            handling_s=handling,
            assignment=assignment,
            meta=meta,
        )

    def transfers_frame(self, day: str | None = None) -> pd.DataFrame:
        """Transfers with clock times (``day`` midnight + seconds) for display.

        Parameters
        ----------
        day
            The date whose midnight the seconds count from; default ``meta["day"]``, else 2026-01-01.

        Returns
        -------
        DataFrame
            A copy of `transfers` with timestamps and a timedelta ``wait_at_station``.
        """
        t = self.transfers.copy()
        base = pd.Timestamp(day or self.meta.get("day") or "2026-01-01")
        for c in ("trunk_arrival", "trunk_departure", "last_mile_departure", "last_mile_arrival"):
            t[c] = base + pd.to_timedelta(t[c], unit="s")
        t["wait_at_station"] = pd.to_timedelta(t["wait_at_station"], unit="s")
        return t


TRANSFER_COLUMNS = [
    "order_id",
    "direction",
    "station",
    "trunk_order",
    "trunk_vehicle",
    "trunk_arrival",
    "trunk_departure",
    "last_mile_vehicle",
    "last_mile_departure",
    "last_mile_arrival",
    "wait_at_station",
]


def tier_kpis(tp: TieredPlan) -> dict[str, Any]:
    """Combined KPIs: sums over legs, per-tier splits, end-to-end service and station waits.

    Parameters
    ----------
    tp
        A tiered plan whose legs, transfers, unserved and assignment are filled in.

    Returns
    -------
    dict
        Costs and distances summed over legs, ``<tier>_km/_cost/_vehicles``, physical trunk
        vehicles, served/unserved/delivered/produce counts and station waits in hours.
    """
    legs = [("trunk", tp.trunk)] + [("direct" if d == tp.hub else "last_mile", p) for d, p in tp.last_mile.items()]
    k: dict[str, Any] = {"orders": len(tp.orders)}
    for key in (
        "distance_km",
        "duration_h",
        "fuel_l",
        "co2_kg",
        "refrigeration_cost",
        "quality_loss",
        "fixed_cost",
        "cost",
        "penalty_cost",
    ):
        k[key] = round(sum(float(p.kpis.get(key, 0.0)) for _, p in legs if p is not None), 4)
    for tier in ("trunk", "last_mile", "direct"):
        ps = [p for t, p in legs if t == tier and p is not None]
        k[f"{tier}_km"] = round(sum(float(p.kpis.get("distance_km", 0.0)) for p in ps), 4)
        k[f"{tier}_cost"] = round(sum(float(p.kpis.get("cost", 0.0)) for p in ps), 4)
        k[f"{tier}_vehicles"] = int(sum(p.kpis.get("vehicles", 0) for p in ps))
    trunk_phys: set[str] = set()
    if not tp.trunk.stops.empty:
        trunk_phys = {str(v).replace("/in#1", "") for v in tp.trunk.stops["vehicle"]}
    k["trunk_vehicles"] = len(trunk_phys)
    k["vehicles"] = k["trunk_vehicles"] + k["last_mile_vehicles"] + k["direct_vehicles"]
    k["unserved"] = len(tp.unserved)
    k["served"] = k["orders"] - k["unserved"]
    k["delivered"] = int(sum(1 for o in tp.orders if o.kind == "delivery")) - int(
        sum(1 for oid in tp.unserved["order_id"] if _kind(tp, oid) == "delivery")
    )
    k["produce_collected"] = int(sum(1 for o in tp.orders if o.kind == "pickup")) - int(
        sum(1 for oid in tp.unserved["order_id"] if _kind(tp, oid) == "pickup")
    )
    t = tp.transfers
    k["transfers"] = len(t)
    k["mean_wait_at_station_h"] = round(float(t["wait_at_station"].mean()) / 3600, 4) if len(t) else 0.0
    k["max_wait_at_station_h"] = round(float(t["wait_at_station"].max()) / 3600, 4) if len(t) else 0.0
    k["direct_villages"] = int((tp.assignment["mode"] == "direct").sum()) if len(tp.assignment) else 0
    k["moved_villages"] = int(tp.assignment["moved"].sum()) if len(tp.assignment) else 0
    return k


def _kind(tp: TieredPlan, oid: str) -> str | None:
    for o in tp.orders:
        if o.id == oid:
            return o.kind
    return None
