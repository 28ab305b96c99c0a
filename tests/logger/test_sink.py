"""Events in through the real broker -> JSONL lines and table rows out, field by field."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from services.logger.service import LoggerService
from services.logger.settings import Settings
from services.logger.sink.files import ALL_FILE, FAILED_FILE, SUCCESS_FILE
from services.logger.sink.schema import open_db
from services.logger.sink.writer import Sink
from shared.events import FeedbackEvent, QueryEvent
from shared.kafka import DLQ_ERROR_HEADER, EventProducer, Received
from shared.settings import KafkaSettings
from tests.helpers import wait_for
from tests.logger.conftest import query_event


def read_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def publish(settings: Settings, events: list) -> None:
    with EventProducer(settings.kafka) as producer:
        for event in events:
            topic = settings.kafka.topic_queries if isinstance(event, QueryEvent) else settings.kafka.topic_feedback
            key = event.shop_id if isinstance(event, QueryEvent) else event.query_id
            producer.publish_sync(topic, event, key=key)


def test_query_and_feedback_events_become_lines_and_rows(settings: Settings, service: LoggerService) -> None:
    queries = [query_event(i) for i in range(40)]
    early_feedback = FeedbackEvent(query_id="q-late", rating="negative", comment="wrong")  # before its query
    late_query = query_event(99, query_id="q-late")
    feedback = [FeedbackEvent(query_id=queries[0].query_id, rating="positive", key_id="k-owner"), early_feedback]
    publish(settings, [early_feedback, *queries, feedback[0], late_query, queries[3], queries[5]])  # 2 duplicates
    all_queries = [*queries, late_query]

    wait_for(lambda: service.events_written == len(all_queries) + 2, what="every event written")
    logs = settings.paths.query_logs
    lines = read_lines(logs / ALL_FILE)
    assert [line["event_id"] for line in lines].count(str(queries[3].event_id)) == 1
    by_id = {line["event_id"]: line for line in lines}
    assert set(by_id) == {str(e.event_id) for e in all_queries} and len(lines) == len(all_queries)
    for event in all_queries:
        line = dict(by_id[str(event.event_id)])
        assert datetime.fromisoformat(line.pop("timestamp")) == event.occurred_at  # ISO 8601, UTC
        assert line == {
            "question": event.question,
            "answer": event.answer,
            "intent": event.intent,
            "tool_used": event.tool,
            "confidence": event.confidence,
            "success": event.success,
            "error": event.error,
            "response_time": event.response_time_ms / 1000,
            "query_id": event.query_id,
            "shop_id": event.shop_id,
            "model_version": event.model_version,
            "generator": event.generator,
            "event_id": str(event.event_id),
            "interpretation": event.interpretation,  # what was computed (None: never understood)
        }
    success = read_lines(logs / SUCCESS_FILE)
    failed = read_lines(logs / FAILED_FILE)
    assert sorted(x["event_id"] for x in success) == sorted(str(e.event_id) for e in all_queries if e.success)
    assert sorted(x["event_id"] for x in failed) == sorted(str(e.event_id) for e in all_queries if not e.success)
    assert failed and success

    with service.cursor() as cur:
        rows = cur.execute(
            "SELECT CAST(event_id AS VARCHAR), query_id, shop_id, occurred_at, question, answer, intent, tool,"
            " tool_params, confidence, success, error, response_time_ms, model_version, generator, prompt, result"
            " FROM queries"
        ).fetchall()
        fb = cur.execute("SELECT query_id, rating, comment, key_id FROM feedback ORDER BY rating").fetchall()
    assert len(rows) == len(all_queries)
    for row in rows:
        event = next(e for e in all_queries if str(e.event_id) == row[0])
        assert row[1:8] + row[9:16] == (
            event.query_id, event.shop_id, event.occurred_at.astimezone(UTC).replace(tzinfo=None), event.question,
            event.answer, event.intent, event.tool, event.confidence, event.success,
            event.error, event.response_time_ms, event.model_version, event.generator, event.prompt,
        )
        assert json.loads(row[8]) == event.tool_params
        assert (None if row[16] is None else json.loads(row[16])) == event.result
    # which key rated is kept (issue 24); feedback without a key (a local run) has none
    assert fb == [("q-late", "negative", "wrong", None), (queries[0].query_id, "positive", None, "k-owner")]
    assert service.worker is not None and service.worker.sink.duplicates == 2


def read_raw(kafka: KafkaSettings, topic: str, n: int, timeout_s: float = 30.0) -> list:
    """The first ``n`` raw records of a one-partition topic (dead letters are not events)."""
    consumer = KafkaConsumer(bootstrap_servers=kafka.servers, group_id=None, auto_offset_reset="earliest",
                             enable_auto_commit=False)
    consumer.assign([TopicPartition(topic, 0)])
    consumer.seek(TopicPartition(topic, 0), 0)
    records: list = []
    try:
        deadline = time.monotonic() + timeout_s
        while len(records) < n and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
    finally:
        consumer.close()
    return records


def test_undecodable_messages_go_to_the_dlq_and_the_sink_goes_on(settings: Settings, service: LoggerService) -> None:
    kafka = settings.kafka
    good = [query_event(i) for i in range(3)]
    with EventProducer(kafka) as producer:
        producer.publish_sync(kafka.topic_queries, good[0])
        producer.send_raw(kafka.topic_queries, b"{not json", None, []).get(timeout=10)
        producer.send_raw(kafka.topic_feedback, b'{"type": "feedback"}', None, [("event-type", b"feedback")]).get(
            timeout=10
        )
        for event in good[1:]:
            producer.publish_sync(kafka.topic_queries, event)
    wait_for(lambda: service.events_written == 3, what="the valid events written")
    dead = read_raw(kafka, kafka.topic_dlq, 2)
    assert sorted(r.value for r in dead) == [b'{"type": "feedback"}', b"{not json"]
    for record in dead:
        reason = dict(record.headers)[DLQ_ERROR_HEADER].decode()
        assert "invalid event" in reason
    lines = read_lines(settings.paths.query_logs / ALL_FILE)
    assert [x["event_id"] for x in lines] == [str(e.event_id) for e in good]


def test_a_redelivery_inside_the_dedupe_window_is_dropped(settings: Settings, service: LoggerService) -> None:
    """The outbox resends its last chunk after a crash: the same events (same event ids) arrive
    again through the broker, after their first copies were committed. They are dropped."""
    first = [query_event(i) for i in range(5)]
    rating = FeedbackEvent(query_id=first[0].query_id, rating="positive", shop_id=first[0].shop_id)
    publish(settings, [*first, rating])
    wait_for(lambda: service.events_written == 6, what="the first copies written")
    marker = query_event(50)
    publish(settings, [*first, rating, marker])  # the redelivery, then one new event
    wait_for(lambda: service.events_written == 7, what="the new event written")
    assert service.worker is not None
    wait_for(lambda: service.worker.sink.duplicates == 6, what="the redelivered events seen")  # type: ignore[union-attr]
    assert settings.dedupe_window_s == 7 * 86400  # the default: a week
    lines = read_lines(settings.paths.query_logs / ALL_FILE)
    assert sorted(x["event_id"] for x in lines) == sorted(str(e.event_id) for e in [*first, marker])
    with service.cursor() as cur:
        assert cur.execute("SELECT count(*), count(DISTINCT event_id) FROM queries").fetchone() == (6, 6)
        assert cur.execute("SELECT count(*) FROM feedback").fetchone() == (1,)


def test_the_dedupe_looks_only_inside_its_window(tmp_path: Path) -> None:
    """Rows logged before the window are not read (that is what keeps a batch's cost flat): with
    a window of 0.2 s, a copy that arrives a second later is written again."""
    conn = open_db(tmp_path / "q.duckdb")
    sink = Sink(conn.cursor(), tmp_path, dedupe_window_s=0.2)
    event = query_event(1)
    assert sink.write([Received(event, "t", 0, 0)]) == 1
    assert sink.write([Received(event, "t", 0, 1)]) == 0  # inside the window: dropped
    time.sleep(1.0)
    assert sink.write([Received(event, "t", 0, 2)]) == 1  # outside it: not looked for
    sink.close()
    conn.close()
