"""Small wrappers around kafka-python: a lazy producer, a consumer loop, topic bootstrap.

* ``EventProducer`` connects on first use, never blocks the caller for long (``max_block_ms``),
  reports delivery failures to a callback, and flushes on close.
* ``EventConsumer`` polls in batches, hands decoded events to a handler, and commits offsets
  only after the handler returned. Undecodable messages go to the dead-letter topic with the
  reason in headers. A failing handler is retried from the same offsets, so nothing is skipped.
* ``ensure_topics`` creates the project's topics at start-up (idempotent).
* ``make_producer`` is the one place that builds a kafka-python ``KafkaProducer`` from our
  ``KafkaSettings``; ``close_producer`` closes one without hanging on a broker that is gone.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata, TopicPartition

from shared.errors import BrokerError, EventDecodeError
from shared.events import Event, decode
from shared.settings import KafkaSettings

log = logging.getLogger(__name__)

DLQ_ERROR_HEADER = "dlq-error"


def ensure_topics(kafka: KafkaSettings, topics: Iterable[str] | None = None, timeout_s: float = 30.0) -> None:
    """Create ``topics`` (default: all of the project's) if they do not exist yet."""
    wanted = list(topics or kafka.all_topics())
    deadline = time.monotonic() + timeout_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            admin = KafkaAdminClient(
                bootstrap_servers=kafka.servers,
                client_id="ecominsight-admin",
                request_timeout_ms=kafka.request_timeout_ms,
                bootstrap_timeout_ms=kafka.bootstrap_timeout_ms,
            )
        except KafkaError as exc:
            last = exc
            time.sleep(0.5)
            continue
        try:
            existing = set(admin.list_topics())
            missing = [t for t in wanted if t not in existing]
            if missing:
                new = [NewTopic(t, kafka.partitions, kafka.replication_factor) for t in missing]
                with contextlib.suppress(TopicAlreadyExistsError):
                    admin.create_topics(new)
                log.info("created topics %s", ", ".join(missing))
            return
        except KafkaError as exc:
            last = exc
            time.sleep(0.5)
        finally:
            admin.close()
    raise BrokerError(f"could not create topics on {kafka.bootstrap_servers}: {last}")


def make_producer(kafka: KafkaSettings, client_id: str = "ecominsight", **overrides: Any) -> KafkaProducer:
    """A kafka-python producer on ``kafka``'s brokers with the project's defaults; ``overrides`` are
    kafka-python settings (``linger_ms``, ``retries``, ...). Raises ``BrokerError`` when no broker answers."""
    config: dict[str, Any] = {
        "bootstrap_servers": kafka.servers,
        "client_id": client_id,
        "acks": "all",
        # Tansu: an idempotent producer stays broken after a broker restart.
        "enable_idempotence": False,
        "linger_ms": 2,
        "max_block_ms": kafka.max_block_ms,
        "bootstrap_timeout_ms": kafka.bootstrap_timeout_ms,
        "request_timeout_ms": kafka.request_timeout_ms,
        "retries": 5,
    }
    config.update(overrides)
    try:
        return KafkaProducer(**config)
    except KafkaError as exc:
        raise BrokerError(f"cannot reach Kafka at {kafka.bootstrap_servers}: {exc}") from exc


def close_producer(producer: KafkaProducer, timeout_s: float = 1.0) -> None:
    """Close ``producer``, giving pending sends ``timeout_s`` to be acknowledged.

    kafka-python's ``close`` flushes first and raises when sends are still pending (a broker that
    is gone), leaving the producer open. Then this waits until they have failed by themselves
    (every send fails at the latest ``delivery_timeout_ms`` after it was made) and closes it.
    Sends that were not acknowledged fail; nothing here raises."""
    try:
        producer.close(timeout=timeout_s)
        return
    except KafkaError:
        pass
    expire_s = producer.config["delivery_timeout_ms"] / 1000 + 1
    try:
        producer.close(timeout=expire_s)
    except KafkaError as exc:
        log.warning("kafka producer did not close within %.1fs: %s", expire_s, exc)


class EventProducer:
    """Publishes events. Connects on first use; ``close()`` (or the context exit) flushes."""

    def __init__(
        self,
        kafka: KafkaSettings,
        client_id: str = "ecominsight",
        on_error: Callable[[Event, Exception], None] | None = None,
        **overrides: Any,
    ):
        self.kafka = kafka
        self.client_id = client_id
        self.on_error = on_error
        self._overrides = overrides
        self._producer: KafkaProducer | None = None
        self._lock = threading.Lock()

    def _client(self) -> KafkaProducer:
        if self._producer is None:
            with self._lock:
                if self._producer is None:
                    self._producer = make_producer(self.kafka, self.client_id, **self._overrides)
        return self._producer

    def publish(self, topic: str, event: Event, key: str | None = None) -> Any:
        """Send without waiting for the broker; returns kafka-python's future."""
        future = self._client().send(
            topic, value=event.encode(), key=key.encode() if key else None, headers=event.headers()
        )

        def failed(exc: Exception) -> None:
            log.error("delivery of %s %s to %s failed: %s", event.type, event.event_id, topic, exc)
            if self.on_error is not None:
                self.on_error(event, exc)

        future.add_errback(failed)
        return future

    def publish_sync(self, topic: str, event: Event, key: str | None = None, timeout_s: float = 15.0) -> Any:
        """Send and wait for the broker's acknowledgement (raises on failure)."""
        try:
            return self.publish(topic, event, key).get(timeout=timeout_s)
        except KafkaError as exc:
            raise BrokerError(f"publishing {event.type} to {topic} failed: {exc}") from exc

    def send_raw(
        self, topic: str, value: bytes | None, key: bytes | None, headers: list[tuple[str, bytes]]
    ) -> Any:
        return self._client().send(topic, value=value, key=key, headers=headers)

    def flush(self, timeout_s: float | None = None) -> None:
        if self._producer is not None:
            self._producer.flush(timeout=timeout_s)

    def close(self, timeout_s: float = 10.0) -> None:
        with self._lock:
            if self._producer is not None:
                try:
                    self._producer.flush(timeout=timeout_s)
                finally:
                    self._producer.close(timeout=timeout_s)
                    self._producer = None

    def __enter__(self) -> EventProducer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


@dataclass(frozen=True)
class Received:
    """A decoded event and where it came from."""

    event: Event
    topic: str
    partition: int
    offset: int
    key: bytes | None = None


BatchHandler = Callable[[list[Received]], None]
AssignHook = Callable[[KafkaConsumer, list[TopicPartition]], None]


class _Rebalance(ConsumerRebalanceListener):
    def __init__(self, owner: EventConsumer):
        self.owner = owner

    def on_partitions_revoked(self, revoked: Sequence[TopicPartition]) -> None:
        log.info("%s: partitions revoked %s", self.owner.group_id, list(revoked))

    def on_partitions_assigned(self, assigned: Sequence[TopicPartition]) -> None:
        log.info("%s: partitions assigned %s", self.owner.group_id, list(assigned))
        if self.owner.on_assign is not None and self.owner._consumer is not None:
            self.owner.on_assign(self.owner._consumer, list(assigned))


def _lag(consumer: KafkaConsumer) -> int | None:
    total, known = 0, False
    for tp in consumer.assignment():
        high = consumer.highwater(tp)
        if high is None:
            continue
        try:
            position = consumer.position(tp, timeout_ms=0)  # known after a poll: no network wait
        except KafkaError:  # not assigned any more (a rebalance)
            continue
        if position is None:
            continue
        total += max(0, high - position)
        known = True
    return total if known else None


class EventConsumer:
    """A consumer loop: ``run()`` until ``stop()``; the handler gets batches of decoded events.

    Offsets are committed to Kafka only after the handler returned for a batch. A sink that keeps
    its own offsets (like the logger) passes ``on_assign`` to seek to them and may pass
    ``commit=False``.
    """

    def __init__(
        self,
        kafka: KafkaSettings,
        topics: Sequence[str],
        group_id: str,
        handler: BatchHandler,
        *,
        client_id: str = "ecominsight",
        max_batch: int = 500,
        poll_timeout_ms: int = 200,
        dlq: bool = True,
        on_assign: AssignHook | None = None,
        commit: bool = True,
        retry_backoff_s: float = 1.0,
        max_poll_interval_ms: int = 300_000,
    ):
        self.kafka = kafka
        self.topics = list(topics)
        self.group_id = group_id
        self.handler = handler
        self.client_id = client_id
        self.max_batch = max_batch
        self.poll_timeout_ms = poll_timeout_ms
        self.dlq = dlq
        self.on_assign = on_assign
        self.commit = commit
        self.retry_backoff_s = retry_backoff_s
        # A handler that runs longer than this (a training run) must raise it, or the group
        # rebalances and the message is delivered again.
        self.max_poll_interval_ms = max_poll_interval_ms
        self._stop = threading.Event()
        self._consumer: KafkaConsumer | None = None
        self._dlq_producer: EventProducer | None = None
        self.ready = threading.Event()  # set once partitions are assigned
        self.processed = 0
        self.dead_lettered = 0
        # Records on the assigned partitions not yet processed (the last fetch's high watermark
        # minus the position), after each poll; None until a fetch has told the high watermarks.
        self.lag: int | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def install_signal_handlers(self) -> None:
        """Make SIGINT/SIGTERM stop the loop cleanly (call from the main thread)."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stop())

    def run(self) -> None:
        consumer = KafkaConsumer(
            bootstrap_servers=self.kafka.servers,
            group_id=self.group_id,
            client_id=self.client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",  # Tansu: 'latest' is unreliable
            session_timeout_ms=self.kafka.session_timeout_ms,
            heartbeat_interval_ms=self.kafka.heartbeat_interval_ms,
            request_timeout_ms=max(self.kafka.request_timeout_ms, self.kafka.session_timeout_ms + 5000),
            max_poll_records=self.max_batch,
            max_poll_interval_ms=self.max_poll_interval_ms,
        )
        self._consumer = consumer
        try:
            consumer.subscribe(self.topics, listener=_Rebalance(self))
            while not self._stop.is_set():
                polled = consumer.poll(timeout_ms=self.poll_timeout_ms, max_records=self.max_batch)
                if consumer.assignment():
                    self.ready.set()
                if polled:
                    self._process(consumer, polled)
                self.lag = _lag(consumer)
        finally:
            self._consumer = None
            try:
                consumer.close(autocommit=False)
            finally:
                if self._dlq_producer is not None:
                    self._dlq_producer.close()

    # -- one batch -----------------------------------------------------------------------------
    def _process(self, consumer: KafkaConsumer, polled: dict[TopicPartition, list[Any]]) -> None:
        batch: list[Received] = []
        dead: list[tuple[Any, str]] = []
        next_offsets: dict[TopicPartition, int] = {}
        first_offsets: dict[TopicPartition, int] = {}
        for tp, records in polled.items():
            for rec in records:
                first_offsets.setdefault(tp, rec.offset)
                next_offsets[tp] = rec.offset + 1
                try:
                    event = decode(rec.value, list(rec.headers or []))
                except EventDecodeError as exc:
                    dead.append((rec, str(exc)))
                    continue
                batch.append(Received(event, rec.topic, rec.partition, rec.offset, rec.key))
        try:
            if dead:
                self._dead_letter(dead)
            if batch:
                self.handler(batch)
        except Exception:
            log.exception("%s: handler failed; retrying the batch in %.1fs", self.group_id, self.retry_backoff_s)
            for tp, offset in first_offsets.items():
                consumer.seek(tp, offset)
            self._stop.wait(self.retry_backoff_s)
            return
        self.processed += len(batch)
        if self.commit:
            consumer.commit({tp: OffsetAndMetadata(off, "", -1) for tp, off in next_offsets.items()})

    def _dead_letter(self, dead: list[tuple[Any, str]]) -> None:
        if not self.dlq:
            for rec, reason in dead:
                log.warning("dropping undecodable message %s/%s@%s: %s", rec.topic, rec.partition, rec.offset, reason)
            return
        if self._dlq_producer is None:
            self._dlq_producer = EventProducer(self.kafka, client_id=f"{self.client_id}-dlq")
        futures = []
        for rec, reason in dead:
            log.warning("dead-lettering %s/%s@%s: %s", rec.topic, rec.partition, rec.offset, reason)
            headers = list(rec.headers or []) + [
                (DLQ_ERROR_HEADER, reason.encode()),
                ("dlq-source-topic", rec.topic.encode()),
                ("dlq-source-partition", str(rec.partition).encode()),
                ("dlq-source-offset", str(rec.offset).encode()),
                ("dlq-consumer-group", self.group_id.encode()),
            ]
            futures.append(self._dlq_producer.send_raw(self.kafka.topic_dlq, rec.value, rec.key, headers))
        for future in futures:
            future.get(timeout=15)
        self.dead_lettered += len(dead)


def run_in_thread(consumer: EventConsumer, name: str | None = None) -> threading.Thread:
    """Start ``consumer.run()`` in a daemon thread (for services that also serve HTTP)."""
    thread = threading.Thread(target=consumer.run, name=name or consumer.group_id, daemon=True)
    thread.start()
    return thread
