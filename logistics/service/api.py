"""The HTTP API (FastAPI): jobs, results, cancellation, the VROOM endpoint and the dispatcher page.

Every ``/v1`` route needs an organisation's API key (``Authorization: Bearer <key>`` or
``X-API-Key``); a job of another organisation answers 404 exactly like a missing one.  Jobs run
in worker processes ([logistics.service.pool][]), never here.  The OpenAPI description is at
``/openapi.json`` (browsable at ``/docs``).
"""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Form, Header, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response

from logistics.core.errors import ProblemError
from logistics.formats.documents import job_schema
from logistics.formats.json_read import parse_json
from logistics.service.config import ServiceConfig
from logistics.service.fleets import FLEETS
from logistics.service.intake import Intake, accept_document, accept_upload
from logistics.service.limits import BodyLimit
from logistics.service.pool import WorkerPool
from logistics.service.store import JobStore
from logistics.service.tables import DONE, FAILED, FINAL, STATUSES
from logistics.service.tickets import check_ticket, make_ticket, server_secret

STATIC = Path(__file__).with_name("static")

#: Result files a client may fetch, with their media types; nothing else is ever served.
RESULT_FILES = {
    "plan.json": "application/json",
    "routes.geojson": "application/geo+json",
    "stops.csv": "text/csv; charset=utf-8",
    "unserved.csv": "text/csv; charset=utf-8",
    "kpis.json": "application/json",
    "validation.json": "application/json",
    "map.html": "text/html; charset=utf-8",
    "timeline.png": "image/png",
    "vroom.json": "application/json",
}
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"
)
#: A map runs its own inline scripts, in an opaque origin that cannot read the API's.
MAP_CSP = "sandbox allow-scripts; default-src 'self' 'unsafe-inline' data: blob:; connect-src 'none'"


class Service:
    """The API's state: settings, job store, worker pool and ticket secret.

    Parameters
    ----------
    cfg
        The service settings.
    start_workers
        Start the worker pool with the API (off for an API-only process).
    """

    def __init__(self, cfg: ServiceConfig, *, start_workers: bool = True) -> None:
        self.cfg = cfg
        Path(cfg.data_dir).mkdir(parents=True, exist_ok=True)
        self.store = JobStore(cfg.url)
        self.pool = WorkerPool(cfg) if start_workers else None
        self.secret = server_secret(Path(cfg.data_dir))


def _problem(e: ProblemError) -> HTTPException:
    return HTTPException(
        422, {"error": str(e), "field": e.field, "record": None if e.record is None else str(e.record)}
    )


def job_view(row: dict[str, Any]) -> dict[str, Any]:
    """A job as the API shows it (no worker names, no server paths).

    Parameters
    ----------
    row
        The job's row from the store.

    Returns
    -------
    dict
        ``id``, ``name``, ``kind``, ``status``, times, ``attempts``, ``progress``, ``error``,
        ``result`` (the run's summary: status, KPIs, unserved counts) and ``files`` (URLs).
    """
    result = row.get("result") or None
    files = [f for f in (result or {}).get("files", []) if f in RESULT_FILES] if row["status"] == DONE else []
    return {
        "id": row["id"],
        "name": row["name"],
        "kind": row["kind"],
        "status": row["status"],
        "created": row["created"],
        "started": row["started"],
        "finished": row["finished"],
        "attempts": row["attempts"],
        "progress": row.get("progress"),
        "error": row.get("error"),
        "result": {k: v for k, v in (result or {}).items() if k != "files"} or None,
        "files": {f: f"/v1/jobs/{row['id']}/files/{f}" for f in files},
    }


