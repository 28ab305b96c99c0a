"""The trainer's Prometheus series, served on a small port of its own (the worker has no HTTP
API): training runs of this process by result (promoted and rejected by the gate, failed), their
training time, the last run's evaluation, and the registry's versions by status."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from threading import Thread

from prometheus_client.core import Metric, SummaryMetricFamily

from services.trainer.worker import TrainerWorker
from shared.metrics import ServiceMetrics, counter, gauge, serve


def trainer_series(worker: TrainerWorker) -> Iterator[Metric]:
    outcomes, failures = list(worker.outcomes), list(worker.failures)
    runs = counter(
        "ecominsight_trainer_runs",
        "training runs by result: promoted or rejected by the gate, failed",
        sum(o.promoted for o in outcomes),
        {"result": "promoted"},
    )
    runs.add_metric(["rejected"], sum(not o.promoted for o in outcomes))
    runs.add_metric(["failed"], len(failures))
    yield runs
    yield SummaryMetricFamily(
        "ecominsight_trainer_train_duration_seconds",
        "training time of a run",
        count_value=len(outcomes),
        sum_value=sum(o.meta.train_time_s or 0.0 for o in outcomes),
    )
    if outcomes:
        last = gauge(
            "ecominsight_trainer_last_run",
            "the last run's evaluation of its candidate",
            labels={"metric": ""},
        )
        for name, value in sorted(outcomes[-1].meta.metrics.items()):
            if isinstance(value, int | float) and not isinstance(value, bool):
                last.add_metric([name], float(value))
        yield last
    by_status = Counter(meta.status for meta in worker.registry.versions())
    versions = gauge(
        "ecominsight_trainer_registry_versions",
        "model versions in the registry by status",
        labels={"status": ""},
    )
    for status in ("candidate", "promoted", "rejected"):
        versions.add_metric([status], by_status.get(status, 0))
    yield versions


def serve_metrics(worker: TrainerWorker, host: str, port: int) -> Thread:
    metrics = ServiceMetrics()
    metrics.add(lambda: trainer_series(worker))
    return serve(metrics, host, port)
