"""Every share of the time limit and every timing constant, named in one place.

A :class:`~logistics.core.options.Budget` hands out time; the fractions and floors it uses live
here, each with the measurement that chose it, so tuning is one diff and nothing is a magic number
hidden in a search.  Shares are fractions of the time left when they are taken.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- engine: solve and portfolio

# PyVRP's share of the time left after the full OR-Tools model is built, when PyVRP's model relaxes
# something (engine "auto"); OR-Tools gets the rest to repair and polish on the full model.  Where PyVRP
# models the problem exactly it gets all the time (after PyVRP, OR-Tools gains < 0.05 %: measured, see
# docs/performance.md).
RELAXED_SHARE = 0.7
# The same share for engine "pyvrp" (more time to PyVRP where its model relaxes something).
PYVRP_ENGINE_SHARE = 0.85
# Below this many seconds for the skeleton, OR-Tools searches alone: PyVRP and a seed read would not pay
# (chosen by hand; not re-measured).
MIN_SKELETON_S = 0.5

# Kept back for what follows the search (reasons, plan frames, KPIs): measured ~0.1 s at 100 orders and
# ~0.2 s at 400; never more than REPORT_RESERVE_SHARE of the whole limit.
REPORT_RESERVE_SHARE = 0.15
REPORT_RESERVE_BASE_S = 0.1
REPORT_RESERVE_PER_ORDER_S = 0.0006

# Seconds to close the built model and read and finalise a seed in it, as base + factor x build time.
# Measured against the build time: 0.03 s after a 0.1 s build (Homberger 400), 0.15 s after 0.25 s
# (Yanhu demo day), 0.38 s after 0.48 s (a 381-order part of a 2,000-stop Yanhu day).
SEED_READ_BASE_S = 0.05
SEED_READ_PER_BUILD_S = 0.8

# Time allowed for reading a seed, base + per order, capped (a read ends at the first complete
# assignment: ~0.01-0.2 s when it loads).  A read cut short looks like a rejected seed (measured: a
# 303-order part on a loaded machine lost every order that way).
READ_LIMIT_BASE_S = 0.5
READ_LIMIT_PER_ORDER_S = 0.003
READ_LIMIT_MAX_S = 5.0
# Share of the polish's time after which a rejected seed is no longer repaired order by order (the rest
# of a refused route is dropped; each read costs ~0.05 s at 800 orders).  Chosen by hand; not re-measured.
SEED_REPAIR_SHARE = 0.5
# When OR-Tools only checks an exact PyVRP seed, restoring it must not be cut short: at least this many
# seconds (chosen by hand; not re-measured).
CHECK_ONLY_MIN_S = 5

# The shortest OR-Tools search ever started, and the least time left for which a search that found
# nothing from a seed is retried from scratch (chosen by hand; not re-measured).
MIN_SEARCH_S = 0.05

# Below this time limit a second PyVRP seed in another interpreter (~0.5 s to import PyVRP) does not pay.
MIN_PARALLEL_S = 2.0
# How long past the deadline a worker seed's answer is awaited before it is dropped (chosen by hand; not
# re-measured); with an iteration bound the run waits ITERATION_GRACE_S so that the choice is reproducible.
WORKER_GRACE_S = 0.3
ITERATION_GRACE_S = 1.0
# How long CPU use is sampled (/proc/stat) before deciding on a second seed, and how many cores other
# processes may keep busy for it to pay: on two cores with one other busy process both seeds get ~65 % of
# a core (measured), worse than one seed at full speed.
SAMPLE_S = 0.05
BUSY_MAX = 0.5
# PyVRP iterations per second times orders (measured 70k-600k, Solomon to X): turns a time limit into an
# expected number of iterations for the late-acceptance history (see ``history_for``).
ITERS_PER_S_X_ORDERS = 300_000
# The smallest time limit PyVRP is started with (chosen by hand; not re-measured).
MIN_PYVRP_S = 0.01

# (end of engine section)


# --------------------------------------------------------------------------- engine: decomposition and parallel work

# Seconds a worker may overrun the caller's deadline before it is killed: enough to pickle and send back
# a finished result on a busy 2-core machine (measured: < 0.2 s for a 2,000-stop plan).
KILL_GRACE_S = 2.0

# Decomposition cuts days of more than DECOMPOSE_FACTOR x max_part orders (chosen by hand; not re-measured).
DECOMPOSE_FACTOR = 2
# At most this many processes for decomposed parts by default (the 2-core machines it was tuned on).
DECOMPOSE_WORKERS = 2
# A part's weight for sharing time is at least this many orders: small parts still get a few seconds
# (chosen by hand; not re-measured).
MIN_PART_WEIGHT = 25
# The least time limit a part is solved with (chosen by hand; not re-measured).
MIN_PART_S = 0.3
# Starting the worker interpreters, taken off the parts' time when there is more than one worker
# (chosen by hand; not re-measured).
SPAWN_OVERHEAD_S = 0.3
# Kept back for merging the parts into one plan: base + per order of the whole day (chosen by hand;
# not re-measured).
MERGE_RESERVE_BASE_S = 0.5
MERGE_RESERVE_PER_ORDER_S = 0.0004

# (end of decomposition section)


# --------------------------------------------------------------------------- planners: tiers, 2E-VRP, carriers


# (end of planners section)


# --------------------------------------------------------------------------- formats and app: jobs, batches, VROOM


# (end of app section)
