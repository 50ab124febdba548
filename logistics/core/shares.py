"""Every share of the time limit and every timing constant, named in one place.

A [Budget][logistics.core.options.Budget] hands out time; the fractions and floors it uses live
here, each with the measurement that chose it, so tuning is one diff and nothing is a magic number
hidden in a search.  Shares are fractions of the time left when they are taken.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- engine: solve and portfolio

# PyVRP's share of the time left after the full OR-Tools model is built, when PyVRP's model relaxes
# something (engine "auto"); OR-Tools gets the rest to repair and polish on the full model.  Where PyVRP
# models the problem exactly it gets all the time (after PyVRP, OR-Tools gains < 0.05 %: measured, see
# docs/performance.md).  Measured on the Yanhu cold-chain day at 30 s with RELAXED_ROUNDS, seeds 0-11
# (benchmarks/results/rounds-coldchain-*.txt): mean ¥9,096 / ¥9,029 / ¥9,014, worst ¥9,153 / ¥9,144 /
# ¥9,109 for 0.7 / 0.85 / 0.9 (the polish's 9 s gained 0.1-0.6 %, PyVRP's seconds 10-15 of a round up
# to 2.4 % in its own objective); the three-tier day at 60 s is unchanged at 0.85.  0.85 keeps the
# polish 4.5 s at 30 s to repair what the relaxed skeleton breaks.
RELAXED_SHARE = 0.85
# The same share for engine "pyvrp" (more time to PyVRP where its model relaxes something).
PYVRP_ENGINE_SHARE = 0.85
# Of OR-Tools' part of a relaxed day's time (after PyVRP's), the share the exact descent gets
# (logistics.engine.descent); the polish keeps the rest.  On the Yanhu cold-chain day at 30 s (4.5 s
# after PyVRP), seeds 0-3: polish 1.5 s then the descent gave 0.45 / 1.19 / -0.2 / 0.19 % above the
# old reference, polish 0.5 s 1.16 / 0.19 / 1.3 % (seeds 0-2), the polish alone 2.29 / 1.18 / 2.29 /
# 3.08 %; 0.8 (0.9 s of polish) lies between the two (docs/performance.md, "The exact descent").
DESCENT_SHARE = 0.8
# PyVRP's share of a relaxed day where the exact descent applies (instead of RELAXED_SHARE): the
# descent, and its ruin-and-recreate rounds once it has converged, gain more from the seconds than
# PyVRP's last ones.  Yanhu cold-chain day at 30 s, seeds 0-11 (benchmarks/results/descent-sweeps.txt):
# mean ¥8,912 / 8,933 / 8,852 / 8,859, worst ¥8,992 / 8,992 / 8,971 / 8,935, within 1 % of ¥8,763.96
# 4 / 2 / 8 / 5 of 12 for 0.85 / 0.75 (no ruin rounds then) / 0.6 / 0.45 (with them).
DESCENT_RELAXED_SHARE = 0.6
# PyVRP's seconds an order at most on such a day in a time-bound run; the descent gets the rest.
# PyVRP's relaxed model leaves freshness out, and searched longer it gives starts the descent cannot
# bring as low: a 600 s run of the Yanhu cold-chain day (360 s of PyVRP) ended at ¥8,917, above every
# 30 s run of the same code (18 s of PyVRP, 0.106 s an order); see docs/performance.md, "Cheaper
# rounds and two chains".  0.12 leaves runs of up to about 34 s on that day as they were; at 120 s,
# seeds 0-2 cost ¥8,735 on average with it and ¥8,752 without (benchmarks/results/reference-gap-120s-*).
DESCENT_PYVRP_MAX_S_PER_ORDER = 0.12
# The descent, and that share, only where the search has at least this many seconds an order (or a
# run bounded by iterations).  Parts of the 2,000-stop Yanhu day at 5 and 10 s limits (under 0.01 s an
# order) lost 2.3 % and 1.0 % with share 0.6 and the descent, and 0.9 % at 5 s with the descent alone;
# at 20 and 60 s (over 0.015 s) they gained 0.9 % and 3.0 % (benchmarks/results/scale-descent*.txt).
DESCENT_MIN_S_PER_ORDER = 0.012
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
# Share of the polish's time within which the other seeds' skeletons are read to start from the one the
# full model prices lowest (a read: ~0.1 s on the Yanhu demo day against a 9 s polish).  Chosen by hand;
# the gain it buys is in docs/performance.md ("Reference costs of the Yanhu days").
SEED_CHOICE_SHARE = 0.2
# When OR-Tools only checks an exact PyVRP seed, restoring it must not be cut short: at least this many
# seconds (chosen by hand; not re-measured).
CHECK_ONLY_MIN_S = 5

# VROOM mode: the share of the time limit VROOM's own search (pyvroom) may take to build the start that
# PyVRP then improves (logistics.app.vroom_start); what it leaves goes to the usual portfolio.  Measured
# at 5 s on the Li & Lim and Solomon instances where PyVRP alone stayed > 1 % above VROOM (lr202, lr204,
# lr209, rc108, ...; shared 2-core machine): VROOM cut at 2.5 s was up to 5.6 % above its own 5 s cost
# and PyVRP from it ended at -0.2 to +0.6 %; at 3.5 s VROOM reached its 5 s cost and PyVRP from it
# -5.0 to 0 % (docs/vroom.md).
VROOM_START_SHARE = 0.7
# The same for inputs without shipments, where PyVRP also searches from scratch (VROOM_RESTART_SHARE):
# with 70 % to VROOM, PyVRP from VROOM's routes stayed in VROOM's few long routes on Solomon R2/RC2,
# where PyVRP alone is 5-20 % cheaper than VROOM (r205: -12 % alone, +5.7 % from VROOM's routes;
# docs/vroom.md).
VROOM_RIVAL_SHARE = 0.3
# Jobs only, PyVRP searches from scratch for this share of its time, then again from the cheaper of its
# routes and VROOM's (logistics.app.vroom_start.start_mode).  Measured at 5 s, interleaved per instance
# on 22 Solomon and CVRPLIB instances (shared 2-core machine; benchmarks/results/vroom/
# ab-restart-start-5s.txt): worst gap to VROOM +0.34 % (P-n76-k4), mean -2.19 %, against +1.08 %
# (rc107), -1.78 % for the cheaper of VROOM's routes and PyVRP's from scratch, and +1.18 % (P-n76-k4),
# -2.14 % for PyVRP from VROOM's routes all along.  Only 0.5 was measured.
VROOM_RESTART_SHARE = 0.5

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
# The granular neighbourhood of PyVRP's local search: each client's nearest this-many clients.  PyVRP's
# default, 50, suits runs of minutes; on short runs a smaller one makes each iteration cheaper.  Measured
# at 20 s on 8 CVRPLIB X instances outside the benchmark's subset (n110-n367, 2 seeds, the sizes side by
# side on one core each): mean gap 0.47 % with 30 against 0.71 % with 50, with 30-45 % more iterations
# (benchmarks/results/neighbours-tuning.txt, benchmarks/bench_neighbours.py).  Then on the reported sets,
# searching to the limit, coldroute against PyVRP on all cores: X 0.91 -> 0.83, Homberger 200 -> 0.71.
# Only between PYVRP_NEIGHBOURS_FROM and PYVRP_NEIGHBOURS_UPTO orders, about the sizes measured: smaller
# problems keep PyVRP's 50 (with 30 the three-tier day's trunk solve, a few dozen orders, ended 2 % dearer on
# seed 0 and equal on seeds 1-2), and so do larger ones (Homberger R1_10_2, 1,000 customers, 120 s: 2.36 %
# above the best-known value with 30 against 1.84 % with 50).  Only where PyVRP's model is exact: on the
# relaxed cold-chain day 30 found skeletons cheaper in PyVRP's objective and dearer on the full model.
PYVRP_NEIGHBOURS = 30
PYVRP_NEIGHBOURS_FROM = 100
PYVRP_NEIGHBOURS_UPTO = 400
# Where PyVRP's model relaxes something (the cold-chain day: no freshness costs, shelf lives or rests),
# each portfolio process runs its time in RELAXED_ROUNDS rounds of independent seeds (each round an equal
# share of the time left, at least RELAXED_ROUND_MIN_S, fewer rounds otherwise), and the full model prices
# every round's skeleton (SEED_CHOICE_SHARE).  On that model a seed's search settles in its own local
# optimum within ~15 s and stays there (20 s and 40 s end at the same cost, seeds 0-3 at 70.8-73.1 M),
# while the full model ranks the skeletons differently: more skeletons to price beat a longer search.
# Measured on the Yanhu cold-chain day at 30 s, seeds 0-11, one run after the other on the quiet
# machine (benchmarks/results/rounds-coldchain-one-round.txt, -two-rounds.txt): mean ¥9,096 with two
# rounds against ¥9,288 with one, worst ¥9,153 against ¥9,759.  Three rounds (a first trial, seeds 0-5)
# gave a mean of ¥9,079 against ¥9,007 for two.
RELAXED_ROUNDS = 2
RELAXED_ROUND_MIN_S = 5.0
# The smallest time limit PyVRP is started with (chosen by hand; not re-measured).
MIN_PYVRP_S = 0.01
# A time-bound PyVRP seed of the portfolio stops once this many iterations in a row found nothing better:
# PYVRP_STALL_MIN + PYVRP_STALL_PER_ORDER_SQ x orders².  Measured (seeds 0 and 1, 5-20 s runs, the
# longest stretch of iterations between two improvements of the best): at most 38 on 25-customer Solomon
# subsets (c101, r101, rc201, r205) and 26 on the Yanhu day cut to 25 orders; 35-2,891 on the same Solomon
# instances at 100 customers and 134-605 on Yanhu at 100; 325-5,310 on Homberger 200 (R1_2_1, RC2_2_1,
# C1_2_1).  The stretches grow faster than the size; 200 + 0.3 n² (387 at 25, 3,200 at 100, 12,200 at
# 200) stays above every one measured, so a run that stops early ends where the full run would have, and
# small jobs answer in a fraction of their limit (a Yanhu iteration at 25 orders costs ~2 ms, a Solomon
# one ~0.15 ms).  Longer runs show longer stretches (X-n157-k13 at 20 s: more than 7,500, and a run that
# stopped there ended 0.22 % above the best-known value against 0.01 % for the full run), so a search
# also has to be quiet for twice as many iterations as it took to find its best
# (`logistics.engine.solvers.pyvrp.stop.Converged`): one that keeps improving runs on.
PYVRP_STALL_MIN = 200
PYVRP_STALL_PER_ORDER_SQ = 0.3
# OR-Tools' search after a PyVRP seed stops at its first solution found this long after its last
# improvement: POLISH_STALL_PER_ORDER_S per order, at least POLISH_STALL_MIN_S.  Measured on the Yanhu day
# cut to 25 and 100 orders (10 and 20 s limits): the 25-order polish improved last 0.05 s in; the
# 100-order one at 1.34, 1.41, 1.70 and 3.38 s, the longest wait 1.68 s (under the 2 s it gets).
# Time-bound runs only: runs bounded by ``iterations`` never stop on a stall, so they stay reproducible.
POLISH_STALL_MIN_S = 0.5
POLISH_STALL_PER_ORDER_S = 0.02

# Cooperative seeds (logistics.engine.solvers.pyvrp.coop): a run's (expected) iterations are cut into
# COOP_ROUNDS rounds, each starting every process from the best solution found so far; a round is never
# shorter than COOP_MIN_ROUND_ITERS_PER_ORDER iterations per order, so each search can leave its start.
# Measured against independent seeds at equal wall time: see docs/performance.md ("Cooperative seeds").
COOP_ROUNDS = 8
COOP_MIN_ROUND_ITERS_PER_ORDER = 5

# (end of engine section)


# --------------------------------------------------------------------------- engine: decomposition and parallel work

# Seconds a worker may overrun the caller's deadline before it is killed: enough to pickle and send back
# a finished result on a busy 2-core machine (measured: < 0.2 s for a 2,000-stop plan).
KILL_GRACE_S = 2.0

# Days of at most DECOMPOSE_FACTOR x max_part orders are always solved whole; larger days are solved whole
# or decomposed by their estimated build time (logistics.engine.solve.choose_policy).  Measured by
# benchmarks/bench_decompose.py (docs/performance.md): whole was better or level on every day whose model
# builds in a fraction of the limit (Homberger 400 and 1,000, Yanhu 400 and 1,000 at 60 s); at short limits
# the parts' own floor does not fit a day of this size either.
DECOMPOSE_FACTOR = 2
# Seconds to build the full OR-Tools model per cell of the transit matrices it registers
# (``build_cells``: nodes^2 x matrices).  Measured on a shared 2-core machine: 2.0e-8 (Yanhu 200 and
# 400 orders), 2.4e-8 (Yanhu 800), 2.9e-8 (Yanhu 1,000: 7.0 s for 2.4e8 cells), 3.0-3.3e-8 (hard days
# of 800 and 1,600 orders), 5.6e-8 (Yanhu 2,000 under load: 54 s for 9.6e8 cells); 7.8e-8 on Homberger
# 1,000 where a 0.35 s build is mostly per-vehicle setup.  Set to the upper envelope of the large days.
BUILD_S_PER_CELL = 5e-8
# A large day is solved whole by default when its estimated build fits in this share of the limit,
# else decomposed.  Measured (60 s, shared 2-core machine): Yanhu 1,000 (estimate 12 s = 0.2 of the
# limit) whole costs 25,749 with 996/1,000 served, decomposed 28,017 (+8.8 %) with 998; Homberger
# 1,000 (estimate 0.2 s) whole is 0.0-1.5 % above best-known, decomposed 34-56 %; Yanhu 2,000
# (estimate 48 s = 0.8) whole built for 54 s and served nothing, decomposed serves every order.
WHOLE_BUILD_SHARE = 0.25
# A build chosen by the estimate that is still running at this share of the limit is given up and the
# day decomposed with the time left (an estimate wrong on a slow or loaded machine must not leave the
# whole day unserved).  Chosen by hand: twice WHOLE_BUILD_SHARE, leaving half the limit to the parts.
WHOLE_BUILD_GIVEUP_SHARE = 0.5
# decompose=False is refused up front (ProblemError naming the limit) when the estimated build exceeds
# this share of the limit: the Yanhu 2,000 day at 60 s (estimate 0.8 of the limit) built for 54 s and
# then returned every order unserved.
WHOLE_REFUSE_SHARE = 0.5
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
# -- constructed first plans (logistics.engine.construct) -----------------------------------------
#: A search whose full OR-Tools model is estimated (``BUILD_S_PER_CELL``) to need more than this share of
#: its time plans with PyVRP's routes cut back by the earliest-start walk instead.  Measured on the
#: 5,000-stop Yanhu day at a 10 s limit: hub parts had 0.3-0.6 s each against a 0.7 s estimate (1.2-2.5 s
#: real on a busy machine) and left every order out.
CONSTRUCT_BUILD_SHARE = 0.5
#: A constructible search stops building the full model after this share of its time and constructs
#: with the rest (the estimate is made on a quiet machine; a busy one builds 2-4x slower).
CONSTRUCT_MODEL_SHARE = 0.6

# (end of decomposition section)


# --------------------------------------------------------------------------- planners: tiers, 2E-VRP, carriers

# The three-tier planner (logistics.planners.tiers).  Its phases take ``share`` of the whole limit
# but leave ``keep`` of the whole limit for the phases after them; no phase gets less than
# TIERS_PHASE_FLOOR_S.  All chosen by hand on the demo network and the 2E-CVRP sets; not re-measured.

#: Shortest phase or sub-solve the tier planner hands out (s): below it OR-Tools rarely finds a first
#: solution for a station.  Chosen by hand; not re-measured.
TIERS_PHASE_FLOOR_S = 0.2
#: Kept back from every phase for assembling the tiered plan at the end: ``min(TIERS_ASSEMBLE_SHARE x
#: limit, TIERS_ASSEMBLE_S)``.  Measured on the demo network (3 stations, 17 villages): ~0.15 s after the
#: last solve on a shared 2-core machine.
TIERS_ASSEMBLE_S = 0.15
TIERS_ASSEMBLE_SHARE = 0.1
#: A leg's plan is re-timed after its solve: taken off the batch's time per leg.  Measured: 0.04 s
#: per leg on the demo network (9 legs, 0.39 s under a profiler), a shared 2-core machine.
TIERS_RETIME_PER_LEG_S = 0.04
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
#: Re-balancing ends after this many trials in a row were rejected: the trials come most promising
#: first, and the rest rarely pay.  Measured on the three-tier day (60 s limit, benchmarks/bench_rebalance.py;
#: days 0-5 with solver seed 0, and day 0 with seeds 1-2: 8 runs of 36-63 trials): every kept move came at trial
#: 0-19, the longest run of rejections before a kept move was 17, and the trials after the last kept
#: move took 9-17 s of the 23-30 s a run took.  With 24: the same 8 plans, 25.6 -> 20.0 s on average;
#: on days 6-9, held out, the same 4 plans (a run of 19 rejections before a kept move), 25.8 -> 22.2 s.
TIERS_STALL_TRIALS = 24
#: ``size_limit``: enough search for a sub-problem of this many orders (small sub-problems converge
#: in well under a second), at least SIZE_LIMIT_FLOOR_S.  Chosen by hand; not re-measured.
SIZE_LIMIT_PER_ORDER_S = 0.06
SIZE_LIMIT_FLOOR_S = 1.0
#: The least a failed engine's OR-Tools retry gets in ``solve_many`` (s).  (Problems of a batch get at
#: least ``MIN_SEARCH_S``, so that the batch keeps its limit.)  Chosen by hand; not re-measured.
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
#: Share of the time limit for the freighter-split starts (one multi-depot solve per split of the
#: freighters over the satellites, ``freighter_splits``).  Chosen by hand on Set2a/Set3 E-n22 (a
#: split solve converges in under 1 s there); with it the 9 instances with a sourced optimum reach it
#: at 60 s (``benchmarks/results/2evrp-compare-60s.txt``).  Other shares not measured.
SPLIT_SHARE = 0.5
#: Part of the split starts' time spent ranking every split by a short solve; the rest re-solves
#: the ``SPLIT_FINALISTS`` best.  Chosen by hand.
SPLIT_SCREEN_SHARE = 0.3
#: Iterations of the short solve that ranks a split (in one process: the portfolio's process start
#: costs ~0.6 s).  500 take 0.3 s on Set2a E-n22 and 0.5 s on Set2b E-n51 (idle 2-core machine) and
#: rank 2+2 first on Set2a_E-n22-k4-s12-16, as 1 s solves do.  Chosen by hand.
SPLIT_SCREEN_ITERATIONS = 500
#: Time cap (s) of one ranking solve when its share of the time is smaller: the iterations, not the
#: clock, should end it (a 0.2 s cap cut the 2+2 split of Set2a_E-n22-k4-s12-16 short and ranked it
#: out).  Chosen by hand.
SPLIT_SCREEN_CAP_S = 1.0
#: Least time (s) one multi-depot solve of a split gets.  Chosen by hand.
SPLIT_FLOOR_S = 0.2
#: Most freighter splits solved as multi-depot problems (the ones closest to the nearest-satellite
#: counts); 5-6 splits cover every split of the 2-satellite Set2/Set3 instances.  Chosen by hand.
MAX_SPLITS = 8
#: Splits (cheapest by their estimated cost) planned in full by the tiered planner.  Chosen by hand.
SPLIT_FINALISTS = 2
#: Instances with more satellites than this get no split starts (the splits grow as
#: ``C(freighters + satellites, satellites)``).  Chosen by hand.
MAX_SPLIT_SATELLITES = 5

# Carriers' shared runs (logistics.planners.carriers)

#: Share of the comparison's time limit for each of its two scenarios (separate, shared): split
#: evenly so neither scenario wins on search time.
CARRIER_SCENARIO_SHARE = 0.5

# (end of planners section)


# --------------------------------------------------------------------------- formats and app: jobs, batches, VROOM


# (end of app section)
