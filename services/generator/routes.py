"""The generator's routes, each a short handler over the ``GeneratorService`` of the app:

* ``POST /generate`` ``{"question", "result": ToolResult, "tool"?, "shop_id"?}`` -> ``{text,
  model_version, generator, latency_ms, prompt, fallback_reason}``; ``model_version`` is the
  version that phrased this answer (the canary's for its share of the shop's requests).
* ``GET /model``: the serving version and its metadata, the canary (``canary``: version,
  fraction, metadata; null without one) and recently refused versions.
* ``GET /health``: ``{"status": "ok", ...}`` with batching and reload counters.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from services.generator.input_checks import checked_question
from services.generator.schemas import GenerateRequest, GenerateResponse
from services.generator.service import GeneratorService


def get_service(request: Request) -> GeneratorService:
    service: GeneratorService = request.app.state.service
    return service


ServiceDep = Annotated[GeneratorService, Depends(get_service)]

router = APIRouter()


@router.post("/generate", response_model=GenerateResponse)
async def generate(req: GenerateRequest, svc: ServiceDep) -> GenerateResponse:
    started = time.perf_counter()
    question = checked_question(req, svc.settings.max_question_chars)  # BadRequest: a 422
    answer = await asyncio.wrap_future(svc.submit(question, req.result, req.shop_id))
    return GenerateResponse(
        text=answer.text,
        model_version=answer.model_version,
        generator=answer.generator,
        latency_ms=round((time.perf_counter() - started) * 1000, 3),
        prompt=answer.prompt,
        fallback_reason=answer.fallback_reason,
    )


@router.get("/model")
async def model(svc: ServiceDep) -> dict[str, Any]:
    return svc.model_info()


@router.get("/health")
async def health(svc: ServiceDep) -> dict[str, Any]:
    return svc.health()
