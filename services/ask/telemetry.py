"""The ask service's Prometheus series, beside the HTTP ones of ``shared.metrics``: answers by
intent, success and generator (HTTP and MCP alike), and the outbox (backlog, published, failed).

It knows the outbox publisher only through ``OutboxCounters`` (what it reads of it), handed in
as a callable, so it depends on nothing of the service's state."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from prometheus_client import Counter
from prometheus_client.core import Metric

from services.ask.schemas import AskResponse
from shared.metrics import ServiceMetrics, counter, gauge


class OutboxCounters(Protocol):
    """What the series read of an outbox publisher (a ``Publisher`` or ``PublisherProcess``)."""

    @property
    def published(self) -> int: ...

    @property
    def failures(self) -> int: ...

    def pending(self) -> int: ...


class AskMetrics:
    """``outbox``: the running publisher, None before start-up or with events off."""

    def __init__(self, metrics: ServiceMetrics, outbox: Callable[[], OutboxCounters | None]):
        self.answers = Counter(
            "ecominsight_ask_answers", "answered questions by intent, success and generator (model or template)",
            ["intent", "success", "generator"], registry=metrics.registry,
        )  # fmt: skip
        self._outbox_publisher = outbox
        metrics.add(self._outbox)

    def answered(self, response: AskResponse) -> None:
        self.answers.labels(response.intent, str(response.success).lower(), response.generator).inc()

    def _outbox(self) -> Iterator[Metric]:
        publisher = self._outbox_publisher()
        if publisher is None:  # not started, or events are off
            return
        yield gauge("ecominsight_ask_outbox_backlog", "events in the outbox not yet acknowledged by Kafka",
                    publisher.pending())
        yield counter("ecominsight_ask_outbox_published", "events the outbox publisher sent to Kafka",
                      publisher.published)
        yield counter("ecominsight_ask_outbox_publish_failures", "failed attempts to send outbox events to Kafka",
                      publisher.failures)
