"""A durable, append-only outbox on disk and the publisher that drains it to Kafka in order.

Request threads call ``Outbox.append()``: one JSON line written to the current segment file
(microseconds; no network). The ``Publisher`` reads the segments in order, sends a chunk, waits
for the broker's acknowledgements, and only then moves its ``Cursor``. The service runs the
publisher in a child process (``PublisherProcess``); ``Publisher.start()`` runs it in a thread.

* ``segments``: the log on disk (``Outbox``, ``Cursor``, ``Record``, ``pending_records``).
* ``publisher``: the ``Publisher`` loop (Kafka, in order, retries from the cursor) and its ``Pace``.
* ``sending``: one chunk to Kafka over a ``shared.kafka.EventProducer``, and which records it acknowledged.
* ``process``: the child process (``PublisherProcess`` and its ``main``, ``python -m services.ask.outbox``).
"""

from services.ask.outbox.process import STATS, PublisherProcess, write_stats
from services.ask.outbox.publisher import Pace, Publisher
from services.ask.outbox.segments import Cursor, Outbox, Record, pending_records

__all__ = [
    "STATS",
    "Cursor",
    "Outbox",
    "Pace",
    "Publisher",
    "PublisherProcess",
    "Record",
    "pending_records",
    "write_stats",
]
