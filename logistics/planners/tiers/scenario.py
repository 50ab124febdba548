"""A tier scenario: everything one three-tier planning day needs, as one object, and planning it.

A `TierScenario` bundles the network, the village orders, the two fleets, the planner's
`TierSettings` and ``meta`` (where the day's figures come from); `plan_scenario` plans it with
one [SolveOptions][logistics.core.options.SolveOptions] and records the scenario's ``meta`` in the
plan's (``meta["scenario"]``), so outputs carry the basis of their volumes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from logistics.core.model import Order, VehicleType
from logistics.core.options import SolveOptions
from logistics.planners.tiers.context import LastMileFleet, TierSettings
from logistics.planners.tiers.planner import plan_tiers
from logistics.planners.tiers.result import TieredPlan
from networks import Network

__all__ = ["TierScenario", "plan_scenario"]


@dataclass(frozen=True)
class TierScenario:
    """One day on a three-tier network: inputs of `plan_tiers` plus where they come from.

    Parameters
    ----------
    network
        The three-tier network (hub, stations, villages).
    orders
        Village-level deliveries and produce pickups.
    trunk_fleet
        Vehicle types of the hub's trunk.
    last_mile_fleet
        Van types, per depot id (stations and the hub for direct service) or for every depot.
    settings
        How to plan: products, costs, handling, direct service, stations' cold stores and hours.
    meta
        The scenario's name, seed, day and the basis of its volumes (sources and assumptions).
    """

    network: Network
    orders: tuple[Order, ...]
    trunk_fleet: tuple[VehicleType, ...]
    last_mile_fleet: LastMileFleet
    settings: TierSettings
    meta: dict[str, Any] = field(default_factory=dict)


def plan_scenario(
    scenario: TierScenario, options: SolveOptions, *, progress: Callable[[str, float], None] | None = None
) -> TieredPlan:
    """Plan a scenario's day on all three tiers.

    Parameters
    ----------
    scenario
        The day.
    options
        Time limit, seed, engine, iterations and workers for the whole call.
    progress
        ``progress(leg, cost so far)`` as each leg starts (see `plan_tiers`).

    Returns
    -------
    TieredPlan
        The plan; ``meta["scenario"]`` holds a copy of the scenario's ``meta``.
    """
    tp = plan_tiers(
        scenario.network,
        scenario.orders,
        scenario.trunk_fleet,
        scenario.last_mile_fleet,
        settings=scenario.settings,
        options=options,
        progress=progress,
    )
    tp.meta["scenario"] = dict(scenario.meta)
    return tp
