"""When a time-bound PyVRP search has converged: a stopping criterion in PyVRP's ``stop`` protocol."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Converged"]


@dataclass
class Converged:
    """Stop once the best solution has not improved for ``span`` iterations and for twice as long as it took to find it.

    A fixed span of iterations without improvement (PyVRP's ``NoImprovement``) ends a 25-order
    job in a tenth of a second, as it should, but also cuts short a 150-400-customer search whose
    improvements still come, more rarely, late in its limit: measured at 20 s on CVRPLIB
    X-n157-k13, a run stopped after 7,500 quiet iterations (7 s) ended 0.22 % above the best-known
    value where the full run reached 0.01 %, and one stopped after a quiet stretch as long as the
    search before it (14 s) still at 0.18 %.  Requiring the quiet stretch to be twice as long as
    the search before it as well lets a search that keeps improving run on, while one that found
    its best early (a small job) still stops after ``span``.

    Parameters
    ----------
    span
        The shortest quiet stretch that ends the search, in iterations
        (`logistics.engine.solvers.pyvrp.portfolio.stall_iterations`).
    """

    span: int
    _best: float | None = None
    _iterations: int = 0
    _found_at: int = 0

    def __call__(self, best_cost: float) -> bool:
        """Count one iteration with PyVRP's best cost so far; True when the search should stop.

        Parameters
        ----------
        best_cost
            The cost of the best solution so far (PyVRP passes it every iteration).

        Returns
        -------
        bool
        """
        self._iterations += 1
        if self._best is None or best_cost < self._best:
            self._best, self._found_at = best_cost, self._iterations
        return self._iterations - self._found_at >= max(self.span, 2 * self._found_at)
