"""The exactly-once sink: query events -> three JSONL files + the ``queries`` table,
feedback events -> the ``feedback`` table.

One micro-batch is written like this:

1. find which events of the batch are new (an event id already in a table is ignored) and put
   them in Arrow tables;
2. append their JSONL lines (built by DuckDB from the Arrow table) to ``all_queries.jsonl`` and
   ``success_queries.jsonl`` or ``failed_queries.jsonl``, flush and fsync;
3. in ONE DuckDB transaction (opened before step 1): bulk-insert the rows from the Arrow tables
   (never one INSERT per row), record the next Kafka offset of every partition and the new size
   of every JSONL file; commit.

A crash before the commit leaves bytes in the JSONL files the database does not know about;
``recover()`` (run at start) cuts every file back to its recorded size, and the consumer is
seeked to the recorded offsets (``on_assign``), so the batch is written again, exactly once.
A crash after the commit loses nothing. Because a line exists exactly when its row does, the
event-id check alone would also make a redelivered batch harmless. Crash points for tests: ``ECOMINSIGHT_LOGGER_CRASH_AT=
<step>:<n>`` makes the process ``os._exit(137)`` at ``<step>`` of its n-th batch. Progress markers for
tests: ``ECOMINSIGHT_LOGGER_PROGRESS_FILE=<path>`` appends ``<n> begin``, ``<n> jsonl <bytes>`` (files
written), ``<n> rows`` and ``<n> commit`` lines (``Progress``), so a test that kills the process from
outside can tell where the kill landed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import duckdb
import pyarrow as pa
from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from services.logger.sink import history, rotation
from services.logger.sink.history import QUERY_COLUMNS
from services.logger.stats import ratings, rollups
from services.logger.timefmt import to_json, utc_naive
from shared.events import FeedbackEvent, QueryEvent
from shared.kafka import Received

log = logging.getLogger(__name__)

ALL_FILE = "all_queries.jsonl"
SUCCESS_FILE = "success_queries.jsonl"
FAILED_FILE = "failed_queries.jsonl"
JSONL_FILES = (ALL_FILE, SUCCESS_FILE, FAILED_FILE)
HOT_TABLE = "queries_hot"  # the table the sink appends query rows to (``queries`` is a view over it and the history)

# How long after an event was logged a redelivery of it is still recognised (see ``Sink._new_events``).
# The outbox resends at most its last unacknowledged chunk when the ask service restarts after a
# crash, and Kafka redelivers what a consumer had not committed after a rebalance; neither can
# resend an event from before the broker's retention (Kafka's default: 7 days). The default covers that.
DEDUPE_WINDOW_S = 7 * 86400.0

CRASH_ENV = "ECOMINSIGHT_LOGGER_CRASH_AT"
CRASH_STEPS = (
    "start", "mid_jsonl", "after_jsonl", "after_insert", "after_commit",
    # inside the n-th rotation (rotation.py; at the start of a batch): recorded, compressed, finished
    "rotate_begun", "rotate_compressed", "rotate_finished",
)  # fmt: skip
PROGRESS_ENV = "ECOMINSIGHT_LOGGER_PROGRESS_FILE"

# fmt: off
FEEDBACK_COLUMNS = ("event_id", "query_id", "rating", "comment", "occurred_at", "logged_at", "shop_id", "correction",
                    "key_id")
# fmt: on


# One JSONL line per query, with the field names of the original review snippets, built by DuckDB
# from the batch's Arrow table (vectorised; much faster than json.dumps per event).
# ``response_time`` is in seconds, as the original printed it; the table keeps milliseconds.
JSONL_LINE = """
SELECT success, json_object(
    'question', question, 'answer', answer, 'intent', intent, 'tool_used', tool,
    'confidence', confidence, 'success', success, 'error', error, 'response_time', response_time_ms / 1000.0,
    'query_id', query_id, 'shop_id', shop_id,
    'timestamp', strftime(occurred_at, '%Y-%m-%dT%H:%M:%S.%f') || '+00:00',
    'model_version', model_version, 'generator', generator, 'event_id', event_id,
    'interpretation', interpretation::JSON
)::VARCHAR FROM batch_queries
"""


def query_table(queries: list[QueryEvent], logged_at: datetime, ids: dict[int, str]) -> pa.Table:
    """A batch of query events as an Arrow table with the ``queries`` columns."""
    return pa.table(
        {
            "event_id": pa.array([ids[id(e)] for e in queries], pa.string()),
            "query_id": pa.array([e.query_id for e in queries], pa.string()),
            "shop_id": pa.array([e.shop_id for e in queries], pa.string()),
            "occurred_at": pa.array([utc_naive(e.occurred_at) for e in queries], pa.timestamp("us")),
            "question": pa.array([e.question for e in queries], pa.string()),
            "answer": pa.array([e.answer for e in queries], pa.string()),
            "intent": pa.array([e.intent for e in queries], pa.string()),
            "tool": pa.array([e.tool for e in queries], pa.string()),
            "tool_params": pa.array([to_json(e.tool_params) for e in queries], pa.string()),
            "confidence": pa.array([e.confidence for e in queries], pa.float64()),
            "success": pa.array([e.success for e in queries], pa.bool_()),
            "error": pa.array([e.error for e in queries], pa.string()),
            "response_time_ms": pa.array([e.response_time_ms for e in queries], pa.float64()),
            "model_version": pa.array([e.model_version for e in queries], pa.string()),
            "generator": pa.array([e.generator for e in queries], pa.string()),
            "prompt": pa.array([e.prompt for e in queries], pa.string()),
            "result": pa.array(
                [None if e.result is None else to_json(e.result) for e in queries], pa.string()
            ),
            "logged_at": pa.array([logged_at] * len(queries), pa.timestamp("us")),
            "interpretation": pa.array(
                [None if e.interpretation is None else to_json(e.interpretation) for e in queries],
                pa.string(),
            ),
        }
    )


def feedback_table(feedback: list[FeedbackEvent], logged_at: datetime, ids: dict[int, str]) -> pa.Table:
    return pa.table(
        {
            "event_id": pa.array([ids[id(e)] for e in feedback], pa.string()),
            "query_id": pa.array([e.query_id for e in feedback], pa.string()),
            "rating": pa.array([e.rating for e in feedback], pa.string()),
            "comment": pa.array([e.comment for e in feedback], pa.string()),
            "occurred_at": pa.array([utc_naive(e.occurred_at) for e in feedback], pa.timestamp("us")),
            "logged_at": pa.array([logged_at] * len(feedback), pa.timestamp("us")),
            "shop_id": pa.array([e.shop_id for e in feedback], pa.string()),
            "correction": pa.array([e.correction for e in feedback], pa.string()),
            "key_id": pa.array([e.key_id for e in feedback], pa.string()),
        }
    )


@dataclass(frozen=True)
class CrashPlan:
    """Where to die on purpose (tests only): ``step`` of the ``batch``-th batch."""

    step: str | None = None
    batch: int = 0

    @classmethod
    def from_env(cls) -> CrashPlan:
        raw = os.environ.get(CRASH_ENV, "").strip()
        if not raw:
            return cls()
        step, _, n = raw.partition(":")
        if step not in CRASH_STEPS:
            raise ValueError(f"{CRASH_ENV}: unknown step {step!r} (one of {', '.join(CRASH_STEPS)})")
        return cls(step, int(n or 1))

    def check(self, step: str, batch: int) -> None:
        if self.step == step and self.batch == batch:
            log.warning("crash point %s in batch %d: exiting now", step, batch)
            logging.shutdown()
            os._exit(137)


class Progress:
    """Where the sink is (tests only): one unbuffered line per step, which a SIGKILL cannot lose.

    Steps of a batch: ``begin``, ``jsonl <bytes>`` (its lines are in the files: that many bytes;
    0 for a batch of feedback only), ``rows`` (its rows and offsets are in the transaction, the
    commit starts), ``commit`` (the commit returned).
    """

    def __init__(self, path: str | None = None):
        path = path if path is not None else os.environ.get(PROGRESS_ENV)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644) if path else None

    def mark(self, batch: int, step: str, detail: int | None = None) -> None:
        if self._fd is not None:
            os.write(self._fd, f"{batch} {step}{'' if detail is None else f' {detail}'}\n".encode())


class Sink:
    """Writes micro-batches of received events exactly once. Owns the JSONL file handles.

    ``conn`` is a connection (or cursor) used only by the thread that calls ``write``.
    """

    def __init__(
        self,
        conn: duckdb.DuckDBPyConnection,
        log_dir: Path,
        crash: CrashPlan | None = None,
        dedupe_window_s: float = DEDUPE_WINDOW_S,
        archive_every_s: float = 0.0,
        rotate_bytes: int = 0,
        rotate_daily: bool = False,
        retention_days: float = 0.0,
    ):
        self.conn = conn
        self.log_dir = log_dir
        self.dedupe_window = timedelta(seconds=dedupe_window_s)
        self.archive_every_s = archive_every_s  # 0: never (``archive()`` by hand)
        self._next_archive = time.monotonic()  # the first batch archives what is due
        # JSONL rotation (rotation.py): by size (0: never), at the first batch of a new UTC day,
        # rotated files kept this many days (0: forever).
        self.rotate_bytes = rotate_bytes
        self.rotate_daily = rotate_daily
        self.retention_days = retention_days
        self.rotations = 0
        self.crash = crash or CrashPlan()
        self.progress = Progress()
        self.batches = 0
        self.written = 0
        self.duplicates = 0
        self._files: dict[str, IO[bytes]] = {}
        self._sizes: dict[str, int] = {}

    # -- start-up ------------------------------------------------------------------------------
    def recover(self) -> None:
        """Cut the JSONL files back to the sizes the database recorded, and open them."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for name, file, size in rotation.pending(self.conn):  # a rotation a crash interrupted: finish it
            path = self.log_dir / file
            if (path.stat().st_size if path.exists() else 0) >= size:
                log.info("recovery: finishing the rotation of %s into %s", file, name)
                rotation.compress(self.log_dir, file, name, size)
                self.conn.begin()
                rotation.finish(self.conn, file, name, utc_naive(datetime.now(UTC)))
                self.conn.commit()
            else:
                log.error("recovery: %s lost bytes of the rotation into %s; dropping it", file, name)
                self.conn.execute("DELETE FROM jsonl_rotations WHERE name = ?", [name])
        recorded = dict(self.conn.execute("SELECT file, size FROM jsonl_sizes").fetchall())
        for name in JSONL_FILES:
            path = self.log_dir / name
            actual = path.stat().st_size if path.exists() else 0
            if name not in recorded:  # a new database: whatever is in the file stays, we append after it
                size = actual
            else:
                size = int(recorded[name])
                if actual > size:
                    log.info(
                        "recovery: cutting %s from %d to %d bytes (an uncommitted batch)", name, actual, size
                    )
                    with path.open("r+b") as fh:
                        fh.truncate(size)
                        fh.flush()
                        os.fsync(fh.fileno())
                elif actual < size:
                    log.error(
                        "recovery: %s has %d bytes but %d were committed; appending after it",
                        name,
                        actual,
                        size,
                    )
                    size = actual
            self._sizes[name] = size
            self._files[name] = path.open("ab")
        self.conn.executemany(
            "INSERT OR REPLACE INTO jsonl_sizes VALUES (?, ?)",
            [[name, size] for name, size in self._sizes.items()],
        )
        fd = os.open(self.log_dir, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def positions(self) -> dict[tuple[str, int], int]:
        rows = self.conn.execute('SELECT topic, "partition", next_offset FROM sink_offsets').fetchall()
        return {(topic, int(partition)): int(offset) for topic, partition, offset in rows}

    def on_assign(self, consumer: KafkaConsumer, assigned: list[TopicPartition]) -> None:
        """EventConsumer hook: resume every assigned partition where the database says."""
        positions = self.positions()
        for tp in assigned:
            offset = positions.get((tp.topic, tp.partition))
            if offset is not None:
                log.info("resuming %s/%d at offset %d", tp.topic, tp.partition, offset)
                consumer.seek(tp, offset)

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()
        self._files.clear()

    # -- one batch -----------------------------------------------------------------------------
    def write(self, batch: Sequence[Received]) -> int:
        """Write one micro-batch; returns how many events were new."""
        if not self._files:
            self.recover()
        self.batches += 1
        n = self.batches
        self.progress.mark(n, "begin")
        self.crash.check("start", n)
        self._rotate_due(n)

        positions: dict[tuple[str, int], int] = {}
        unique: dict[str, QueryEvent | FeedbackEvent] = {}
        for received in batch:
            key = (received.topic, received.partition)
            positions[key] = max(positions.get(key, 0), received.offset + 1)
            event = received.event
            if isinstance(event, QueryEvent | FeedbackEvent):
                unique.setdefault(str(event.event_id), event)
            else:
                log.warning("ignoring a %s event on %s", event.type, received.topic)

        before = dict(self._sizes)
        cur = self.conn
        cur.begin()
        try:
            logged_at = utc_naive(datetime.now(UTC))
            new = self._new_events(cur, unique, logged_at - self.dedupe_window)
            queries = [e for _, e in new if isinstance(e, QueryEvent)]
            feedback = [e for _, e in new if isinstance(e, FeedbackEvent)]
            ids = {id(e): key for key, e in new}
            cur.register("batch_queries", query_table(queries, logged_at, ids))
            cur.register("batch_feedback", feedback_table(feedback, logged_at, ids))
            self._append_jsonl(cur, n)
            self.progress.mark(n, "jsonl", sum(self._sizes.values()) - sum(before.values()))
            self.crash.check("after_jsonl", n)
            self._insert_rows(cur, queries, feedback, logged_at, ids)
            if queries:
                rollups.add_queries(cur)  # same transaction
            # the ratings this batch changes, and their changes in the rollups
            ratings.refresh(cur, bool(queries), logged_at - self.dedupe_window)
            self._record(cur, positions)
            self.crash.check("after_insert", n)
            # A kill from here on may land before or after the commit is durable.
            self.progress.mark(n, "rows")
            cur.commit()
            self.progress.mark(n, "commit")
        except BaseException:
            self._rollback(before)
            raise
        finally:
            for view in ("batch_queries", "batch_feedback"):
                with contextlib.suppress(duckdb.Error):
                    cur.unregister(view)
        self.crash.check("after_commit", n)
        self.written += len(new)
        self.duplicates += len(batch) - len(new)
        if self.archive_every_s and time.monotonic() >= self._next_archive:
            self._next_archive = time.monotonic() + self.archive_every_s
            self.archive()
        return len(new)

    def _rotate_due(self, n: int) -> None:
        """Rotate every file that is due (by size, or by day), then expire old rotated files."""
        if not (self.rotate_bytes or self.rotate_daily):
            return
        now = utc_naive(datetime.now(UTC))
        rotated = False
        for file in JSONL_FILES:
            size = self._sizes[file]
            if not size:
                continue
            due = bool(self.rotate_bytes) and size >= self.rotate_bytes
            if not due and self.rotate_daily:
                started, _ = rotation.segment(self.conn, file, now)
                due = started.date() < now.date()
            if due:
                self._rotate(file, size, now, n)
                rotated = True
        if rotated:
            rotation.expire(self.conn, self.log_dir, now, self.retention_days)

    def _rotate(self, file: str, size: int, now: datetime, n: int) -> None:
        """The three steps of ``rotation.py``; the file's size is the recorded one (between batches)."""
        self.conn.begin()
        name = rotation.begin(self.conn, file, size, now)
        self.conn.commit()
        self.rotations += 1  # the crash points of a rotation count rotations, not batches
        self.crash.check("rotate_begun", self.rotations)
        rotation.compress(self.log_dir, file, name, size)
        self.crash.check("rotate_compressed", self.rotations)
        self.conn.begin()
        rotation.finish(self.conn, file, name, now)
        self.conn.commit()
        self.crash.check("rotate_finished", self.rotations)
        fh = self._files[file]
        fh.flush()
        fh.truncate(0)
        fh.seek(0)
        os.fsync(fh.fileno())
        self._sizes[file] = 0
        log.info("rotated %s (%d bytes) into %s", file, size, name)

    def archive(self, now: datetime | None = None, keep: timedelta | None = None) -> int:
        """Move closed days out of the hot table into Parquet (``history.py``); rows logged inside
        the dedupe window (or ``keep``) stay, so the dedupe only ever reads the hot table."""
        now = utc_naive(now or datetime.now(UTC))
        return history.archive(self.conn, self.log_dir, now, self.dedupe_window if keep is None else keep)

    def _new_events(
        self, cur: duckdb.DuckDBPyConnection, unique: dict[str, QueryEvent | FeedbackEvent], since: datetime
    ) -> list[tuple[str, QueryEvent | FeedbackEvent]]:
        """The (event id, event) pairs whose id is in neither table among the rows logged since
        ``since`` (the dedupe window). A copy of an event has the event's own ``occurred_at``, so
        only rows whose ``occurred_at`` lies between the batch's earliest and latest are compared,
        and only rows logged inside the window. Rows are appended in about that order, so DuckDB's
        zone maps (min/max per row group) skip everything else without reading it: the cost of a
        batch depends on the batch and the window, not on how much was ever logged."""
        if not unique:
            return []
        moments = [utc_naive(e.occurred_at) for e in unique.values()]
        ids = pa.table({"event_id": pa.array(list(unique), pa.string())})
        cur.register("batch_ids", ids)
        try:
            cond = (
                "logged_at >= $since AND occurred_at >= $lo AND occurred_at <= $hi"
                " AND event_id IN (SELECT CAST(event_id AS UUID) FROM batch_ids)"
            )
            seen = cur.execute(
                f"SELECT CAST(event_id AS VARCHAR) FROM {HOT_TABLE} WHERE {cond}"
                f" UNION ALL SELECT CAST(event_id AS VARCHAR) FROM feedback WHERE {cond}",
                {"since": since, "lo": min(moments), "hi": max(moments)},
            ).fetchall()
        finally:
            cur.unregister("batch_ids")
        seen_ids = {row[0] for row in seen}
        return [(key, event) for key, event in unique.items() if key not in seen_ids]

    def _append_jsonl(self, cur: duckdb.DuckDBPyConnection, n: int) -> None:
        lines: dict[str, list[str]] = {name: [] for name in JSONL_FILES}
        for success, line in cur.execute(JSONL_LINE).fetchall():
            lines[ALL_FILE].append(line)
            lines[SUCCESS_FILE if success else FAILED_FILE].append(line)
        for i, name in enumerate(JSONL_FILES):
            if i == 1:
                self.crash.check("mid_jsonl", n)
            if not lines[name]:
                continue
            fh = self._files[name]
            fh.write(("\n".join(lines[name]) + "\n").encode())
            fh.flush()
            os.fsync(fh.fileno())
            self._sizes[name] = fh.tell()

    def _insert_rows(
        self,
        cur: duckdb.DuckDBPyConnection,
        queries: list[QueryEvent],
        feedback: list[FeedbackEvent],
        logged_at: datetime,
        ids: dict[int, str],
    ) -> None:
        """The bulk path: one INSERT ... SELECT from each batch's Arrow table."""
        for table, source, columns in (
            (HOT_TABLE, "batch_queries", QUERY_COLUMNS),
            ("feedback", "batch_feedback", FEEDBACK_COLUMNS),
        ):
            select = ", ".join("CAST(event_id AS UUID)" if c == "event_id" else c for c in columns)
            cur.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} FROM {source}")

    def _record(self, cur: duckdb.DuckDBPyConnection, positions: dict[tuple[str, int], int]) -> None:
        """The next offset of every partition in the batch and the new JSONL sizes (one statement each)."""
        if positions:
            rows = list(positions.items())
            cur.execute(
                "INSERT OR REPLACE INTO sink_offsets VALUES " + ", ".join(["(?, ?, ?)"] * len(rows)),
                [v for (topic, partition), offset in rows for v in (topic, partition, offset)],
            )
        sizes = list(self._sizes.items())
        cur.execute(
            "INSERT OR REPLACE INTO jsonl_sizes VALUES " + ", ".join(["(?, ?)"] * len(sizes)),
            [v for item in sizes for v in item],
        )

    def _rollback(self, sizes: dict[str, int]) -> None:
        """A failed batch: undo the transaction and cut the files back, so a retry starts clean."""
        with contextlib.suppress(duckdb.Error):
            self.conn.rollback()
        for name, size in sizes.items():
            fh = self._files[name]
            fh.flush()
            fh.truncate(size)
            fh.seek(size)
            os.fsync(fh.fileno())
        self._sizes = dict(sizes)
