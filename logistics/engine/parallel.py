"""One way to run work in other processes: fresh interpreters fed pickled tasks.

Decomposition, the three-tier planner, local batches and the PyVRP portfolio all run their
parallel work through [run_tasks][logistics.engine.parallel.run_tasks], so they share one start-method rule:

* **Fresh interpreters, never ``fork``.**  A forked child inherits OR-Tools' and Dask's threads
  and locks mid-flight; a fresh interpreter starts clean.
* **Never ``spawn``'s re-import of ``__main__``.**  multiprocessing's spawn and forkserver import
  the caller's main module again in each child, which runs an unguarded script's top level a
  second time.  Our workers import only the module that defines the task's function.
* **A deadline that holds.**  A worker still busy past the deadline (plus a grace period) is
  killed and its task reported as [TaskFailed][logistics.engine.parallel.TaskFailed]; the caller never waits on it.
* **Prints cannot corrupt results.**  A worker replies on its own copy of stdout; whatever a
  task prints goes to stderr (see `logistics.engine.worker`).

Tasks are ``(function, args)`` pairs; the function must be importable by module and name (a
top-level function of a module on the caller's ``sys.path``), and its arguments and result
picklable.
"""

from __future__ import annotations

import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logistics.core.shares import KILL_GRACE_S

__all__ = ["KILL_GRACE_S", "TaskFailed", "WorkerPool", "run_tasks", "worker_count"]

_HEADER = struct.Struct("<Q")
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def _worker_code(preload: tuple[str, ...] = ()) -> str:
    """The worker's ``-c`` program: this package first, then the caller's ``sys.path`` as it is now.

    ``-I`` keeps the environment (PYTHONPATH, user site) from changing what the worker imports;
    the caller's path is handed over instead, so a task defined in a module the caller imported
    from its own folder (a benchmark, a test) is found by the same name.  ``__main__`` is never
    imported, whatever the path says.  ``preload`` modules are imported before the first task arrives.
    """
    for name in preload:
        if not all(part.isidentifier() for part in name.split(".")):
            raise ValueError(f"not a module name: {name!r}")
    path = [_PACKAGE_ROOT] + [p for p in sys.path if p and p != _PACKAGE_ROOT]
    imports = "".join(f"import {name}; " for name in preload)
    return f"import sys; sys.path[:0] = {path!r}; {imports}from logistics.engine.worker import serve; serve()"


@dataclass(frozen=True)
class TaskFailed:
    """A task that did not return: it raised, its worker died, or it ran past the deadline.

    Parameters
    ----------
    reason
        What happened, in words (``"TypeError: ..."``, ``"timed out"``, ``"worker died"``).
    error
        The exception the task raised, when it could be sent back.
    """

    reason: str
    error: BaseException | None = None


def worker_count(workers: int | None, tasks: int) -> int:
    """How many processes to use: ``workers`` (default: every core), never more than tasks.

    Parameters
    ----------
    workers
        The caller's choice, or None for every core.
    tasks
        Tasks to run: more processes than tasks would only cost interpreter starts.

    Returns
    -------
    int
        At least 1.
    """
    if workers is None:
        workers = os.cpu_count() or 1
    return max(1, min(int(workers), tasks))


