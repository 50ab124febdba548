"""Independent checks of plans: the plan validator, the tier validator and the 2E-CVRP checker.

``check`` imports ``core`` only and shares no code with ``engine``: a bug in the search cannot
hide itself from the check.
"""
