"""The logger's Prometheus series, beside the HTTP ones of ``shared.metrics``: events written
(``rate()`` of it is events written per second), duplicates ignored, dead-lettered, and the
consumer group's lag on its partitions."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import Metric

from services.logger.service import LoggerService
from shared.metrics import counter, gauge


def logger_series(service: LoggerService) -> Iterator[Metric]:
    worker = service.worker
    yield counter("ecominsight_logger_events_written", "events written to the JSONL logs and the tables",
                  service.events_written)
    if worker is None:
        return
    yield counter("ecominsight_logger_duplicates_ignored", "events skipped as already written (by event id)",
                  worker.sink.duplicates)
    yield counter("ecominsight_logger_dead_lettered", "messages that were not valid events, sent to the DLQ",
                  worker.consumer.dead_lettered)
    yield gauge("ecominsight_logger_consumer_lag", "records on the logger's partitions not yet consumed",
                worker.consumer.lag)
