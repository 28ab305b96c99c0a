"""The logger's background work: the Kafka consumer that feeds the sink, and the
continuous-learning export policy.

The consumer reads ``topic_queries`` and ``topic_feedback`` in micro-batches (one poll: at most
``batch_max_events`` events, waiting at most ``batch_max_ms``), hands each to ``Sink.write`` and
resumes from the offsets the database recorded (``Sink.on_assign``). It also commits to Kafka
after each batch, which only serves to show the group's lag; the database is the truth.
Undecodable messages go to the dead-letter topic (``EventConsumer``). The handler only sees
decoded events, so a dead letter at the very end of a partition is not covered by the recorded
offset: after a restart it may be dead-lettered a second time (at-least-once for the DLQ only).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

import duckdb

from services.logger.errors import TooFewExamples
from services.logger.export.examples import count_examples
from services.logger.settings import Settings
from services.logger.sink.hooks import SinkHooks
from services.logger.sink.writer import Sink
from shared.kafka import EventConsumer, Received
from shared.worker import ConsumerWorker

log = logging.getLogger(__name__)


class SinkWorker(ConsumerWorker):
    """Consumes query and feedback events into the sink. ``run()`` until ``stop()``."""

    def __init__(self, settings: Settings, conn: duckdb.DuckDBPyConnection, hooks: SinkHooks | None = None):
        self.sink = Sink(
            conn,
            settings.paths.query_logs,
            hooks,
            settings.dedupe_window_s,
            archive_every_s=settings.archive_every_s,
            rotate_bytes=settings.jsonl_rotate_bytes,
            rotate_daily=settings.jsonl_rotate_daily,
            retention_days=settings.jsonl_retention_days,
        )
        self.sink.recover()
        consumer = EventConsumer(
            settings.kafka,
            [settings.kafka.topic_queries, settings.kafka.topic_feedback],
            settings.group_id,
            self._handle,
            client_id="ecominsight-logger",
            max_batch=settings.batch_max_events,
            poll_timeout_ms=settings.batch_max_ms,
            on_assign=self.sink.on_assign,
            commit=True,
        )
        super().__init__(consumer)

    def _handle(self, batch: list[Received]) -> None:
        self.sink.write(batch)

    def close(self) -> None:
        self.sink.close()
        super().close()


class ExportPolicy:
    """Continuous learning: export every ``export_every_n`` new qualifying examples and/or every
    ``export_every_seconds`` (if any new one arrived). Both 0 (the default) means off. "New" means
    logged after the last export this database recorded. Checks once a second."""

    def __init__(
        self,
        settings: Settings,
        conn: duckdb.DuckDBPyConnection,
        export: Callable[[], object],
        check_every_s: float = 1.0,
    ):
        self.settings = settings
        self.conn = conn
        self.export = export
        self.check_every_s = check_every_s
        self._stop = threading.Event()
        self.last_export_at: datetime | None = None
        self.last_attempt = time.monotonic()
        self.exports = 0

    @property
    def enabled(self) -> bool:
        return self.settings.export_every_n > 0 or self.settings.export_every_seconds > 0

    def _last_export(self) -> datetime | None:
        row = self.conn.execute("SELECT max(created_at) FROM exports").fetchone()
        return row[0] if row else None

    def due(self) -> bool:
        """Every N new qualifying examples, or every interval when there is at least one new one."""
        s = self.settings
        new = count_examples(self.conn, s.export_min_confidence, logged_after=self._last_export())
        if s.export_every_n > 0 and new >= s.export_every_n:
            return True
        elapsed = time.monotonic() - self.last_attempt
        return s.export_every_seconds > 0 and elapsed >= s.export_every_seconds and new > 0

    def check(self) -> bool:
        """Export if due; returns whether an export was written."""
        if not self.due():
            return False
        self.last_attempt = time.monotonic()
        try:
            self.export()
        except TooFewExamples as exc:
            log.info("continuous learning: no export yet: %s", exc)
            return False
        self.exports += 1
        return True

    def run(self) -> None:
        while not self._stop.wait(self.check_every_s):
            try:
                self.check()
            except Exception:
                log.exception("continuous-learning export failed; will try again")

    def stop(self) -> None:
        self._stop.set()
