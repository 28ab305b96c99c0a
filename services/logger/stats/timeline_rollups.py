"""The dashboard's numbers read from the rollups (``timeline.py`` decides when): buckets of whole
hours at the default threshold, percentiles from the merged histograms (within
``histogram.ERROR_BOUND``). The figures have the same names and shape as those read from the rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import duckdb

from services.logger.stats import histogram, windows
from services.logger.stats.summary import Filters
from services.logger.timefmt import utc_naive

FIELDS = ("queries", "successful", "p50_ms", "p99_ms", "fallbacks", "positive", "negative", "review_queue")


def epoch(moment: datetime) -> float:
    return utc_naive(moment).replace(tzinfo=UTC).timestamp()


def success_rate(ok: int, n: int) -> float | None:
    return ok / n if n else None


def _figures(chosen: list[dict[str, Any]], latency: list[tuple[int, int]]) -> dict[str, Any]:
    """The figures of some rollup cells and their latency buckets."""
    n = sum(int(c["queries"]) for c in chosen)
    ok = sum(int(c["queries"]) for c in chosen if c["success"])
    review = sum(
        int(c["low_conf"]) + int(c["negative"]) - int(c["low_conf_negative"]) if c["success"] else int(c["queries"])
        for c in chosen
    )
    return {
        "queries": n,
        "successful": ok,
        "p50_ms": histogram.quantile(latency, 0.5),
        "p99_ms": histogram.quantile(latency, 0.99),
        "fallbacks": sum(
            int(c["queries"]) for c in chosen if c["generator"] == "template" and c["model_version"] != "template"
        ),
        "positive": sum(int(c["positive"]) for c in chosen),
        "negative": sum(int(c["negative"]) for c in chosen),
        "review_queue": review,
        "success_rate": success_rate(ok, n),
    }


def _series(
    cells: list[dict[str, Any]], hist: list[tuple[Any, ...]], bucket: Callable[[datetime], int], index: dict[int, int]
) -> dict[str, list[Any]]:
    """Every figure per bucket."""
    by_bucket: dict[int, list[dict[str, Any]]] = {}
    for c in cells:
        by_bucket.setdefault(bucket(c["period"]), []).append(c)
    hist_by_bucket: dict[int, list[tuple[int, int]]] = {}
    for period, _version, _ok, b, n in hist:
        hist_by_bucket.setdefault(bucket(period), []).append((b, n))
    series: dict[str, list[Any]] = {k: [0] * len(index) for k in (*FIELDS, "success_rate")}
    for b, chosen in by_bucket.items():
        if b in index:
            for key, value in _figures(chosen, hist_by_bucket.get(b, [])).items():
                series[key][index[b]] = value
    return series


def _versions(
    cells: list[dict[str, Any]], hist: list[tuple[Any, ...]], bucket: Callable[[datetime], int], index: dict[int, int]
) -> tuple[list[dict[str, Any]], dict[str, dict[str, list[Any]]]]:
    """Each model version's figures (in the order they first served) and its queries and
    success rate per bucket."""
    first_seen: dict[str, datetime] = {}
    for c in cells:
        v = c["model_version"]
        first_seen[v] = min(first_seen.get(v, c["period"]), c["period"])
    versions = []
    per_version: dict[str, dict[str, list[Any]]] = {}
    for v in sorted(first_seen, key=lambda v: (first_seen[v], v)):
        mine = [c for c in cells if c["model_version"] == v]
        versions.append({"version": v, **_figures(mine, [(b, n) for _, ver, _, b, n in hist if ver == v])})
        counts = [0] * len(index)
        ok = [0] * len(index)
        for c in mine:
            if bucket(c["period"]) in index:
                counts[index[bucket(c["period"])]] += int(c["queries"])
                ok[index[bucket(c["period"])]] += int(c["queries"]) if c["success"] else 0
        per_version[v] = {
            "queries": counts,
            "success_rate": [success_rate(k, n) if n else None for k, n in zip(ok, counts, strict=True)],
        }
    return versions, per_version


def from_rollups(conn: duckdb.DuckDBPyConnection, filters: Filters, width: int, buckets: list[int]) -> dict[str, Any]:
    """The bucketed figures from the rollups (``width`` a multiple of an hour, the default threshold)."""
    since = utc_naive(filters.since) if filters.since else None
    until = utc_naive(filters.until) if filters.until else None
    coarsest = "day" if width % 86400 == 0 else "hour"
    cells, hist = windows.read(
        conn, filters.shop_id, since, until, filters.model_version, by_period=True, coarsest=coarsest
    )
    index = {b: i for i, b in enumerate(buckets)}

    def bucket(period: datetime) -> int:
        return math.floor(epoch(period) / width)

    intents: dict[str, list[int]] = {}
    for c in cells:
        if bucket(c["period"]) in index:
            intents.setdefault(c["intent"], [0] * len(buckets))[index[bucket(c["period"])]] += int(c["queries"])
    versions, per_version = _versions(cells, hist, bucket, index)
    return {
        "totals": _figures(cells, [(b, n) for *_, b, n in hist]),
        "series": _series(cells, hist, bucket, index),
        "intents": intents,
        "versions": versions,
        "per_version": per_version,
    }
