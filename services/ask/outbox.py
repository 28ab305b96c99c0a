"""A durable, append-only outbox on disk and the thread that drains it to Kafka in order.

Request threads call ``Outbox.append()``: one JSON line written to the current segment file
(microseconds; no network). The ``Publisher`` thread reads the segments in order, sends a chunk,
waits for the broker's acknowledgements, and only then moves its cursor (a small file replaced
atomically). When the broker is down it keeps the records and retries from the cursor, so events
reach Kafka in the order they were appended, after an outage and after a restart of the service.

Layout of ``outbox_dir``::

    00000001.log   JSON lines {"topic", "key", "type", "value"}; a new segment every segment_bytes
    cursor         "<segment> <byte offset>" of the first record not yet acknowledged

Durability: lines are written with ``os.write`` (in the page cache at once, so a crash of the
process loses nothing); ``fsync="always"`` also flushes each line to disk, ``"interval"`` flushes
in the background, ``"never"`` leaves it to the OS. Fully sent segments are deleted.

Delivery is exactly once while the service runs (a chunk's acknowledged records are never sent
again; each partition's records of a chunk travel in one batch, so a failure cannot reorder a
shop's events). A crash between the broker's acknowledgement and the cursor update can resend that
last chunk: consumers de-duplicate on ``event_id``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError

from shared.errors import BrokerError, ConfigError
from shared.events import TYPE_HEADER, Event
from shared.kafka import ensure_topics
from shared.settings import KafkaSettings

log = logging.getLogger(__name__)


LINGER_MS = 1000
REQUEST_TIMEOUT_MS = 3000
DELIVERY_TIMEOUT_MS = LINGER_MS + REQUEST_TIMEOUT_MS + 500
BOOTSTRAP_TIMEOUT_MS = 2000


def _segment_name(number: int) -> str:
    return f"{number:08d}.log"


def _segments(directory: Path) -> list[int]:
    return sorted(int(p.stem) for p in directory.glob("*.log") if p.stem.isdigit())


@dataclass(frozen=True)
class Record:
    segment: int
    offset: int  # byte offset of the line in its segment
    end: int  # byte offset after the line
    topic: str
    key: str | None
    type: str
    value: str


class Outbox:
    """The append side: thread-safe, one file descriptor open on the newest segment."""

    def __init__(
        self,
        directory: Path,
        fsync: str = "interval",
        fsync_interval_s: float = 0.2,
        segment_bytes: int = 16 * 1024 * 1024,
    ):
        self.directory = directory
        self.fsync = fsync
        self.segment_bytes = segment_bytes
        directory.mkdir(parents=True, exist_ok=True)
        # One writer per outbox: replicas of the service each need their own folder.
        self._lock_fd = os.open(directory / "lock", os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(self._lock_fd)
            raise ConfigError(
                f"the outbox {directory} is in use by another process; give each ask "
                "replica its own ECOMINSIGHT_OUTBOX_DIR"
            ) from exc
        self._lock = threading.Lock()
        self.appended = threading.Condition(self._lock)
        segments = _segments(directory)
        self._segment = segments[-1] if segments else 1
        path = directory / _segment_name(self._segment)
        self._repair_tail(path)
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._size = os.fstat(self._fd).st_size
        self._dirty = False
        self._closed = threading.Event()
        self._syncer: threading.Thread | None = None
        if fsync == "interval":
            self._syncer = threading.Thread(
                target=self._sync_loop, args=(fsync_interval_s,), name="outbox-fsync", daemon=True
            )
            self._syncer.start()

    @staticmethod
    def _repair_tail(path: Path) -> None:
        """Cut a half-written last line (a crash mid-write) so appends start on a fresh line."""
        if not path.exists():
            return
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):
            keep = data.rfind(b"\n") + 1
            log.warning("outbox %s: dropping a torn last line (%d bytes)", path, len(data) - keep)
            with open(path, "r+b") as f:
                f.truncate(keep)

    @property
    def segment(self) -> int:
        return self._segment

    def append(self, topic: str, event: Event, key: str | None = None) -> None:
        line = (
            json.dumps(
                {"topic": topic, "key": key, "type": event.type, "value": event.model_dump_json()}
            ).encode()
            + b"\n"
        )
        with self._lock:
            if self._closed.is_set():
                raise BrokerError("the outbox is closed")
            if self._size and self._size + len(line) > self.segment_bytes:
                os.fsync(self._fd)
                os.close(self._fd)
                self._segment += 1
                path = self.directory / _segment_name(self._segment)
                self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                self._size = 0
            os.write(self._fd, line)
            self._size += len(line)
            if self.fsync == "always":
                os.fsync(self._fd)
            else:
                self._dirty = True
            self.appended.notify_all()

    def _sync_loop(self, interval: float) -> None:
        while not self._closed.wait(interval):
            self.sync()

    def sync(self) -> None:
        with self._lock:
            if self._dirty and not self._closed.is_set():
                os.fsync(self._fd)
                self._dirty = False

    def close(self) -> None:
        with self._lock:
            if self._closed.is_set():
                return
            os.fsync(self._fd)
            os.close(self._fd)
            self._closed.set()
            self.appended.notify_all()
        if self._syncer is not None:
            self._syncer.join(timeout=5)
        fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        os.close(self._lock_fd)


class Cursor:
    """Where the publisher is: (segment, byte offset) of the first unacknowledged record."""

    def __init__(self, directory: Path):
        self.path = directory / "cursor"
        self.segment, self.offset = 1, 0
        try:
            text = self.path.read_text().split()
            self.segment, self.offset = int(text[0]), int(text[1])
        except (OSError, ValueError, IndexError):
            # No cursor yet, or a torn one (power cut): start at the oldest segment. That may
            # send some events again, which consumers drop by event_id; it never skips one.
            if self.path.exists():
                log.warning("outbox cursor %s is unreadable; resending from the oldest segment", self.path)
            segments = _segments(directory)
            self.segment, self.offset = (segments[0] if segments else 1), 0

    def save(self, segment: int, offset: int) -> None:
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w") as fh:
            fh.write(f"{segment} {offset}\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        self.segment, self.offset = segment, offset


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
        self.batch = batch
        self.retry_s = retry_s
        self.client_id = client_id
        self.poll_s = poll_s
        self.report = report
        self.cursor = Cursor(directory)
        self.published = 0
        self.failures = 0
        self.skipped_corrupt = 0
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._producer: KafkaProducer | None = None
        self._sent: set[tuple[int, int]] = set()  # acknowledged records beyond the cursor

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> Publisher:
        self._thread = threading.Thread(target=self.run, name="outbox-publisher", daemon=True)
        self._thread.start()
        return self

    def stop(self, drain_timeout_s: float = 5.0) -> None:
        """Try to send what is pending for up to ``drain_timeout_s``, then stop (the rest stays on disk)."""
        deadline = time.monotonic() + drain_timeout_s
        while self.pending() and time.monotonic() < deadline and self.last_error is None:
            time.sleep(0.02)
        self._stop.set()
        self._wake()
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
            self._stop.wait(self.poll_s)

    def _writer_segment(self) -> int:
        if self.outbox is not None:
            return self.outbox.segment
        segments = _segments(self.directory)
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
            path = self.directory / _segment_name(segment)
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
    def _client(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = KafkaProducer(
                bootstrap_servers=self.kafka.servers,
                client_id=self.client_id,
                acks="all",
                enable_idempotence=False,  # Tansu: an idempotent producer stays broken after a restart
                retries=0,  # this loop retries, from the cursor, in order
                max_in_flight_requests_per_connection=1,
                linger_ms=LINGER_MS,  # batches leave on flush(): one batch per partition per chunk
                batch_size=4 * 1024 * 1024,
                max_request_size=8 * 1024 * 1024,
                max_block_ms=self.kafka.max_block_ms,
                request_timeout_ms=REQUEST_TIMEOUT_MS,
                delivery_timeout_ms=DELIVERY_TIMEOUT_MS,  # a chunk fails within this when the broker is gone
                reconnect_backoff_max_ms=1000,
                bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS,  # a down broker must not hold this loop for long
            )
        return self._producer

    def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is None:
            return
        try:
            producer.close(timeout=1)
        except Exception:  # batches still pending: drop them (they are still in the outbox)
            with contextlib.suppress(Exception):
                producer._accumulator.abort_incomplete_batches()
                producer.close(timeout=0)

    def _send(self, records: list[Record]) -> list[bool]:
        """Send a chunk and wait for the acknowledgements; True per record the broker has."""
        producer = self._client()
        futures: list[Any] = []
        for rec in records:
            if (rec.segment, rec.offset) in self._sent:
                futures.append(None)
                continue
            try:
                futures.append(
                    producer.send(
                        rec.topic,
                        value=rec.value.encode(),
                        key=rec.key.encode() if rec.key else None,
                        headers=[(TYPE_HEADER, rec.type.encode())],
                    )
                )
            except KafkaError as exc:  # no metadata for the topic (broker down, topic missing)
                self.last_error = str(exc)
                futures.append(False)
                break
        try:
            producer.flush(timeout=DELIVERY_TIMEOUT_MS / 1000 + 2)
        except KafkaError as exc:
            self.last_error = f"flush: {exc}"
        results = []
        for future in futures:
            if future is None:
                results.append(True)
            elif future is False or not future.is_done:
                results.append(False)
            elif future.failed():
                self.last_error = str(future.exception)
                results.append(False)
            else:
                results.append(True)
        results += [False] * (len(records) - len(results))
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
            self._drop_sent_segments()

    def _drop_sent_segments(self) -> None:
        for number in _segments(self.directory):
            if number < self.cursor.segment:
                with contextlib.suppress(FileNotFoundError):
                    (self.directory / _segment_name(number)).unlink()

    def run(self, parent_pid: int | None = None) -> None:
        """The loop: read a chunk after the cursor, send it, move the cursor; until ``stop()``."""
        while not self._stop.is_set():
            if parent_pid is not None and os.getppid() != parent_pid:
                log.warning("outbox publisher: the ask service is gone; stopping")
                break
            records = self._read(self.cursor.segment, self.cursor.offset, self.batch)
            if not records:
                # The writer has rolled over and the cursor's segment holds nothing more (read again
                # now that it is known to be complete): move the cursor to the next segment.
                if self.cursor.segment < self._writer_segment() and not self._read(
                    self.cursor.segment, self.cursor.offset, 1
                ):
                    self.cursor.save(self.cursor.segment + 1, 0)
                    self._drop_sent_segments()
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
                if len(records) < self.batch and self.outbox is None:
                    self._stop.wait(self.poll_s)  # let the next chunk gather: fewer, larger requests
            else:
                self.failures += 1
                log.warning(
                    "outbox: %d event(s) not delivered yet (%s); retrying in %.1fs",
                    results.count(False),
                    self.last_error,
                    self.retry_s,
                )
                self._close_producer()  # start clean against the broker that comes back
            if self.report is not None:
                self.report(self)
            if not all(results):
                if self._stop.wait(self.retry_s):
                    break
                self._ensure_topics({r.topic for r in records})
        self._close_producer()

    def _ensure_topics(self, topics: set[str]) -> None:
        """After a broker restart (memory storage) the topics may be gone: create them again.
        Only tried when a broker accepts connections (the admin client would wait long otherwise)."""
        if not self._broker_reachable():
            return
        with contextlib.suppress(BrokerError):
            ensure_topics(self.kafka, sorted(topics), timeout_s=2.0)

    def _broker_reachable(self) -> bool:
        for server in self.kafka.servers:
            host, _, port = server.rpartition(":")
            try:
                with socket.create_connection((host or "127.0.0.1", int(port)), timeout=0.5):
                    return True
            except (OSError, ValueError):
                continue
        return False


def pending_records(directory: Path) -> int:
    """Records in ``directory`` after the publisher's cursor (not yet acknowledged by the broker)."""
    cursor = Cursor(directory)
    count, segment, offset = 0, cursor.segment, cursor.offset
    for number in _segments(directory):
        if number < segment:
            continue
        with open(directory / _segment_name(number), "rb") as f:
            f.seek(offset if number == segment else 0)
            count += sum(1 for line in f if line.endswith(b"\n"))
    return count


