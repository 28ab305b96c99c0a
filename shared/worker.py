"""The worker base: a background job that follows Kafka topics through one ``EventConsumer``.

A service's worker (the logger's sink worker, the trainer's worker) builds its consumer with its
own batch handler and hands it, and the producer it publishes with if any, to this base. The base
owns both: ``run()`` follows the topics until ``stop()``, then ``close()`` releases what the worker
owns. A subclass that owns more (a database sink) extends ``close()``.
"""

from __future__ import annotations

import threading

from shared.kafka import EventConsumer, EventProducer


class ConsumerWorker:
    """``run()`` until ``stop()``. Owns its consumer and, where it publishes, its producer."""

    def __init__(self, consumer: EventConsumer, producer: EventProducer | None = None):
        self.consumer = consumer
        self.producer = producer

    @property
    def ready(self) -> threading.Event:
        """Set once the consumer has its partitions."""
        return self.consumer.ready

    def run(self) -> None:
        """Consume until ``stop()``; whatever ends the loop, release what the worker owns."""
        try:
            self.consumer.run()
        finally:
            self.close()

    def stop(self) -> None:
        self.consumer.stop()

    def close(self) -> None:
        """Release what the worker owns (called when ``run()`` ends)."""
        if self.producer is not None:
            self.producer.close()
