"""The ask service's Prometheus series, beside the HTTP ones of ``shared.metrics``: answers by
intent, success and generator (HTTP and MCP alike), and the outbox (backlog, published, failed)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from prometheus_client import Counter
from prometheus_client.core import Metric

from services.ask.models import AskResponse
from shared.metrics import ServiceMetrics, counter, gauge

if TYPE_CHECKING:
    from services.ask.state import Services


class AskMetrics:
    def __init__(self, metrics: ServiceMetrics, services: Callable[[], Services | None]):
        self.answers = Counter(
            "ecominsight_ask_answers", "answered questions by intent, success and generator (model or template)",
            ["intent", "success", "generator"], registry=metrics.registry,
        )  # fmt: skip
        self._services = services
        metrics.add(self._outbox)

    def answered(self, response: AskResponse) -> None:
        self.answers.labels(response.intent, str(response.success).lower(), response.generator).inc()

    def _outbox(self) -> Iterator[Metric]:
        s = self._services()
        publisher = s.publisher if s is not None else None
        if publisher is None:  # not started, or events are off
            return
        yield gauge("ecominsight_ask_outbox_backlog", "events in the outbox not yet acknowledged by Kafka",
                    publisher.pending())
        yield counter("ecominsight_ask_outbox_published", "events the outbox publisher sent to Kafka",
                      publisher.published)
        yield counter("ecominsight_ask_outbox_publish_failures", "failed attempts to send outbox events to Kafka",
                      publisher.failures)
