"""Small helpers for tests: wait for a condition, collect events from a topic."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import TypeVar

from shared.kafka import EventConsumer, Received, run_in_thread
from shared.settings import KafkaSettings

T = TypeVar("T")


def wait_for(predicate: Callable[[], T], timeout: float = 30.0, interval: float = 0.05, what: str = "condition") -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


class Collector:
    """Consumes ``topics`` in a fresh group in a background thread and keeps what arrives."""

    def __init__(self, kafka: KafkaSettings, *topics: str, group_id: str | None = None):
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self.consumer = EventConsumer(
            kafka, list(topics), group_id or f"collector-{uuid.uuid4().hex[:8]}", self._handle, dlq=False
        )
        self.thread: threading.Thread | None = None

    def _handle(self, batch: list[Received]) -> None:
        with self._lock:
            self.received.extend(batch)

    @property
    def events(self) -> list:
        with self._lock:
            return [r.event for r in self.received]

    def wait_count(self, n: int, timeout: float = 30.0) -> list:
        wait_for(lambda: len(self.events) >= n, timeout, what=f"{n} events")
        return self.events

    def __enter__(self) -> Collector:
        self.thread = run_in_thread(self.consumer)
        return self

    def __exit__(self, *exc: object) -> None:
        self.consumer.stop()
        if self.thread is not None:
            self.thread.join(timeout=15)
