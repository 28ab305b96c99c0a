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
event-id check alone would also make a redelivered batch harmless. The crash tests watch and
interrupt a batch through the hooks the sink is given (``hooks.py``; none in production).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import duckdb
from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from services.logger.sink import history, recovery, rotation
from services.logger.sink.batch import (
    FEEDBACK_COLUMNS,
    HOT_TABLE,
    JSONL_LINE,
    feedback_table,
    new_events,
    query_table,
    sort_out,
)
from services.logger.sink.files import (
    ALL_FILE,
    FAILED_FILE,
    JSONL_FILES,
    SUCCESS_FILE,
    append,
    cut,
    fsync_dir,
)
from services.logger.sink.history import QUERY_COLUMNS
from services.logger.sink.hooks import SinkHooks
from services.logger.stats import ratings, rollups
from services.logger.timefmt import utc_naive
from shared.events import FeedbackEvent, QueryEvent
from shared.kafka import Received

log = logging.getLogger(__name__)

# How long after an event was logged a redelivery of it is still recognised (see ``batch.new_events``).
# The outbox resends at most its last unacknowledged chunk when the ask service restarts after a
# crash, and Kafka redelivers what a consumer had not committed after a rebalance; neither can
# resend an event from before the broker's retention (Kafka's default: 7 days). The default covers that.
DEDUPE_WINDOW_S = 7 * 86400.0


class Sink:
    """Writes micro-batches of received events exactly once. Owns the JSONL file handles.

    ``conn`` is a connection (or cursor) used only by the thread that calls ``write``.
    """

    def __init__(
        self,
        conn: duckdb.DuckDBPyConnection,
        log_dir: Path,
        hooks: SinkHooks | None = None,
        dedupe_window_s: float = DEDUPE_WINDOW_S,
        archive_every_s: float = 0.0,
        rotate_bytes: int = 0,
        rotate_daily: bool = False,
        retention_days: float = 0.0,
    ):
        self.conn = conn
        self.log_dir = log_dir
        self.hooks = hooks or SinkHooks()
        self.dedupe_window = timedelta(seconds=dedupe_window_s)
        self.archive_every_s = archive_every_s  # 0: never (``archive()`` by hand)
        self._next_archive = time.monotonic()  # the first batch archives what is due
        # JSONL rotation (rotation.py): by size (0: never), at the first batch of a new UTC day,
        # rotated files kept this many days (0: forever).
        self.rotate_bytes = rotate_bytes
        self.rotate_daily = rotate_daily
        self.retention_days = retention_days
        self.rotations = 0
        self.batches = 0
        self.written = 0
        self.duplicates = 0
        self._files: dict[str, IO[bytes]] = {}
        self._sizes: dict[str, int] = {}

    # -- start-up ------------------------------------------------------------------------------
    def recover(self) -> None:
        """Cut the JSONL files back to the sizes the database recorded, and open them."""
        self._sizes = recovery.recover(self.conn, self.log_dir)
        self._files = {name: (self.log_dir / name).open("ab") for name in JSONL_FILES}
        fsync_dir(self.log_dir)

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
        self.hooks.reached("start", n)
        self._rotate_due()
        positions, unique = sort_out(batch)
        before = dict(self._sizes)
        cur = self.conn
        cur.begin()
        try:
            new = self._transaction(cur, n, positions, unique)
            # A kill from here on may land before or after the commit is durable.
            cur.commit()
        except BaseException:
            self._rollback(before)
            raise
        finally:
            for view in ("batch_queries", "batch_feedback"):
                with contextlib.suppress(duckdb.Error):
                    cur.unregister(view)
        self.hooks.reached("after_commit", n)
        self.written += new
        self.duplicates += len(batch) - new
        if self.archive_every_s and time.monotonic() >= self._next_archive:
            self._next_archive = time.monotonic() + self.archive_every_s
            self.archive()
        return new

    def _transaction(
        self,
        cur: duckdb.DuckDBPyConnection,
        n: int,
        positions: dict[tuple[str, int], int],
        unique: dict[str, QueryEvent | FeedbackEvent],
    ) -> int:
        """The batch's new events: their lines in the files, their rows, rollups and ratings, and
        the offsets and file sizes, all in the open transaction; returns how many were new."""
        logged_at = utc_naive(datetime.now(UTC))
        new = new_events(cur, unique, logged_at - self.dedupe_window)
        queries = [e for _, e in new if isinstance(e, QueryEvent)]
        feedback = [e for _, e in new if isinstance(e, FeedbackEvent)]
        ids = {id(e): key for key, e in new}
        cur.register("batch_queries", query_table(queries, logged_at, ids))
        cur.register("batch_feedback", feedback_table(feedback, logged_at, ids))
        written = self._append_jsonl(cur, n)
        self.hooks.reached("after_jsonl", n, written)
        self._insert_rows(cur, queries, feedback, logged_at, ids)
        if queries:
            rollups.add_queries(cur)
        # the ratings this batch changes, and their changes in the rollups
        ratings.refresh(cur, bool(queries), logged_at - self.dedupe_window)
        self._record(cur, positions)
        self.hooks.reached("after_insert", n)
        return len(new)

    def _rotate_due(self) -> None:
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
                self._rotate(file, size, now)
                rotated = True
        if rotated:
            rotation.expire(self.conn, self.log_dir, now, self.retention_days)

    def _rotate(self, file: str, size: int, now: datetime) -> None:
        """The three steps of ``rotation.py``; the file's size is the recorded one (between batches)."""
        self.conn.begin()
        name = rotation.begin(self.conn, file, size, now)
        self.conn.commit()
        self.rotations += 1  # the hook points of a rotation count rotations, not batches
        self.hooks.reached("rotate_begun", self.rotations)
        rotation.compress(self.log_dir, file, name, size)
        self.hooks.reached("rotate_compressed", self.rotations)
        self.conn.begin()
        rotation.finish(self.conn, file, name, now)
        self.conn.commit()
        self.hooks.reached("rotate_finished", self.rotations)
        cut(self._files[file], 0)
        self._sizes[file] = 0
        log.info("rotated %s (%d bytes) into %s", file, size, name)

    def archive(self, now: datetime | None = None, keep: timedelta | None = None) -> int:
        """Move closed days out of the hot table into Parquet (``history.py``); rows logged inside
        the dedupe window (or ``keep``) stay, so the dedupe only ever reads the hot table."""
        now = utc_naive(now or datetime.now(UTC))
        return history.archive(self.conn, self.log_dir, now, self.dedupe_window if keep is None else keep)

    def _append_jsonl(self, cur: duckdb.DuckDBPyConnection, n: int) -> int:
        """The batch's JSONL lines appended to the files; returns how many bytes were written."""
        lines: dict[str, list[str]] = {name: [] for name in JSONL_FILES}
        for success, line in cur.execute(JSONL_LINE).fetchall():
            lines[ALL_FILE].append(line)
            lines[SUCCESS_FILE if success else FAILED_FILE].append(line)
        before = sum(self._sizes.values())
        for i, name in enumerate(JSONL_FILES):
            if i == 1:
                self.hooks.reached("mid_jsonl", n)
            if lines[name]:
                self._sizes[name] = append(self._files[name], lines[name])
        return sum(self._sizes.values()) - before

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
            cut(self._files[name], size)
        self._sizes = dict(sizes)
