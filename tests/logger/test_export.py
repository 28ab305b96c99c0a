"""Export for fine-tuning: filters, dedupe, the record format (input == the inference prompt),
the versioned copy and manifest, ExportComplete, too few examples, and the continuous policy."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.logger.app import create_app
from services.logger.settings import Settings
from shared.events import ExportComplete, FeedbackEvent, QueryEvent
from shared.kafka import EventProducer
from shared.prompt import build_prompt
from shared.results import ToolResult
from tests.helpers import Collector, wait_for
from tests.logger.conftest import ADMIN, BASE_TIME, make_settings, query_event


def count_event(i: int, count: int, question: str = "How many orders do I have?", **overrides: object) -> QueryEvent:
    result = ToolResult(tool="count_orders", values={"count": count})
    fields: dict[str, object] = {
        "question": question,
        "answer": f"You have {count:,} orders.",
        "intent": "order_count",
        "tool": "count_orders",
        "confidence": 0.9,
        "success": True,
        "error": None,
        "prompt": build_prompt(question, result),
        "result": result.model_dump(),
    }
    fields.update(overrides)
    return query_event(i, None, **fields)


def scenario() -> tuple[list, list[QueryEvent]]:
    """Events, and the queries an export must keep (computed by hand, oldest first)."""
    keep = [count_event(i, 100 + i) for i in range(6)]
    negative = count_event(10, 5000)
    duplicate_old = count_event(11, 777, occurred_at=BASE_TIME - timedelta(days=1))
    duplicate_new = count_event(12, 777, question="  how many orders do I have?")  # same question, other case
    events: list = [
        *keep,
        negative,
        count_event(13, 6000, confidence=0.7),  # not above the threshold
        count_event(14, 7000, success=False, error="boom"),
        count_event(15, 8000, prompt=None),  # no prompt: nothing to train on
        query_event(16, question="What's the weather?"),  # unsupported
        duplicate_old,
        duplicate_new,
        FeedbackEvent(query_id=negative.query_id, rating="negative"),
        FeedbackEvent(query_id=keep[0].query_id, rating="positive"),
    ]
    expected = sorted([*keep, duplicate_new], key=lambda q: q.occurred_at)
    return events, expected


def publish(settings: Settings, events: list) -> None:
    with EventProducer(settings.kafka) as producer:
        for e in events:
            topic = settings.kafka.topic_queries if isinstance(e, QueryEvent) else settings.kafka.topic_feedback
            producer.publish_sync(topic, e)


@pytest.fixture
def running(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as tc:
        yield tc


def logged(tc: TestClient, n: int) -> None:
    wait_for(lambda: tc.get("/health").json()["events_written"] >= n, what=f"{n} events logged")


def test_export_filters_format_manifest_and_event(settings: Settings, running: TestClient) -> None:
    events, expected = scenario()
    publish(settings, events)
    logged(running, len(events))
    with Collector(settings.kafka, settings.kafka.topic_exports) as exports:
        r = running.post("/export", headers=ADMIN)
        assert r.status_code == 200, r.text
        result = r.json()
        [event] = exports.wait_count(1)

    out = settings.paths.query_logs / "finetuning_data.jsonl"
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["query_id"] for r in records] == [q.query_id for q in expected]
    for record, query in zip(records, expected, strict=True):
        assert set(record) == {
            "input", "output", "intent", "tool", "result", "query_id", "interpretation", "shop_id", "correction"
        }
        assert record["correction"] is None and record["shop_id"] == query.shop_id
        assert record["input"] == query.prompt
        assert record["input"] == build_prompt(query.question, ToolResult(**record["result"]))  # the inference prompt
        assert (record["output"], record["intent"], record["tool"]) == (query.answer, query.intent, query.tool)

    versioned = Path(result["path"])
    assert versioned.parent.parent == settings.paths.exports.resolve()
    assert versioned.read_bytes() == out.read_bytes()
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    manifest = json.loads((versioned.parent / "manifest.json").read_text())
    assert manifest["export_id"] == result["export_id"] == versioned.parent.name
    assert manifest["count"] == result["n_examples"] == len(expected)
    assert manifest["sha256"] == result["sha256"] == digest
    assert manifest["filters"]["min_confidence_exclusive"] == 0.7
    first, last = expected[0].occurred_at, expected[-1].occurred_at
    assert manifest["time_range"] == {"first_query_at": first.isoformat(), "last_query_at": last.isoformat()}

    assert isinstance(event, ExportComplete)
    assert (event.export_id, event.path, event.n_examples, event.sha256) == (
        result["export_id"], str(versioned), len(expected), digest
    )


def test_too_few_examples_writes_nothing_and_publishes_nothing(tmp_path: Path, kafka_settings) -> None:
    settings = make_settings(tmp_path, kafka_settings, export_min_examples=50)
    events, expected = scenario()
    publish(settings, events)
    with TestClient(create_app(settings)) as tc, Collector(settings.kafka, settings.kafka.topic_exports) as exports:
        logged(tc, len(events))
        r = tc.post("/export", headers=ADMIN)
        assert r.status_code == 409
        assert f"only {len(expected)} qualifying examples" in r.json()["detail"]
        assert "at least 50" in r.json()["detail"]
        assert not settings.paths.exports.exists()
        assert not (settings.paths.query_logs / "finetuning_data.jsonl").exists()
        settings.export_min_examples = 3  # now enough: the only event that arrives is this export's
        second = tc.post("/export", headers=ADMIN).json()
        got = exports.wait_count(1)
        assert [e.export_id for e in got] == [second["export_id"]]


def test_continuous_learning_exports_every_n_new_examples(tmp_path: Path, kafka_settings) -> None:
    settings = make_settings(tmp_path, kafka_settings, export_every_n=4, export_min_examples=3)
    with TestClient(create_app(settings)) as tc, Collector(settings.kafka, settings.kafka.topic_exports) as exports:
        publish(settings, [count_event(i, 10 + i) for i in range(3)])
        logged(tc, 3)
        publish(settings, [count_event(i, 20 + i) for i in range(3, 5)])
        [event] = exports.wait_count(1)
        assert event.n_examples == 5
        ids = tc.post("/sql", json={"sql": "SELECT export_id FROM exports"}, headers=ADMIN).json()["rows"]
        assert ids == [[event.export_id]]


def test_continuous_learning_exports_on_an_interval_when_there_is_something_new(tmp_path: Path, kafka_settings) -> None:
    settings = make_settings(tmp_path, kafka_settings, export_every_seconds=1.0, export_min_examples=3)
    with TestClient(create_app(settings)) as tc, Collector(settings.kafka, settings.kafka.topic_exports) as exports:
        publish(settings, [count_event(i, 10 + i) for i in range(3)])
        first = exports.wait_count(1)[0]
        publish(settings, [count_event(3, 99)])
        logged(tc, 4)
        second = exports.wait_count(2)[1]
    assert (first.n_examples, second.n_examples) == (3, 4)
    assert first.export_id != second.export_id
