"""The OR-Tools engine: the full routing model and its searches.

* `costs`: the linear objective in integer cost units (shared with PyVRP).
* `model`: `OrtoolsModel`, every constraint of the problem.
* `search`: searching the model from scratch, or reading, repairing and polishing a seed.
"""

from logistics.engine.solvers.ortools.costs import CostArrays, cost_arrays
from logistics.engine.solvers.ortools.model import OrtoolsModel
from logistics.engine.solvers.ortools.search import OrtoolsResult, load_seed, polish, search

__all__ = ["CostArrays", "OrtoolsModel", "OrtoolsResult", "cost_arrays", "load_seed", "polish", "search"]
