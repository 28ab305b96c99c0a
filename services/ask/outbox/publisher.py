"""The publisher: drains the outbox's segments to Kafka, in order, moving the cursor only over what
the broker acknowledged.

It reads a chunk after the cursor, sends it, waits for the acknowledgements and then saves the
cursor. When the broker is down it keeps the records and retries from the cursor, so events
reach Kafka in the order they were appended, after an outage and after a restart of the service.

Delivery is exactly once while the service runs (a chunk's acknowledged records are never sent
again; each partition's records of a chunk travel in one batch, so a failure cannot reorder a
shop's events). A crash between the broker's acknowledgement and the cursor update can resend that
last chunk: consumers de-duplicate on ``event_id``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from services.ask.outbox.segments import Cursor, Outbox, Record, list_segments, pending_records, segment_name
from services.ask.outbox.sending import outbox_producer, send_chunk
from shared.errors import BrokerError
from shared.kafka import broker_reachable, ensure_topics
from shared.settings import KafkaSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pace:
    """How a publisher drains its folder: ``batch`` records per chunk, ``retry_s`` seconds between
    tries while the broker fails, ``poll_s`` seconds between looks for new lines when no ``Outbox``
    object wakes it (the child process of ``process.py``)."""

    batch: int = 200
    retry_s: float = 0.5
    poll_s: float = 0.005


class Publisher:
    """Drains the outbox folder to Kafka: ``start()`` runs it in a thread of this process,
    ``PublisherProcess`` runs it in a child process (what the service does: no GIL contention with
    request threads). Without an ``outbox`` object at hand it polls the folder for new lines."""

    def __init__(
        self,
        directory: Path,
        kafka: KafkaSettings,
        *,
        batch: int = 200,
        retry_s: float = 0.5,
        client_id: str = "ecominsight-ask",
        outbox: Outbox | None = None,
        poll_s: float = 0.005,
        report: Callable[[Publisher], None] | None = None,
    ):
        self.directory = directory
        self.outbox = outbox
        self.kafka = kafka
        self.pace = Pace(batch, retry_s, poll_s)
        self.client_id = client_id
        self.report = report
        self.cursor = Cursor(directory)
        self.published = 0
        self.failures = 0
        self.skipped_corrupt = 0
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._producer = outbox_producer(kafka, client_id)  # connects on the first send
        self._sent: set[tuple[int, int]] = set()  # acknowledged records beyond the cursor

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> Publisher:
        self._thread = threading.Thread(target=self.run, name="outbox-publisher", daemon=True)
        self._thread.start()
        return self

    def halt(self) -> None:
        """Make ``run()`` return soon, without waiting for pending records (they stay on disk)."""
        self._stop.set()
        self._wake()

    def stop(self, drain_timeout_s: float = 5.0) -> None:
        """Try to send what is pending for up to ``drain_timeout_s``, then stop (the rest stays on disk)."""
        deadline = time.monotonic() + drain_timeout_s
        while self.pending() and time.monotonic() < deadline and self.last_error is None:
            time.sleep(0.02)
        self.halt()
        if self._thread is not None:
            self._thread.join(timeout=60)
            if self._thread.is_alive():
                log.error("outbox publisher did not stop within 60s")
        self._close_producer()

    def _wake(self) -> None:
        if self.outbox is not None:
            with self.outbox.appended:
                self.outbox.appended.notify_all()

    def _wait_for_appends(self) -> None:
        if self.outbox is not None:
            with self.outbox.appended:
                self.outbox.appended.wait(0.5)
        else:
            self._stop.wait(self.pace.poll_s)

    def _writer_segment(self) -> int:
        if self.outbox is not None:
            return self.outbox.segment
        segments = list_segments(self.directory)
        return segments[-1] if segments else 1

    def pending(self) -> int:
        """How many records are not yet acknowledged by the broker."""
        return pending_records(self.directory)

    def __enter__(self) -> Publisher:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- reading ---------------------------------------------------------------------------------
    def _read(self, segment: int, offset: int, limit: int) -> list[Record]:
        records: list[Record] = []
        while len(records) < limit:
            path = self.directory / segment_name(segment)
            if not path.exists():
                break
            # Checked before reading: once the writer has moved on, this segment is complete, so
            # reading it to the end cannot miss a line written just after our read.
            complete = segment < self._writer_segment()
            with open(path, "rb") as f:
                f.seek(offset)
                while len(records) < limit:
                    line = f.readline()
                    if not line.endswith(b"\n"):  # end of file, or a line still being written
                        break
                    try:
                        data = json.loads(line)
                    except ValueError:
                        # A complete but corrupt line (disk error): skip it, say so, keep sending.
                        log.error("outbox %s@%d: skipping a corrupt line", path.name, offset)
                        self.skipped_corrupt += 1
                        self.last_error = f"corrupt outbox line skipped at {path.name}@{offset}"
                        offset += len(line)
                        if not records:  # at the cursor: step over it now, or it is read forever
                            self.cursor.save(segment, offset)
                        continue
                    records.append(
                        Record(
                            segment,
                            offset,
                            offset + len(line),
                            data["topic"],
                            data["key"],
                            data["type"],
                            data["value"],
                        )
                    )
                    offset += len(line)
            if not complete or len(records) >= limit:
                break
            segment, offset = segment + 1, 0
        return records

    # -- sending ---------------------------------------------------------------------------------
    def _close_producer(self) -> None:
        """Unacknowledged sends are dropped (they are still in the outbox, after the cursor)."""
        self._producer.disconnect(timeout_s=1)

    def _send(self, records: list[Record]) -> list[bool]:
        """Send a chunk and wait for the acknowledgements; True per record the broker has."""
        results, error = send_chunk(self._producer, records, self._sent)
        if error is not None:
            self.last_error = error
        return results

    def _advance(self, records: list[Record], results: list[bool]) -> None:
        """Move the cursor over the acknowledged prefix; remember acknowledged records after a gap."""
        self._sent.update((rec.segment, rec.offset) for rec, ok in zip(records, results, strict=True) if ok)
        done = 0
        for rec in records:
            if (rec.segment, rec.offset) not in self._sent:
                break
            self._sent.discard((rec.segment, rec.offset))
            done += 1
        if done:
            last = records[done - 1]
            self.cursor.save(last.segment, last.end)
            self.published += done
            self._drop_sentlist_segments()

    def _drop_sentlist_segments(self) -> None:
        for number in list_segments(self.directory):
            if number < self.cursor.segment:
                with contextlib.suppress(FileNotFoundError):
                    (self.directory / segment_name(number)).unlink()

    def run(self, parent_pid: int | None = None) -> None:
        """The loop: read a chunk after the cursor, send it, move the cursor; until ``stop()``."""
        while not self._stop.is_set():
            if parent_pid is not None and os.getppid() != parent_pid:
                log.warning("outbox publisher: the ask service is gone; stopping")
                break
            records = self._read(self.cursor.segment, self.cursor.offset, self.pace.batch)
            if not records:
                # The writer has rolled over and the cursor's segment holds nothing more (read again
                # now that it is known to be complete): move the cursor to the next segment.
                if self.cursor.segment < self._writer_segment() and not self._read(
                    self.cursor.segment, self.cursor.offset, 1
                ):
                    self.cursor.save(self.cursor.segment + 1, 0)
                    self._drop_sentlist_segments()
                    continue
                self._wait_for_appends()
                continue
            try:
                results = self._send(records)
            except Exception as exc:  # broker unreachable at connect time, or anything unexpected
                self.last_error = str(exc)
                results = [False] * len(records)
            self._advance(records, results)
            if all(results):
                self.last_error = None
                if len(records) < self.pace.batch and self.outbox is None:
                    self._stop.wait(self.pace.poll_s)  # let the next chunk gather: fewer, larger requests
            else:
                self.failures += 1
                log.warning(
                    "outbox: %d event(s) not delivered yet (%s); retrying in %.1fs",
                    results.count(False),
                    self.last_error,
                    self.pace.retry_s,
                )
                self._close_producer()  # start clean against the broker that comes back
            if self.report is not None:
                self.report(self)
            if not all(results):
                if self._stop.wait(self.pace.retry_s):
                    break
                self._ensure_topics({r.topic for r in records})
        self._close_producer()

    def _ensure_topics(self, topics: set[str]) -> None:
        """After a broker restart (memory storage) the topics may be gone: create them again.
        Only tried when a broker accepts connections (the admin client would wait long otherwise)."""
        if not broker_reachable(self.kafka):
            return
        with contextlib.suppress(BrokerError):
            ensure_topics(self.kafka, sorted(topics), timeout_s=2.0)
