"""``run_tasks``: results in input order, errors re-raised or reported, deadlines that hold, clean replies."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from logistics.engine.parallel import TaskFailed, WorkerPool, run_tasks, worker_count

sys.path.insert(0, str(Path(__file__).resolve().parent))
import parallel_tasks as T


def test_worker_count_never_exceeds_tasks():
    assert worker_count(8, 3) == 3
    assert worker_count(None, 1) == 1
    assert worker_count(1, 0) == 1


def test_results_come_back_in_input_order_from_other_processes():
    args = [(i,) for i in range(7)]
    assert run_tasks(T.square, args, workers=2) == [i * i for i in range(7)]
    pids = run_tasks(T.pid_of, [(i,) for i in range(4)], workers=2)
    assert os.getpid() not in pids  # every task ran in a worker


def test_local_first_runs_the_first_task_here():
    pids = run_tasks(T.pid_of, [(0,), (1,), (2,)], workers=2, local_first=True)
    assert pids[0] == os.getpid()
    assert pids[1] != os.getpid() and pids[2] != os.getpid()


def test_a_task_error_is_reraised_as_itself():
    with pytest.raises(ValueError, match="bad value 2"):
        run_tasks(T.fail_on, [(i, 2) for i in range(4)], workers=2)


def test_errors_reported_not_raised_when_asked():
    out = run_tasks(T.fail_on, [(i, 2) for i in range(4)], workers=2, raise_errors=False)
    assert out[0] == 0 and out[1] == 1 and out[3] == 3
    assert isinstance(out[2], TaskFailed) and isinstance(out[2].error, ValueError)
    assert "bad value 2" in out[2].reason


def test_a_task_past_the_deadline_is_killed_and_reported():
    t0 = time.monotonic()
    out = run_tasks(
        T.sleep_then,
        [(0, 0.0), (1, 60.0)],
        workers=2,
        deadline=t0 + 0.5,
        grace=0.5,
        raise_errors=False,
    )
    elapsed = time.monotonic() - t0
    assert out[0] == 0
    assert isinstance(out[1], TaskFailed) and out[1].reason == "timed out"
    assert elapsed < 30  # killed, not waited for (60 s); generous for a loaded machine


def test_a_local_first_task_keeps_running_while_a_worker_is_killed():
    out = run_tasks(
        T.sleep_then,
        [(0, 0.2), (1, 60.0)],
        workers=2,
        deadline=time.monotonic() + 0.3,
        grace=0.3,
        local_first=True,
        raise_errors=False,
    )
    assert out[0] == 0 and isinstance(out[1], TaskFailed)


def test_prints_in_tasks_do_not_corrupt_results():
    assert run_tasks(T.noisy, [(i,) for i in range(4)], workers=2) == [1, 2, 3, 4]


def test_one_worker_runs_everything_here_in_order():
    seen = []
    out = run_tasks(T.square, [(3,), (4,)], workers=1, on_result=lambda i, r: seen.append((i, r)))
    assert out == [9, 16] and seen == [(0, 9), (1, 16)]


def test_on_result_hears_every_task_once():
    seen = []
    run_tasks(T.square, [(i,) for i in range(5)], workers=2, on_result=lambda i, r: seen.append((i, r)))
    assert sorted(seen) == [(i, i * i) for i in range(5)]


def test_an_unpicklable_task_fails_alone():
    out = run_tasks(T.square, [(1,), (lambda: 0,), (3,)], workers=2, raise_errors=False)
    assert out[0] == 1 and out[2] == 9
    assert isinstance(out[1], TaskFailed) and "pickled" in out[1].reason


def test_a_pool_keeps_its_workers_warm_across_calls():
    with WorkerPool(2) as pool:
        first = run_tasks(T.pid_of, [(i,) for i in range(4)], workers=2, pool=pool)
        assert pool.live() == 2  # both started, whichever did the work
        second = run_tasks(T.pid_of, [(i,) for i in range(4)], workers=2, pool=pool)
        assert set(second) <= set(first) and len(set(first)) <= 2 and os.getpid() not in first + second
    assert pool.live() == 0


def test_a_pool_replaces_a_worker_killed_at_the_deadline():
    with WorkerPool(2) as pool:
        before = set(run_tasks(T.pid_after, [(0.3,), (0.3,)], workers=2, pool=pool))
        out = run_tasks(
            T.sleep_then,
            [(0, 0.0), (1, 60.0)],
            workers=2,
            pool=pool,
            deadline=time.monotonic() + 0.3,
            grace=0.2,
            raise_errors=False,
        )
        assert out[0] == 0 and isinstance(out[1], TaskFailed) and out[1].reason == "timed out"
        after = set(run_tasks(T.pid_after, [(0.3,), (0.3,)], workers=2, pool=pool))
        assert len(after) == 2 and len(after & before) == 1  # one survivor, one replacement


def test_a_pool_gives_the_same_results_as_fresh_workers():
    args = [(i, 3) for i in range(6)]
    fresh = run_tasks(T.fail_on, args, workers=2, raise_errors=False)
    with WorkerPool(2) as pool:
        warm = run_tasks(T.fail_on, args, workers=2, raise_errors=False, pool=pool)
    assert [r if not isinstance(r, TaskFailed) else r.reason for r in fresh] == [
        r if not isinstance(r, TaskFailed) else r.reason for r in warm
    ]
    assert isinstance(warm[3], TaskFailed) and "bad value 3" in warm[3].reason
