"""The running logger: one DuckDB database object shared by the sink thread, the export
policy and the HTTP handlers (each uses a cursor of its own), a producer for ``ExportComplete``,
and the threads. A context manager: leaving it stops the threads and closes the database.

The one path from command to threads: ``ecominsight logger`` (``cli/``) builds the app
(``app.py``), whose lifespan starts and closes this service, which runs the worker threads
(``worker.py``: the sink's consumer and the export policy)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

import duckdb

from services.logger.errors import LoggerError
from services.logger.export.training_set import ExportResult, export_for_finetuning
from services.logger.sandbox.runner import SqlResult, SqlSandbox
from services.logger.settings import Settings
from services.logger.sink.hooks import SinkHooks
from services.logger.sink.schema import open_db
from services.logger.worker import ExportPolicy, SinkWorker
from shared.kafka import EventProducer, ensure_topics

log = logging.getLogger(__name__)


class LoggerService:
    def __init__(self, settings: Settings, *, start_worker: bool = True, hooks: SinkHooks | None = None):
        self.settings = settings
        self.start_worker = start_worker
        self.hooks = hooks  # the sink's test hooks (``faults.py``); None in production
        self.db: duckdb.DuckDBPyConnection | None = None
        self.producer = EventProducer(settings.kafka, client_id="ecominsight-logger")
        self.worker: SinkWorker | None = None
        self.policy: ExportPolicy | None = None
        self._threads: list[threading.Thread] = []
        self._export_lock = threading.Lock()
        self.sandbox = SqlSandbox(settings.sql_limits())

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> LoggerService:
        path = self.settings.paths.logs_db
        try:
            self.db = open_db(path)
        except duckdb.IOException as exc:
            raise LoggerError(f"cannot open {path} for writing (is another logger running?): {exc}") from exc
        if self.start_worker:
            kafka = self.settings.kafka
            ensure_topics(kafka, [kafka.topic_queries, kafka.topic_feedback, kafka.topic_exports, kafka.topic_dlq])
            self.worker = SinkWorker(self.settings, self.db.cursor(), self.hooks)
            self._spawn(self.worker.run, "logger-sink")
            policy = ExportPolicy(self.settings, self.db.cursor(), self.export)
            if policy.enabled:
                self.policy = policy
                self._spawn(policy.run, "logger-export-policy")
        log.info("logger: database %s, logs in %s", path, self.settings.paths.query_logs)
        return self

    def _spawn(self, target: object, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads.append(thread)

    def close(self) -> None:
        if self.policy is not None:
            self.policy.stop()
        if self.worker is not None:
            self.worker.stop()
        for thread in self._threads:
            thread.join(timeout=30)
        self._threads.clear()
        self.producer.close()
        self.sandbox.close()
        if self.db is not None:
            self.db.close()
            self.db = None

    def __enter__(self) -> LoggerService:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- use -----------------------------------------------------------------------------------
    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self.db is None:
            raise LoggerError("the logger is not started")
        cur = self.db.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def sql(self, sql: str, max_rows: int | None = None) -> SqlResult:
        """Run a user's SELECT in the sandbox, over copies of what it reads."""
        with self.cursor() as cur:
            return self.sandbox.run(cur, sql, max_rows)

    def export(self, output_file: Path | None = None) -> ExportResult:
        with self._export_lock, self.cursor() as cur:
            return export_for_finetuning(cur, self.settings, output_file, producer=self.producer)

    @property
    def events_written(self) -> int:
        return self.worker.sink.written if self.worker else 0
