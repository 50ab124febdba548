"""The ``coldroute`` console script: ``serve`` starts the service, everything else is the command line.

The service is the top layer, so the command line (in ``app``) cannot import it; this module,
above both, is the console script.  ``coldroute serve`` without the ``[service]`` extra prints
the install command and exits 2; every other command works without it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from logistics.app import main as cli_main
from logistics.core.extras import MissingExtraError

SERVICE_PACKAGES = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "multipart", "python_multipart")

_serve: Callable[[list[str] | None], int] | None
_missing: MissingExtraError | None
try:
    from logistics.service.serve import main as _serve

    _missing = None
except ModuleNotFoundError as e:
    if (e.name or "").split(".")[0] not in SERVICE_PACKAGES:
        raise
    _serve = None
    _missing = MissingExtraError(
        f"coldroute serve: the service needs the [service] extra (missing {e.name!r}): pip install 'coldroute[service]'"
    )


def main(argv: list[str] | None = None) -> None:
    """Run ``coldroute``: ``serve`` here, every other command in ``logistics.app.main.main``.

    Parameters
    ----------
    argv
        The arguments (default ``sys.argv[1:]``).
    """
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["serve"]:
        if _serve is None:
            print(str(_missing), file=sys.stderr)
            sys.exit(2)
        sys.exit(_serve(args[1:]))
    cli_main.main()
