"""The PyVRP engine: a fast routing skeleton from PyVRP's iterated local search.

* `model`: PyVRP's model of a SolverData (what maps exactly, what is relaxed).
* `search`: one seed on a built model; imports numpy and PyVRP only, so a worker
  interpreter that runs a second seed starts fast.
* `portfolio`: seeds in parallel processes, the best wins.

This ``__init__`` imports nothing, so that a worker importing `search` does not pull in
the model builder.
"""
