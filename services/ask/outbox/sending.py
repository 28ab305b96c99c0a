"""Sending one chunk of outbox records to Kafka and telling which ones the broker acknowledged.

The publisher's producer is a ``shared.kafka.EventProducer`` tuned for in-order delivery
(``outbox_producer``): no retries of its own (the publisher retries from its cursor), one request in
flight, and a long linger so each partition's records of a chunk leave in one batch on ``flush``.
"""

from __future__ import annotations

from typing import Any

from kafka.errors import KafkaError

from services.ask.outbox.segments import Record
from shared.events import TYPE_HEADER
from shared.kafka import EventProducer
from shared.settings import KafkaSettings

LINGER_MS = 1000
REQUEST_TIMEOUT_MS = 3000
DELIVERY_TIMEOUT_MS = LINGER_MS + REQUEST_TIMEOUT_MS + 500
BOOTSTRAP_TIMEOUT_MS = 2000


def outbox_producer(kafka: KafkaSettings, client_id: str) -> EventProducer:
    """The publisher's producer (it connects on the first send)."""
    return EventProducer(
        kafka,
        client_id,
        retries=0,  # the publisher retries, from the cursor, in order
        max_in_flight_requests_per_connection=1,
        linger_ms=LINGER_MS,  # batches leave on flush(): one batch per partition per chunk
        batch_size=4 * 1024 * 1024,
        max_request_size=8 * 1024 * 1024,
        request_timeout_ms=REQUEST_TIMEOUT_MS,
        delivery_timeout_ms=DELIVERY_TIMEOUT_MS,  # a chunk fails within this when the broker is gone
        reconnect_backoff_max_ms=1000,
        bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS,  # a down broker must not hold the publisher for long
    )


def send_chunk(
    producer: EventProducer, records: list[Record], acknowledged: set[tuple[int, int]]
) -> tuple[list[bool], str | None]:
    """Send the records not yet ``acknowledged`` (by ``(segment, offset)``) and wait for the
    broker; returns True per record the broker has, and the last error seen (None: no error)."""
    futures: list[Any] = []
    error: str | None = None
    for rec in records:
        if (rec.segment, rec.offset) in acknowledged:
            futures.append(None)
            continue
        try:
            key = rec.key.encode() if rec.key else None
            futures.append(producer.send_raw(rec.topic, rec.value.encode(), key, [(TYPE_HEADER, rec.type.encode())]))
        except KafkaError as exc:  # no metadata for the topic (broker down, topic missing)
            error = str(exc)
            futures.append(False)
            break
    try:
        producer.flush(timeout_s=DELIVERY_TIMEOUT_MS / 1000 + 2)
    except KafkaError as exc:
        error = f"flush: {exc}"
    results = []
    for future in futures:
        if future is None:
            results.append(True)
        elif future is False or not future.is_done:
            results.append(False)
        elif future.failed():
            error = str(future.exception)
            results.append(False)
        else:
            results.append(True)
    results += [False] * (len(records) - len(results))
    return results, error
