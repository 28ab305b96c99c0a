"""Fixtures for the logger tests: settings on tmp_path and fresh topics, realistic query events."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.logger.app import create_app
from services.logger.service import LoggerService
from services.logger.settings import Settings
from services.logger.sink.writer import Sink
from shared.broker import free_port
from shared.events import Event, QueryEvent
from shared.kafka import Received
from shared.phrasing import UNSUPPORTED_ANSWER, template_answer
from shared.prompt import build_prompt
from shared.results import ToolResult
from shared.settings import KafkaSettings, PathSettings

ADMIN = {"Authorization": "Bearer test-token"}
READER = {"Authorization": "Bearer test-read-token"}


def make_settings(data_dir: Path, kafka: KafkaSettings, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "kafka": kafka,
        "paths": PathSettings(data_dir=data_dir),
        "group_id": f"logger-{uuid.uuid4().hex[:8]}",
        "port": free_port(),
        "admin_token": "test-token",
        "read_token": "test-read-token",
        "batch_max_events": 50,
        "batch_max_ms": 100,
        "export_min_examples": 3,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path, kafka_settings: KafkaSettings) -> Settings:
    return make_settings(tmp_path, kafka_settings)


@pytest.fixture
def service(settings: Settings) -> Iterator[LoggerService]:
    """A running logger (sink thread consuming from the broker), in-process."""
    with LoggerService(settings) as svc:
        yield svc


BASE_TIME = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def query_event(i: int, rng: random.Random | None = None, **overrides: object) -> QueryEvent:
    """A realistic query event as the ask service publishes it (prompt from build_prompt)."""
    rng = rng or random.Random(i)
    shop = str(rng.choice([10, 11, 12]))
    question = rng.choice(["How many orders do I have?", "What is my total revenue?", "What's the weather?"])
    if question.startswith("How many"):
        result: ToolResult | None = ToolResult(tool="count_orders", values={"count": rng.randint(1, 2000)})
        intent = "order_count"
    elif question.startswith("What is my total"):
        result = ToolResult(
            tool="total_revenue",
            values={"revenue": round(rng.uniform(10, 9999), 2), "orders": rng.randint(1, 99)},
            money=["revenue"],
        )
        intent = "revenue"
    else:
        result, intent = None, "unsupported"
    fields: dict[str, object] = {
        "query_id": f"q-{i}-{uuid.uuid4().hex[:6]}",
        "shop_id": shop,
        "question": question,
        "answer": template_answer(result) if result else UNSUPPORTED_ANSWER,
        "intent": intent,
        "tool": result.tool if result else None,
        "tool_params": result.params if result else {},
        "confidence": round(rng.uniform(0.3, 1.0), 3) if result else 0.1,
        "success": result is not None,
        "error": None if result else "unsupported question",
        "response_time_ms": round(rng.uniform(5, 400), 2),
        "model_version": rng.choice(["template", "v1"]),
        "generator": "template",
        "prompt": build_prompt(question, result) if result else None,
        "result": result.model_dump() if result else None,
        "occurred_at": BASE_TIME + timedelta(minutes=i),
    }
    fields.update(overrides)
    return QueryEvent(**fields)  # type: ignore[arg-type]


@contextmanager
def filled_client(settings: Settings, events: Sequence[Event], batch: int = 64) -> Iterator[TestClient]:
    """The logger's app without its Kafka consumer (read token), its database filled with
    ``events`` through the real sink in micro-batches of ``batch``."""
    app = create_app(settings, start_worker=False)
    with TestClient(app, headers=READER) as tc:
        sink = Sink(app.state.service.db.cursor(), settings.paths.query_logs)
        for start in range(0, len(events), batch):
            sink.write([Received(e, "t", 0, i) for i, e in enumerate(events[start : start + batch], start)])
        sink.close()
        yield tc
