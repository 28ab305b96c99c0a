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
  answered queries (linearly interpolated, as numpy's default), read from the rollups' latency
  histograms: within ``histogram.ERROR_BOUND`` (4.8%, relative) of the exact value; None without any;
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

from services.logger.errors import BadFilter
from services.logger.review.corrections import correction_counts
from services.logger.stats import histogram, windows
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


def _shop_feedback(conn: duckdb.DuckDBPyConnection, shop_id: str | None) -> tuple[int, int]:
    """``rejected`` and ``superseded`` over all feedback received (of one shop when given)."""
    if shop_id is None:
        total, counted, distinct = conn.execute(
            "SELECT (SELECT count(*) FROM feedback), (SELECT coalesce(sum(n), 0) FROM ratings), "
            "(SELECT count(*) FROM ratings)"
        ).fetchone() or (0, 0, 0)
        return int(total - counted), int(counted - distinct)
    # A shop's feedback counts when it names a logged query of that shop: one in ``ratings`` with its shop.
    total, counted, distinct = conn.execute(
        """
        SELECT count(*), count(r.query_id), count(DISTINCT r.query_id)
        FROM feedback f LEFT JOIN (SELECT query_id FROM ratings WHERE shop_id = $shop) r ON r.query_id = f.query_id
        WHERE f.shop_id = $shop
        """,
        {"shop": shop_id},
    ).fetchone() or (0, 0, 0)
    return int(total - counted), int(counted - distinct)


def feedback_counts(
    conn: duckdb.DuckDBPyConnection, filters: Filters, cells: list[dict[str, Any]] | None = None
) -> dict[str, int]:
    """Ratings of the selected queries (one per query, the last one counts, only from the
    query's own shop), and, over all feedback received (of the selected shop, if one is):
    ``rejected`` (names no logged query of its shop, e.g. another shop's ids) and ``superseded``
    (replaced by a later rating)."""
    if cells is None:
        cells, _ = _read(conn, filters)
    rejected, superseded = _shop_feedback(conn, filters.shop_id)
    return {
        "positive": sum(int(c["positive"]) for c in cells),
        "negative": sum(int(c["negative"]) for c in cells),
        "rejected": rejected,
        "superseded": superseded,
    }


def _read(
    conn: duckdb.DuckDBPyConnection, filters: Filters
) -> tuple[list[dict[str, Any]], list[tuple[str, bool, int, int]]]:
    return windows.read(
        conn,
        filters.shop_id,
        utc_naive(filters.since) if filters.since else None,
        utc_naive(filters.until) if filters.until else None,
        filters.model_version,
    )


def _distribution(cells: list[dict[str, Any]], key: str) -> list[tuple[Any, int]]:
    counts: dict[Any, int] = {}
    for c in cells:
        counts[c[key]] = counts.get(c[key], 0) + int(c["queries"])
    # most first; ties by name, None last (as ORDER BY n DESC, name NULLS LAST)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))


def get_statistics(conn: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> dict[str, Any]:
    """Totals, rates, averages and distributions over the selected queries, and their feedback
    (``feedback_counts``), from the rollups (``rollups.py``)."""
    filters = filters or Filters()
    cells, latency = _read(conn, filters)
    total = sum(int(c["queries"]) for c in cells)
    successful = sum(int(c["queries"]) for c in cells if c["success"])
    conf = sum(float(c["confidence_sum"]) for c in cells)
    ms = sum(float(c["latency_sum"]) for c in cells)
    avg_ms = ms / total if total else 0.0
    return {
        "total_queries": total,
        "successful_queries": successful,
        "failed_queries": total - successful,
        "success_rate": (successful / total) if total else 0.0,
        "avg_confidence": conf / total if total else 0.0,
        "avg_response_time": avg_ms / 1000.0,
        "avg_response_time_ms": avg_ms,
        "intent_distribution": dict(_distribution(cells, "intent")),
        "tool_distribution": {name or "none": n for name, n in _distribution(cells, "tool")},
        "feedback": feedback_counts(conn, filters, cells),
        # owners' corrections (of the selected shop): accepted / rejected, with reasons
        "corrections": correction_counts(conn, filters.shop_id),
        "versions": version_comparison(conn, filters, (cells, latency)),
        "filters": filters.as_dict(),
    }


def version_comparison(
    conn: duckdb.DuckDBPyConnection,
    filters: Filters,
    read: tuple[list[dict[str, Any]], list[tuple[str, bool, int, int]]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Per model version of the selected queries: counts, fallback rate, latency percentiles
    (from the rollups' histograms: within ``histogram.ERROR_BOUND`` of the exact ones) and
    feedback (see the module docstring for the definitions)."""
    cells, latency = read if read is not None else _read(conn, filters)
    out: dict[str, dict[str, Any]] = {}
    for version in sorted({c["model_version"] for c in cells}):
        mine = [c for c in cells if c["model_version"] == version]
        queries = sum(int(c["queries"]) for c in mine)
        answered = sum(int(c["queries"]) for c in mine if c["success"])
        fallbacks = sum(int(c["queries"]) for c in mine if c["success"] and c["generator"] != "model")
        positive = sum(int(c["positive"]) for c in mine)
        negative = sum(int(c["negative"]) for c in mine)
        hist = [(b, n) for v, ok, b, n in latency if v == version and ok]
        model = version != TEMPLATE
        out[version] = {
            "queries": queries,
            "answered": answered,
            "fallbacks": fallbacks if model else None,
            "fallback_rate": fallbacks / answered if model and answered else None,
            "p50_ms": histogram.quantile(hist, 0.5),
            "p95_ms": histogram.quantile(hist, 0.95),
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
