"""Nothing is lost: the outbox keeps events through a broker outage and a restart of the service.

The outage test runs its own Tansu broker on its own port (the session broker stays up), stops it
during traffic, restarts the ask app while the broker is down, brings a broker back on the same
port (memory storage: topics created again) and counts every event: exactly once, in order per shop.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from services.ask.app import create_app
from services.ask.outbox import Outbox, Publisher
from services.ask.settings import Settings
from shared.broker import LocalBroker, free_port
from shared.events import FeedbackEvent, QueryEvent
from shared.kafka import ensure_topics
from shared.settings import KafkaSettings
from tests.helpers import Collector, wait_for

SHOPS = ["10", "11", "12"]


def _send(client: TestClient, sent: list[tuple[str, str]], n: int, tag: str) -> list[float]:
    """n requests round-robin over the shops; returns how long each took (seconds)."""
    took = []
    for i in range(n):
        shop = SHOPS[i % len(SHOPS)]
        started = time.perf_counter()
        response = client.post(
            "/api/mcp/ask", json={"shop_id": shop, "question": f"How many orders do I have? ({tag} {i})"}
        )
        took.append(time.perf_counter() - started)
        assert response.status_code == 200
        sent.append((shop, response.json()["query_id"]))
    return took


def test_no_event_lost_across_a_broker_outage_and_an_ask_restart(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    port = free_port()
    suffix = uuid.uuid4().hex[:8]
    kafka = KafkaSettings(
        bootstrap_servers=f"127.0.0.1:{port}",
        topic_queries=f"queries-{suffix}",
        topic_feedback=f"feedback-{suffix}",
        partitions=3,
        session_timeout_ms=2000,
        heartbeat_interval_ms=500,
        max_block_ms=3000,
    )
    topics = [kafka.topic_queries, kafka.topic_feedback]
    settings = make_settings(kafka, outbox_retry_s=0.2)
    sent: list[tuple[str, str]] = []
    before: list[QueryEvent] = []

    broker = LocalBroker(port=port, log_file=tmp_path / "broker-1.log").start()
    try:
        ensure_topics(kafka, topics)
        with TestClient(create_app(settings)) as client:
            with Collector(kafka, kafka.topic_queries) as first:
                _send(client, sent, 12, "before")
                before = first.wait_count(12)
            broker.stop()  # the broker goes away during traffic
            during = _send(client, sent, 12, "outage")
        # The service restarts while the broker is still down; the outbox on disk carries over.
        with TestClient(create_app(settings)) as client:
            during += _send(client, sent, 12, "outage after restart")
            # While the broker is down, the service says so: failed sends and the error are reported.
            health = wait_for(
                lambda: (e := client.get("/health").json()["events"])["failures"] > 0 and e,
                timeout=30,
                what="/health to report failed sends",
            )
            assert health["last_error"]
            broker = LocalBroker(port=port, log_file=tmp_path / "broker-2.log").start()
            ensure_topics(kafka, topics)  # memory storage: the new broker starts empty
            _send(client, sent, 12, "after")
            with Collector(kafka, kafka.topic_queries) as second:
                after = second.wait_count(36, timeout=60)
                time.sleep(1.0)  # anything extra (a duplicate) would arrive now
                after = second.events
    finally:
        broker.stop()

    # Requests never waited for the missing broker (its client would block for max_block_ms).
    assert max(during) < kafka.max_block_ms / 1000 / 2

    received = [(e.shop_id, e.query_id) for e in before + after]
    assert sorted(received) == sorted(sent), "every request's event arrives exactly once"
    for shop in SHOPS:
        assert [q for s, q in received if s == shop] == [q for s, q in sent if s == shop], (
            f"order of shop {shop}"
        )


def test_outbox_survives_a_crash_with_a_torn_last_line(kafka_settings: KafkaSettings, tmp_path: Path) -> None:
    """Events written before a crash are sent after it; a half-written last line is dropped."""
    events = [
        QueryEvent(
            query_id=f"q{i}",
            shop_id="10",
            question="How many orders?",
            answer=f"You have {i} orders.",
            intent="order_count",
            tool="count_orders",
            confidence=0.9,
            success=True,
            response_time_ms=1.0,
        )
        for i in range(5)
    ]
    outbox = Outbox(tmp_path / "outbox", fsync="always")
    for event in events:
        outbox.append(kafka_settings.topic_queries, event, "10")
    outbox.close()
    segment = next((tmp_path / "outbox").glob("*.log"))
    with open(segment, "ab") as f:
        f.write(b'{"topic": "' + kafka_settings.topic_queries.encode() + b'", "key": "10", "ty')  # the crash

    outbox = Outbox(tmp_path / "outbox", fsync="interval")
    publisher = Publisher(tmp_path / "outbox", kafka_settings, retry_s=0.2, outbox=outbox).start()
    try:
        later = events[0].model_copy(update={"query_id": "q-after-restart"})
        outbox.append(kafka_settings.topic_queries, later, "10")
        wait_for(lambda: publisher.pending() == 0, what="the outbox to drain")
        with Collector(kafka_settings, kafka_settings.topic_queries) as col:
            col.wait_count(6)
            time.sleep(0.5)
            got = col.events
    finally:
        publisher.stop()
        outbox.close()
    assert [e.query_id for e in got] == [e.query_id for e in events] + ["q-after-restart"]
    assert publisher.published == 6


def test_a_torn_cursor_and_a_corrupt_line_do_not_stop_publishing(kafka_settings: KafkaSettings, tmp_path: Path) -> None:
    """After a power cut the cursor file may be empty and a line garbage: the publisher resends
    from the oldest segment (consumers drop duplicates by event_id), skips the garbage, goes on."""
    directory = tmp_path / "outbox"
    outbox = Outbox(directory, fsync="always")
    events = [
        FeedbackEvent(query_id=f"f{i}", rating="positive") for i in range(3)
    ]
    outbox.append(kafka_settings.topic_feedback, events[0], "10")
    outbox.close()
    segment = next(directory.glob("*.log"))
    with open(segment, "ab") as f:
        f.write(b"\x00\x00 not json at all\n")
    outbox = Outbox(directory, fsync="always")
    for event in events[1:]:
        outbox.append(kafka_settings.topic_feedback, event, "10")
    (directory / "cursor").write_text("")  # torn by a power cut
    publisher = Publisher(directory, kafka_settings, retry_s=0.2, outbox=outbox).start()
    try:
        wait_for(lambda: publisher.pending() == 0, what="the outbox to drain")
        with Collector(kafka_settings, kafka_settings.topic_feedback) as col:
            col.wait_count(3)
            time.sleep(0.5)
            got = col.events
    finally:
        publisher.stop()
        outbox.close()
    assert [e.query_id for e in got] == ["f0", "f1", "f2"]
    assert publisher.skipped_corrupt >= 1


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """The ask service as a real process (uvicorn), like in production."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "services.ask.app:create_app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    wait_for(lambda: _healthy(port), timeout=60, what="the ask server")
    return proc


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200
    except httpx.HTTPError:
        return False