def create_app(cfg: ServiceConfig, *, start_workers: bool = True) -> FastAPI:
    """The FastAPI application for ``cfg``.

    Parameters
    ----------
    cfg
        The service settings.
    start_workers
        Start local workers (or the Dask dispatcher) with the app.

    Returns
    -------
    fastapi.FastAPI
        The app, wrapped in the request size limit.
    """
    svc = Service(cfg, start_workers=start_workers)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        svc.store.migrate()
        svc.store.requeue_expired()
        if svc.pool is not None:
            svc.pool.start()
        yield
        if svc.pool is not None:
            svc.pool.stop()
        svc.store.close()

    app = FastAPI(
        title="coldroute service",
        version="1",
        description="Route planning jobs for courier companies: submit, follow, fetch results, cancel; "
        "a VROOM-compatible endpoint; a dispatcher page at /.",
        lifespan=lifespan,
    )
    app.state.service = svc
    org = _org_dependency(svc)
    _job_routes(app, svc, org)
    _file_routes(app, svc, org)
    _vroom_routes(app, svc, org)
    _page_routes(app, svc)
    return BodyLimit(app, cfg.max_body_bytes)  # type: ignore[return-value]


def _org_dependency(svc: Service) -> Callable[..., str]:
    """The dependency that turns the request's API key into its organisation (401 otherwise)."""

    def org(
        authorization: Annotated[str | None, Header()] = None,
        x_api_key: Annotated[str | None, Header()] = None,
    ) -> str:
        bearer = authorization or ""
        key = x_api_key or (bearer[7:].strip() if bearer.lower().startswith("bearer ") else None)
        org_id = svc.store.org_for_key(key) if key else None
        if org_id is None:
            raise HTTPException(401, {"error": "missing or unknown API key", "field": "authorization"})
        return org_id

    return org


def _own(svc: Service, job_id: str, org_id: str) -> dict[str, Any]:
    row = svc.store.get(job_id, org_id)
    if row is None:
        raise HTTPException(404, {"error": "no such job", "field": "job_id"})
    return row


def _queue(svc: Service, intake: Intake, org_id: str, priority: int = 0) -> dict[str, Any]:
    svc.store.submit(
        intake.job_id, org_id, intake.name, intake.kind, max_attempts=svc.cfg.max_attempts, priority=priority
    )
    return job_view(_own(svc, intake.job_id, org_id))


def _job_routes(app: FastAPI, svc: Service, org: Callable[..., str]) -> None:
    cfg = svc.cfg
    Org = Annotated[str, Depends(org)]

    body = {"requestBody": {"required": True, "content": {"application/json": {"schema": _job_body_schema()}}}}

    @app.post(
        "/v1/jobs",
        status_code=202,
        summary="Submit a job (the job schema as JSON, or a VROOM input)",
        openapi_extra=body,
    )
    async def submit_job(request: Request, org_id: Org) -> dict[str, Any]:
        raw = await request.body()
        try:
            intake = accept_document(parse_json(raw, "request"), cfg.jobs_dir, max_orders=cfg.max_orders)
        except ProblemError as e:
            raise _problem(e) from None
        return await asyncio.to_thread(_queue, svc, intake, org_id)

    @app.post("/v1/jobs/upload", status_code=202, summary="Submit a job file, or an orders CSV with a fleet preset")
    async def upload_job(
        org_id: Org,
        job: Annotated[UploadFile | None, File()] = None,
        orders: Annotated[UploadFile | None, File()] = None,
        fleet: Annotated[str | None, Form()] = None,
        time_limit: Annotated[float | None, Form(gt=0, le=3600)] = None,
    ) -> dict[str, Any]:
        try:
            intake = accept_upload(
                job_bytes=await job.read() if job is not None else None,
                job_filename=job.filename if job is not None else None,
                orders_bytes=await orders.read() if orders is not None else None,
                fleet=fleet,
                time_limit=time_limit,
                jobs_dir=cfg.jobs_dir,
                max_orders=cfg.max_orders,
            )
        except ProblemError as e:
            raise _problem(e) from None
        return await asyncio.to_thread(_queue, svc, intake, org_id)

    @app.get("/v1/jobs", summary="List the organisation's jobs, newest first")
    def list_jobs(
        org_id: Org, status: Annotated[str | None, Query()] = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100
    ) -> dict[str, Any]:
        if status is not None and status not in STATUSES:
            raise HTTPException(422, {"error": f"status must be one of {', '.join(STATUSES)}", "field": "status"})
        return {"jobs": [job_view(r) for r in svc.store.list_jobs(org_id, status=status, limit=limit)]}

    @app.get("/v1/jobs/{job_id}", summary="A job's status, progress and result summary")
    def get_job(job_id: str, org_id: Org) -> dict[str, Any]:
        return job_view(_own(svc, job_id, org_id))

    @app.post("/v1/jobs/{job_id}/cancel", summary="Cancel a queued or running job")
    def cancel_job(job_id: str, org_id: Org) -> JSONResponse:
        outcome = svc.store.cancel(job_id, org_id)
        if outcome is None:
            raise HTTPException(404, {"error": "no such job", "field": "job_id"})
        status, cancelled = outcome
        return JSONResponse({"id": job_id, "status": status}, status_code=200 if cancelled else 409)

    @app.get("/v1/fleets", summary="Fleet presets for orders uploads")
    def fleets() -> dict[str, Any]:
        return {"fleets": [{"name": k, "label": v[0]} for k, v in FLEETS.items()]}