def run_tasks(
    fn: Callable[..., Any],
    args: Sequence[tuple[Any, ...]],
    *,
    workers: int | None = None,
    deadline: float | None = None,
    grace: float = KILL_GRACE_S,
    local_first: bool = False,
    raise_errors: bool = True,
    on_result: Callable[[int, Any], None] | None = None,
    pool: WorkerPool | None = None,
) -> list[Any]:
    """Call ``fn(*a)`` for each ``a`` in ``args``, in parallel processes; results in input order.

    Parameters
    ----------
    fn
        A top-level function of an importable module.
    args
        One argument tuple per task.
    workers
        Processes in all (this one included when ``local_first``); ``None`` uses every core.
        With one worker, or one task, everything runs in this process.
    deadline
        ``time.monotonic()`` value after which (plus ``grace``) unfinished tasks are killed and
        reported as [TaskFailed][logistics.engine.parallel.TaskFailed] (``reason="timed out"``); None waits for
        every task.
    grace
        Seconds a worker may overrun ``deadline``: long enough to send back a result that was
        finishing ([KILL_GRACE_S][logistics.engine.parallel.KILL_GRACE_S]), shorter where the caller's time limit
        matters more than the last result (the PyVRP portfolio).
    local_first
        Run the first task in this process while the others run in workers (the PyVRP
        portfolio's own seed); saves starting one interpreter.
    raise_errors
        Re-raise the first task's exception in input order (as a plain call would); with
        ``False`` failures come back as [TaskFailed][logistics.engine.parallel.TaskFailed] in the result list.
    on_result
        Called as ``on_result(index, result)`` in this process as each task finishes.
    pool
        Warm workers to use (and leave running) instead of starting and stopping fresh ones.

    Returns
    -------
    list
        One result (or [TaskFailed][logistics.engine.parallel.TaskFailed]) per task, in the order of ``args``.
    """
    n = len(args)
    results: list[Any] = [None] * n
    w = worker_count(workers, n)
    if w <= 1 or n <= 1:
        for i, a in enumerate(args):
            results[i] = _call_here(fn, a, raise_errors)
            if on_result is not None:
                on_result(i, results[i])
        return results
    remote = list(range(1, n) if local_first else range(n))
    own = pool is None
    workers_pool = WorkerPool(w) if pool is None else pool
    dispatch = _Dispatch(workers_pool.take(min(len(remote), w - 1 if local_first else w)), deadline, grace)
    done: queue.Queue[tuple[int, Any]] = queue.Queue()
    dispatch.start(fn, args, remote, done)
    pending = set(remote)
    if local_first:
        results[0] = _call_here(fn, args[0], raise_errors=False)
        if on_result is not None:
            on_result(0, results[0])
    try:
        while pending:
            i, value = done.get()
            pending.discard(i)
            results[i] = value
            if on_result is not None:
                on_result(i, value)
    finally:
        if pending:  # interrupted: the workers may be mid-task; stop them so their threads end
            for proc in dispatch.procs:
                proc.kill()
        dispatch.wait()
        if own:
            # every task has answered: the caller need not wait for the workers' interpreters to
            # wind down (0.4-0.8 s on a busy machine, inside the caller's time limit)
            workers_pool.close(wait=False)
    if raise_errors:
        for r in results:
            if isinstance(r, TaskFailed):
                raise r.error if r.error is not None else RuntimeError(f"parallel task failed: {r.reason}")
    return results


def _call_here(fn: Callable[..., Any], a: tuple[Any, ...], raise_errors: bool) -> Any:
    if raise_errors:
        return fn(*a)
    try:
        return fn(*a)
    except Exception as e:
        return TaskFailed(f"{type(e).__name__}: {e}", e)


class WorkerPool:
    """Worker interpreters kept warm across calls of [`run_tasks`][logistics.engine.parallel.run_tasks].

    A fresh interpreter costs about a second to start and import the solver (measured on a busy
    2-core machine); a planner that runs several rounds of parallel solves (the three-tier planner's
    phases) passes one pool to each round instead of paying that start every time.  Use it as a
    context manager; workers start on first use, and a worker killed at a deadline is replaced.

    Parameters
    ----------
    workers
        Worker processes at most; ``None`` uses every core.
    preload
        Modules each worker imports as soon as it starts, before its first task: a caller that
        starts the pool (`take`) before preparing its tasks has the workers' imports (~1 s on a busy
        machine) run meanwhile instead of after (a decomposed day splits itself into parts then).
    """

    def __init__(self, workers: int | None = None, preload: tuple[str, ...] = ()):
        self.size = max(1, int(workers) if workers is not None else (os.cpu_count() or 1))
        self.preload = tuple(preload)
        _worker_code(self.preload)  # a bad module name fails here, not in a worker
        self._procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def live(self) -> int:
        """Workers running now (a warm pool starts nothing on its next call).

        Returns
        -------
        int
            Live worker processes.
        """
        return sum(1 for p in self._procs if p.poll() is None)

    def take(self, n: int) -> list[subprocess.Popen[bytes]]:
        """Up to ``n`` live workers (never more than the pool's size), starting or replacing as needed.

        Parameters
        ----------
        n
            Workers the caller can use now.

        Returns
        -------
        list of subprocess.Popen
            Live workers, at least one unless no process could be started.
        """
        self._procs = [p for p in self._procs if p.poll() is None]
        want = min(max(1, n), self.size)
        while len(self._procs) < want:
            try:
                self._procs.append(_start_worker(_worker_code(self.preload)))
            except OSError:  # no process to be had: run with the workers there are
                break
        return self._procs[:want]

    def close(self, wait: bool = True) -> None:
        """Stop every worker (a zero-length task tells each to exit; stragglers are killed).

        Parameters
        ----------
        wait
            Wait for the workers to exit; False leaves that (and killing stragglers) to a
            background thread, so an idle pool costs its caller nothing to close.
        """
        if wait:
            _stop(self._procs)
        else:
            _tell_stop(self._procs)
            threading.Thread(target=_reap, args=(self._procs,), daemon=True).start()
        self._procs = []


