"""Rollups: what ``/stats`` and the versions table read, kept by the sink in the same
transaction as the rows, so they never disagree with ``queries``.

``rollup_hour``, ``rollup_day`` and ``rollup_month`` hold, per hour (day, month) x shop x intent x tool x model version x
success x generator: the number of queries, the sums of their confidence and response time, and
how many of them are rated positive and negative (the rating that counts, ``ratings``).
``latency_hour``, ``latency_day`` and ``latency_month`` hold the response times per period x shop x model version
x success as a histogram with fixed log-scale buckets (``histogram.py``).

How a time window is read from them: ``windows.py``.

``tool`` is stored as ``''`` for queries without a tool (rollup keys are never NULL).
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from services.logger.stats.histogram import bucket_sql

GRAINS = ("hour", "day", "month")

DIMS = ("shop_id", "intent", "tool", "model_version", "success", "generator")
# The dashboard's review queue at its default threshold: failed, or confidence below it, or rated
# negative. ``low_conf`` counts confidence < REVIEW_THRESHOLD, ``low_conf_negative`` those of them
# rated negative, so the queue of a cell is its queries when failed, else
# low_conf + negative - low_conf_negative.
REVIEW_THRESHOLD = 0.7
COUNTERS = ("queries", "confidence_sum", "latency_sum", "positive", "negative", "low_conf", "low_conf_negative")
LATENCY_DIMS = ("shop_id", "model_version", "success")

DDL = "\n".join(
    f"""