def _file_routes(app: FastAPI, svc: Service, org: Callable[..., str]) -> None:
    Org = Annotated[str, Depends(org)]

    @app.get("/v1/jobs/{job_id}/ticket", summary="A short-lived link ticket for the job's files")
    def ticket(job_id: str, org_id: Org) -> dict[str, Any]:
        _own(svc, job_id, org_id)
        return {"ticket": make_ticket(svc.secret, job_id)}

    @app.get("/v1/jobs/{job_id}/files/{name}", summary="One result file of a finished job")
    def result_file(
        job_id: str,
        name: str,
        ticket: Annotated[str | None, Query()] = None,
        authorization: Annotated[str | None, Header()] = None,
        x_api_key: Annotated[str | None, Header()] = None,
    ) -> Response:
        if ticket is not None and check_ticket(svc.secret, job_id, ticket):
            row = svc.store.get(job_id, None)
        else:
            row = svc.store.get(job_id, org(authorization, x_api_key))
        if row is None:
            raise HTTPException(404, {"error": "no such job", "field": "job_id"})
        files = (row.get("result") or {}).get("files", [])
        if name not in RESULT_FILES or name not in files or row["status"] != DONE or not row.get("result_dir"):
            raise HTTPException(404, {"error": f"no result file {name[:60]!r} for this job", "field": "name"})
        headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=60"}
        if name == "map.html":
            headers["Content-Security-Policy"] = MAP_CSP
        else:
            headers["Content-Disposition"] = f'inline; filename="{name}"'
        return FileResponse(Path(row["result_dir"]) / name, media_type=RESULT_FILES[name], headers=headers)


def _vroom_org_dependency(svc: Service, org: Callable[..., str]) -> Callable[..., str]:
    """The VROOM endpoint's organisation: the key's, else ``vroom_open_org``'s when one is set."""

    def vroom_org(
        authorization: Annotated[str | None, Header()] = None,
        x_api_key: Annotated[str | None, Header()] = None,
    ) -> str:
        open_name = svc.cfg.vroom_open_org
        if open_name is None or authorization or x_api_key:
            return org(authorization, x_api_key)
        org_id = svc.store.org_id(open_name)
        if org_id is None:  # checked at start; an organisation deleted since is a server fault
            raise HTTPException(500, {"error": f"the open VROOM organisation {open_name!r} is gone", "field": "org"})
        return org_id

    return vroom_org


