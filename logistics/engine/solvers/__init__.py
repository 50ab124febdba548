"""Search engines.  Each turns a :class:`~logistics.solvers.arrays.SolverData` into routes."""
