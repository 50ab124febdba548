"""`Converged`: a search stops after its span of quiet iterations, and not before it has been quiet twice as long
as it searched."""

from __future__ import annotations

from logistics.engine.solvers.pyvrp.stop import Converged


def iterations_until_stop(stop: Converged, costs: list[float], tail: float) -> int:
    """Feed ``costs`` and then ``tail`` forever; the iteration at which ``stop`` says stop."""
    for k, c in enumerate(costs, 1):
        if stop(c):
            return k
    k = len(costs)
    while True:
        k += 1
        if stop(tail):
            return k


def test_a_search_that_found_its_best_early_stops_after_the_span():
    # best found at iteration 3: quiet for the span of 10 ends it at 13
    assert iterations_until_stop(Converged(10), [9.0, 8.0, 7.0], 7.0) == 13


def test_a_search_that_improved_late_runs_twice_as_long_again():
    # best found at iteration 100 (a span of 10 would stop it at 110): it runs to 300
    costs = [1000.0 - k for k in range(100)]
    assert iterations_until_stop(Converged(10), costs, costs[-1]) == 300


def test_no_improvement_is_not_an_improvement():
    # equal costs do not count as better: the best was found at iteration 1
    assert iterations_until_stop(Converged(5), [4.0, 4.0, 4.0], 4.0) == 6
