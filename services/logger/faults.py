"""Fault injection for the crash tests: sink hooks configured from environment variables.

``ECOMINSIGHT_LOGGER_CRASH_AT=<point>:<n>`` makes the process ``os._exit(137)`` at ``<point>`` of
its n-th batch (or rotation; the points are in ``sink/hooks.py``).
``ECOMINSIGHT_LOGGER_PROGRESS_FILE=<path>`` appends ``<n> begin``, ``<n> jsonl <bytes>`` (files
written), ``<n> rows`` and ``<n> commit`` lines, unbuffered, so a test that kills the process from
outside can tell where the kill landed.

The command that starts the logger reads the variables once (``hooks_from_env``); with neither
set it gets the sink's no-op hooks.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from services.logger.sink.hooks import POINTS, SinkHooks

log = logging.getLogger(__name__)

CRASH_ENV = "ECOMINSIGHT_LOGGER_CRASH_AT"
PROGRESS_ENV = "ECOMINSIGHT_LOGGER_PROGRESS_FILE"

# The progress line written at a point: before its crash check, or (``rows``) after it.
MARK_BEFORE = {"start": "begin", "after_jsonl": "jsonl", "after_commit": "commit"}
MARK_AFTER = {"after_insert": "rows"}


@dataclass(frozen=True)
class CrashPlan:
    """Where to die on purpose: ``step`` of the ``batch``-th batch (or rotation)."""

    step: str | None = None
    batch: int = 0

    @classmethod
    def from_env(cls) -> CrashPlan:
        raw = os.environ.get(CRASH_ENV, "").strip()
        if not raw:
            return cls()
        step, _, n = raw.partition(":")
        if step not in POINTS:
            raise ValueError(f"{CRASH_ENV}: unknown step {step!r} (one of {', '.join(POINTS)})")
        return cls(step, int(n or 1))

    def check(self, step: str, batch: int) -> None:
        if self.step == step and self.batch == batch:
            log.warning("crash point %s in batch %d: exiting now", step, batch)
            logging.shutdown()
            os._exit(137)


class Progress:
    """One unbuffered line per step of a batch, which a SIGKILL cannot lose."""

    def __init__(self, path: str):
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def mark(self, batch: int, step: str, detail: int | None = None) -> None:
        os.write(self._fd, f"{batch} {step}{'' if detail is None else f' {detail}'}\n".encode())


class FaultHooks(SinkHooks):
    """Progress lines and a crash point, at the points the sink reaches."""

    def __init__(self, crash: CrashPlan, progress: Progress | None):
        self.crash = crash
        self.progress = progress

    def reached(self, point: str, count: int, detail: int | None = None) -> None:
        if self.progress is not None and point in MARK_BEFORE:
            self.progress.mark(count, MARK_BEFORE[point], detail)
        self.crash.check(point, count)
        if self.progress is not None and point in MARK_AFTER:
            self.progress.mark(count, MARK_AFTER[point], detail)


def hooks_from_env() -> SinkHooks:
    """The hooks the environment asks for; the no-op ones when it asks for none."""
    crash = CrashPlan.from_env()
    path = os.environ.get(PROGRESS_ENV)
    if crash.step is None and not path:
        return SinkHooks()
    return FaultHooks(crash, Progress(path) if path else None)
