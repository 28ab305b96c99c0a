"""The logger's HTTP API (FastAPI).

Public: ``GET /health``.
Read (the read token or the admin token; open only in a local run without a read token):
``GET /stats``, ``GET /queries`` (one shop, paged), ``GET /queries/failed``, ``GET /queries/low-confidence``, ``GET /review/queue``,
``GET /review/labels``, ``GET /dashboard/data``
(the page ``GET /dashboard`` holds no data and is public; see ``dashboard.py``).
Admin: ``POST /sql``, ``POST /export``, ``GET /exports/{export_id}/data``, ``POST /review/{query_id}``
(a reviewer's label: ``review.py``).
A token goes in ``Authorization: Bearer <token>`` (or ``X-Admin-Token: <token>``).
Request bodies over ``max_body_bytes`` get a 413; bad input a 4xx with a message, never a 500.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from services.logger.errors import BadFilter, SqlRefused, SqlTimeout, TooFewExamples
from services.logger.export.training_set import EXPORT_FILE
from services.logger.review import queue as review
from services.logger.review_page import mount_review_page
from services.logger.routes.pages import mount_dashboard
from services.logger.sandbox.guard import MAX_SQL_CHARS
from services.logger.service import LoggerService
from services.logger.settings import Settings
from services.logger.stats import listing
from services.logger.stats import summary as stats
from services.logger.telemetry import logger_series
from shared.http import BodyLimit, validation_error
from shared.metrics import instrument


class SqlRequest(BaseModel):
    sql: str = Field(min_length=1, max_length=MAX_SQL_CHARS)
    max_rows: int | None = Field(default=None, ge=1)


def query_filters(
    shop_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    model_version: str | None = None,
) -> stats.Filters:
    """Query parameters that select queries: one shop, a time window [since, until), a model version."""
    try:
        return stats.Filters(shop_id, since, until, model_version)
    except BadFilter as exc:
        raise HTTPException(422, str(exc)) from exc


def _presented(authorization: str | None, x_admin_token: str | None) -> str | None:
    if x_admin_token:
        return x_admin_token
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip() or None
    return None


def _matches(given: str, *tokens: str) -> bool:
    ok = False
    for token in tokens:  # compare with every token: the time does not say which one matched
        ok |= secrets.compare_digest(given.encode(), token.encode())
    return ok


def require_admin(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    x_admin_token: Annotated[str | None, Header()] = None,
) -> None:
    """The admin token, as ``Authorization: Bearer <token>`` or ``X-Admin-Token: <token>``."""
    settings: Settings = request.app.state.settings
    given = _presented(authorization, x_admin_token)
    if not given:
        raise HTTPException(
            401, "admin token required: send 'Authorization: Bearer <token>' or 'X-Admin-Token'"
        )
    if settings.admin_token is None:
        raise HTTPException(403, "this logger has no admin token (ECOMINSIGHT_LOGGER_ADMIN_TOKEN)")
    if not _matches(given, settings.admin_token.get_secret_value()):
        raise HTTPException(403, "wrong admin token")


def require_reader(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    x_admin_token: Annotated[str | None, Header()] = None,
) -> None:
    """The read token or the admin token; nothing in a local run that set no read token."""
    settings: Settings = request.app.state.settings
    if settings.open_reads:
        return
    given = _presented(authorization, x_admin_token)
    if not given:
        raise HTTPException(401, "read token required: send 'Authorization: Bearer <read or admin token>'")
    tokens = [settings.admin_token.get_secret_value()] if settings.admin_token is not None else []
    if settings.read_token is not None:
        tokens.append(settings.read_token.get_secret_value())
    if not _matches(given, *tokens):
        raise HTTPException(403, "wrong token")


Filters = Annotated[stats.Filters, Depends(query_filters)]


def create_app(settings: Settings | None = None, *, start_worker: bool = True) -> FastAPI:
    settings = settings or Settings()
    settings.check_secrets()
    service = LoggerService(settings, start_worker=start_worker)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service.start()
        try:
            yield
        finally:
            service.close()

    app = FastAPI(title="EcomInsight logger", lifespan=lifespan)
    app.state.service = service
    app.state.settings = settings
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_exception_handler(RequestValidationError, validation_error)
    instrument(app).add(lambda: logger_series(service))  # GET /metrics
    reader = [Depends(require_reader)]
    mount_dashboard(app, service, reader, query_filters)  # GET /dashboard, /dashboard/data
    mount_review_page(app, settings)  # GET /dashboard/review (the reviewers' page)

    @app.get("/health")
    def health() -> dict[str, Any]:
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

    @app.get("/stats", dependencies=reader)
    def get_stats(f: Filters) -> dict[str, Any]:
        with service.cursor() as cur:
            return stats.get_statistics(cur, f)

    @app.get("/queries/failed", dependencies=reader)
    def failed(f: Filters, limit: Annotated[int, Query(ge=1, le=10_000)] = 10) -> list[dict[str, Any]]:
        with service.cursor() as cur:
            return stats.get_failed_queries(cur, limit, f)

    @app.get("/queries", dependencies=reader)
    def shop_queries(
        shop_id: Annotated[str, Query(min_length=1, max_length=64)],
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        only: listing.Only = "all",
        threshold: Annotated[float, Query(ge=0.0, le=1.0)] = 0.7,
    ) -> dict[str, Any]:
        """One shop's queries, newest first, paged (``listing.py``)."""
        with service.cursor() as cur:
            return listing.list_queries(cur, shop_id, limit, offset, only, threshold)

    @app.get("/queries/low-confidence", dependencies=reader)
    def low_confidence(
        f: Filters,
        threshold: Annotated[float, Query(ge=0.0, le=1.0)] = 0.7,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 10,
    ) -> list[dict[str, Any]]:
        with service.cursor() as cur:
            return stats.get_low_confidence_queries(cur, threshold, limit, f)

    @app.get("/review/queue", dependencies=reader)
    def review_queue(
        shop_id: str | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
        threshold: Annotated[float, Query(ge=0.0, le=1.0)] = 0.7,
        reason: Annotated[list[Literal["failed", "low_confidence", "negative"]] | None, Query()] = None,
    ) -> dict[str, Any]:
        with service.cursor() as cur:
            items = review.queue(cur, shop_id, limit, threshold, tuple(reason or review.REASONS))
        return {"items": items, "count": len(items)}

    @app.post("/review/{query_id}", dependencies=[Depends(require_admin)])
    def review_label(
        query_id: Annotated[str, Path(min_length=1, max_length=64)], body: review.LabelRequest
    ) -> dict[str, Any]:
        with service.cursor() as cur:
            stored = review.label(cur, query_id, body)
        if stored is None:
            raise HTTPException(404, f"no logged query {query_id!r}")
        return stored

    @app.get("/queries/{query_id}", dependencies=reader)
    def one_query(query_id: Annotated[str, Path(min_length=1, max_length=64)]) -> dict[str, Any]:
        with service.cursor() as cur:
            found = review.query(cur, query_id)
        if found is None:
            raise HTTPException(404, f"no logged query {query_id!r}")
        return found

    @app.get("/review/labels", dependencies=reader)
    def review_labels(shop_id: str | None = None) -> dict[str, Any]:
        with service.cursor() as cur:
            found = review.labels(cur, shop_id)
        return {"labels": found, "count": len(found)}

    @app.post("/sql", dependencies=[Depends(require_admin)])
    def sql(request: SqlRequest) -> dict[str, Any]:
        try:
            return service.sql(request.sql, request.max_rows).as_dict()
        except SqlRefused as exc:
            raise HTTPException(400, str(exc)) from exc
        except SqlTimeout as exc:
            raise HTTPException(408, str(exc)) from exc

    @app.post("/export", dependencies=[Depends(require_admin)])
    def export() -> dict[str, Any]:
        try:
            return service.export().as_dict()
        except TooFewExamples as exc:
            raise HTTPException(409, str(exc)) from exc

    @app.get("/exports/{export_id}/data", dependencies=[Depends(require_admin)])
    def export_data(export_id: str) -> FileResponse:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", export_id) or export_id.startswith("."):
            raise HTTPException(400, "invalid export id")
        path = settings.paths.exports / export_id / EXPORT_FILE
        if not path.is_file():
            raise HTTPException(404, f"no export {export_id!r}")
        return FileResponse(path, media_type="application/x-ndjson", filename=EXPORT_FILE)

    return app


def serve(settings: Settings | None = None) -> None:
    """Run the logger (HTTP API + sink) with uvicorn until SIGINT/SIGTERM."""
    import uvicorn

    settings = settings or Settings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
