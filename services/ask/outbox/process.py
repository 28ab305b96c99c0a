"""The publisher's child process: ``PublisherProcess`` starts ``python -m services.ask.outbox``
(``main`` below), which runs a ``Publisher`` niced, so request threads never compete with it for
the GIL. The child reports its counters in ``publisher.json``; it stops on SIGTERM, and by itself
when the service that started it is gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from services.ask.outbox.publisher import Pace, Publisher
from services.ask.outbox.segments import pending_records
from shared.fs import atomic_write
from shared.logs import setup_logging
from shared.settings import KafkaSettings

log = logging.getLogger(__name__)

STATS = "publisher.json"


def main(argv: list[str] | None = None) -> int:
    """The publisher process: ``python -m services.ask.outbox DIR KAFKA_JSON PACE_JSON PARENT_PID``."""
    directory, kafka_json, pace_json, parent_pid = argv or sys.argv[1:]
    # Requests come first: when the CPU is short, the publisher waits (its events wait in the outbox).
    with contextlib.suppress(OSError):
        os.nice(10)
    setup_logging(quiet={"kafka": logging.CRITICAL})
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

    pace = Pace(**json.loads(pace_json))
    publisher = Publisher(path, KafkaSettings.model_validate_json(kafka_json), **asdict(pace), report=report)

    def relay_stop() -> None:
        stop.wait()
        publisher.halt()

    threading.Thread(target=relay_stop, daemon=True).start()
    publisher.run(parent_pid=int(parent_pid))
    report(publisher, force=True)
    return 0


def write_stats(directory: Path, p: Publisher) -> None:
    stats = {"published": p.published, "failures": p.failures, "last_error": p.last_error}
    atomic_write(directory / STATS, json.dumps(stats), fsync=False)  # counters: a crash may lose the last


class PublisherProcess:
    """Runs the ``Publisher`` in a child process (``python -m services.ask.outbox``), so request
    threads never compete with it for the GIL. It reports its counters in ``publisher.json``."""

    def __init__(self, directory: Path, kafka: KafkaSettings, pace: Pace = Pace(poll_s=0.1)):
        self.directory = directory
        self._args = [str(directory), kafka.model_dump_json(), json.dumps(asdict(pace))]
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
        # The installed package, found by module name: the child runs from wherever the service does.
        self._process = subprocess.Popen([sys.executable, "-m", "services.ask.outbox", *self._args, str(os.getpid())])
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
