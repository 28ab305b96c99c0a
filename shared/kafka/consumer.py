"""Consuming from Kafka: ``EventConsumer`` polls in batches, hands decoded events (``Received``)
to a handler, and commits offsets only after the handler returned. Undecodable messages go to the
dead-letter topic with the reason in headers. A failing handler is retried from the same offsets,
so nothing is skipped. ``run_in_thread`` runs a consumer beside a service's HTTP server."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kafka import KafkaConsumer
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition

from shared.errors import EventDecodeError
from shared.events import Event, decode
from shared.kafka.producer import EventProducer
from shared.settings import KafkaSettings

log = logging.getLogger(__name__)

DLQ_ERROR_HEADER = "dlq-error"  # why a message was dead-lettered; its source in the other dlq-* headers


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
