"""Former home of the PyVRP engine, now `logistics.engine.solvers.pyvrp`; names kept for old imports.

Import from `model`, `search`
or `portfolio` instead; this module will go once nothing uses it.
"""

from logistics.engine.solvers.pyvrp.model import _costs, build_instance
from logistics.engine.solvers.pyvrp.portfolio import (
    history_for,
    models_exactly,
    solve_pyvrp,
    solve_pyvrp_parallel,
    solve_pyvrp_portfolio,
)
from logistics.engine.solvers.pyvrp.search import EngineResult, PyVRPInstance, run_instance

__all__ = [
    "EngineResult",
    "PyVRPInstance",
    "_costs",
    "build_instance",
    "history_for",
    "models_exactly",
    "run_instance",
    "solve_pyvrp",
    "solve_pyvrp_parallel",
    "solve_pyvrp_portfolio",
]
