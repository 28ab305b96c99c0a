"""Answering one question: understand it, compute it, phrase it, and record it as an event.

Framework-free: the routes call ``answer`` and hand back what it returns. A question the
semantic layer does not fully understand is refused with a clarification and never reaches the
warehouse or the generator.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field

import duckdb

from services.ask.errors import Refused
from services.ask.generator_client import GeneratorClient
from services.ask.schemas import AskResponse, Clarification
from services.ask.semantic import SemanticLayer, Understanding, intent_of, refusal_text
from services.ask.state import Services
from services.ask.warehouse import Warehouse
from shared.errors import EcomInsightError
from shared.events import QueryEvent
from shared.interpretation import Interpretation
from shared.prompt import build_prompt
from shared.results import ToolResult

log = logging.getLogger(__name__)
TOOL = "semantic_query"
# What a question's event repeats of its response, as they are.
EVENT_FIELDS = {
    "query_id", "answer", "intent", "tool", "confidence", "success", "response_time_ms", "model_version", "generator",
}  # fmt: skip


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


@dataclass
class Reply:
    """What a question came to, before it is packed into the response and the event: the answer's
    text, and for a computed question its results (``parts``, the main one first) and who
    phrased it."""

    text: str
    success: bool
    intent: str
    clarification: Clarification | None = None
    parts: list[ToolResult] = field(default_factory=list)
    error: str | None = None
    generator: str = "template"
    version: str = "template"

    @property
    def result(self) -> ToolResult | None:
        return self.parts[0] if self.parts else None


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
    if q is None:
        reply = Reply(refusal_text(understanding), False, "unsupported", clarification_of(understanding))
    else:
        reply = computed(layer, generator, understanding, q, question, shop_id, currency)
        if reply.success:
            layer.conversations.remember(conversation, shop_id, q)
    confidence = (0.9 if q.corrections else 1.0) if q is not None and reply.success else 0.0
    response = AskResponse(
        query_id=query_id,
        answer=reply.text,
        intent=reply.intent,
        tool=TOOL if q is not None else None,
        confidence=confidence,
        success=reply.success,
        interpretation=q,
        clarification=reply.clarification,
        data=data_of(reply.parts) if reply.result else None,
        model_version=reply.version,
        generator="model" if reply.generator == "model" else "template",
        response_time_ms=round((time.perf_counter() - started) * 1000, 3),
        conversation_id=conversation,
        skipped=understanding.skipped,
    )
    return Answered(response, query_event(response, reply, understanding, question, shop_id, source))


def computed(
    layer: SemanticLayer,
    generator: GeneratorClient,
    understanding: Understanding,
    q: Interpretation,
    question: str,
    shop_id: str,
    currency: str,
) -> Reply:
    """The reply to an understood question: computed over the warehouse and phrased (the
    generator or its template); a failed computation says sorry and keeps the error."""
    intent = intent_of(q)
    try:
        parts = layer.compute_all(q, shop_id, currency)
        result = parts[0]
    except (duckdb.Error, EcomInsightError, ArithmeticError) as exc:
        log.exception("query %s failed for shop %s", intent, shop_id)
        error = f"{type(exc).__name__}: {exc}"
        return Reply("Sorry, I could not compute that right now. Please try again.", False, intent, error=error)
    phrased = generator.phrase(question, result, shop_id)
    text = phrased.text
    for more in parts[1:]:  # further measures: each stated with its own definition
        text += " " + generator.phrase(question, more, shop_id).text
    if result.values.get("ties"):  # a ranking cut inside a tie says so
        text += f" Tie at the cut: {result.values['ties']}."
    if understanding.skipped:
        text += f" (skipped: {', '.join(understanding.skipped)})"
    return Reply(text, True, intent, parts=parts, generator=phrased.generator, version=phrased.model_version)


def query_event(
    response: AskResponse, reply: Reply, understanding: Understanding, question: str, shop_id: str, source: str
) -> QueryEvent:
    """The ``QueryEvent`` of an answered (or refused) question: the response's fields
    (``EVENT_FIELDS``), with what the logger keeps besides (the prompt, the result, the error)."""
    q, result = understanding.interpretation, reply.result
    return QueryEvent(
        **response.model_dump(include=EVENT_FIELDS),
        shop_id=shop_id,
        question=question,
        tool_params=q.model_dump(mode="json") if q is not None else {},
        error=reply.error or (understanding.message if q is None else None),
        prompt=build_prompt(question, result, shop_id) if result else None,
        result=result.model_dump() if result else None,
        interpretation=q.model_dump(mode="json") if q is not None else None,
        source=source,
    )


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
