"""The history: closed days of ``queries`` in Parquet files, one folder per day (zstd).

Layout (under the JSONL folder, ``query_logs/``)::

    history/queries/day=2026-11-30/part-0000.parquet
    history/queries/day=2026-11-30/part-0001.parquet   <- rows of that day logged later (rare)
    history/queries/day=2026-12-01/part-0000.parquet

The columns are those of ``queries``, rows sorted by ``occurred_at``. The ``day=`` folders are
Hive-style partitions, so Spark, Trino, ClickHouse (or DuckDB, pandas, Polars) read the folder as
one table partitioned by day, as they are: the scale-out path when one machine is outgrown.

``archive`` moves rows out of the hot table (``queries_hot``): the rows of days before today
(UTC) that were logged before the dedupe window (so the sink's dedupe never needs the history).
Each file is written to a temporary name, fsynced and renamed, and only then, in one DuckDB
transaction, its rows are deleted from the hot table, the file is recorded in ``history_files``
and the ``queries`` view is redefined over the hot table and the recorded files. A crash at any
point leaves every row exactly once in the view: a file that was renamed but not recorded is
not read, and the next archive writes it again under the same name.

The view names the files, so read-only connections (``ecominsight sql`` on a stopped logger, the
CLI's file fallback) see the same relation as the logger.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from services.logger.sink.files import fsync_dir

log = logging.getLogger(__name__)

# fmt: off
QUERY_COLUMNS = (
    "event_id", "query_id", "shop_id", "occurred_at", "question", "answer", "intent", "tool", "tool_params",
    "confidence", "success", "error", "response_time_ms", "model_version", "generator", "prompt", "result",
    "logged_at", "interpretation",
)
# fmt: on

DDL = """
CREATE TABLE IF NOT EXISTS history_files (
    path VARCHAR PRIMARY KEY,
    day DATE NOT NULL,
    rows BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    written_at TIMESTAMP NOT NULL
);
"""
HISTORY_DIR = "history"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def view_sql(files: list[str]) -> str:
    columns = ", ".join(QUERY_COLUMNS)
    sql = f"SELECT {columns} FROM queries_hot"
    if files:
        listed = ", ".join(_quote(f) for f in files)
        sql += (
            f" UNION ALL SELECT {columns.replace('event_id', 'CAST(event_id AS UUID) AS event_id', 1)} "
            f"FROM read_parquet([{listed}], hive_partitioning = false)"
        )
    return sql


def files(conn: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT path FROM history_files ORDER BY day, path").fetchall()]


def create_view(conn: duckdb.DuckDBPyConnection) -> None:
    """(Re)define ``queries``: the hot rows and every recorded history file."""
    conn.execute(f"CREATE OR REPLACE VIEW queries AS {view_sql(files(conn))}")


def archive(conn: duckdb.DuckDBPyConnection, root: Path, now: datetime, keep: timedelta) -> int:
    """Move the closed days' rows logged before ``now - keep`` (naive UTC) into Parquet; returns
    how many rows moved. Run by the sink's thread between batches (one writer)."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    logged_before = now - keep
    days = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT CAST(occurred_at AS DATE) FROM queries_hot WHERE occurred_at < $today "
            "AND logged_at < $logged ORDER BY 1",
            {"today": today, "logged": logged_before},
        ).fetchall()
    ]
    moved = 0
    base = root / HISTORY_DIR / "queries"
    for day in days:
        folder = base / f"day={day.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.tmp"):  # a crashed earlier attempt
            stale.unlink()
        row = conn.execute("SELECT count(*) FROM history_files WHERE day = ?", [day]).fetchone()
        final = folder / f"part-{int(row[0] if row else 0):04d}.parquet"
        tmp = final.with_name(final.name + ".tmp")
        start = datetime(day.year, day.month, day.day)
        cond = "occurred_at >= $lo AND occurred_at < $hi AND logged_at < $logged"
        args = {"lo": start, "hi": start + timedelta(days=1), "logged": logged_before}
        conn.execute(
            f"COPY (SELECT {', '.join(QUERY_COLUMNS)} FROM queries_hot WHERE {cond} ORDER BY occurred_at) "
            f"TO {_quote(str(tmp))} (FORMAT parquet, COMPRESSION zstd)",
            args,
        )
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        fsync_dir(folder)
        conn.begin()
        try:
            deleted = conn.execute(f"DELETE FROM queries_hot WHERE {cond}", args).fetchone()
            n = int(deleted[0]) if deleted else 0
            conn.execute(
                "INSERT INTO history_files VALUES (?, ?, ?, ?, now()::TIMESTAMP)",
                [str(final), day, n, final.stat().st_size],
            )
            create_view(conn)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        moved += n
        log.info("history: %d rows of %s moved to %s", n, day, final)
    return moved
