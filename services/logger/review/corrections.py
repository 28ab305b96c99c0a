"""Owners' corrections (``FeedbackEvent.correction``): the latest one a query got from its own
shop, and how many of them are fit to train on (``shared.corrections.check_correction`` against
that query's own result). ``/stats`` reports the counts and the reasons for rejections."""

from __future__ import annotations

import json
from typing import Any

import duckdb
from pydantic import ValidationError

from shared.corrections import check_correction
from shared.results import ToolResult

# The latest correction of each query, counted only from the query's own shop.
LATEST = """
SELECT f.query_id, arg_max(f.correction, (f.occurred_at, f.logged_at, CAST(f.event_id AS VARCHAR))) AS correction
FROM feedback f JOIN queries q0 ON q0.query_id = f.query_id
WHERE f.correction IS NOT NULL AND (f.shop_id IS NULL OR f.shop_id = q0.shop_id)
GROUP BY f.query_id
"""


# The same, read through ``ratings`` (a correction always comes with a rating, so a counted one's
# query is rated; ``ratings.shop_id`` is its shop): no scan of ``queries``.
_COUNTED = """
SELECT f.query_id, arg_max(f.correction, (f.occurred_at, f.logged_at, CAST(f.event_id AS VARCHAR))) AS correction
FROM feedback f JOIN ratings r ON r.query_id = f.query_id
WHERE f.correction IS NOT NULL AND (f.shop_id IS NULL OR f.shop_id = r.shop_id) AND ($shop IS NULL OR r.shop_id = $shop)
GROUP BY f.query_id
"""


def _results(conn: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, str | None]:
    """The logged result of each query: recent rows first, the history only for the rest."""
    out: dict[str, str | None] = {}
    for source in ("queries_hot", "queries"):
        wanted = [i for i in ids if i not in out]
        if not wanted:
            break
        rows = conn.execute(
            f"SELECT query_id, any_value(result) FROM {source} WHERE query_id IN (SELECT unnest($ids::VARCHAR[])) "
            "GROUP BY query_id",
            {"ids": wanted},
        ).fetchall()
        out.update({q: r for q, r in rows})
    return out


def correction_counts(conn: duckdb.DuckDBPyConnection, shop_id: str | None = None) -> dict[str, Any]:
    """Counted corrections (of one shop's queries when ``shop_id`` is given): accepted, rejected
    and the reasons for rejections."""
    latest = conn.execute(_COUNTED, {"shop": shop_id}).fetchall()
    results = _results(conn, [q for q, _ in latest])
    rows = [(correction, results.get(q)) for q, correction in latest]
    reasons: dict[str, int] = {}
    for correction, raw in rows:
        try:
            reason = check_correction(correction, ToolResult.model_validate(json.loads(raw))).reason if raw else "no result"
        except (ValueError, ValidationError):
            reason = "invalid result"
        if reason:
            reasons[reason] = reasons.get(reason, 0) + 1
    rejected = sum(reasons.values())
    return {"total": len(rows), "accepted": len(rows) - rejected, "rejected": rejected, "rejected_reasons": reasons}
