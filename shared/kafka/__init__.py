"""Small wrappers around kafka-python: a lazy producer, a consumer loop, topic bootstrap.

* ``producer``: ``EventProducer`` connects on first use, never blocks the caller for long
  (``max_block_ms``), reports delivery failures to a callback, and flushes on close;
  ``make_producer`` is the one place that builds a kafka-python ``KafkaProducer`` from our
  ``KafkaSettings``; ``close_producer`` closes one without hanging on a broker that is gone.
* ``consumer``: ``EventConsumer`` polls in batches, hands decoded events to a handler, and commits
  offsets only after the handler returned. Undecodable messages go to the dead-letter topic with
  the reason in headers. A failing handler is retried from the same offsets, so nothing is skipped.
* ``admin``: ``ensure_topics`` creates the project's topics at start-up (idempotent);
  ``broker_reachable`` says whether a broker accepts connections at all.
"""

from shared.kafka.admin import broker_reachable, ensure_topics
from shared.kafka.consumer import (
    DLQ_ERROR_HEADER,
    AssignHook,
    BatchHandler,
    EventConsumer,
    Received,
    run_in_thread,
)
from shared.kafka.producer import EventProducer, close_producer, make_producer

__all__ = [
    "DLQ_ERROR_HEADER",
    "AssignHook",
    "BatchHandler",
    "EventConsumer",
    "EventProducer",
    "Received",
    "broker_reachable",
    "close_producer",
    "ensure_topics",
    "make_producer",
    "run_in_thread",
]
