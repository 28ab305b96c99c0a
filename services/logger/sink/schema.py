"""The log database: DuckDB DDL and how to open it.

Times are stored as UTC ``TIMESTAMP`` (no time zone). ``sink_offsets`` and ``jsonl_sizes`` are the
sink's bookkeeping: they are written in the same transaction as the rows, which is what makes
the sink's effect exactly-once (see ``writer.py``).

``queries`` is a view: the recent rows (the table ``queries_hot``, where the sink appends) and the
history, closed days in Parquet files (``history.py``). Everything that reads queries (``/sql``,
exports, the review queue) reads the view; ``/stats`` reads the rollups (``stats/rollups.py``).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from services.logger.review import queue as review
from services.logger.sink import history, rotation
from services.logger.stats import ratings, rollups

DDL = """
CREATE TABLE IF NOT EXISTS queries_hot (
    event_id UUID NOT NULL,
    query_id VARCHAR NOT NULL,
    shop_id VARCHAR NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    question VARCHAR NOT NULL,
    answer VARCHAR NOT NULL,
    intent VARCHAR NOT NULL,
    tool VARCHAR,
    tool_params VARCHAR,
    confidence DOUBLE NOT NULL,
    success BOOLEAN NOT NULL,
    error VARCHAR,
    response_time_ms DOUBLE NOT NULL,
    model_version VARCHAR NOT NULL,
    generator VARCHAR NOT NULL,
    prompt VARCHAR,
    result VARCHAR,
    logged_at TIMESTAMP NOT NULL,
    interpretation VARCHAR
);
-- databases written before answers carried their interpretation (the semantic layer's query)
ALTER TABLE queries_hot ADD COLUMN IF NOT EXISTS interpretation VARCHAR;
CREATE TABLE IF NOT EXISTS feedback (
    event_id UUID NOT NULL,
    query_id VARCHAR NOT NULL,
    rating VARCHAR NOT NULL,
    comment VARCHAR,
    occurred_at TIMESTAMP NOT NULL,
    logged_at TIMESTAMP NOT NULL,
    shop_id VARCHAR,
    correction VARCHAR,
    key_id VARCHAR  -- the API key that rated or corrected (none in a local run without keys)
);
-- databases written before feedback carried its shop, its correction or its key
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS shop_id VARCHAR;
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS correction VARCHAR;
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS key_id VARCHAR;
CREATE TABLE IF NOT EXISTS sink_offsets (
    topic VARCHAR NOT NULL,
    "partition" INTEGER NOT NULL,
    next_offset BIGINT NOT NULL,
    PRIMARY KEY (topic, "partition")
);
CREATE TABLE IF NOT EXISTS jsonl_sizes (
    file VARCHAR PRIMARY KEY,
    size BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS exports (
    export_id VARCHAR PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    n_examples INTEGER NOT NULL,
    sha256 VARCHAR NOT NULL,
    path VARCHAR NOT NULL
);
"""

# The tables a user may read through ``POST /sql`` and ``ecominsight sql``.
READABLE_TABLES = ("queries", "feedback", "ratings", "labels", "exports", "sink_offsets", "jsonl_sizes")


def open_db(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the log database; the writable one is created with its tables if needed."""
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect(str(path))
    tables = {r[0] for r in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    rating_columns = {r[0] for r in conn.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'ratings'").fetchall()}
    rollup_columns = {r[0] for r in conn.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'rollup_day'").fetchall()}
    rebuild_rollups = not set(rollups.TABLES) <= tables
    if rollup_columns and (rebuild_rollups or not set(rollups.COUNTERS) <= rollup_columns):  # older rollups
        for table in rollups.TABLES:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
        rebuild_rollups = True
    if "queries" in tables:  # written before the history was split off: the table becomes the hot rows
        conn.execute("ALTER TABLE queries RENAME TO queries_hot")
    conn.execute(DDL)
    conn.execute(ratings.DDL)
    conn.execute(ratings.MIGRATE)
    conn.execute(review.DDL)
    conn.execute(rollups.DDL)
    conn.execute(history.DDL)
    conn.execute(rotation.DDL)
    history.create_view(conn)
    if "ratings" not in tables or not set(ratings.NEW_COLUMNS) <= rating_columns:  # written before them
        ratings.rebuild(conn)
    if rebuild_rollups:  # written before the rollups (or these ones): compute them once
        rollups.rebuild(conn)
    return conn
