"""The dashboard's numbers: the selected queries in time buckets (``GET /dashboard/data``).

Per bucket: queries, success rate, p50 and p99 response time, fallbacks (the template phrased
the answer while a model was serving: ``generator = 'template'`` and ``model_version`` not
``template``), ratings (positive, negative; by the rated query's time, so the totals equal
``/stats``' ``feedback``), intents, queries per model version, and the review queue (queries
that failed, were answered with confidence below the threshold, or were rated negative; each
counted once). Totals are over the whole selection, not sums of bucket medians. Buckets of whole
hours at the default threshold (0.7) come from the rollups (``timeline_rollups.py``), so any window costs
about the same at any table size; their p50/p99 are within ``histogram.ERROR_BOUND`` (4.8%). Buckets are
UTC, ``bucket_seconds`` wide, aligned to multiples of it since the epoch, and dense (empty
buckets are zeros) between the window's ends (or the first and last query when the window is
open).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from services.logger.errors import BadFilter
from services.logger.stats import rollups, windows
from services.logger.stats.summary import Filters
from services.logger.stats.timeline_rollups import FIELDS, epoch, from_rollups, success_rate
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


def pick_width(span_s: float) -> int:
    """The smallest width in ``WIDTHS`` that cuts ``span_s`` into at most ``TARGET_BUCKETS``."""
    for width in WIDTHS:
        if span_s / width <= TARGET_BUCKETS:
            return width
    return WIDTHS[-1]


def _iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat()


def _row(values: tuple[Any, ...]) -> dict[str, Any]:
    row = dict(zip(FIELDS, values, strict=True))
    for key in ("p50_ms", "p99_ms"):
        row[key] = float(row[key]) if row[key] is not None else None
    for key in FIELDS:
        if key not in ("p50_ms", "p99_ms"):
            row[key] = int(row[key] or 0)
    row["success_rate"] = success_rate(row["successful"], row["queries"])
    return row


class _Rows:
    """The selected rows (with their ratings) as SQL: ``FROM ... WHERE ...`` and its parameters."""

    def __init__(self, filters: Filters):
        where, params = filters.where("q")
        self.named = {f"p{i}": v for i, v in enumerate(params)}
        for i in range(len(params)):
            where = where.replace("?", f"$p{i}", 1)
        self.base = f"FROM queries q LEFT JOIN ratings r ON r.query_id = q.query_id WHERE {where}"


def _span(conn: duckdb.DuckDBPyConnection, filters: Filters) -> tuple[datetime | None, datetime | None]:
    """The first and last selected query's time, from the rollups' first and last period and
    the rows of those two periods only."""
    shop, version = filters.shop_id, filters.model_version
    since = utc_naive(filters.since) if filters.since else None
    until = utc_naive(filters.until) if filters.until else None
    cells, _ = windows.read(conn, shop, since, until, version, by_period=True, coarsest="day")
    if not cells:
        return None, None
    where, params = filters.where()
    out: list[datetime | None] = []
    for agg, period in (("min", min(c["period"] for c in cells)), ("max", max(c["period"] for c in cells))):
        row = conn.execute(
            f"SELECT {agg}(occurred_at) FROM queries WHERE {where} AND occurred_at >= ? AND occurred_at < ?",
            [*params, period, period + timedelta(days=1)],
        ).fetchone()
        out.append(row[0] if row else None)
    return out[0], out[1]


def _buckets(
    conn: duckdb.DuckDBPyConnection, filters: Filters, rows: _Rows, bucket_seconds: int | None, use_rollups: bool
) -> tuple[int, list[int]]:
    """The bucket width and the buckets (multiples of it since the epoch) that cover the window,
    or the first to the last selected query when it is open."""
    first, last = (None, None) if filters.since and filters.until else _span(conn, filters)
    if not use_rollups and not (filters.since and filters.until):
        first, last = conn.execute(f"SELECT min(q.occurred_at), max(q.occurred_at) {rows.base}", rows.named).fetchone() or (
            None,
            None,
        )
    start = epoch(filters.since) if filters.since else (epoch(first) if first else None)
    end = epoch(filters.until) if filters.until else (epoch(last) + 1 if last else None)
    width = bucket_seconds or pick_width((end - start) if start is not None and end is not None else 0)
    if start is None or end is None or end <= start:
        return width, []
    lo, hi = math.floor(start / width), math.ceil(end / width)
    if hi - lo > MAX_BUCKETS:
        raise BadFilter(f"{hi - lo} buckets of {width}s in this window; at most {MAX_BUCKETS}: widen bucket_seconds")
    return width, list(range(lo, hi))


def _from_rows(
    conn: duckdb.DuckDBPyConnection, rows: _Rows, width: int, buckets: list[int], threshold: float
) -> dict[str, Any]:
    """The bucketed figures from the rows themselves (exact percentiles, any width and threshold)."""
    index = {b: i for i, b in enumerate(buckets)}
    base, named = rows.base, rows.named
    args = {**named, "threshold": threshold}
    per_bucket = {**args, "width": width}
    bucket = "CAST(floor(epoch(q.occurred_at) / $width) AS BIGINT)"
    totals = _row(conn.execute(f"SELECT {_AGGREGATES} {base}", args).fetchone() or (0,) * len(FIELDS))
    series: dict[str, list[Any]] = {k: [0] * len(buckets) for k in (*FIELDS, "success_rate")}
    for b, *values in conn.execute(f"SELECT {bucket} AS b, {_AGGREGATES} {base} GROUP BY b", per_bucket).fetchall():
        if b in index:
            for key, value in _row(tuple(values)).items():
                series[key][index[b]] = value
    intents: dict[str, list[int]] = {}
    for b, intent, n in conn.execute(
        f"SELECT {bucket} AS b, q.intent, count(*) {base} GROUP BY b, q.intent", {**named, "width": width}
    ).fetchall():
        if b in index:
            intents.setdefault(intent, [0] * len(buckets))[index[b]] = int(n)
    versions, per_version = _versions_from_rows(conn, rows, args, {**named, "width": width}, bucket, index)
    return {"totals": totals, "series": series, "intents": intents, "versions": versions, "per_version": per_version}


def _versions_from_rows(
    conn: duckdb.DuckDBPyConnection,
    rows: _Rows,
    args: dict[str, Any],
    per_bucket: dict[str, Any],
    bucket: str,
    index: dict[int, int],
) -> tuple[list[dict[str, Any]], dict[str, dict[str, list[Any]]]]:
    """Each model version's figures (in the order they first served) and its queries and
    success rate per bucket."""
    versions = []
    for version, *values in conn.execute(
        f"SELECT q.model_version, {_AGGREGATES} {rows.base} GROUP BY q.model_version ORDER BY min(q.occurred_at)", args
    ).fetchall():
        versions.append({"version": version, **_row(tuple(values))})
    per_version: dict[str, dict[str, list[Any]]] = {
        v["version"]: {"queries": [0] * len(index), "success_rate": [None] * len(index)} for v in versions
    }
    for b, version, n, ok in conn.execute(
        f"SELECT {bucket} AS b, q.model_version, count(*), count(*) FILTER (WHERE q.success) {rows.base} "
        f"GROUP BY b, q.model_version",
        per_bucket,
    ).fetchall():
        if b in index:
            per_version[version]["queries"][index[b]] = int(n)
            per_version[version]["success_rate"][index[b]] = success_rate(int(ok), int(n))
    return versions, per_version


def get_timeline(
    conn: duckdb.DuckDBPyConnection,
    filters: Filters,
    bucket_seconds: int | None = None,
    threshold: float = 0.7,
    use_rollups: bool = True,
) -> dict[str, Any]:
    """Everything the dashboard plots, for the queries ``filters`` selects (see the module doc).
    Buckets of whole hours at the default threshold are read from the rollups (``rollups.py``:
    percentiles within its bound); others (and all with ``use_rollups=False``) from the rows."""
    rows = _Rows(filters)
    width, buckets = _buckets(conn, filters, rows, bucket_seconds, use_rollups)
    shops = [r[0] for r in conn.execute("SELECT DISTINCT shop_id FROM rollup_day ORDER BY shop_id").fetchall()]
    if use_rollups and width % 3600 == 0 and threshold == rollups.REVIEW_THRESHOLD:
        got = from_rollups(conn, filters, width, buckets)
    else:
        got = _from_rows(conn, rows, width, buckets, threshold)
    series = got["series"]
    for i, n in enumerate(series["queries"]):  # no queries: no rate, no latency (a gap in the line)
        if not n:
            series["success_rate"][i] = series["p50_ms"][i] = series["p99_ms"][i] = None
    return {
        "filters": filters.as_dict(),
        "bucket_seconds": width,
        "low_confidence_threshold": threshold,
        "shops": shops,
        "totals": got["totals"],
        "buckets": [_iso(b * width) for b in buckets],
        "series": series,
        "intents": dict(sorted(got["intents"].items(), key=lambda kv: (-sum(kv[1]), kv[0]))),
        "models": {"versions": got["versions"], "series": got["per_version"]},
    }
