"""The logger's API routes. Public: ``GET /health``. Read token (or the admin token; open only in
a local run without a read token): ``GET /stats``, ``GET /queries`` (one shop, paged), ``GET
/queries/failed``, ``GET /queries/low-confidence``, ``GET /queries/{query_id}``, ``GET
/review/queue``, ``GET /review/labels``. Admin token: ``POST /review/{query_id}`` (a reviewer's
label), ``POST /sql`` (one read-only SELECT in the sandbox), ``POST /export`` (the fine-tuning
set, announced with ``ExportComplete``), ``GET /exports/{export_id}/data``.

Each handler is short: its dependencies (``deps.py``) check the token and give the running
service and the filters, and it calls the domain function (``stats/``, ``review/``, ``sandbox/``,
``export/``). Errors a route lets out become 4xx answers in one place (``errors.HTTP_STATUSES``).
The pages (``/dashboard``, ``/dashboard/review``) are in ``pages.py``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from services.logger.deps import ADMIN, READER, QueryFilters, Service, SettingsDep
from services.logger.export.training_set import EXPORT_FILE
from services.logger.review import queue
from services.logger.sandbox.guard import MAX_SQL_CHARS
from services.logger.stats import listing, summary

router = APIRouter()

QueryId = Annotated[str, Path(min_length=1, max_length=64)]


class SqlRequest(BaseModel):
    sql: str = Field(min_length=1, max_length=MAX_SQL_CHARS)
    max_rows: int | None = Field(default=None, ge=1)


@router.get("/health")
def health(service: Service, settings: SettingsDep) -> dict[str, Any]:
    worker = service.worker
    return {
        "status": "ok",
        "service": "logger",
        "database": str(settings.paths.logs_db),
        "consuming": bool(worker and worker.ready.is_set()),
        "events_written": service.events_written,
        "duplicates_ignored": worker.sink.duplicates if worker else 0,
        "dead_lettered": worker.consumer.dead_lettered if worker else 0,
    }


@router.get("/stats", dependencies=READER)
def get_stats(service: Service, f: QueryFilters) -> dict[str, Any]:
    with service.cursor() as cur:
        return summary.get_statistics(cur, f)


@router.get("/queries/failed", dependencies=READER)
def failed(
    service: Service, f: QueryFilters, limit: Annotated[int, Query(ge=1, le=10_000)] = 10
) -> list[dict[str, Any]]:
    with service.cursor() as cur:
        return summary.get_failed_queries(cur, limit, f)


@router.get("/queries", dependencies=READER)
def shop_queries(
    service: Service,
    shop_id: Annotated[str, Query(min_length=1, max_length=64)],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    only: listing.Only = "all",
    threshold: Annotated[float, Query(ge=0.0, le=1.0)] = 0.7,
) -> dict[str, Any]:
    """One shop's queries, newest first, paged (``stats/listing.py``)."""
    with service.cursor() as cur:
        return listing.list_queries(cur, shop_id, limit, offset, only, threshold)


@router.get("/queries/low-confidence", dependencies=READER)
def low_confidence(
    service: Service,
    f: QueryFilters,
    threshold: Annotated[float, Query(ge=0.0, le=1.0)] = 0.7,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 10,
) -> list[dict[str, Any]]:
    with service.cursor() as cur:
        return summary.get_low_confidence_queries(cur, threshold, limit, f)


@router.get("/review/queue", dependencies=READER)
def review_queue(
    service: Service,
    shop_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    threshold: Annotated[float, Query(ge=0.0, le=1.0)] = 0.7,
    reason: Annotated[list[Literal["failed", "low_confidence", "negative"]] | None, Query()] = None,
) -> dict[str, Any]:
    with service.cursor() as cur:
        items = queue.queue(cur, shop_id, limit, threshold, tuple(reason or queue.REASONS))
    return {"items": items, "count": len(items)}


@router.post("/review/{query_id}", dependencies=ADMIN)
def review_label(service: Service, query_id: QueryId, body: queue.LabelRequest) -> dict[str, Any]:
    with service.cursor() as cur:
        stored = queue.label(cur, query_id, body)
    if stored is None:
        raise HTTPException(404, f"no logged query {query_id!r}")
    return stored


@router.get("/queries/{query_id}", dependencies=READER)
def one_query(service: Service, query_id: QueryId) -> dict[str, Any]:
    with service.cursor() as cur:
        found = queue.query(cur, query_id)
    if found is None:
        raise HTTPException(404, f"no logged query {query_id!r}")
    return found


@router.get("/review/labels", dependencies=READER)
def review_labels(service: Service, shop_id: str | None = None) -> dict[str, Any]:
    with service.cursor() as cur:
        found = queue.labels(cur, shop_id)
    return {"labels": found, "count": len(found)}


@router.post("/sql", dependencies=ADMIN)
def sql(service: Service, request: SqlRequest) -> dict[str, Any]:
    return service.sql(request.sql, request.max_rows).as_dict()


@router.post("/export", dependencies=ADMIN)
def export(service: Service) -> dict[str, Any]:
    return service.export().as_dict()


@router.get("/exports/{export_id}/data", dependencies=ADMIN)
def export_data(settings: SettingsDep, export_id: str) -> FileResponse:
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", export_id) or export_id.startswith("."):
        raise HTTPException(400, "invalid export id")
    path = settings.paths.exports / export_id / EXPORT_FILE
    if not path.is_file():
        raise HTTPException(404, f"no export {export_id!r}")
    return FileResponse(path, media_type="application/x-ndjson", filename=EXPORT_FILE)