def _publisher_main(argv: list[str] | None = None) -> int:
    """The publisher process: ``python -m services.ask.outbox DIR KAFKA_JSON BATCH RETRY_S POLL_S PARENT_PID``."""
    directory, kafka_json, batch, retry_s, poll_s, parent_pid = argv or sys.argv[1:]
    # Requests come first: when the CPU is short, the publisher waits (its events wait in the outbox).
    with contextlib.suppress(OSError):
        os.nice(10)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    path = Path(directory)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # One publisher per outbox, even if an orphan from a killed service is still finishing.
    lock_fd = os.open(path / "publisher.lock", os.O_WRONLY | os.O_CREAT, 0o644)
    while True:
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError:
            if stop.wait(0.5):
                return 0
    last = {"at": 0.0, "failures": -1}

    def report(p: Publisher, force: bool = False) -> None:
        now = time.monotonic()
        if force or p.failures != last["failures"] or now - last["at"] >= 1.0:
            write_stats(path, p)
            last.update(at=now, failures=p.failures)

    publisher = Publisher(
        path,
        KafkaSettings.model_validate_json(kafka_json),
        batch=int(batch),
        retry_s=float(retry_s),
        poll_s=float(poll_s),
        report=report,
    )

    def relay_stop() -> None:
        stop.wait()
        publisher._stop.set()

    threading.Thread(target=relay_stop, daemon=True).start()
    publisher.run(parent_pid=int(parent_pid))
    report(publisher, force=True)
    return 0


