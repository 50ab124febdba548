"""Every share of the time limit and every timing constant, named in one place.

A :class:`~logistics.core.options.Budget` hands out time; the fractions and floors it uses live
here, each with the measurement that chose it, so tuning is one diff and nothing is a magic number
hidden in a search.  Shares are fractions of the time left when they are taken.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- engine: solve and portfolio


# (end of engine section)


# --------------------------------------------------------------------------- engine: decomposition and parallel work


# (end of decomposition section)


# --------------------------------------------------------------------------- planners: tiers, 2E-VRP, carriers

# The three-tier planner (logistics.planners.tiers).  Its phases take ``share`` of the whole limit
# but leave ``keep`` of the whole limit for the phases after them; no phase gets less than
# TIERS_PHASE_FLOOR_S.  All chosen by hand on the demo network and the 2E-CVRP sets; not re-measured.

#: Shortest phase or sub-solve the tier planner hands out (s): below it OR-Tools rarely finds a first
#: solution for a station.  Chosen by hand; not re-measured.
TIERS_PHASE_FLOOR_S = 0.2
#: Trunk outbound on the stations' demand: (share, keep).
TIERS_TRUNK_OUT = (0.10, 0.80)
#: Every depot's last mile plus the hub-direct alternative, solved together: (share, keep).
TIERS_LAST_MILE = (0.35, 0.45)
#: Boundary re-balancing: the time up to this keep, as one phase: (share, keep).
TIERS_REBALANCE = (1.0, 0.25)
#: Trunk outbound again after villages moved, keeping every station's release: (share, keep).
TIERS_TRUNK_AGAIN = (0.08, 0.15)
#: Trunk outbound again without the releases, when the first re-plan left goods behind: (share, keep).
TIERS_TRUNK_RETRY = (0.06, 0.12)
#: Stations re-planned because their goods now arrive later: (share, keep).
TIERS_RECONCILE = (0.10, 0.12)
#: Trunk inbound for the produce: (share, keep).
TIERS_TRUNK_IN = (0.10, 0.02)
#: A re-balancing trial re-solves two depots for ``clamp(TRIAL_PER_ORDER_S x orders, TRIAL_FLOOR_S,
#: min(TRIAL_SHARE x limit, TRIAL_CAP_S))`` seconds: long enough to see a move's effect, short enough
#: for many trials.  Chosen by hand; not re-measured.
TIERS_TRIAL_FLOOR_S = 0.15
TIERS_TRIAL_SHARE = 0.04
TIERS_TRIAL_CAP_S = 2.0
TIERS_TRIAL_PER_ORDER_S = 0.01
#: ``size_limit``: enough search for a sub-problem of this many orders (small sub-problems converge
#: in well under a second), at least SIZE_LIMIT_FLOOR_S.  Chosen by hand; not re-measured.
SIZE_LIMIT_PER_ORDER_S = 0.06
SIZE_LIMIT_FLOOR_S = 1.0
#: ``solve_many``: no problem of a batch gets less than this (s), however many rounds the batch
#: needs; also the least a failed engine's OR-Tools retry gets.  Chosen by hand; not re-measured.
SOLVE_MANY_FLOOR_S = 0.2
#: ``solve_many`` runs a batch in worker processes only when that saves more than this (s): the time
#: a fresh worker interpreter takes to start and import the engine.  Measured: 1.0 s on an idle
#: 2-core machine (python -I importing logistics.engine.solve), more under load.
SOLVE_MANY_WORKER_START_S = 1.0

# 2E-CVRP (logistics.planners.twoechelon)

#: Share of the time limit for the multi-depot start (``mdvrp_assignment``) when other starts follow;
#: the rest goes to planning from the distinct starts.  Chosen by hand on Set2/Set3; not re-measured.
MDVRP_SHARE = 0.25
#: Share of the time limit for the multi-depot start when it is the only start: a bigger share since
#: only one plan follows.  Chosen by hand; not re-measured.
MDVRP_ALONE_SHARE = 0.4
#: Least time (s) planning from one start gets, even when the multi-depot start overran.
#: Chosen by hand; not re-measured.
TWOECHELON_START_FLOOR_S = 0.5

# Carriers' shared runs (logistics.planners.carriers)

#: Share of the comparison's time limit for each of its two scenarios (separate, shared): split
#: evenly so neither scenario wins on search time.
CARRIER_SCENARIO_SHARE = 0.5

# (end of planners section)


# --------------------------------------------------------------------------- formats and app: jobs, batches, VROOM


# (end of app section)
