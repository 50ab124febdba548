"""The ``coldroute`` console script: ``serve`` starts the service, everything else is the command line.

The service is the top layer, so the command line (in ``app``) cannot import it; this module,
above both, is the console script.  The service and its packages are imported only when the
command is ``serve`` (a module-level import guarded by the command word), so other commands
start as fast as before and work without the ``[service]`` extra; ``coldroute serve`` without
it prints the install command and exits 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from logistics.app import main as cli_main
from logistics.core.extras import MissingExtraError

SERVICE_PACKAGES = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "multipart", "python_multipart")

_serve: Callable[[list[str] | None], int] | None = None
_missing: MissingExtraError | None = None
if sys.argv[1:2] == ["serve"]:
    try:
        from logistics.service.serve import main as _serve
    except ModuleNotFoundError as e:
        if (e.name or "").split(".")[0] not in SERVICE_PACKAGES:
            raise
        _missing = MissingExtraError(
            f"coldroute serve: the service needs the [service] extra (missing {e.name!r}): "
            "pip install 'coldroute[service]'"
        )


def main() -> None:
    """Run ``coldroute``: ``serve`` here, every other command in ``logistics.app.main.main``."""
    if sys.argv[1:2] == ["serve"]:
        if _serve is None:
            print(str(_missing), file=sys.stderr)
            sys.exit(2)
        sys.exit(_serve(sys.argv[2:]))
    cli_main.main()
