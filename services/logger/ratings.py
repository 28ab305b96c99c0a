"""The rating that counts for each query, kept by the sink in the same transaction as the rows.

Feedback counts only when it names a logged query of the same shop (feedback without a shop,
from before events carried one, counts as before); of a query's counted feedback the last one
given wins. ``feedback`` keeps every event received; ``ratings`` holds one row per rated query:
its rating and how many counted ratings it got (``n``), so statistics and the export read a
small table instead of joining all feedback with all queries on every request. Feedback that
arrives before its query is counted when the query is written. ``shop_id`` is the rated query's
shop (what the shop filter of ``/stats`` reads). Every change of a query's rating is applied to
the rollups (``rollups.rate``) in the same transaction.

The rated queries are looked up among the recent rows first (``queries_hot``: a rating usually
follows its answer within minutes) and only the ids not found there in the history.
"""

from __future__ import annotations

import duckdb

from services.logger import rollups

DDL = """
CREATE TABLE IF NOT EXISTS ratings (
    query_id VARCHAR PRIMARY KEY,
    rating VARCHAR NOT NULL,
    rated_at TIMESTAMP NOT NULL,
    n INTEGER NOT NULL,
    shop_id VARCHAR
);
"""
MIGRATE = "ALTER TABLE ratings ADD COLUMN IF NOT EXISTS shop_id VARCHAR;"

# The latest counted rating of each query in {ids} (a query returning query ids), its shop's queries in {source}.
_LATEST = """
SELECT f.query_id, arg_max(f.rating, (f.occurred_at, f.logged_at, CAST(f.event_id AS VARCHAR))),
       max(f.occurred_at), count(*), any_value(q.shop_id)
FROM feedback f
JOIN (SELECT DISTINCT query_id, shop_id FROM {source} WHERE query_id IN ({ids})) q ON q.query_id = f.query_id
WHERE f.query_id IN ({ids}) AND (f.shop_id IS NULL OR f.shop_id = q.shop_id)
GROUP BY f.query_id
"""
HOT = "queries_hot"


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
    args = {"ids": sorted(ids)}
    old = dict(cur.execute(f"SELECT query_id, rating FROM ratings WHERE query_id IN ({wanted})", args).fetchall())
    hot = {r[0] for r in cur.execute(f"SELECT DISTINCT query_id FROM {HOT} WHERE query_id IN ({wanted})", args).fetchall()}
    cur.execute(f"DELETE FROM ratings WHERE query_id IN ({wanted})", args)
    columns = "(query_id, rating, rated_at, n, shop_id)"
    if hot:
        cur.execute(f"INSERT INTO ratings {columns} {_LATEST.format(ids=wanted, source=HOT)}", {"ids": sorted(hot)})
    cold = sorted(ids - hot)
    if cold:  # rated queries older than the hot rows (or never logged): look in the history
        cur.execute(f"INSERT INTO ratings {columns} {_LATEST.format(ids=wanted, source='queries')}", {"ids": cold})
    new = dict(cur.execute(f"SELECT query_id, rating FROM ratings WHERE query_id IN ({wanted})", args).fetchall())
    changes = [
        (q, (new.get(q) == "positive") - (old.get(q) == "positive"), (new.get(q) == "negative") - (old.get(q) == "negative"))
        for q in ids
    ]
    for source, group in ((HOT, hot), ("queries", ids - hot)):
        rollups.rate(cur, [c for c in changes if c[0] in group], source)


def rebuild(conn: duckdb.DuckDBPyConnection) -> None:
    """All ratings from all feedback (a database written before ``ratings`` existed)."""
    conn.execute("DELETE FROM ratings")
    conn.execute(
        "INSERT INTO ratings (query_id, rating, rated_at, n, shop_id) "
        + _LATEST.format(ids="SELECT query_id FROM feedback", source="queries")
    )
