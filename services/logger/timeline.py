"""The dashboard's numbers: the selected queries in time buckets (``GET /dashboard/data``).

Per bucket: queries, success rate, p50 and p99 response time, fallbacks (the template phrased
the answer while a model was serving: ``generator = 'template'`` and ``model_version`` not
``template``), ratings (positive, negative; by the rated query's time, so the totals equal
``/stats``' ``feedback``), intents, queries per model version, and the review queue (queries
that failed, were answered with confidence below the threshold, or were rated negative; each
counted once). Totals are over the whole selection, not sums of bucket medians. Buckets are
UTC, ``bucket_seconds`` wide, aligned to multiples of it since the epoch, and dense (empty
buckets are zeros) between the window's ends (or the first and last query when the window is
open).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import duckdb

from services.logger.errors import BadFilter
from services.logger.stats import Filters
from services.logger.timefmt import utc_naive

# Bucket widths the page picks from (seconds): the smallest that gives at most TARGET_BUCKETS.
WIDTHS = (60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400)
TARGET_BUCKETS = 120
MAX_BUCKETS = 2000

_AGGREGATES = """
    count(*) AS queries,
    count(*) FILTER (WHERE q.success) AS successful,
    quantile_cont(q.response_time_ms, 0.5) AS p50_ms,
    quantile_cont(q.response_time_ms, 0.99) AS p99_ms,
    count(*) FILTER (WHERE q.generator = 'template' AND q.model_version <> 'template') AS fallbacks,
    count(*) FILTER (WHERE r.rating = 'positive') AS positive,
    count(*) FILTER (WHERE r.rating = 'negative') AS negative,
    count(*) FILTER (WHERE NOT q.success OR q.confidence < $threshold OR r.rating = 'negative') AS review_queue
"""
_FIELDS = ("queries", "successful", "p50_ms", "p99_ms", "fallbacks", "positive", "negative", "review_queue")


def pick_width(span_s: float) -> int:
    """The smallest width in ``WIDTHS`` that cuts ``span_s`` into at most ``TARGET_BUCKETS``."""
    for width in WIDTHS:
        if span_s / width <= TARGET_BUCKETS:
            return width
    return WIDTHS[-1]


def _epoch(moment: datetime) -> float:
    return utc_naive(moment).replace(tzinfo=UTC).timestamp()


def _iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat()


def _rate(ok: int, n: int) -> float | None:
    return ok / n if n else None


def _row(values: tuple[Any, ...]) -> dict[str, Any]:
    row = dict(zip(_FIELDS, values, strict=True))
    for key in ("p50_ms", "p99_ms"):
        row[key] = float(row[key]) if row[key] is not None else None
    for key in _FIELDS:
        if key not in ("p50_ms", "p99_ms"):
            row[key] = int(row[key] or 0)
    row["success_rate"] = _rate(row["successful"], row["queries"])
    return row


def get_timeline(
    conn: duckdb.DuckDBPyConnection,
    filters: Filters,
    bucket_seconds: int | None = None,
    threshold: float = 0.7,
) -> dict[str, Any]:
    """Everything the dashboard plots, for the queries ``filters`` selects (see the module doc)."""
    where, params = filters.where("q")
    named = {f"p{i}": v for i, v in enumerate(params)}
    for i in range(len(params)):
        where = where.replace("?", f"$p{i}", 1)
    base = f"FROM queries q LEFT JOIN ratings r ON r.query_id = q.query_id WHERE {where}"
    first, last = conn.execute(f"SELECT min(q.occurred_at), max(q.occurred_at) {base}", named).fetchone() or (None, None)
    start = _epoch(filters.since) if filters.since else (_epoch(first) if first else None)
    end = _epoch(filters.until) if filters.until else (_epoch(last) + 1 if last else None)
    width = bucket_seconds or pick_width((end - start) if start is not None and end is not None else 0)
    buckets: list[int] = []
    if start is not None and end is not None and end > start:
        lo, hi = math.floor(start / width), math.ceil(end / width)
        if hi - lo > MAX_BUCKETS:
            raise BadFilter(f"{hi - lo} buckets of {width}s in this window; at most {MAX_BUCKETS}: widen bucket_seconds")
        buckets = list(range(lo, hi))
    index = {b: i for i, b in enumerate(buckets)}
    args = {**named, "threshold": threshold}
    per_bucket = {**args, "width": width}
    bucket = "CAST(floor(epoch(q.occurred_at) / $width) AS BIGINT)"

    totals = _row(conn.execute(f"SELECT {_AGGREGATES} {base}", args).fetchone() or (0,) * len(_FIELDS))
    series: dict[str, list[Any]] = {k: [0] * len(buckets) for k in (*_FIELDS, "success_rate")}
    for b, *values in conn.execute(f"SELECT {bucket} AS b, {_AGGREGATES} {base} GROUP BY b", per_bucket).fetchall():
        if b in index:
            for key, value in _row(tuple(values)).items():
                series[key][index[b]] = value
    for i, n in enumerate(series["queries"]):  # no queries: no rate, no latency (a gap in the line)
        if not n:
            series["success_rate"][i] = series["p50_ms"][i] = series["p99_ms"][i] = None

    intents: dict[str, list[int]] = {}
    for b, intent, n in conn.execute(
        f"SELECT {bucket} AS b, q.intent, count(*) {base} GROUP BY b, q.intent", {**named, "width": width}
    ).fetchall():
        if b in index:
            intents.setdefault(intent, [0] * len(buckets))[index[b]] = int(n)

    versions = []
    for version, *values in conn.execute(
        f"SELECT q.model_version, {_AGGREGATES} {base} GROUP BY q.model_version ORDER BY min(q.occurred_at)", args
    ).fetchall():
        versions.append({"version": version, **_row(tuple(values))})
    per_version: dict[str, dict[str, list[Any]]] = {
        v["version"]: {"queries": [0] * len(buckets), "success_rate": [None] * len(buckets)} for v in versions
    }
    for b, version, n, ok in conn.execute(
        f"SELECT {bucket} AS b, q.model_version, count(*), count(*) FILTER (WHERE q.success) {base} "
        f"GROUP BY b, q.model_version",
        {**named, "width": width},
    ).fetchall():
        if b in index:
            per_version[version]["queries"][index[b]] = int(n)
            per_version[version]["success_rate"][index[b]] = _rate(int(ok), int(n))

    shops = [r[0] for r in conn.execute("SELECT DISTINCT shop_id FROM queries ORDER BY shop_id").fetchall()]
    return {
        "filters": filters.as_dict(),
        "bucket_seconds": width,
        "low_confidence_threshold": threshold,
        "shops": shops,
        "totals": totals,
        "buckets": [_iso(b * width) for b in buckets],
        "series": series,
        "intents": dict(sorted(intents.items(), key=lambda kv: (-sum(kv[1]), kv[0]))),
        "models": {"versions": versions, "series": per_version},
    }
