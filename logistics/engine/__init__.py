"""Search: solve a Problem into a Plan (decomposition, parallel execution, plan building, reasons).

``engine`` imports ``core`` and ``networks`` only; the solvers live in ``engine.solvers``.
"""
