"""The outbox's segment log on disk: ``Outbox`` appends, ``Cursor`` says how far the publisher
got, ``Record`` is one line read back, ``pending_records`` counts what is not yet acknowledged.

Layout of ``outbox_dir``::

    00000001.log   JSON lines {"topic", "key", "type", "value"}; a new segment every segment_bytes
    cursor         "<segment> <byte offset>" of the first record not yet acknowledged

Durability: lines are written with ``os.write`` (in the page cache at once, so a crash of the
process loses nothing); ``fsync="always"`` also flushes each line to disk, ``"interval"`` flushes
in the background, ``"never"`` leaves it to the OS. Fully sent segments are deleted.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from shared.errors import BrokerError, ConfigError
from shared.events import Event
from shared.fs import atomic_write

log = logging.getLogger(__name__)


def segment_name(number: int) -> str:
    return f"{number:08d}.log"


def list_segments(directory: Path) -> list[int]:
    """The segment numbers in ``directory``, oldest first."""
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
        segments = list_segments(directory)
        self._segment = segments[-1] if segments else 1
        path = directory / segment_name(self._segment)
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
                path = self.directory / segment_name(self._segment)
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
            segments = list_segments(directory)
            self.segment, self.offset = (segments[0] if segments else 1), 0

    def save(self, segment: int, offset: int) -> None:
        atomic_write(self.path, f"{segment} {offset}\n")
        self.segment, self.offset = segment, offset


def pending_records(directory: Path) -> int:
    """Records in ``directory`` after the publisher's cursor (not yet acknowledged by the broker)."""
    cursor = Cursor(directory)
    count, segment, offset = 0, cursor.segment, cursor.offset
    for number in list_segments(directory):
        if number < segment:
            continue
        with open(directory / segment_name(number), "rb") as f:
            f.seek(offset if number == segment else 0)
            count += sum(1 for line in f if line.endswith(b"\n"))
    return count
