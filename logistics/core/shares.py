"""Every share of the time limit and every timing constant, named in one place.

A :class:`~logistics.core.options.Budget` hands out time; the fractions and floors it uses live
here, each with the measurement that chose it, so tuning is one diff and nothing is a magic number
hidden in a search.  Shares are fractions of the time left when they are taken.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- engine: solve and portfolio


# (end of engine section)


# --------------------------------------------------------------------------- engine: decomposition and parallel work


# (end of decomposition section)


# --------------------------------------------------------------------------- planners: tiers, 2E-VRP, carriers


# (end of planners section)


# --------------------------------------------------------------------------- formats and app: jobs, batches, VROOM


# (end of app section)
