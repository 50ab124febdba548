"""The ground floor: units and clock helpers, the problem model, the cost model, Plan, errors and options.

``core`` imports only ``networks``; every other layer builds on it.
"""
