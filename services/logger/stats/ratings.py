"""The rating that counts for each query, kept by the sink in the same transaction as the rows.

Feedback counts only when it names a logged query of the same shop (feedback without a shop,
from before events carried one, counts as before); of a query's counted feedback the last one
given wins (by occurred_at, then logged_at, then event id). ``feedback`` keeps every event
received; ``ratings`` holds one row per rated query: its rating, the key of the feedback that won
(``rated_at``, ``rated_logged_at``, ``rated_event``), how many counted ratings it got (``n``), the
query's shop (what the shop filter of ``/stats`` reads) and time (``query_at``), so statistics and
the export read a small table instead of joining all feedback with all queries on every request.
Every change of a query's rating is applied to the rollups (``rollups.rate``) in the same transaction.

A batch's work does not grow with the history: only the feedback that is new (this batch's, and
feedback that arrived before its query, within the dedupe window, for this batch's queries) is
read, and merged with the rated queries' current rows, which are found through ``query_at``
(ratings are appended in about the order of their queries' times, so zone maps skip the rest).
The rated queries are looked up among the recent rows first (``queries_hot``: a rating usually
follows its answer within minutes) and only the ids not found there in the history. Feedback
that arrives more than the dedupe window before its query is not counted.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa

from services.logger.stats import rollups
from services.logger.timefmt import utc_naive

DDL = """
CREATE TABLE IF NOT EXISTS ratings (
    query_id VARCHAR PRIMARY KEY,
    rating VARCHAR NOT NULL,
    rated_at TIMESTAMP NOT NULL,
    n INTEGER NOT NULL,
    shop_id VARCHAR,
    query_at TIMESTAMP,
    rated_logged_at TIMESTAMP,
    rated_event VARCHAR
);
"""
NEW_COLUMNS = {"shop_id": "VARCHAR", "query_at": "TIMESTAMP", "rated_logged_at": "TIMESTAMP", "rated_event": "VARCHAR"}
MIGRATE = "".join(f"ALTER TABLE ratings ADD COLUMN IF NOT EXISTS {c} {t};" for c, t in NEW_COLUMNS.items())
COLUMNS = ("query_id", "rating", "rated_at", "n", "shop_id", "query_at", "rated_logged_at", "rated_event")

_KEY = "(f.occurred_at, f.logged_at, CAST(f.event_id AS VARCHAR))"
# Every rating from all feedback (a database written before ``ratings`` or its columns existed).
_ALL = f"""
SELECT f.query_id, arg_max(f.rating, {_KEY}), max(f.occurred_at), count(*), any_value(q.shop_id),
       any_value(q.occurred_at), arg_max(f.logged_at, {_KEY}), arg_max(CAST(f.event_id AS VARCHAR), {_KEY})
FROM feedback f
JOIN (SELECT query_id, any_value(shop_id) AS shop_id, min(occurred_at) AS occurred_at FROM queries GROUP BY 1) q
  ON q.query_id = f.query_id
