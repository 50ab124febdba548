"""The ``CaseCount`` warning of the property and fuzz tests, in a module at the tests root.

pytest-xdist rebuilds a worker's warning in the controller by importing the warning class's
module; the test modules live in subfolders (``tests/core``, ``tests/formats``) that are not on
the controller's path, while this folder is (it holds ``conftest.py``).
"""

from __future__ import annotations


class CaseCount(UserWarning):
    """How many generated cases or inputs a property/fuzz test ran (shown in pytest's warnings summary)."""
