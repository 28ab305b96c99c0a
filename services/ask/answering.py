"""Answering one question: understand it, compute it, phrase it, and record it as an event.

Framework-free: the routes call ``answer`` and hand back what it returns. A question the
semantic layer does not fully understand is refused with a clarification and never reaches the
warehouse or the generator.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass

import duckdb

from services.ask.errors import Refused
from services.ask.generator_client import GeneratorClient
from services.ask.schemas import AskResponse, Clarification
from services.ask.semantic import SemanticLayer, Understanding, intent_of, refusal_text
from services.ask.state import Services
from services.ask.warehouse import Warehouse
from shared.errors import EcomInsightError
from shared.events import QueryEvent
from shared.prompt import build_prompt
from shared.results import ToolResult

log = logging.getLogger(__name__)
TOOL = "semantic_query"


@dataclass
class Answered:
    response: AskResponse
    event: QueryEvent


def clean(text: str) -> str:
    """Lone surrogates (valid JSON escapes, invalid text) become "?" so events and replies encode."""
    return text.encode("utf-8", "replace").decode("utf-8").strip()


def clarification_of(u: Understanding) -> Clarification:
    return Clarification(
        reason="out_of_scope" if u.outcome == "out_of_scope" else "unclear",
        understood=u.understood,
        unused=u.unused,
        suggestions=u.suggestions,
    )


def answer(
    layer: SemanticLayer,
    warehouse: Warehouse,
    generator: GeneratorClient,
    shop_id: str,
    currency: str,
    question: str,
    source: str = "api",
    conversation_id: str | None = None,
) -> Answered:
    """``conversation_id``: the conversation this question continues (a follow-up is read against
    its last reading); the answer carries the id to send with the next question."""
    started = time.perf_counter()
    query_id = uuid.uuid4().hex
    previous = layer.conversations.previous(conversation_id, shop_id)
    conversation = layer.conversations.id_for(conversation_id, shop_id)
    understanding = layer.understand(
        question, shop_id, lexicon=layer.lexicon.for_shop(shop_id), previous=previous
    )
    q = understanding.interpretation
    result: ToolResult | None = None
    error: str | None = None
    clarification: Clarification | None = None
    generator_name, version = "template", "template"
    if q is None:
        text, success, intent = refusal_text(understanding), False, "unsupported"
        clarification = clarification_of(understanding)
    else:
        intent = intent_of(q)
        parts: list[ToolResult] = []
        try:
            parts = layer.compute_all(q, shop_id, currency)
            result = parts[0]
        except (duckdb.Error, EcomInsightError, ArithmeticError) as exc:
            log.exception("query %s failed for shop %s", intent, shop_id)
            error = f"{type(exc).__name__}: {exc}"
        if result is None:
            text, success = "Sorry, I could not compute that right now. Please try again.", False
        else:
            phrased = generator.phrase(question, result, shop_id)
            text, success = phrased.text, True
            generator_name, version = phrased.generator, phrased.model_version
            for more in parts[1:]:  # further measures: each stated with its own definition
                text += " " + generator.phrase(question, more, shop_id).text
            if result.values.get("ties"):  # a ranking cut inside a tie says so
                text += f" Tie at the cut: {result.values['ties']}."
            if understanding.skipped:
                text += f" (skipped: {', '.join(understanding.skipped)})"
            layer.conversations.remember(conversation, shop_id, q)
    confidence = (0.9 if q.corrections else 1.0) if q is not None and success else 0.0
    elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
    response = AskResponse(
        query_id=query_id,
        answer=text,
        intent=intent,
        tool=TOOL if q is not None else None,
        confidence=confidence,
        success=success,
        interpretation=q,
        clarification=clarification,
        data=data_of(parts) if result else None,
        model_version=version,
        generator="model" if generator_name == "model" else "template",
        response_time_ms=elapsed_ms,
        conversation_id=conversation,
        skipped=understanding.skipped,
    )
    event = QueryEvent(
        query_id=query_id,
        shop_id=shop_id,
        question=question,
        answer=text,
        intent=intent,
        tool=response.tool,
        tool_params=q.model_dump(mode="json") if q is not None else {},
        confidence=confidence,
        success=success,
        error=error or (understanding.message if q is None else None),
        response_time_ms=elapsed_ms,
        model_version=version,
        generator=response.generator,
        prompt=build_prompt(question, result, shop_id) if result else None,
        result=result.model_dump() if result else None,
        interpretation=q.model_dump(mode="json") if q is not None else None,
        source=source,
    )
    return Answered(response, event)


def data_of(parts: list[ToolResult]) -> dict[str, object]:
    """The first result; with several measures, also ``measures``: each metric and its value."""
    data: dict[str, object] = parts[0].model_dump()
    rows = data.get("rows")
    if (
        isinstance(rows, list) and rows and "key2" in rows[0]
    ):  # two group-bys: the keys in the question's order
        data["rows"] = [{**row, "keys": [row["key1"], row["key2"]]} for row in rows]
    if len(parts) > 1:
        data["measures"] = [
            {
                "metric": str(p.params.get("metric")),
                "label": p.values.get("metric"),
                "value": p.values.get("value"),
            }
            for p in parts
        ]
    return data


def readable(s: Services, shop_id: str, question: str) -> tuple[str, str]:
    """The shop (name, currency) of a (cleaned) question that can be read at all; else ``Refused``
    with the HTTP status and why."""
    limit = s.settings.max_question_length
    if not question:
        raise Refused("question must not be empty", 422)
    if len(question) > limit:
        raise Refused(f"question is longer than {limit} characters", 422)
    shop = s.warehouse.shop(shop_id)
    if shop is None:
        raise Refused(f"unknown shop {shop_id!r}", 404)
    return shop


def answer_request(
    s: Services, shop_id: str, question: str, source: str = "api", conversation_id: str | None = None
) -> Answered:
    """One request of a resolved shop (the HTTP route and the MCP ``ask`` tool): check the
    question and the shop, answer, and publish the event. Raises ``Refused`` (after publishing
    the refused request's event too)."""
    question = clean(question)
    try:
        shop = readable(s, shop_id, question)
    except Refused as exc:
        limit = s.settings.max_question_length
        s.publish(
            s.settings.kafka.topic_queries, rejected(shop_id, question, str(exc), limit, source), shop_id
        )
        raise
    answered = answer(
        s.layer,
        s.warehouse,
        s.generator,
        shop_id,
        shop[1],
        question,
        source=source,
        conversation_id=conversation_id,
    )
    s.publish(s.settings.kafka.topic_queries, answered.event, shop_id)
    if s.metrics is not None:
        s.metrics.answered(answered.response)
    return answered


def rejected(shop_id: str, question: str, message: str, max_length: int, source: str = "api") -> QueryEvent:
    """The event of a request refused before it was read (empty, too long, unknown shop)."""
    return QueryEvent(
        query_id=uuid.uuid4().hex,
        shop_id=shop_id,
        question=question[:max_length],
        answer="",
        intent="invalid",
        confidence=0.0,
        success=False,
        error=message,
        response_time_ms=0.0,
        source=source,
    )
