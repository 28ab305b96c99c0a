"""Producing to Kafka: ``make_producer`` is the one place that builds a kafka-python
``KafkaProducer`` from our ``KafkaSettings``; ``close_producer`` closes one without hanging on a
broker that is gone; ``EventProducer`` publishes events, connecting on first use."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError

from shared.errors import BrokerError
from shared.events import Event
from shared.settings import KafkaSettings

log = logging.getLogger(__name__)


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

    def disconnect(self, timeout_s: float = 1.0) -> None:
        """Drop the connection without hanging on a broker that is gone (``close_producer``): sends
        not acknowledged within ``timeout_s`` fail. The next send connects again."""
        with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            close_producer(producer, timeout_s=timeout_s)

    def __enter__(self) -> EventProducer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