def _start_worker(code: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-I", "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    _tell_stop(procs)
    _reap(procs)


def _tell_stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """Send each worker the zero-length task that ends its loop, and close its input."""
    for proc in procs:
        try:
            if proc.stdin is not None:
                proc.stdin.write(_HEADER.pack(0))
                proc.stdin.close()
        except OSError:
            pass


def _reap(procs: list[subprocess.Popen[bytes]]) -> None:
    """Wait for told workers to exit (killing those that take longer than ``KILL_GRACE_S``)."""
    for proc in procs:
        try:
            proc.wait(timeout=KILL_GRACE_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


class _Dispatch:
    """One call's tasks fed to workers, one at a time each, by a thread of this process per worker."""

    def __init__(self, procs: list[subprocess.Popen[bytes]], deadline: float | None, grace: float = KILL_GRACE_S):
        self.procs = procs
        self.deadline = deadline
        self.grace = grace
        self.threads: list[threading.Thread] = []

    def start(
        self,
        fn: Callable[..., Any],
        args: Sequence[tuple[Any, ...]],
        indices: list[int],
        done: queue.Queue[tuple[int, Any]],
    ) -> None:
        todo: queue.Queue[int] = queue.Queue()
        for i in indices:
            todo.put(i)
        for proc in self.procs:
            t = threading.Thread(target=self._feed, args=(proc, fn, args, todo, done), daemon=True)
            t.start()
            self.threads.append(t)
        if not self.procs:
            self._drain(todo, done, TaskFailed("no worker process could be started"))

    def wait(self) -> None:
        for t in self.threads:
            t.join()

    @staticmethod
    def _drain(todo: queue.Queue[int], done: queue.Queue[tuple[int, Any]], failure: TaskFailed) -> None:
        while True:
            try:
                done.put((todo.get_nowait(), failure))
            except queue.Empty:
                return

    def _feed(
        self,
        proc: subprocess.Popen[bytes],
        fn: Callable[..., Any],
        args: Sequence[tuple[Any, ...]],
        todo: queue.Queue[int],
        done: queue.Queue[tuple[int, Any]],
    ) -> None:
        assert proc.stdin is not None and proc.stdout is not None
        timer = None
        if self.deadline is not None:
            timer = threading.Timer(max(0.0, self.deadline + self.grace - time.monotonic()), proc.kill)
            timer.daemon = True
            timer.start()
        try:
            while True:
                try:
                    i = todo.get_nowait()
                except queue.Empty:
                    break
                try:
                    blob = pickle.dumps((fn, args[i]), protocol=pickle.HIGHEST_PROTOCOL)
                except Exception as e:  # this task cannot travel; the worker is fine for the next one
                    done.put((i, TaskFailed(f"task could not be pickled: {type(e).__name__}: {e}", e)))
                    continue
                try:
                    proc.stdin.write(_HEADER.pack(len(blob)) + blob)
                    proc.stdin.flush()
                    status, value = _read_message(proc.stdout)
                except Exception as e:
                    proc.kill()  # dead or killed at the deadline: reap it, so a pool never hands it out again
                    proc.wait()
                    late = self.deadline is not None and time.monotonic() >= self.deadline
                    done.put((i, TaskFailed("timed out" if late else f"worker died ({type(e).__name__})")))
                    self._drain(todo, done, TaskFailed("timed out" if late else "worker died"))
                    return
                done.put((i, value if status == "ok" else TaskFailed(f"{type(value).__name__}: {value}", value)))
        finally:
            if timer is not None:
                timer.cancel()


def _read_message(stream: Any) -> tuple[str, Any]:
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError("worker closed its pipe")
    (size,) = _HEADER.unpack(head)
    body = stream.read(size)
    if len(body) < size:
        raise EOFError("worker closed its pipe")
    status, value = pickle.loads(body)
    return str(status), value
