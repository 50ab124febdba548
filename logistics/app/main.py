"""The ``coldroute`` console script: the command line, or a clear word when its extra is missing."""

from __future__ import annotations

import importlib
import sys


def main() -> None:
    """Run the command line; without the ``[cli]`` extra, say how to install it and exit 2."""
    try:
        # by name, at call time: typer and rich come with the [cli] extra, checked before anything else runs
        cli = importlib.import_module("logistics.app.cli")
    except ImportError as e:
        missing = getattr(e, "name", None) or str(e)
        print(
            f"coldroute: the command line needs the [cli] extra (missing {missing!r}): pip install 'coldroute[cli]'",
            file=sys.stderr,
        )
        sys.exit(2)
    cli.app()
