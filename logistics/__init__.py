"""The work: what must be moved, by what, and the plan that does it."""
from .coldchain import CostModel
from .errors import ProblemError, SolverError
from .model import (GOODS, Compartment, Order, Problem, Product, VehicleType, Zone, fmt_clock,
                    orders_from_frame, parse_clock)
from .validate import Violation, validate
from .instances import read_instance

__all__ = [
    "Compartment", "CostModel", "GOODS", "Order", "Problem", "ProblemError", "Product", "SolverError",
    "VehicleType", "Zone", "fmt_clock", "orders_from_frame", "parse_clock",
]
from .plan import Plan  # noqa: E402
from .solve import solve  # noqa: E402

__all__ += ["Plan", "solve"]
from .scenarios import yanhu_demo  # noqa: E402

__all__ += ["yanhu_demo"]
from .tiers import TieredPlan, plan_tiers  # noqa: E402

__all__ += ["TieredPlan", "plan_tiers"]
from .compare import compare  # noqa: E402

__all__ += ["compare"]
