"""The ask API app: its lifespan (warehouse, semantic layer, generator client, keys, outbox and
publisher) and how errors become HTTP answers. The routes are in ``routes.py``; answering a
question is ``answering.answer``. Docs at ``/docs``. The same questions over the Model Context
Protocol (streamable HTTP) at ``/mcp/``: ``mcp_server.py``.

Per request: resolve the shop from the caller's key, read the question into a structured query
(or refuse it), compute it over the warehouse, phrase it (generator or template), respond, and
append one ``QueryEvent`` to the outbox, which a background publisher sends to Kafka; the request
never waits for the broker.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from services.ask.errors import http_status
from services.ask.generator_client import GeneratorClient
from services.ask.keys import KeyStore, RateLimiter
from services.ask.learning.poller import LabelLearner
from services.ask.learning.store import LexiconStore
from services.ask.mcp_server import McpEndpoint
from services.ask.outbox import Outbox, Pace, Publisher, PublisherProcess
from services.ask.owner import router as owner_router
from services.ask.routes import router
from services.ask.semantic import SemanticLayer
from services.ask.settings import Settings
from services.ask.state import Services
from services.ask.telemetry import AskMetrics
from services.ask.warehouse import Warehouse
from shared.http import BodyLimit, install_error_handlers
from shared.logs import quiet_libraries
from shared.metrics import instrument


def _publisher(settings: Settings, outbox: Outbox) -> Publisher | PublisherProcess:
    """The outbox publisher, started: in a child process, or in a thread woken by ``outbox``."""
    pace = Pace(settings.outbox_batch, settings.outbox_retry_s, settings.outbox_poll_s)
    if settings.outbox_publisher == "process":
        return PublisherProcess(settings.paths.outbox, settings.kafka, pace).start()
    publisher = Publisher(  # woken by the outbox: it does not poll
        settings.paths.outbox, settings.kafka, batch=pace.batch, retry_s=pace.retry_s, outbox=outbox
    )
    return publisher.start()


def _running_publisher(app: FastAPI) -> Publisher | PublisherProcess | None:
    """The outbox publisher of the app's services (for ``/metrics``); None before start-up."""
    services: Services | None = getattr(app.state, "services", None)
    return services.publisher if services is not None else None


def _learner(settings: Settings, layer: SemanticLayer, store: LexiconStore) -> LabelLearner | None:
    """The thread that learns from reviewers' labels, started; None when learning is off."""
    if settings.understanding_poll_s <= 0:
        return None
    token = settings.logger_read_token.get_secret_value() if settings.logger_read_token else None
    learner = LabelLearner(layer, store, settings.logger_url, token, settings.understanding_poll_s)
    threading.Thread(target=learner.run, name="label-learner", daemon=True).start()
    return learner


@contextmanager
def open_services(settings: Settings, metrics: AskMetrics | None = None) -> Iterator[Services]:
    """Everything a request needs, opened in order and closed in reverse (the app's lifespan and
    ``ecominsight mcp`` over stdio)."""
    warehouse = Warehouse(settings.paths.warehouse)
    outbox: Outbox | None = None
    publisher: Publisher | PublisherProcess | None = None
    if settings.publish_events:
        outbox = Outbox(
            settings.paths.outbox,
            fsync=settings.outbox_fsync,
            fsync_interval_s=settings.outbox_fsync_interval_s,
            segment_bytes=settings.outbox_segment_bytes,
        )
        publisher = _publisher(settings, outbox)
    generator = GeneratorClient(
        settings.generator_url,
        settings.generator_timeout_s,
        settings.generator_retry_after_s,
        enabled=settings.use_generator,
    )
    store = LexiconStore(settings.paths.understanding)
    layer = SemanticLayer(warehouse, store.current())
    learner = _learner(settings, layer, store)
    try:
        yield Services(
            settings=settings,
            warehouse=warehouse,
            layer=layer,
            generator=generator,
            keys=KeyStore(settings.keys.path(settings.paths)),
            keys_required=settings.keys.required(settings.security),
            limiter=RateLimiter.from_settings(settings.keys),
            auth_failures=RateLimiter(settings.keys.auth_fail_per_s, settings.keys.auth_fail_burst),
            outbox=outbox,
            publisher=publisher,
            metrics=metrics,
            learner=learner,
        )
    finally:
        if learner is not None:
            learner.stop()
        if publisher is not None:
            publisher.stop()
        if outbox is not None:
            outbox.close()
        generator.close()
        warehouse.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    settings.check_secrets()
    quiet_libraries()  # however it is served: no httpx log line per call to another service
    mcp = McpEndpoint(lambda: app.state.services, host=settings.host, settings=settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with open_services(settings, metrics) as services:
            app.state.services = services
            async with mcp.run():
                yield

    app = FastAPI(
        title="EcomInsight ask API",
        description="Plain-English analytics questions about a shop, answered from its warehouse. "
        "Every answer states what was computed; a question that is not fully understood is refused "
        "with what was understood and how to ask instead.",
        version="2.0",
        lifespan=lifespan,
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:  # the logger's reviewers' page previews readings and shows learned words
        app.add_middleware(
            CORSMiddleware,
            allow_origins=[o.rstrip("/") for o in settings.cors_origins],
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key"],
        )
    install_error_handlers(app, http_status)  # 422 without the input; errors by kind (errors.py)
    metrics = AskMetrics(instrument(app), lambda: _running_publisher(app))  # GET /metrics

    app.include_router(router)
    app.include_router(owner_router)  # GET /api/mcp/stats, /api/mcp/queries
    app.mount("/mcp", mcp)  # the Model Context Protocol (streamable HTTP) at /mcp/
    return app
