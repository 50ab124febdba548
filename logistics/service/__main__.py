"""``python -m logistics.service ...`` is ``coldroute ...`` (``serve`` included)."""

from logistics.service.command import main

main()
