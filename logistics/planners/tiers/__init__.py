"""District → township → village planning: trunk routes, last-mile routes and the produce upflow.

``plan_tiers(network, orders, trunk_fleet, last_mile_fleet)`` plans a day on a
three-tier network.  Orders are village-level [Order][logistics.Order] s:
deliveries go down from the hub to villages, pickups of farm produce come up
from villages to the hub.  The plan has three kinds of routes:

* **trunk** routes between the hub and the stations (large reefers, several
  stations per route allowed) carry each station's aggregated demand down in an
  outbound wave and the collected produce up in an inbound wave;
* **last-mile** routes from each station serve the villages assigned to it
  (deliveries and produce pickups on the same runs);
* **direct** routes from the hub serve villages near the hub where that is
  cheaper than going through a station.

Schedule (forward / backward)
-----------------------------
1. *Trunk outbound.*  Each station's deliveries are packed into trunk orders
   ("chunks", first-fit decreasing into the largest trunk compartments) and
   routed from the hub.  The trunk leg of each chunk gets the part of its goods'
   shelf life that is left after handling and the direct station → village
   drive; its window closes early enough for the last mile to reach every
   village in time.  The routes are then re-timed to leave at the start of the
   trunk shift and serve as early as possible.
2. *Last mile.*  A station's vans may leave only once every chunk for the
   station has been unloaded plus ``handling_s`` (their shift start is set to
   that *release* time).  A delivery must reach its village within its shelf
   life of the trunk's departure: its windows are cut at
   ``earliest trunk departure + shelf life`` (an absolute deadline, so waiting at
   the station counts).  A produce pickup may spend at most
   ``(S − handling − trunk drive to the hub) × (1 − TRUNK_SLACK)`` on the van; the
   rest is kept for the trunk.  Per-station problems are solved in parallel.
3. *Trunk inbound.*  The produce each van brings back becomes a trunk pickup
   at the station whose window opens at the van's return + ``handling_s``; its
   budget ``B`` (the earliest shelf-life deadline of the produce in it, minus the
   opening time) is split in half between waiting for the truck and riding it,
   so that ``arrival at the hub ≤ deadline`` holds for every route the solver may
   choose.  Trucks of the outbound wave are available again ``handling_s`` after
   their return (no second fixed cost); unused trucks from the shift start.

Hub-direct service and boundary re-balancing
--------------------------------------------
Villages at least as close to the hub as to their own station
(``duration(hub, v) ≤ direct_ratio × duration(station, v)``) are candidates for
direct service by hub-based last-mile vans.  With ``direct_from_hub="auto"``
the planner solves both variants for the affected stations and keeps the
cheaper one (the station variant's cost includes an estimate of the trunk's
share, ``planner.trunk_share``).  Then an improvement pass visits *boundary*
villages (the next station, or the hub for candidates, is within ``boundary_ratio`` of the
current depot), re-solves the two affected depots with a short limit and keeps
the move when the two together get cheaper without leaving more orders out.
Moving villages changes station loads, so the trunk is re-solved with every
station's chunks due no later than before (the last-mile plans stay valid);
stations whose release would get later are re-planned.

Units: seconds from midnight, metres, the products' units, yuan.  Determinism:
sub-problems are solved with the same seed and collected in a fixed order, so
with ``iterations`` set (or OR-Tools stopping before its time limit) the plan
does not depend on ``workers``; time-limited searches may differ run to run.

Inside the package
------------------
``planner`` ([plan_tiers][logistics.planners.tiers.plan_tiers] and the phases in order), ``context``
(settings, checked inputs, time budget), ``legs`` (last-mile legs), ``trunk`` (loads and the two
trunk waves), ``rebalance`` (boundary moves), ``assemble`` (the result), ``result``
([TieredPlan][logistics.planners.tiers.TieredPlan], KPIs), ``operations`` (re-timing, dropping stops,
merging plans), ``records`` (orders, vehicles and leg problems in plan documents), ``solving``
([solve_many][logistics.planners.tiers.solve_many]), ``layout`` ([Layout][logistics.planners.tiers.Layout]),
``stations`` (stations' cold stores and opening hours), ``scenario``
([TierScenario][logistics.planners.tiers.TierScenario] and [plan_scenario][logistics.planners.tiers.plan_scenario])
and ``demo`` (demo network, orders and fleets).
"""

from logistics.planners.tiers.context import TRUNK_SLACK, UNSERVED_WEIGHT, TierContext, TierSettings
from logistics.planners.tiers.demo import DEMO_PRODUCTS, demo_fleets, demo_network, demo_orders
from logistics.planners.tiers.layout import Layout, shelf_life_s
from logistics.planners.tiers.operations import (
    combined_frames,
    drop_stops,
    earliest_route,
    merge_plans,
    retime_earliest,
)
from logistics.planners.tiers.planner import plan_tiers
from logistics.planners.tiers.result import TIERED_PLAN_FORMAT, TRANSFER_COLUMNS, TieredPlan, tier_kpis
from logistics.planners.tiers.scenario import TierScenario, plan_scenario
from logistics.planners.tiers.solving import size_limit, solve_many

__all__ = [
    "DEMO_PRODUCTS",
    "TIERED_PLAN_FORMAT",
    "TRANSFER_COLUMNS",
    "TRUNK_SLACK",
    "UNSERVED_WEIGHT",
    "Layout",
    "TierContext",
    "TierScenario",
    "TierSettings",
    "TieredPlan",
    "combined_frames",
    "demo_fleets",
    "demo_network",
    "demo_orders",
    "drop_stops",
    "earliest_route",
    "merge_plans",
    "plan_scenario",
    "plan_tiers",
    "retime_earliest",
    "shelf_life_s",
    "size_limit",
    "solve_many",
    "tier_kpis",
]
