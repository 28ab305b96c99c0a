"""What the ask app holds for its lifetime: opened in the lifespan, closed after."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from services.ask.generator_client import GeneratorClient
from services.ask.keys import KeyStore, RateLimiter
from services.ask.learning.poller import LabelLearner
from services.ask.outbox import Outbox, Publisher, PublisherProcess
from services.ask.semantic import SemanticLayer
from services.ask.settings import Settings
from services.ask.telemetry import AskMetrics
from services.ask.warehouse import Warehouse
from shared.events import Event

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    warehouse: Warehouse
    layer: SemanticLayer
    generator: GeneratorClient
    keys: KeyStore
    keys_required: bool
    limiter: RateLimiter
    outbox: Outbox | None
    publisher: Publisher | PublisherProcess | None
    metrics: AskMetrics | None = None
    learner: LabelLearner | None = None
    # failed authentication per client address (``throttle.py``); None: not throttled
    auth_failures: RateLimiter | None = None

    def publish(self, topic: str, event: Event, key: str | None) -> None:
        if self.outbox is None:
            return
        try:
            self.outbox.append(topic, event, key)
        except Exception:  # never fail a request because of its event
            log.exception("could not write %s %s to the outbox", event.type, event.event_id)
