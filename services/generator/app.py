"""The generator's HTTP app: the factory and its lifespan (the ``GeneratorService`` started and
closed with the app). The routes are in ``routes.py``, the checks on a request in
``input_checks.py``, the Prometheus series at ``GET /metrics`` in ``telemetry.py``.

Bad input gets a 422 whose ``detail`` says what is wrong (never the input itself), never a 500;
a body over ``max_body_bytes`` gets a 413.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.generator.errors import BadRequest, ModelRefused
from services.generator.routes import router
from services.generator.service import GeneratorService
from services.generator.settings import Settings
from services.generator.telemetry import generator_series
from shared.http import BodyLimit, ErrorStatuses, install_error_handlers
from shared.metrics import instrument

STATUSES: ErrorStatuses = {BadRequest: 422, ModelRefused: 503}  # the generator's errors a route can meet


def create_app(settings: Settings | None = None, service: GeneratorService | None = None) -> FastAPI:
    """The app. Pass ``service`` to serve one you started yourself (it is then not closed here)."""
    owned = service is None
    svc = service or GeneratorService(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if owned:
            await asyncio.to_thread(svc.start)
        try:
            yield
        finally:
            if owned:
                await asyncio.to_thread(svc.close)

    app = FastAPI(title="EcomInsight generator", lifespan=lifespan)
    app.state.service = svc
    app.add_middleware(BodyLimit, max_bytes=svc.settings.max_body_bytes)
    install_error_handlers(app, STATUSES)  # 422 without the input; BadRequest a 422 with its reason
    instrument(app).add(lambda: generator_series(svc))  # GET /metrics
    app.include_router(router)
    return app