def test_events_survive_a_killed_ask_process(warehouse_path: Path, tmp_path: Path) -> None:
    """SIGKILL the server (no shutdown at all) while the broker is down; a new server on the same
    outbox sends everything once the broker is there."""
    broker_port, suffix = free_port(), uuid.uuid4().hex[:8]
    kafka = KafkaSettings(
        bootstrap_servers=f"127.0.0.1:{broker_port}",
        topic_queries=f"queries-{suffix}",
        topic_feedback=f"feedback-{suffix}",
        partitions=3,
        session_timeout_ms=2000,
        heartbeat_interval_ms=500,
    )
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "KAFKA_TOPIC_QUERIES": kafka.topic_queries,
        "KAFKA_TOPIC_FEEDBACK": kafka.topic_feedback,
        "KAFKA_PARTITIONS": "3",
        "ECOMINSIGHT_WAREHOUSE_PATH": str(warehouse_path),
        "ECOMINSIGHT_OUTBOX_DIR": str(tmp_path / "outbox"),
        "ECOMINSIGHT_ASK_REQUIRE_API_KEYS": "false",
        "ECOMINSIGHT_ASK_GENERATOR_URL": f"http://127.0.0.1:{free_port()}",
    }
    sent: list[tuple[str, str]] = []
    port = free_port()
    server = _serve(env, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            _send_http(client, sent, 9)
        server.kill()  # a crash: no lifespan shutdown, no flush
        server.wait()
        port = free_port()
        server = _serve(env, port)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            _send_http(client, sent, 9)
        with LocalBroker(port=broker_port, log_file=tmp_path / "broker.log"):
            ensure_topics(kafka, [kafka.topic_queries, kafka.topic_feedback])
            with Collector(kafka, kafka.topic_queries) as collector:
                collector.wait_count(18, timeout=60)
                time.sleep(1.0)
                received = [(e.shop_id, e.query_id) for e in collector.events]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert sorted(received) == sorted(sent)
    for shop in SHOPS:
        assert [q for s, q in received if s == shop] == [q for s, q in sent if s == shop]


def _send_http(client: httpx.Client, sent: list[tuple[str, str]], n: int) -> None:
    for i in range(n):
        shop = SHOPS[i % len(SHOPS)]
        response = client.post("/api/mcp/ask", json={"shop_id": shop, "question": f"orders this year? {i}"})
        assert response.status_code == 200
        sent.append((shop, response.json()["query_id"]))


def test_segments_roll_over_and_sent_ones_are_deleted(kafka_settings: KafkaSettings, tmp_path: Path) -> None:
    directory = tmp_path / "outbox"
    outbox = Outbox(directory, fsync="never", segment_bytes=2048)
    events = [
        QueryEvent(
            query_id=f"q{i:03d}",
            shop_id="10",
            question="How many orders?",
            answer=f"You have {i} orders.",
            intent="order_count",
            tool="count_orders",
            confidence=0.9,
            success=True,
            response_time_ms=1.0,
        )
        for i in range(40)
    ]
    publisher = Publisher(directory, kafka_settings, batch=7, retry_s=0.2, outbox=outbox).start()
    try:
        for event in events:
            outbox.append(kafka_settings.topic_queries, event, "10")
        assert max(int(p.stem) for p in directory.glob("*.log")) > 5  # it rolled over many times
        wait_for(lambda: publisher.published == len(events), what="every event published")
        with Collector(kafka_settings, kafka_settings.topic_queries) as col:
            col.wait_count(len(events))
            time.sleep(0.5)
            got = col.events
    finally:
        publisher.stop()
        outbox.close()
    assert [e.query_id for e in got] == [e.query_id for e in events]
    assert len(list(directory.glob("*.log"))) == 1  # only the segment being written is kept
