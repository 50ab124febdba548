"""``coldroute serve``: start the API with its workers, or manage organisations and keys.

coldroute serve                                  # SQLite in ./coldroute-service, 2 workers, port 8000
coldroute serve --db postgresql://u@db/coldroute --data /srv/coldroute --workers 8
coldroute serve --scheduler tcp://scheduler:8786 --db postgresql://...  # jobs on a Dask cluster
coldroute serve --add-org acme                   # prints acme's API key and exits
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

import uvicorn

from logistics.service.api import create_app
from logistics.service.config import ServiceConfig
from logistics.service.pool import WorkerPool
from logistics.service.store import JobStore

KEY_FILE = "local-api-key.txt"


def parser() -> argparse.ArgumentParser:
    """The options of ``coldroute serve``.

    Returns
    -------
    argparse.ArgumentParser
        The parser.
    """
    d = ServiceConfig(data_dir=Path("."))
    p = argparse.ArgumentParser(
        prog="coldroute serve", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--data", default="coldroute-service", help="server-owned folder for job inputs and results")
    p.add_argument("--db", default=os.environ.get("COLDROUTE_DB"), help="database URL (default: SQLite in --data)")
    p.add_argument("--workers", type=int, default=d.workers, help="local worker processes (0: none here)")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address: run jobs on that cluster")
    p.add_argument("--lease", type=float, default=d.lease_s, help="seconds a running job's lease lasts")
    p.add_argument("--max-attempts", type=int, default=d.max_attempts, help="runs a job gets when workers die")
    p.add_argument("--max-body-mb", type=float, default=d.max_body_bytes / 2**20, help="largest request, MiB")
    p.add_argument("--max-orders", type=int, default=d.max_orders, help="most orders per job")
    p.add_argument("--max-time-limit", type=float, default=d.max_time_limit, help="longest search, seconds")
    p.add_argument(
        "--vroom-open",
        metavar="ORG",
        help="let keyless VROOM requests (POST / and /vroom, as vroom-express clients send) run as organisation ORG",
    )
    p.add_argument("--add-org", metavar="NAME", help="create an organisation, print its API key and exit")
    p.add_argument("--add-key", metavar="NAME", help="print a new API key for an organisation and exit")
    p.add_argument("--migrate-only", action="store_true", help="create or upgrade the database and exit")
    p.add_argument("--worker-only", action="store_true", help="run --workers worker processes, no API (a worker node)")
    return p


def config(args: argparse.Namespace) -> ServiceConfig:
    """The settings from parsed arguments.

    Parameters
    ----------
    args
        Parsed ``coldroute serve`` arguments.

    Returns
    -------
    ServiceConfig
        The settings.
    """
    return ServiceConfig(
        data_dir=Path(args.data).absolute(),
        db_url=args.db,
        workers=args.workers,
        scheduler=args.scheduler,
        lease_s=args.lease,
        max_attempts=args.max_attempts,
        max_body_bytes=int(args.max_body_mb * 2**20),
        max_orders=args.max_orders,
        max_time_limit=args.max_time_limit,
        vroom_open_org=args.vroom_open,
    )


def main(argv: list[str] | None = None) -> int:
    """Run ``coldroute serve``.

    Parameters
    ----------
    argv
        The arguments after ``serve``.

    Returns
    -------
    int
        The exit code: 0, or 2 for bad arguments (an unknown organisation, a bad number).
    """
    args = parser().parse_args(argv)
    for name in ("workers", "max_attempts", "max_orders", "port"):
        if getattr(args, name) < 0 or (name in ("max_attempts", "max_orders") and getattr(args, name) < 1):
            print(f"coldroute serve: --{name.replace('_', '-')} must be positive", file=sys.stderr)
            return 2
    if min(args.lease, args.max_body_mb, args.max_time_limit) <= 0:
        print("coldroute serve: --lease, --max-body-mb and --max-time-limit must be positive", file=sys.stderr)
        return 2
    cfg = config(args)
    Path(cfg.data_dir).mkdir(parents=True, exist_ok=True)
    store = JobStore(cfg.url)
    try:
        store.migrate()
        if args.migrate_only:
            return 0
        if args.add_org:
            if store.org_id(args.add_org) is not None:
                print(f"coldroute serve: organisation {args.add_org!r} exists; use --add-key", file=sys.stderr)
                return 2
            print(store.create_org(args.add_org)[1])
            return 0
        if args.add_key:
            org_id = store.org_id(args.add_key)
            if org_id is None:
                print(f"coldroute serve: no organisation {args.add_key!r}", file=sys.stderr)
                return 2
            print(store.add_key(org_id))
            return 0
        if store.org_count() == 0:
            _first_key(store, Path(cfg.data_dir))
        if cfg.vroom_open_org is not None and store.org_id(cfg.vroom_open_org) is None:
            print(f"coldroute serve: --vroom-open: no organisation {cfg.vroom_open_org!r}", file=sys.stderr)
            return 2
    finally:
        store.close()
    if args.worker_only:
        return _worker_node(cfg)
    print(f"coldroute serve: http://{args.host}:{args.port}/ (API docs at /docs); data in {cfg.data_dir}", flush=True)
    uvicorn.run(create_app(cfg), host=args.host, port=args.port, log_level="warning")
    return 0


def _worker_node(cfg: ServiceConfig) -> int:
    """Run the worker processes (no API) until SIGTERM or Ctrl-C, for machines that only run jobs."""
    pool = WorkerPool(cfg)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    pool.start()
    print(f"coldroute serve: {pool.size} worker process(es) on {cfg.url.split('@')[-1]}", flush=True)
    try:
        while not stopping.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        pool.stop()
    return 0


def _first_key(store: JobStore, data_dir: Path) -> None:
    """On a fresh store, an organisation ``local`` whose key is written (mode 0600) to the data folder."""
    _, key = store.create_org("local")
    path = data_dir / KEY_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key + "\n")
    print(f"coldroute serve: created organisation 'local'; its API key is in {path}", flush=True)
