"""The rating that counts for each query, kept by the sink in the same transaction as the rows.

Feedback counts only when it names a logged query of the same shop (feedback without a shop,
from before events carried one, counts as before); of a query's counted feedback the last one
given wins. ``feedback`` keeps every event received; ``ratings`` holds one row per rated query:
its rating and how many counted ratings it got (``n``), so statistics and the export read a
small table instead of joining all feedback with all queries on every request. Feedback that
arrives before its query is counted when the query is written.
"""

from __future__ import annotations

import duckdb

DDL = """
CREATE TABLE IF NOT EXISTS ratings (
    query_id VARCHAR PRIMARY KEY,
    rating VARCHAR NOT NULL,
    rated_at TIMESTAMP NOT NULL,
    n INTEGER NOT NULL
);
"""

# The latest counted rating of each query in {ids} (a query returning query ids).
_LATEST = """
SELECT f.query_id, arg_max(f.rating, (f.occurred_at, f.logged_at, CAST(f.event_id AS VARCHAR))),
       max(f.occurred_at), count(*)
FROM feedback f
JOIN (SELECT DISTINCT query_id, shop_id FROM queries WHERE query_id IN ({ids})) q ON q.query_id = f.query_id
WHERE f.query_id IN ({ids}) AND (f.shop_id IS NULL OR f.shop_id = q.shop_id)
GROUP BY f.query_id
"""


def refresh(cur: duckdb.DuckDBPyConnection, rated: list[str], logged_queries: bool) -> None:
    """Recompute the ratings a batch changed: of the queries it rates (``rated``), and of the
    queries it logs that have feedback waiting. The batch's rows are already inserted and its
    queries registered as ``batch_queries`` (sink.py)."""
    ids = set(rated)
    if logged_queries:
        waiting = cur.execute(
            "SELECT DISTINCT query_id FROM feedback WHERE query_id IN (SELECT query_id FROM batch_queries)"
        ).fetchall()
        ids.update(r[0] for r in waiting)
    if not ids:
        return
    wanted = "SELECT unnest($ids::VARCHAR[])"
    cur.execute(f"DELETE FROM ratings WHERE query_id IN ({wanted})", {"ids": sorted(ids)})
    cur.execute(f"INSERT INTO ratings {_LATEST.format(ids=wanted)}", {"ids": sorted(ids)})


def rebuild(conn: duckdb.DuckDBPyConnection) -> None:
    """All ratings from all feedback (a database written before ``ratings`` existed)."""
    conn.execute("DELETE FROM ratings")
    conn.execute(f"INSERT INTO ratings {_LATEST.format(ids='SELECT query_id FROM feedback')}")
