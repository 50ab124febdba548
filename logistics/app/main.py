"""The ``coldroute`` console script: the command line, or a clear word when its extra is missing.

The command line needs typer and rich (the ``[cli]`` extra); a core install has neither, so the
import of `logistics.app.cli` is guarded here, at the top, and `main` turns a missing
package into the install hint and exit code 2 (bad input: the environment, not a bug).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from logistics.core.extras import MissingExtraError

CLI_PACKAGES = ("typer", "rich", "click")  # what the [cli] extra installs

_app: Callable[[], object] | None
_missing: MissingExtraError | None
try:
    from logistics.app.cli import app as _app

    _missing = None
except ModuleNotFoundError as e:
    if (e.name or "").split(".")[0] not in CLI_PACKAGES:
        raise
    _app = None
    _missing = MissingExtraError(
        f"coldroute: the command line needs the [cli] extra (missing {e.name!r}): pip install 'coldroute[cli]'"
    )


def main() -> None:
    """Run the command line; without the ``[cli]`` extra, say how to install it and exit 2."""
    if _app is None:
        print(str(_missing), file=sys.stderr)
        sys.exit(2)
    _app()
