"""One shop's logged queries, newest first, a page at a time (``GET /queries``): what an owner
reads through the ask API's ``GET /api/mcp/queries`` with their key."""

from __future__ import annotations

from typing import Any, Literal

import duckdb

Only = Literal["all", "failed", "low_confidence"]
COLUMNS = (
    "query_id, strftime(occurred_at, '%Y-%m-%dT%H:%M:%S') || '+00:00' AS asked_at, question, answer, intent, "
    "success, confidence, error, response_time_ms, model_version"
)


def list_queries(
    conn: duckdb.DuckDBPyConnection, shop_id: str, limit: int, offset: int, only: Only = "all", threshold: float = 0.7
) -> dict[str, Any]:
    """A page of ``shop_id``'s queries (``failed``: not answered; ``low_confidence``: answered
    below ``threshold``), with the total and where the next page starts (None after the last)."""
    where, params = "shop_id = ?", [shop_id]
    if only == "failed":
        where += " AND NOT success"
    elif only == "low_confidence":
        where += " AND success AND confidence < ?"
        params.append(threshold)  # type: ignore[arg-type]
    total = conn.execute(f"SELECT count(*) FROM queries WHERE {where}", params).fetchone()
    cur = conn.execute(
        f"SELECT {COLUMNS} FROM queries WHERE {where} ORDER BY occurred_at DESC, query_id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    names = [d[0] for d in cur.description or []]
    items = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    count = int(total[0]) if total else 0
    following = offset + len(items)
    return {
        "shop_id": shop_id,
        "filter": only,
        "items": items,
        "total": count,
        "limit": limit,
        "offset": offset,
        "next_offset": following if following < count else None,
    }
