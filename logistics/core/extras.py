"""Optional dependencies: import them on demand and name the extra that provides them.

``pip install coldroute`` gives the library; maps, plots, the command line, OSM reading and Dask
batches come with extras (``[maps]``, ``[cli]``, ``[osm]``, ``[batch]``, or ``[all]``).  Code that
needs one calls [require][logistics.core.extras.require], so a missing package fails with the command that fixes it
instead of a bare ``ModuleNotFoundError``.
"""

from __future__ import annotations

import importlib
from types import ModuleType


class MissingExtraError(ImportError):
    """An optional dependency is not installed; the message names the extra to install.

    Raised by `require`; a subclass of `ImportError`, so code that already catches import
    errors keeps working.
    """


def require(module: str, extra: str, purpose: str) -> ModuleType:
    """Import ``module``, or raise [MissingExtraError][logistics.core.extras.MissingExtraError] naming ``extra``.

    Parameters
    ----------
    module
        Dotted module name, e.g. ``"folium"``.
    extra
        The coldroute extra that installs it, e.g. ``"maps"``.
    purpose
        What needs it, for the message (``"plan maps"``).

    Returns
    -------
    types.ModuleType
        The imported module.
    """
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise MissingExtraError(
            f"{purpose} need(s) the optional package {module.split('.')[0]!r}: pip install 'coldroute[{extra}]'"
        ) from e
