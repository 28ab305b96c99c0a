"""Every /ask request becomes one QueryEvent on the real broker; feedback becomes a FeedbackEvent."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from services.ask.app import create_app
from services.ask.settings import Settings
from shared.events import FeedbackEvent, QueryEvent
from shared.prompt import build_prompt
from shared.results import ToolResult
from shared.settings import KafkaSettings
from tests.helpers import Collector


def test_one_query_event_per_request_with_the_documented_fields(
    kafka_settings: KafkaSettings, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(kafka_settings)
    requests = [
        ("10", "How many orders did I get last month?", 200),
        ("11", "Who are my top 3 customers?", 200),
        ("10", "What's the weather in Paris?", 200),  # unsupported
        ("404", "How many orders do I have?", 404),  # unknown shop: still one event
    ]
    with (
        TestClient(create_app(settings)) as client,
        Collector(kafka_settings, kafka_settings.topic_queries) as col,
    ):
        responses = []
        for shop_id, question, status in requests:
            response = client.post("/api/mcp/ask", json={"shop_id": shop_id, "question": question})
            assert response.status_code == status
            responses.append(response.json())
        col.wait_count(len(requests))
        received = list(col.received)

    assert len(received) == len(requests)  # exactly one each
    by_question = {r.event.question: r for r in received if isinstance(r.event, QueryEvent)}
    for (shop_id, question, status), body in zip(requests, responses, strict=True):
        rec = by_question[question]
        event = rec.event
        assert isinstance(event, QueryEvent)
        assert rec.key == shop_id.encode()
        assert event.shop_id == shop_id
        if status != 200:
            assert event.success is False and event.error and "unknown shop" in event.error
            continue
        assert event.query_id == body["query_id"]
        assert event.answer == body["answer"]
        assert (event.intent, event.tool, event.success) == (body["intent"], body["tool"], body["success"])
        assert event.confidence == body["confidence"]
        assert event.response_time_ms == body["response_time_ms"]
        assert (event.generator, event.model_version) == ("template", "template")
        if body["data"] is None:
            assert event.result is None and event.prompt is None and event.tool is None
            assert event.interpretation is None and event.success is False
        else:
            assert event.result == body["data"]
            # The prompt carries the shop: phrasing is learnt per shop.
            assert event.prompt == build_prompt(question, ToolResult.model_validate(body["data"]), shop_id)
            assert f"| shop: {shop_id} |" in event.prompt
            # The structured query that was computed travels with the event, for logs and the export.
            assert event.interpretation == body["interpretation"] == event.tool_params
            assert event.interpretation is not None and event.interpretation["metric"]
        assert event.source == "api"


def test_feedback_becomes_a_feedback_event(
    kafka_settings: KafkaSettings, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(kafka_settings)
    with (
        TestClient(create_app(settings)) as client,
        Collector(kafka_settings, kafka_settings.topic_feedback) as col,
    ):
        query_id = client.post("/api/mcp/ask", json={"shop_id": "10", "question": "total revenue"}).json()[
            "query_id"
        ]
        r1 = client.post(
            "/api/mcp/feedback",
            json={"query_id": query_id, "feedback": "negative", "comment": "wrong period"},
        )
        r2 = client.post("/api/mcp/feedback", json={"query_id": query_id, "feedback": "positive"})
        assert r1.status_code == r2.status_code == 202
        events = col.wait_count(2)
    assert all(isinstance(e, FeedbackEvent) for e in events)
    assert [(e.query_id, e.rating, e.comment) for e in events] == [
        (query_id, "negative", "wrong period"),
        (query_id, "positive", None),
    ]
    assert str(events[0].event_id) == r1.json()["event_id"]
