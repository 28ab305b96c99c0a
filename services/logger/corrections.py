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


def correction_counts(conn: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    rows = conn.execute(
        f"SELECT c.correction, q.result FROM ({LATEST}) c JOIN queries q ON q.query_id = c.query_id"
    ).fetchall()
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
