"""Search engines.  Each turns a `SolverData` into routes.

* `arrays`: the problem as numpy arrays, shared by both engines.
* `ortools`: the full OR-Tools model (``costs``, ``model``) and its
  searches (``search``: from scratch, or polishing a seed).
* `pyvrp`: PyVRP's model of the problem (``model``), one seed's run
  (``search``, light enough for a worker interpreter) and the seed portfolio (``portfolio``).
"""
