"""The ask API: ``POST /api/mcp/ask``, ``POST /api/mcp/feedback``, ``GET /health`` (docs at /docs).

Per request: route the question, run the tool over the warehouse, phrase the answer (generator or
template), respond, and append one ``QueryEvent`` to the outbox, which a background thread sends
to Kafka; the request never waits for the broker.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

import duckdb
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from services.ask.generator_client import GeneratorClient
from services.ask.outbox import Outbox, Publisher, PublisherProcess
from services.ask.router import Route, Router, load_embedder
from services.ask.settings import Settings
from services.ask.tools import run_tool
from services.ask.warehouse import Warehouse
from shared.errors import EcomInsightError
from shared.events import Event, FeedbackEvent, QueryEvent
from shared.phrasing import UNSUPPORTED_ANSWER
from shared.prompt import build_prompt
from shared.results import ToolResult

log = logging.getLogger(__name__)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    shop_id: str = Field(min_length=1, max_length=64, examples=["10"])
    question: str = Field(examples=["How many orders did I get last month?"])


class AskResponse(BaseModel):
    query_id: str
    answer: str
    intent: str
    tool: str | None
    confidence: float
    success: bool
    data: dict[str, Any] | None = Field(description="the tool result the answer was built from")
    model_version: str
    generator: Literal["model", "template"]
    response_time_ms: float


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    query_id: str = Field(min_length=1, max_length=128)
    feedback: Literal["positive", "negative"]
    comment: str | None = Field(default=None, max_length=2000)


@dataclass
class Services:
    """What the app holds for its lifetime (opened in the lifespan, closed after)."""

    settings: Settings
    warehouse: Warehouse
    router: Router
    generator: GeneratorClient
    outbox: Outbox | None
    publisher: Publisher | PublisherProcess | None

    def publish(self, topic: str, event: Event, key: str | None) -> None:
        if self.outbox is None:
            return
        try:
            self.outbox.append(topic, event, key)
        except Exception:  # never fail a request because of its event
            log.exception("could not write %s %s to the outbox", event.type, event.event_id)


def create_app(settings: Settings | None = None, router: Router | None = None) -> FastAPI:
    """The FastAPI app. Pass ``router`` to share one (embedding) router between apps."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
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
            if settings.outbox_publisher == "process":
                publisher = PublisherProcess(
                    settings.paths.outbox,
                    settings.kafka,
                    batch=settings.outbox_batch,
                    retry_s=settings.outbox_retry_s,
                    poll_s=settings.outbox_poll_s,
                ).start()
            else:
                publisher = Publisher(
                    settings.paths.outbox,
                    settings.kafka,
                    batch=settings.outbox_batch,
                    retry_s=settings.outbox_retry_s,
                    outbox=outbox,
                ).start()
        services = Services(
            settings=settings,
            warehouse=warehouse,
            router=router or Router(load_embedder() if settings.use_embedding else None),
            generator=GeneratorClient(
                settings.generator_url,
                settings.generator_timeout_s,
                settings.generator_retry_after_s,
                enabled=settings.use_generator,
            ),
            outbox=outbox,
            publisher=publisher,
        )
        app.state.services = services
        try:
            yield
        finally:
            if publisher is not None:
                publisher.stop()
            if outbox is not None:
                outbox.close()
            services.generator.close()
            warehouse.close()

    app = FastAPI(
        title="EcomInsight ask API",
        description="Plain-English analytics questions about a shop, answered from its warehouse.",
        version="1.0",
        lifespan=lifespan,
    )

    @app.exception_handler(EcomInsightError)
    async def _ecominsight_error(request: Request, exc: EcomInsightError) -> JSONResponse:
        return JSONResponse(status_code=503, content={"detail": str(exc)})

    @app.get("/health")
    def health(request: Request) -> dict[str, Any]:
        s: Services = request.app.state.services
        body: dict[str, Any] = {
            "status": "ok",
            "service": "ask",
            "router": "embedding" if s.router.embedder else "rules",
        }
        if s.publisher is not None:
            body["events"] = {
                "published": s.publisher.published,
                "failures": s.publisher.failures,
                "last_error": s.publisher.last_error,
            }
        return body

    @app.post("/api/mcp/ask", response_model=AskResponse)
    def ask(body: AskRequest, request: Request) -> AskResponse:
        s: Services = request.app.state.services
        started = time.perf_counter()
        query_id = uuid.uuid4().hex
        # Lone surrogates (valid JSON escapes, invalid text) become "?" so events and replies encode.
        question = body.question.encode("utf-8", "replace").decode("utf-8").strip()
        shop_id = body.shop_id.encode("utf-8", "replace").decode("utf-8").strip()

        def reject(status: int, message: str) -> HTTPException:
            s.publish(
                s.settings.kafka.topic_queries,
                QueryEvent(
                    query_id=query_id,
                    shop_id=shop_id,
                    question=question[: s.settings.max_question_length],
                    answer="",
                    intent="invalid",
                    confidence=0.0,
                    success=False,
                    error=message,
                    response_time_ms=(time.perf_counter() - started) * 1000,
                ),
                shop_id,
            )
            return HTTPException(status, message)

        if not question:
            raise reject(422, "question must not be empty")
        if len(question) > s.settings.max_question_length:
            raise reject(422, f"question is longer than {s.settings.max_question_length} characters")
        shop = s.warehouse.shop(shop_id)
        if shop is None:
            raise reject(404, f"unknown shop {shop_id!r}")
        _, currency = shop

        route: Route = s.router.route(question)
        result: ToolResult | None = None
        error: str | None = None
        generator, model_version = "template", "template"
        if route.call is None:
            answer, success = UNSUPPORTED_ANSWER, False
        else:
            try:
                result = run_tool(s.warehouse, shop_id, currency, route.call, s.settings.list_limit)
            except (duckdb.Error, EcomInsightError, ArithmeticError) as exc:
                log.exception("tool %s failed for shop %s", route.tool, shop_id)
                error = f"{type(exc).__name__}: {exc}"
            if result is None:
                answer, success = "Sorry, I could not compute that right now. Please try again.", False
            else:
                phrased = s.generator.phrase(question, result)
                answer, success = phrased.text, True
                generator, model_version = phrased.generator, phrased.model_version
        elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
        response = AskResponse(
            query_id=query_id,
            answer=answer,
            intent=route.intent,
            tool=route.tool,
            confidence=route.confidence,
            success=success,
            data=result.model_dump() if result else None,
            model_version=model_version,
            generator="model" if generator == "model" else "template",
            response_time_ms=elapsed_ms,
        )
        s.publish(
            s.settings.kafka.topic_queries,
            QueryEvent(
                query_id=query_id,
                shop_id=shop_id,
                question=question,
                answer=answer,
                intent=route.intent,
                tool=route.tool,
                tool_params=route.call.params() if route.call else {},
                confidence=route.confidence,
                success=success,
                error=error,
                response_time_ms=elapsed_ms,
                model_version=model_version,
                generator=response.generator,
                prompt=build_prompt(question, result) if result else None,
                result=result.model_dump() if result else None,
            ),
            shop_id,
        )
        return response

    @app.post("/api/mcp/feedback", status_code=202)
    def feedback(body: FeedbackRequest, request: Request) -> dict[str, Any]:
        s: Services = request.app.state.services
        event = FeedbackEvent(query_id=body.query_id, rating=body.feedback, comment=body.comment)
        s.publish(s.settings.kafka.topic_feedback, event, body.query_id)
        return {"status": "accepted", "query_id": body.query_id, "event_id": str(event.event_id)}

    return app
