"""The single-tier demo day is planned in full within its limit on a busy machine.

``yanhu_demo(0)`` with ``demo_options(0)`` (10 s; the examples plan it, ``coldroute demo`` plans the
three-tier day, see test_tier_day.py).  On a 2-core
machine it once left a required order unserved in 1 of 3 runs: the day was tight (produce
filled the hub reefers' chilled space) and routes could outlast a shelf life that the quick
PyVRP skeleton ignores, so the outcome hung on how much search a run got.  These tests keep the
day comfortably feasible and run it under the demo's settings beside a process that keeps a core
busy.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from logistics import solve, validate
from logistics.app.scenarios import DEMO_DUTY_H, DEMO_TIME_LIMIT, demo_options, yanhu_demo
from logistics.core.units import Zone


@pytest.fixture
def busy_core():
    """A process that spins on one core for as long as the test runs."""
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait(timeout=10)


@pytest.mark.parametrize("seed", [0, 3, 7])
def test_demo_day_leaves_room(seed):
    """What makes the day feasible whatever the search's luck, checked on the data (fast)."""
    p = yanhu_demo(seed)
    hub = [vt for vt in p.fleet if vt.start_depot == "hub"]
    assert all(vt.max_duration is not None and vt.max_duration <= DEMO_DUTY_H * 3600 for vt in p.fleet)
    # no route outlasts a shelf life of anything a hub reefer carries
    lives = [pr.shelf_life_h for pr in p.products.values() if pr.shelf_life_h is not None]
    assert min(lives) >= DEMO_DUTY_H
    # produce coming up fills at most three quarters of the hub reefers' chilled space (it goes in
    # as the groceries come out, which take less than half of it)
    chilled = sum(c.capacity * vt.count for vt in hub for c in vt.compartments if c.zone is Zone.CHILLED)

    def cold(kind):
        return sum(
            q
            for o in p.orders
            if o.kind == kind
            for name, q in o.quantities.items()
            if p.products[name].zone in (Zone.CHILLED, Zone.FRESH)
        )

    assert cold("pickup") <= 0.75 * chilled and cold("delivery") <= 0.5 * chilled, (cold("pickup"), chilled)


@pytest.mark.parametrize("seed", [1, pytest.param(0, marks=pytest.mark.slow), pytest.param(2, marks=pytest.mark.slow)])
def test_demo_serves_every_required_order_on_a_busy_machine(busy_core, seed):
    """The demo's problem under the demo's settings, one core kept busy (seed 1 left orders out before)."""
    problem = yanhu_demo(0)
    required = {o.id for o in problem.orders if o.required}
    assert busy_core.poll() is None  # the competing process is still running
    opts = demo_options(seed)
    assert opts.time_limit == DEMO_TIME_LIMIT and opts.engine == "auto" and opts.iterations is None
    t0 = time.perf_counter()
    plan = solve(problem, options=opts)
    elapsed = time.perf_counter() - t0
    left_out = sorted(set(plan.unserved["order_id"]) & required)
    assert left_out == [], f"seed {seed}: required orders unserved: {left_out}\n{plan.unserved.to_string()}"
    assert validate(problem, plan) == []
    # the search's own budget fits the limit; the wall clock is asserted only where timing is trusted
    assert plan.meta["search_limit_s"] <= DEMO_TIME_LIMIT, plan.meta
    if os.environ.get("COLDROUTE_TIMING") == "1":
        assert elapsed <= DEMO_TIME_LIMIT + 1.5, f"seed {seed}: {elapsed:.1f} s against {DEMO_TIME_LIMIT} s"
