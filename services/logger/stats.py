"""Statistics and review queries. Each takes a DuckDB connection, so they work the same on the
logger's own (writer) connection and on a read-only connection to the file.

Response times: the table stores milliseconds; ``avg_response_time`` is in seconds, as the
original review snippets printed it, and ``avg_response_time_ms`` is given alongside.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from services.logger.corrections import correction_counts
from services.logger.errors import BadFilter
from services.logger.sink import utc_naive

REVIEW_COLUMNS = """
    question, answer, intent, tool AS tool_used, confidence, success, error,
    response_time_ms / 1000.0 AS response_time, query_id, shop_id,
    strftime(occurred_at, '%Y-%m-%dT%H:%M:%S.%f') || '+00:00' AS timestamp, model_version, generator
"""


@dataclass(frozen=True)
class Filters:
    """Which queries to look at: one shop, a time window [since, until), one model version."""

    shop_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    model_version: str | None = None

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            moment = getattr(self, name)
            if moment is None:
                continue
            try:
                utc_naive(moment)
            except (OverflowError, ValueError) as exc:  # 0001-01-01T00:00+14:00 is before year 1 in UTC
                raise BadFilter(f"{name}={moment.isoformat()} is outside the range of UTC times") from exc

    def where(self, alias: str = "") -> tuple[str, list[Any]]:
        """SQL conditions (joined with AND, always at least ``TRUE``) and their parameters."""
        p = f"{alias}." if alias else ""
        conds: list[str] = ["TRUE"]
        params: list[Any] = []
        if self.shop_id is not None:
            conds.append(f"{p}shop_id = ?")
            params.append(self.shop_id)
        if self.since is not None:
            conds.append(f"{p}occurred_at >= ?")
            params.append(utc_naive(self.since))
        if self.until is not None:
            conds.append(f"{p}occurred_at < ?")
            params.append(utc_naive(self.until))
        if self.model_version is not None:
            conds.append(f"{p}model_version = ?")
            params.append(self.model_version)
        return " AND ".join(conds), params

    def as_dict(self) -> dict[str, Any]:
        return {
            "shop_id": self.shop_id,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "model_version": self.model_version,
        }


def feedback_counts(conn: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, int]:
    """Ratings of the selected queries (one per query, the last one counts, only from the
    query's own shop), and, over all feedback received: ``rejected`` (names no logged query of
    its shop, e.g. another shop's ids) and ``superseded`` (replaced by a later rating)."""
    where, params = filters.where("q")
    selected = "" if filters == Filters() else f"WHERE r.query_id IN (SELECT q.query_id FROM queries q WHERE {where})"
    rated = dict(conn.execute(f"SELECT r.rating, count(*) FROM ratings r {selected} GROUP BY r.rating", params).fetchall())
    total, counted, distinct = conn.execute(
        "SELECT (SELECT count(*) FROM feedback), (SELECT coalesce(sum(n), 0) FROM ratings), (SELECT count(*) FROM ratings)"
    ).fetchone() or (0, 0, 0)
    return {
        "positive": int(rated.get("positive", 0)),
        "negative": int(rated.get("negative", 0)),
        "rejected": int(total - counted),
        "superseded": int(counted - distinct),
    }


def get_statistics(conn: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> dict[str, Any]:
    """Totals, rates, averages and distributions over the selected queries, and their feedback
    (``feedback_counts``)."""
    filters = filters or Filters()
    where, params = filters.where()
    total, successful, avg_conf, avg_ms = conn.execute(
        f"SELECT count(*), count(*) FILTER (WHERE success), avg(confidence), avg(response_time_ms) "
        f"FROM queries WHERE {where}",
        params,
    ).fetchone() or (0, 0, None, None)
    intents = conn.execute(
        f"SELECT intent, count(*) AS n FROM queries WHERE {where} GROUP BY intent ORDER BY n DESC, intent", params
    ).fetchall()
    tools = conn.execute(
        f"SELECT tool, count(*) AS n FROM queries WHERE {where} GROUP BY tool ORDER BY n DESC, tool NULLS LAST",
        params,
    ).fetchall()
    feedback = feedback_counts(conn, filters)
    return {
        "total_queries": int(total),
        "successful_queries": int(successful),
        "failed_queries": int(total - successful),
        "success_rate": (successful / total) if total else 0.0,
        "avg_confidence": float(avg_conf) if avg_conf is not None else 0.0,
        "avg_response_time": float(avg_ms) / 1000.0 if avg_ms is not None else 0.0,
        "avg_response_time_ms": float(avg_ms) if avg_ms is not None else 0.0,
        "intent_distribution": {name: int(n) for name, n in intents},
        "tool_distribution": {name or "none": int(n) for name, n in tools},
        "feedback": feedback,
        "corrections": correction_counts(conn),  # owners' corrections: accepted / rejected, with reasons
        "filters": filters.as_dict(),
    }


def _rows(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def get_failed_queries(
    conn: duckdb.DuckDBPyConnection, limit: int = 10, filters: Filters | None = None
) -> list[dict[str, Any]]:
    """The most recent failed queries, newest first."""
    where, params = (filters or Filters()).where()
    cur = conn.execute(
        f"SELECT {REVIEW_COLUMNS} FROM queries WHERE NOT success AND {where} ORDER BY occurred_at DESC LIMIT ?",
        [*params, limit],
    )
    return _rows(cur)


def get_low_confidence_queries(
    conn: duckdb.DuckDBPyConnection, threshold: float = 0.7, limit: int = 10, filters: Filters | None = None
) -> list[dict[str, Any]]:
    """Queries answered with confidence below ``threshold``, least confident first."""
    where, params = (filters or Filters()).where()
    cur = conn.execute(
        f"SELECT {REVIEW_COLUMNS} FROM queries WHERE confidence < ? AND {where} "
        f"ORDER BY confidence, occurred_at DESC LIMIT ?",
        [threshold, *params, limit],
    )
    return _rows(cur)
