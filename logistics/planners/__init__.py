"""Planning beyond one problem: three tiers, the two-echelon VRP, carriers' shared runs and coverage.

``planners`` may import ``check``, ``formats``, ``engine`` and ``core``.
"""
