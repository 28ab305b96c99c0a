"""The Kafka helpers against a real broker: round trips, DLQ, commit-and-resume."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import pytest
from kafka.errors import KafkaError

from shared.broker import LocalBroker, free_port
from shared.events import ExportComplete, FeedbackEvent, ModelReady, QueryEvent, TrainingFailed
from shared.kafka import (
    DLQ_ERROR_HEADER,
    EventConsumer,
    EventProducer,
    Received,
    close_producer,
    ensure_topics,
    make_producer,
    run_in_thread,
)
from shared.settings import KafkaSettings
from tests.helpers import Collector, wait_for


def sample_events() -> list:
    return [
        QueryEvent(
            query_id="q1", shop_id="10", question="How many orders do I have?", answer="You have 174 orders.",
            intent="order_count", tool="count_orders", tool_params={"status": None}, confidence=0.93,
            success=True, response_time_ms=12.5, prompt="p", result={"values": {"count": 174}},
        ),
        FeedbackEvent(query_id="q1", rating="negative", comment="wrong period"),
        ExportComplete(export_id="e1", path="/tmp/x.jsonl", n_examples=42, sha256="ab" * 32,
                       filters={"min_confidence": 0.7}),
        ModelReady(version="v3", path="/models/v3", base_model="google/flan-t5-base", parent_version="v2",
                   export_id="e1", metrics={"fact_accuracy": 1.0}),
        TrainingFailed(export_id="e2", reason="too few examples: 3 < 20"),
    ]


def test_every_event_type_round_trips_through_the_broker(kafka_settings: KafkaSettings) -> None:
    events = sample_events()
    with EventProducer(kafka_settings) as producer:
        for event in events:
            producer.publish_sync(kafka_settings.topic_queries, event, key="10")
    with Collector(kafka_settings, kafka_settings.topic_queries) as collector:
        got = collector.wait_count(len(events))
    assert got == events
    assert [type(e) for e in got] == [type(e) for e in events]


def test_malformed_messages_go_to_the_dlq_and_the_consumer_goes_on(kafka_settings: KafkaSettings) -> None:
    topic = kafka_settings.topic_queries
    good_before, good_after = sample_events()[1], sample_events()[4]
    with EventProducer(kafka_settings) as producer:
        producer.publish_sync(topic, good_before)
        producer.send_raw(topic, b"{not json", None, []).get(timeout=10)
        producer.send_raw(topic, b'{"type": "query"}', None, [("event-type", b"query")]).get(timeout=10)
        producer.send_raw(topic, b"{}", None, [("event-type", b"mystery")]).get(timeout=10)
        producer.publish_sync(topic, good_after)

    handled: list[Received] = []
    consumer = EventConsumer(kafka_settings, [topic], f"g-{uuid.uuid4().hex[:6]}", handled.extend)
    thread = run_in_thread(consumer)
    try:
        wait_for(lambda: len(handled) >= 2, what="the two valid events")
        wait_for(lambda: consumer.dead_lettered >= 3, what="three dead letters")
    finally:
        consumer.stop()
        thread.join(timeout=15)
    assert [r.event for r in handled] == [good_before, good_after]

    from kafka import KafkaConsumer

    raw = KafkaConsumer(
        kafka_settings.topic_dlq, bootstrap_servers=kafka_settings.servers,
        auto_offset_reset="earliest", consumer_timeout_ms=5000, group_id=None,
    )
    dead = [m for _, m in zip(range(3), raw, strict=False)]
    raw.close()
    assert [m.value for m in dead] == [b"{not json", b'{"type": "query"}', b"{}"]
    reasons = [dict(m.headers)[DLQ_ERROR_HEADER].decode() for m in dead]
    assert "Invalid JSON" in reasons[0]
    assert "query_id" in reasons[1]
    assert "unknown event type 'mystery'" in reasons[2]


def test_a_stopped_consumer_resumes_right_after_its_last_commit(kafka_settings: KafkaSettings) -> None:
    topic = kafka_settings.topic_feedback
    group = f"resume-{uuid.uuid4().hex[:6]}"
    first = [FeedbackEvent(query_id=f"a{i}", rating="positive") for i in range(5)]
    second = [FeedbackEvent(query_id=f"b{i}", rating="negative") for i in range(4)]
    with EventProducer(kafka_settings) as producer:
        for e in first:
            producer.publish_sync(topic, e)

    def consume_until(n: int) -> list:
        seen: list = []
        done = threading.Event()

        def handle(batch: list[Received]) -> None:
            seen.extend(r.event for r in batch)
            if len(seen) >= n:
                done.set()

        consumer = EventConsumer(kafka_settings, [topic], group, handle, max_batch=100)
        thread = run_in_thread(consumer)
        assert done.wait(30), f"saw only {len(seen)} of {n}"
        consumer.stop()
        thread.join(timeout=15)
        return seen

    assert consume_until(len(first)) == first
    with EventProducer(kafka_settings) as producer:
        for e in second:
            producer.publish_sync(topic, e)
    assert consume_until(len(second)) == second  # nothing of the first run is seen again


def test_a_failing_handler_is_retried_without_losing_events(kafka_settings: KafkaSettings) -> None:
    topic = kafka_settings.topic_exports
    events = sample_events()[2:4]
    with EventProducer(kafka_settings) as producer:
        for e in events:
            producer.publish_sync(topic, e)
    calls = {"n": 0}
    seen: list = []

    def flaky(batch: list[Received]) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("disk full")
        seen.extend(r.event for r in batch)

    consumer = EventConsumer(kafka_settings, [topic], f"f-{uuid.uuid4().hex[:6]}", flaky, retry_backoff_s=0.1)
    thread = run_in_thread(consumer)
    try:
        wait_for(lambda: len(seen) >= 2, what="events after a retry")
    finally:
        consumer.stop()
        thread.join(timeout=15)
    assert seen == events
    assert calls["n"] >= 2


def test_closing_a_producer_whose_broker_is_gone_fails_its_sends_instead_of_hanging(tmp_path: Path) -> None:
    """A service that stops while the broker is down must still stop: ``close_producer`` returns
    within the delivery timeout, the unsent event is reported as failed, and the producer is closed."""
    port = free_port()
    kafka = KafkaSettings(bootstrap_servers=f"127.0.0.1:{port}", topic_queries=f"gone-{uuid.uuid4().hex[:8]}")
    with LocalBroker(port=port, log_file=tmp_path / "broker.log"):
        ensure_topics(kafka, [kafka.topic_queries])
        producer = make_producer(kafka, retries=0, linger_ms=1000, request_timeout_ms=1000, delivery_timeout_ms=2500)
        producer.send(kafka.topic_queries, b"acknowledged").get(timeout=15)
    pending = producer.send(kafka.topic_queries, b"never sent")  # the topic's metadata is known: queued
    started = time.monotonic()
    close_producer(producer, timeout_s=0.5)
    assert time.monotonic() - started < 2.5 + 0.5 + 2  # the delivery timeout, the first try, slack
    assert pending.is_done and pending.failed()
    with pytest.raises(KafkaError):
        producer.send(kafka.topic_queries, b"after close")