STATS = "publisher.json"


def write_stats(directory: Path, p: Publisher) -> None:
    tmp = directory / (STATS + ".tmp")
    tmp.write_text(json.dumps({"published": p.published, "failures": p.failures, "last_error": p.last_error}))
    os.replace(tmp, directory / STATS)


class PublisherProcess:
    """Runs the ``Publisher`` in a child process (``python -m services.ask.outbox``), so request
    threads never compete with it for the GIL. It reports its counters in ``publisher.json``."""

    def __init__(
        self,
        directory: Path,
        kafka: KafkaSettings,
        *,
        batch: int = 200,
        retry_s: float = 0.5,
        poll_s: float = 0.1,
    ):
        self.directory = directory
        self._args = [str(directory), kafka.model_dump_json(), str(batch), str(retry_s), str(poll_s)]
        self._process: subprocess.Popen[bytes] | None = None
        (directory / STATS).unlink(missing_ok=True)

    def _stats(self) -> dict[str, Any]:
        try:
            return dict(json.loads((self.directory / STATS).read_text()))
        except (OSError, ValueError):
            return {}

    @property
    def published(self) -> int:
        return int(self._stats().get("published", 0))

    @property
    def failures(self) -> int:
        return int(self._stats().get("failures", 0))

    @property
    def last_error(self) -> str | None:
        return self._stats().get("last_error")

    def pending(self) -> int:
        return pending_records(self.directory)

    def start(self) -> PublisherProcess:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "services.ask.outbox", *self._args, str(os.getpid())],
            cwd=Path(__file__).resolve().parents[2],
        )
        return self

    def stop(self, drain_timeout_s: float = 5.0) -> None:
        """Give pending events up to ``drain_timeout_s`` to go out (unless the broker is failing), then stop."""
        if self._process is None:
            return
        deadline = time.monotonic() + drain_timeout_s
        while (
            self._process.poll() is None
            and self.pending()
            and time.monotonic() < deadline
            and not self.last_error
        ):
            time.sleep(0.02)
        self._process.terminate()
        try:
            self._process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            log.error("outbox publisher process did not stop within 60s; killing it")
            self._process.kill()
            self._process.wait()
        self._process = None


if __name__ == "__main__":
    raise SystemExit(_publisher_main())
