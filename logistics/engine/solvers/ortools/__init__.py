"""The OR-Tools engine: the full routing model and its searches.

* `costs`: the linear objective in integer cost units (shared with PyVRP).
* `model`: `OrtoolsModel`, every constraint of the problem.
* `search`: searching the model from scratch, or polishing a seed.
* `seed`: reading a seed into the model, repairing it when the model refuses it.
"""

from logistics.engine.solvers.ortools.costs import CostArrays, cost_arrays
from logistics.engine.solvers.ortools.model import OrtoolsModel
from logistics.engine.solvers.ortools.search import OrtoolsResult, polish, search
from logistics.engine.solvers.ortools.seed import load_seed

__all__ = ["CostArrays", "OrtoolsModel", "OrtoolsResult", "cost_arrays", "load_seed", "polish", "search"]
