"""The generator's HTTP API.

* ``POST /generate`` ``{"question", "result": ToolResult, "tool"?}`` -> ``{text, model_version,
  generator, latency_ms, prompt, fallback_reason}``; ``model_version`` is the version that
  phrased this answer (the canary's for its share of the shop's requests).
* ``GET /model``: the serving version and its metadata, the canary (``canary``: version,
  fraction, metadata; null without one) and recently refused versions.
* ``GET /health``: ``{"status": "ok", ...}`` with batching and reload counters.

Bad input gets a 422 whose ``detail`` says what is wrong (never the input itself), never a 500;
a body over ``max_body_bytes`` gets a 413.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.generator.metrics import generator_series
from services.generator.service import GeneratorService
from services.generator.settings import Settings
from shared.errors import PlaceholderError
from shared.http import BodyLimit, validation_details
from shared.metrics import instrument
from shared.phrasing import template_answer
from shared.results import ToolResult


class GenerateRequest(BaseModel):
    question: str = Field(min_length=1)
    result: ToolResult
    tool: str | None = Field(default=None, description="optional; must match result.tool when given")
    shop_id: str | None = Field(
        default=None, max_length=64, pattern=r"^[A-Za-z0-9_-]*$", description="the shop: phrasing is per shop"
    )


class GenerateResponse(BaseModel):
    text: str
    model_version: str
    generator: str
    latency_ms: float
    prompt: str
    fallback_reason: str | None = None


MAX_ABS_VALUE = 1e15  # beyond any shop's count or amount; Decimal formatting fails far above it


def _unshowable(result: ToolResult) -> str | None:
    """The first number that is not finite or too large to show (JSON ``1e400`` arrives as inf)."""
    cells = [*result.values.items(), *(item for row in result.rows for item in row.items())]
    for key, value in cells:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if number and (not math.isfinite(value) or abs(value) >= MAX_ABS_VALUE):  # type: ignore[arg-type]
            return key
    return None


def _bad_request(message: str, errors: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"detail": message}
    if errors is not None:
        body["errors"] = jsonable_encoder(errors)
    return JSONResponse(status_code=422, content=body)


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
    instrument(app).add(lambda: generator_series(svc))  # GET /metrics

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        message, errors = validation_details(exc)  # without the input: a 50 MB field is not echoed
        return _bad_request(message, errors)

    @app.post("/generate", response_model=GenerateResponse)
    async def generate(req: GenerateRequest) -> Any:
        started = time.perf_counter()
        if req.tool is not None and req.tool != req.result.tool:
            return _bad_request(f"tool {req.tool!r} does not match result.tool {req.result.tool!r}")
        question = req.question.strip()
        if not question:
            return _bad_request("question is empty")
        if len(question) > svc.settings.max_question_chars:
            return _bad_request(f"question is longer than {svc.settings.max_question_chars} characters")
        bad = _unshowable(req.result)
        if bad is not None:
            return _bad_request(f"result value {bad!r} is not a finite number below {MAX_ABS_VALUE:g}")
        try:
            template_answer(req.result)  # the fallback must exist before a model is asked
        except PlaceholderError as exc:
            return _bad_request(f"result does not fit tool {req.result.tool!r}: {exc}")
        except ArithmeticError as exc:  # 1e400 is inf; decimal.InvalidOperation for inf, nan, 1e300
            return _bad_request(f"result holds a number that cannot be shown (too large or not finite): {exc!r}")
        answer = await asyncio.wrap_future(svc.submit(question, req.result, req.shop_id))
        return GenerateResponse(
            text=answer.text,
            model_version=answer.model_version,
            generator=answer.generator,
            latency_ms=round((time.perf_counter() - started) * 1000, 3),
            prompt=answer.prompt,
            fallback_reason=answer.fallback_reason,
        )

    @app.get("/model")
    async def model() -> dict[str, Any]:
        return svc.model_info()

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return svc.health()

    return app
