"""Search engines.  Each turns a :class:`~logistics.engine.solvers.arrays.SolverData` into routes.

* :mod:`~logistics.engine.solvers.arrays`: the problem as numpy arrays, shared by both engines.
* :mod:`~logistics.engine.solvers.ortools`: the full OR-Tools model (``costs``, ``model``) and its
  searches (``search``: from scratch, or polishing a seed).
* :mod:`~logistics.engine.solvers.pyvrp`: PyVRP's model of the problem (``model``), one seed's run
  (``search``, light enough for a worker interpreter) and the seed portfolio (``portfolio``).
"""