CREATE TABLE IF NOT EXISTS rollup_{grain} (
    period TIMESTAMP NOT NULL,
    shop_id VARCHAR NOT NULL,
    intent VARCHAR NOT NULL,
    tool VARCHAR NOT NULL,
    model_version VARCHAR NOT NULL,
    success BOOLEAN NOT NULL,
    generator VARCHAR NOT NULL,
    queries BIGINT NOT NULL,
    confidence_sum DOUBLE NOT NULL,
    latency_sum DOUBLE NOT NULL,
    positive BIGINT NOT NULL,
    negative BIGINT NOT NULL,
    low_conf BIGINT NOT NULL,
    low_conf_negative BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS latency_{grain} (
    period TIMESTAMP NOT NULL,
    shop_id VARCHAR NOT NULL,
    model_version VARCHAR NOT NULL,
    success BOOLEAN NOT NULL,
    bucket SMALLINT NOT NULL,
    n BIGINT NOT NULL
);
"""
    for grain in GRAINS
)
TABLES = tuple(f"{kind}_{grain}" for kind in ("rollup", "latency") for grain in GRAINS)


# -- writing (the sink, in its transaction) -----------------------------------------------------
def period_sql(grain: str, column: str = "occurred_at") -> str:
    return f"date_trunc('{grain}', {column})"


def _merge(cur: duckdb.DuckDBPyConnection, grain: str, source: str, params: dict[str, Any] | None = None) -> None:
    """Add ``source`` (rows with ``period``, the dimensions and the counters, one per cell) to the
    rollup of ``grain``. The join only reads the row groups of the periods it touches (zone maps)."""
    keys = ("period", *DIMS)
    on = " AND ".join(f"t.{k} = s.{k}" for k in keys)
    counters = COUNTERS
    cur.execute(
        f"""
        MERGE INTO rollup_{grain} t USING ({source}) s ON {on}
        WHEN MATCHED THEN UPDATE SET {", ".join(f"{c} = t.{c} + s.{c}" for c in counters)}
        WHEN NOT MATCHED THEN INSERT ({", ".join((*keys, *counters))})
            VALUES ({", ".join(f"s.{c}" for c in (*keys, *counters))})
        """,
        params or {},
    )


def _merge_latency(cur: duckdb.DuckDBPyConnection, grain: str, source: str) -> None:
    keys = ("period", *LATENCY_DIMS, "bucket")
    on = " AND ".join(f"t.{k} = s.{k}" for k in keys)
    cur.execute(
        f"""
        MERGE INTO latency_{grain} t USING ({source}) s ON {on}
        WHEN MATCHED THEN UPDATE SET n = t.n + s.n
        WHEN NOT MATCHED THEN INSERT ({", ".join((*keys, "n"))}) VALUES ({", ".join(f"s.{c}" for c in (*keys, "n"))})
        """
    )


def _cells_sql(grain: str, relation: str, rated: bool) -> str:
    """One row per cell of ``relation`` (rows with the ``queries`` columns, aliased ``q``)."""
    join = "LEFT JOIN ratings r ON r.query_id = q.query_id" if rated else ""
    return f"""
        SELECT {period_sql(grain, "q.occurred_at")} AS period, q.shop_id, q.intent, coalesce(q.tool, '') AS tool,
               q.model_version, q.success, q.generator, {counters_sql(rated)}
        FROM {relation} q {join}
        GROUP BY ALL
    """


def counters_sql(rated: bool) -> str:
    """The counters over rows ``q`` (LEFT JOIN ``ratings r`` when ``rated``)."""
    low = f"q.confidence < {REVIEW_THRESHOLD}"
    if rated:
        pos, neg = "count(*) FILTER (WHERE r.rating = 'positive')", "count(*) FILTER (WHERE r.rating = 'negative')"
        low_neg = f"count(*) FILTER (WHERE {low} AND r.rating = 'negative')"
    else:
        pos = neg = low_neg = "0"
    return (
        f"count(*) AS queries, sum(q.confidence) AS confidence_sum, sum(q.response_time_ms) AS latency_sum, "
        f"{pos} AS positive, {neg} AS negative, count(*) FILTER (WHERE {low}) AS low_conf, "
        f"{low_neg} AS low_conf_negative"
    )


def _latency_sql(grain: str, relation: str) -> str:
    return f"""
        SELECT {period_sql(grain, "q.occurred_at")} AS period, q.shop_id, q.model_version, q.success,
               {bucket_sql("q.response_time_ms")} AS bucket, count(*) AS n
        FROM {relation} q GROUP BY ALL
    """


def add_queries(cur: duckdb.DuckDBPyConnection, relation: str = "batch_queries") -> None:
    """Count a batch's new queries (registered as ``relation``) in every rollup. Their ratings
    are added by ``rate`` (``ratings.refresh``), which runs after this."""
    for grain in GRAINS:
        _merge(cur, grain, _cells_sql(grain, relation, rated=False))
        _merge_latency(cur, grain, _latency_sql(grain, relation))


def rate(cur: duckdb.DuckDBPyConnection, changes: list[tuple[Any, ...]]) -> None:
    """Apply rating changes: ``(shop_id, occurred_at, intent, tool, model_version, success,
    generator, confidence, positive delta, negative delta)``, one per rated query."""
    if not changes:
        return
    names = (
        "shop_id", "occurred_at", "intent", "tool", "model_version", "success", "generator", "confidence", "pos", "neg",
    )  # fmt: skip
    table = pa.table({name: pa.array([c[i] for c in changes]) for i, name in enumerate(names)})
    cur.register("rating_changes", table)
    try:
        for grain in GRAINS:
            _merge(
                cur,
                grain,
                f"""
                SELECT {period_sql(grain, "q.occurred_at")} AS period, q.shop_id, q.intent, coalesce(q.tool, '') AS tool,
                       q.model_version, q.success, q.generator, 0 AS queries, 0.0 AS confidence_sum,
                       0.0 AS latency_sum, sum(q.pos) AS positive, sum(q.neg) AS negative, 0 AS low_conf,
                       coalesce(sum(q.neg) FILTER (WHERE q.confidence < {REVIEW_THRESHOLD}), 0) AS low_conf_negative
                FROM rating_changes q GROUP BY ALL
                """,
            )
    finally:
        cur.unregister("rating_changes")


def rebuild(conn: duckdb.DuckDBPyConnection) -> None:
    """Every rollup from every row (a database written before rollups existed; the benchmark's fill)."""
    for table in TABLES:
        conn.execute(f"DELETE FROM {table}")
    # in period order, as the sink appends them: the zone maps on ``period`` keep a batch's MERGE to
    # the row groups of its own periods
    for grain in GRAINS:
        conn.execute(
            f"INSERT INTO rollup_{grain} BY NAME SELECT * FROM ({_cells_sql(grain, 'queries', rated=True)}) ORDER BY period"
        )
        conn.execute(
            f"INSERT INTO latency_{grain} BY NAME SELECT * FROM ({_latency_sql(grain, 'queries')}) ORDER BY period"
        )
