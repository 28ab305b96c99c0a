"""The dashboard's numbers: the selected queries in time buckets (``GET /dashboard/data``).

Per bucket: queries, success rate, p50 and p99 response time, fallbacks (the template phrased
the answer while a model was serving: ``generator = 'template'`` and ``model_version`` not
``template``), ratings (positive, negative; by the rated query's time, so the totals equal
``/stats``' ``feedback``), intents, queries per model version, and the review queue (queries
that failed, were answered with confidence below the threshold, or were rated negative; each
counted once). Totals are over the whole selection, not sums of bucket medians. Buckets of whole
hours at the default threshold (0.7) come from the rollups (``rollups.py``), so any window costs
about the same at any table size; their p50/p99 are within ``rollups.ERROR_BOUND`` (4.8%). Buckets are
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
from services.logger.stats import rollups
from services.logger.stats.summary import Filters
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


def _span(conn: duckdb.DuckDBPyConnection, filters: Filters) -> tuple[datetime | None, datetime | None]:
    """The first and last selected query's time, from the rollups' first and last period and
    the rows of those two periods only."""
    shop, version = filters.shop_id, filters.model_version
    since = utc_naive(filters.since) if filters.since else None
    until = utc_naive(filters.until) if filters.until else None
    cells, _ = rollups.read(conn, shop, since, until, version, by_period=True, coarsest="day")
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


def _from_rollups(
    conn: duckdb.DuckDBPyConnection, filters: Filters, width: int, buckets: list[int]
) -> dict[str, Any]:
    """The bucketed figures from the rollups (``width`` a multiple of an hour, the default threshold)."""
    since = utc_naive(filters.since) if filters.since else None
    until = utc_naive(filters.until) if filters.until else None
    coarsest = "day" if width % 86400 == 0 else "hour"
    cells, hist = rollups.read(
        conn, filters.shop_id, since, until, filters.model_version, by_period=True, coarsest=coarsest
    )
    index = {b: i for i, b in enumerate(buckets)}

    def bucket(period: datetime) -> int:
        return math.floor(_epoch(period) / width)

    def figures(chosen: list[dict[str, Any]], latency: list[tuple[int, int]]) -> dict[str, Any]:
        n = sum(int(c["queries"]) for c in chosen)
        ok = sum(int(c["queries"]) for c in chosen if c["success"])
        review = sum(
            int(c["low_conf"]) + int(c["negative"]) - int(c["low_conf_negative"]) if c["success"] else int(c["queries"])
            for c in chosen
        )
        return {
            "queries": n,
            "successful": ok,
            "p50_ms": rollups.quantile(latency, 0.5),
            "p99_ms": rollups.quantile(latency, 0.99),
            "fallbacks": sum(
                int(c["queries"]) for c in chosen if c["generator"] == "template" and c["model_version"] != "template"
            ),
            "positive": sum(int(c["positive"]) for c in chosen),
            "negative": sum(int(c["negative"]) for c in chosen),
            "review_queue": review,
            "success_rate": _rate(ok, n),
        }

    by_bucket: dict[int, list[dict[str, Any]]] = {}
    for c in cells:
        by_bucket.setdefault(bucket(c["period"]), []).append(c)
    hist_by_bucket: dict[int, list[tuple[int, int]]] = {}
    for period, _version, _ok, b, n in hist:
        hist_by_bucket.setdefault(bucket(period), []).append((b, n))
    totals = figures(cells, [(b, n) for *_, b, n in hist])
    series: dict[str, list[Any]] = {k: [0] * len(buckets) for k in (*_FIELDS, "success_rate")}
    for b, chosen in by_bucket.items():
        if b in index:
            for key, value in figures(chosen, hist_by_bucket.get(b, [])).items():
                series[key][index[b]] = value
    intents: dict[str, list[int]] = {}
    for c in cells:
        if bucket(c["period"]) in index:
            intents.setdefault(c["intent"], [0] * len(buckets))[index[bucket(c["period"])]] += int(c["queries"])
    first_seen: dict[str, datetime] = {}
    for c in cells:
        v = c["model_version"]
        first_seen[v] = min(first_seen.get(v, c["period"]), c["period"])
    versions = []
    per_version: dict[str, dict[str, list[Any]]] = {}
    for v in sorted(first_seen, key=lambda v: (first_seen[v], v)):
        mine = [c for c in cells if c["model_version"] == v]
        versions.append({"version": v, **figures(mine, [(b, n) for _, ver, _, b, n in hist if ver == v])})
        counts = [0] * len(buckets)
        ok = [0] * len(buckets)
        for c in mine:
            if bucket(c["period"]) in index:
                counts[index[bucket(c["period"])]] += int(c["queries"])
                ok[index[bucket(c["period"])]] += int(c["queries"]) if c["success"] else 0
        per_version[v] = {
            "queries": counts,
            "success_rate": [_rate(k, n) if n else None for k, n in zip(ok, counts, strict=True)],
        }
    return {"totals": totals, "series": series, "intents": intents, "versions": versions, "per_version": per_version}


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
    where, params = filters.where("q")
    named = {f"p{i}": v for i, v in enumerate(params)}
    for i in range(len(params)):
        where = where.replace("?", f"$p{i}", 1)
    base = f"FROM queries q LEFT JOIN ratings r ON r.query_id = q.query_id WHERE {where}"
    first, last = (None, None) if filters.since and filters.until else _span(conn, filters)
    if not use_rollups and not (filters.since and filters.until):
        first, last = conn.execute(f"SELECT min(q.occurred_at), max(q.occurred_at) {base}", named).fetchone() or (
            None,
            None,
        )
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
    shops = [r[0] for r in conn.execute("SELECT DISTINCT shop_id FROM rollup_day ORDER BY shop_id").fetchall()]
    if use_rollups and width % 3600 == 0 and threshold == rollups.REVIEW_THRESHOLD:
        got = _from_rollups(conn, filters, width, buckets)
        for i, n in enumerate(got["series"]["queries"]):  # no queries: no rate, no latency (a gap in the line)
            if not n:
                got["series"]["success_rate"][i] = got["series"]["p50_ms"][i] = got["series"]["p99_ms"][i] = None
        return {
            "filters": filters.as_dict(),
            "bucket_seconds": width,
            "low_confidence_threshold": threshold,
            "shops": shops,
            "totals": got["totals"],
            "buckets": [_iso(b * width) for b in buckets],
            "series": got["series"],
            "intents": dict(sorted(got["intents"].items(), key=lambda kv: (-sum(kv[1]), kv[0]))),
            "models": {"versions": got["versions"], "series": got["per_version"]},
        }
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
