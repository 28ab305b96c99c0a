"""The logger's HTTP API (FastAPI): the app factory and its lifespan.

The lifespan starts the running logger (``service.py``: the database, the sink's consumer
thread, the export policy) and stops it. The routes are in ``routes.py`` (the API) and ``pages.py`` (the pages): public ``GET /health``
and pages; reads behind the read token (open only in a local run without one): ``/stats``,
``/queries`` and ``/queries/*``, ``/review/queue``, ``/review/labels``, ``/dashboard/data``;
admin: ``POST /sql``, ``POST /export``, ``GET /exports/{export_id}/data``, ``POST
/review/{query_id}``. Request bodies over ``max_body_bytes`` get a 413; bad input a 4xx with a
message, never a 500 (``errors.HTTP_STATUSES``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.logger import pages, routes
from services.logger.errors import HTTP_STATUSES
from services.logger.service import LoggerService
from services.logger.settings import Settings
from services.logger.sink.hooks import SinkHooks
from services.logger.telemetry import logger_series
from shared.http import BodyLimit, install_error_handlers
from shared.metrics import instrument


def create_app(
    settings: Settings | None = None, *, start_worker: bool = True, hooks: SinkHooks | None = None
) -> FastAPI:
    """The logger's app; ``start_worker=False`` serves the database without consuming Kafka, and
    ``hooks`` are the sink's test hooks (``faults.py``; none in production)."""
    settings = settings or Settings()
    settings.check_secrets()
    service = LoggerService(settings, start_worker=start_worker, hooks=hooks)

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
    install_error_handlers(app, HTTP_STATUSES)
    instrument(app).add(lambda: logger_series(service))  # GET /metrics
    app.include_router(pages.router)  # GET /dashboard, /dashboard/data, /dashboard/review
    app.include_router(routes.router)
    return app
