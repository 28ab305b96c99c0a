"""Statistics and review queries. Each takes a DuckDB connection, so they work the same on the
logger's own (writer) connection and on a read-only connection to the file.

Response times: the table stores milliseconds; ``avg_response_time`` is in seconds, as the
original review snippets printed it, and ``avg_response_time_ms`` is given alongside.

``versions`` (``version_comparison``) compares the model versions that phrased the selected
queries, which is what a canary split needs to decide a promotion. Per ``model_version``:

* ``queries``, ``answered`` (``success``);
* ``fallbacks`` and ``fallback_rate``: answered queries whose ``generator`` is not ``model``
  although a model version was serving (``model_version`` is not ``template``): the generator
  rejected that version's output (or its generation failed) and the template phrased the answer.
  Over ``answered``; None for ``template`` itself, which never has a model to fall back from,
  and for a version without answered queries.
  (When the ask service could not reach the generator, the query is logged as ``template`` /
  ``template``: no version is to blame for it.)
* ``p50_ms`` and ``p95_ms``: the median and 95th percentile of ``response_time_ms`` over the
  answered queries (linearly interpolated, as numpy's default); None without any;
* ``feedback``: ``positive`` and ``negative`` (the rating that counts for each query, as in
  ``feedback``) and ``positive_share`` of the rated ones (None when none is rated).

Unanswered queries (not understood, or failed) are logged with ``template`` as their version,
so they count under ``template``'s ``queries`` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from services.logger.corrections import correction_counts
from services.logger.errors import BadFilter
from services.logger.timefmt import utc_naive

TEMPLATE = "template"  # the model_version of answers no model version phrased
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
    selected = (
        ""
        if filters == Filters()
        else f"WHERE r.query_id IN (SELECT q.query_id FROM queries q WHERE {where})"
    )
    rated = dict(
        conn.execute(
            f"SELECT r.rating, count(*) FROM ratings r {selected} GROUP BY r.rating", params
        ).fetchall()
    )
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
        f"SELECT intent, count(*) AS n FROM queries WHERE {where} GROUP BY intent ORDER BY n DESC, intent",
        params,
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
        "versions": version_comparison(conn, filters),
        "filters": filters.as_dict(),
    }


def version_comparison(conn: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, dict[str, Any]]:
    """Per model version of the selected queries: counts, fallback rate, latency percentiles and
    feedback (see the module docstring for the definitions)."""
    where, params = filters.where()
    rows = conn.execute(
        f"""
        SELECT model_version, count(*), count(*) FILTER (WHERE success),
               count(*) FILTER (WHERE success AND generator <> 'model'),
               quantile_cont(response_time_ms, 0.5) FILTER (WHERE success),
               quantile_cont(response_time_ms, 0.95) FILTER (WHERE success)
        FROM queries WHERE {where} GROUP BY model_version ORDER BY model_version
        """,
        params,
    ).fetchall()
    rated = conn.execute(
        f"""
        SELECT v.model_version, r.rating, count(*)
        FROM ratings r JOIN (SELECT DISTINCT query_id, model_version FROM queries WHERE {where}) v USING (query_id)
        GROUP BY ALL
        """,
        params,
    ).fetchall()
    ratings = {(version, rating): int(n) for version, rating, n in rated}
    out: dict[str, dict[str, Any]] = {}
    for version, queries, answered, fallbacks, p50, p95 in rows:
        positive, negative = ratings.get((version, "positive"), 0), ratings.get((version, "negative"), 0)
        model = version != TEMPLATE
        out[version] = {
            "queries": int(queries),
            "answered": int(answered),
            "fallbacks": int(fallbacks) if model else None,
            "fallback_rate": fallbacks / answered if model and answered else None,
            "p50_ms": float(p50) if p50 is not None else None,
            "p95_ms": float(p95) if p95 is not None else None,
            "feedback": {
                "positive": positive,
                "negative": negative,
                "positive_share": positive / (positive + negative) if positive + negative else None,
            },
        }
    return out


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
