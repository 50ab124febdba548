"""What the tier planner returns: `TieredPlan`, its combined KPIs and the transfer columns."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from logistics.check.tiers import validate_tiers
from logistics.check.validator import Violation
from logistics.core.model import Order, Product
from logistics.core.plan import Plan
from logistics.core.problem import Problem

__all__ = ["TRANSFER_COLUMNS", "TieredPlan", "tier_kpis"]


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

    def legs(self) -> Iterator[tuple[str, Problem, Plan]]:
        """(name, problem, plan) for the trunk and every last-mile depot.

        Yields
        ------
        tuple of (str, Problem, Plan)
            ``"trunk"`` first, then each depot id (the hub's leg is the villages served directly).
        """
        yield "trunk", self.problems["trunk"], self.trunk
        for k, plan in self.last_mile.items():
            yield k, self.problems[k], plan

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