def _vroom_routes(app: FastAPI, svc: Service, org: Callable[..., str]) -> None:
    cfg = svc.cfg
    Org = Annotated[str, Depends(_vroom_org_dependency(svc, org))]

    async def vroom(request: Request, org_id: str, time_limit: float | None) -> Response:
        try:
            data = parse_json(await request.body(), "request")
            intake = accept_document(data, cfg.jobs_dir, max_orders=cfg.max_orders, time_limit=time_limit)
        except ProblemError as e:
            return JSONResponse({"code": 2, "error": str(e)}, status_code=400)
        if intake.kind != "vroom":
            return JSONResponse({"code": 2, "error": "not a VROOM input (vehicles with jobs or shipments)"}, 400)
        view = await asyncio.to_thread(_queue, svc, intake, org_id, 10)
        if intake.tasks > cfg.vroom_sync_tasks:
            return JSONResponse(view, status_code=202)
        deadline = time.monotonic() + cfg.vroom_wait_s
        while time.monotonic() < deadline:
            row = await asyncio.to_thread(svc.store.get, intake.job_id, org_id)
            if row is not None and row["status"] in FINAL:
                return _vroom_answer(row)
            await asyncio.sleep(0.1)
        return JSONResponse(view, status_code=202)

    TimeLimit = Annotated[float | None, Query(gt=0, le=3600, description="seconds to search (default 5)")]

    @app.post("/", summary="VROOM-compatible: a VROOM input in, VROOM's output back (like vroom-express)")
    async def vroom_root(request: Request, org_id: Org, time_limit: TimeLimit = None) -> Response:
        return await vroom(request, org_id, time_limit)

    @app.post("/vroom", summary="The VROOM-compatible endpoint under its own name")
    async def vroom_named(request: Request, org_id: Org, time_limit: TimeLimit = None) -> Response:
        return await vroom(request, org_id, time_limit)


def _page_routes(app: FastAPI, svc: Service) -> None:
    @app.get("/healthz", summary="Liveness and queue counts")
    def health() -> dict[str, Any]:
        return {"ok": True, "jobs": svc.store.counts(), "workers": len(svc.pool.pids()) if svc.pool else 0}

    @app.get("/", include_in_schema=False)
    def page() -> Response:
        return FileResponse(STATIC / "dispatcher.html", headers=_page_headers())

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        kinds = {"dispatcher.js": "text/javascript", "dispatcher.css": "text/css"}
        if name not in kinds:
            raise HTTPException(404, {"error": "not found"})
        return FileResponse(STATIC / name, media_type=kinds[name], headers=_page_headers())


def _job_body_schema() -> dict[str, Any]:
    """The request body of ``POST /v1/jobs`` for the OpenAPI description: a job, or a VROOM input."""
    schema = job_schema()
    job = _inline_refs({k: v for k, v in schema.items() if not k.startswith("$")}, schema.get("$defs", {}))
    vroom = {
        "type": "object",
        "description": "A VROOM input (vehicles with jobs and/or shipments); see the VROOM API documentation.",
        "required": ["vehicles"],
    }
    return {"oneOf": [job, vroom]}


def _inline_refs(node: Any, defs: dict[str, Any], depth: int = 0) -> Any:
    """``node`` with its ``#/$defs/...`` references replaced by the definitions (OpenAPI resolves
    references from its own root, where the job schema's ``$defs`` are not)."""
    if depth > 20:
        return {}
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline_refs(defs[ref.rsplit("/", 1)[1]], defs, depth + 1)
        return {k: _inline_refs(v, defs, depth) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_refs(v, defs, depth) for v in node]
    return node


def _page_headers() -> dict[str, str]:
    return {"Content-Security-Policy": PAGE_CSP, "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}


def _vroom_answer(row: dict[str, Any]) -> Response:
    """VROOM's output document for a finished job, or its error document (400 input, 500 otherwise)."""
    if row["status"] == DONE and row.get("result_dir"):
        out = json.loads((Path(row["result_dir"]) / "vroom.json").read_text(encoding="utf-8"))
        return JSONResponse(out)
    err = row.get("error") or f"job {row['status']}"
    bad_input = row["status"] == FAILED and err.startswith("bad input: ")
    return JSONResponse(
        {"code": 2 if bad_input else 1, "error": err.removeprefix("bad input: ")}, status_code=400 if bad_input else 500
    )
