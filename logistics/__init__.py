"""The work: what must be moved, by what, and the plan that does it.

The package is a house with floors; each imports only the floors below it (checked by the
import contract in ``pyproject.toml``)::

    app        command line, running jobs and writing outputs, batches, comparisons, demo scenarios
    planners   three tiers, two-echelon VRP, carriers' shared runs, coverage, re-planning, week plans
    formats    classic instances, VROOM, 2E ``.dat`` and job files  |  check: the independent validators
    engine     solve, decomposition, parallel execution, plan building, the OR-Tools and PyVRP solvers
    core       units, the problem model, cost model, Plan, errors, options
    networks   (a package of its own) places, roads and travel matrices

This module re-exports the public API, so ``import logistics`` is all a user needs.  Names load on
first use (PEP 562), so ``import logistics`` stays fast and a worker process that needs one
module imports only that module's floor.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from logistics.app.compare import compare
    from logistics.app.run import run_job
    from logistics.app.scenarios import yanhu_day, yanhu_demo, yanhu_tier_day
    from logistics.app.vroom import solve_vroom
    from logistics.check.tiers import validate_tiers
    from logistics.check.twoechelon import check_2evrp
    from logistics.check.validator import Violation, assert_valid, validate
    from logistics.core.costs import CostModel
    from logistics.core.errors import ProblemError, SolverError
    from logistics.core.model import GOODS, Compartment, Order, Product, VehicleType
    from logistics.core.options import Budget, SolveOptions
    from logistics.core.plan import Plan
    from logistics.core.problem import Problem, orders_from_frame
    from logistics.core.units import Zone, fmt_clock, parse_clock
    from logistics.engine.solve import solve
    from logistics.formats.instances import read_instance
    from logistics.formats.jobfile import load_job, read_job
    from logistics.formats.twoechelon import read_2evrp
    from logistics.formats.vroom import plan_to_vroom, read_vroom
    from logistics.planners.carriers import compare_carrier_sharing
    from logistics.planners.coverage import coverage
    from logistics.planners.replan import Replan, replan
    from logistics.planners.tiers import TieredPlan, TierScenario, TierSettings, plan_scenario, plan_tiers
    from logistics.planners.twoechelon import solve_2evrp
    from logistics.planners.week import ServiceRule, WeekPlan, plan_week

#: Where each public name lives.
_API = {
    "CostModel": "logistics.core.costs",
    "ProblemError": "logistics.core.errors",
    "SolverError": "logistics.core.errors",
    "GOODS": "logistics.core.model",
    "Compartment": "logistics.core.model",
    "Order": "logistics.core.model",
    "Product": "logistics.core.model",
    "VehicleType": "logistics.core.model",
    "Budget": "logistics.core.options",
    "SolveOptions": "logistics.core.options",
    "Plan": "logistics.core.plan",
    "Problem": "logistics.core.problem",
    "orders_from_frame": "logistics.core.problem",
    "Zone": "logistics.core.units",
    "fmt_clock": "logistics.core.units",
    "parse_clock": "logistics.core.units",
    "solve": "logistics.engine.solve",
    "Violation": "logistics.check.validator",
    "assert_valid": "logistics.check.validator",
    "validate": "logistics.check.validator",
    "validate_tiers": "logistics.check.tiers",
    "check_2evrp": "logistics.check.twoechelon",
    "read_instance": "logistics.formats.instances",
    "load_job": "logistics.formats.jobfile",
    "read_job": "logistics.formats.jobfile",
    "read_2evrp": "logistics.formats.twoechelon",
    "plan_to_vroom": "logistics.formats.vroom",
    "read_vroom": "logistics.formats.vroom",
    "compare_carrier_sharing": "logistics.planners.carriers",
    "coverage": "logistics.planners.coverage",
    "Replan": "logistics.planners.replan",
    "replan": "logistics.planners.replan",
    "ServiceRule": "logistics.planners.week",
    "WeekPlan": "logistics.planners.week",
    "plan_week": "logistics.planners.week",
    "TieredPlan": "logistics.planners.tiers",
    "plan_tiers": "logistics.planners.tiers",
    "plan_scenario": "logistics.planners.tiers",
    "TierScenario": "logistics.planners.tiers",
    "TierSettings": "logistics.planners.tiers",
    "solve_2evrp": "logistics.planners.twoechelon",
    "compare": "logistics.app.compare",
    "run_job": "logistics.app.run",
    "yanhu_day": "logistics.app.scenarios",
    "yanhu_demo": "logistics.app.scenarios",
    "yanhu_tier_day": "logistics.app.scenarios",
    "solve_vroom": "logistics.app.vroom",
}

__all__ = [
    "GOODS",
    "Budget",
    "Compartment",
    "CostModel",
    "Order",
    "Plan",
    "Problem",
    "ProblemError",
    "Product",
    "Replan",
    "ServiceRule",
    "SolveOptions",
    "SolverError",
    "TierScenario",
    "TierSettings",
    "TieredPlan",
    "VehicleType",
    "Violation",
    "WeekPlan",
    "Zone",
    "assert_valid",
    "check_2evrp",
    "compare",
    "compare_carrier_sharing",
    "coverage",
    "fmt_clock",
    "load_job",
    "orders_from_frame",
    "parse_clock",
    "plan_scenario",
    "plan_tiers",
    "plan_to_vroom",
    "plan_week",
    "read_2evrp",
    "read_instance",
    "read_job",
    "read_vroom",
    "replan",
    "run_job",
    "solve",
    "solve_2evrp",
    "solve_vroom",
    "validate",
    "validate_tiers",
    "yanhu_day",
    "yanhu_demo",
    "yanhu_tier_day",
]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'logistics' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
