"""The log database: DuckDB DDL and how to open it.

Times are stored as UTC ``TIMESTAMP`` (no time zone). ``sink_offsets`` and ``jsonl_sizes`` are the
sink's bookkeeping: they are written in the same transaction as the rows, which is what makes
the sink's effect exactly-once (see ``sink.py``).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from services.logger import ratings, review

DDL = """
CREATE TABLE IF NOT EXISTS queries (
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
ALTER TABLE queries ADD COLUMN IF NOT EXISTS interpretation VARCHAR;
CREATE TABLE IF NOT EXISTS feedback (
    event_id UUID NOT NULL,
    query_id VARCHAR NOT NULL,
    rating VARCHAR NOT NULL,
    comment VARCHAR,
    occurred_at TIMESTAMP NOT NULL,
    logged_at TIMESTAMP NOT NULL,
    shop_id VARCHAR,
    correction VARCHAR
);
-- databases written before feedback carried its shop
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS shop_id VARCHAR;
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS correction VARCHAR;
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
    had_ratings = conn.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'ratings'").fetchone()
    conn.execute(DDL)
    conn.execute(ratings.DDL)
    conn.execute(review.DDL)
    if not (had_ratings and had_ratings[0]):  # written before ratings were kept: compute them once
        ratings.rebuild(conn)
    return conn