WHERE f.shop_id IS NULL OR f.shop_id = q.shop_id
GROUP BY f.query_id
"""
HOT = "queries_hot"
_DIMS = "query_id, shop_id, occurred_at, intent, tool, model_version, success, generator, confidence"


def _queries(cur: duckdb.DuckDBPyConnection, ids: list[str], since: datetime) -> dict[str, tuple[Any, ...]]:
    """The rated queries' shop, time and rollup dimensions, looked for where a rated query most
    likely is, widening only for the ids not found yet: the batch, the rows logged in the last
    hour (zone maps on ``logged_at``), the hot rows, the history."""
    found: dict[str, tuple[Any, ...]] = {}
    recent = max(since, utc_naive(datetime.now(UTC)) - timedelta(hours=1))
    for source, cond, args in (
        ("batch_queries", "TRUE", {}),
        (HOT, "logged_at >= $recent", {"recent": recent}),
        (HOT, "TRUE", {}),
        ("queries", "TRUE", {}),
    ):
        wanted = [i for i in ids if i not in found]
        if not wanted:
            break
        rows = cur.execute(
            f"SELECT {_DIMS} FROM {source} WHERE {cond} AND query_id IN (SELECT unnest($ids::VARCHAR[]))",
            {"ids": wanted, **args},
        ).fetchall()
        for row in rows:
            found.setdefault(row[0], row)
    return found


def _counted(
    new: list[tuple[Any, ...]], queries: dict[str, tuple[Any, ...]]
) -> dict[str, tuple[int, tuple[Any, ...], str]]:
    """The new counted feedback, per query: how many, and the latest (its key and rating)."""
    counted: dict[str, tuple[int, tuple[Any, ...], str]] = {}
    for query_id, shop, rating, occurred, logged, event in new:
        q = queries.get(query_id)
        if q is None or (shop is not None and shop != q[1]):
            continue  # names no logged query (yet), or another shop's
        n, key, best = counted.get(query_id, (0, (), ""))
        mine = (occurred, logged, event)
        counted[query_id] = (n + 1, mine, rating) if not key or mine > key else (n + 1, key, best)
    return counted


def refresh(cur: duckdb.DuckDBPyConnection, logged_queries: bool, since: datetime) -> None:
    """Count a batch's new feedback (registered as ``batch_feedback``), and the feedback logged
    since ``since`` that waited for the batch's queries (``batch_queries``). The batch's rows are
    already inserted (sink.py)."""
    cond = "f.event_id IN (SELECT CAST(event_id AS UUID) FROM batch_feedback)"
    if logged_queries:
        cond += " OR f.query_id IN (SELECT query_id FROM batch_queries)"
    new = cur.execute(
        f"SELECT f.query_id, f.shop_id, f.rating, f.occurred_at, f.logged_at, CAST(f.event_id AS VARCHAR) "
        f"FROM feedback f WHERE f.logged_at >= $since AND ({cond})",
        {"since": since},
    ).fetchall()
    if not new:
        return
    queries = _queries(cur, sorted({r[0] for r in new}), since)
    counted = _counted(new, queries)
    if not counted:
        return
    ids = sorted(counted)
    lo = min(queries[q][2] for q in ids)
    args = {"ids": ids, "lo": lo}
    where = "query_at >= $lo AND query_id IN (SELECT unnest($ids::VARCHAR[]))"
    old = {
        r[0]: r
        for r in cur.execute(
            f"SELECT query_id, rating, n, rated_at, rated_logged_at, rated_event FROM ratings WHERE {where}", args
        ).fetchall()
    }
    rows: list[tuple[Any, ...]] = []
    changes: list[tuple[Any, ...]] = []
    for query_id in ids:
        n, key, rating = counted[query_id]
        before = old.get(query_id)
        if before is not None:
            n += int(before[2])
            if (before[3], before[4], before[5]) >= key:
                key, rating = (before[3], before[4], before[5]), before[1]
        q = queries[query_id]
        rows.append((query_id, rating, key[0], n, q[1], q[2], key[1], key[2]))
        was = before[1] if before is not None else None
        if was != rating:
            pos = (rating == "positive") - (was == "positive")
            neg = (rating == "negative") - (was == "negative")
            changes.append((*q[1:], pos, neg))
    if old:
        cur.execute(f"DELETE FROM ratings WHERE {where}", args)
    table = pa.table({c: pa.array([r[i] for r in rows]) for i, c in enumerate(COLUMNS)})
    cur.register("new_ratings", table)
    try:
        cur.execute(f"INSERT INTO ratings ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} FROM new_ratings")
    finally:
        cur.unregister("new_ratings")
    rollups.rate(cur, changes)


def rebuild(conn: duckdb.DuckDBPyConnection) -> None:
    """All ratings from all feedback (a database written before ``ratings`` or its columns existed)."""
    conn.execute("DELETE FROM ratings")
    # in the order of the queries' times, as the sink appends them (``query_at`` zone maps)
    conn.execute(f"INSERT INTO ratings ({', '.join(COLUMNS)}) SELECT * FROM ({_ALL}) ORDER BY 6")
