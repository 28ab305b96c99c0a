"""Response-time histograms with fixed log-scale buckets, as the rollups keep them: bucket ``b``
holds the times in ``[GROWTH**b, GROWTH**(b+1))`` ms (0 ms and below: bucket ``ZERO_BUCKET``), the
way Prometheus histograms work, so histograms of any cells merge by adding their counts.

A percentile read from merged buckets is within ``ERROR_BOUND`` (relative) of the exact one: each
bucket stands for the value that is at most ``(GROWTH - 1) / (GROWTH + 1)`` away from any time in
it (relative), and the exact percentile (linear interpolation between two order statistics, as
DuckDB's ``quantile_cont`` and numpy's default) is interpolated between their buckets' values with
the same weights, which keeps the error under the same bound.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

GROWTH = 1.1
ERROR_BOUND = (GROWTH - 1) / (GROWTH + 1)  # 0.0476...: a stated bound, checked by the tests
ZERO_BUCKET = -32768


def bucket_sql(column: str) -> str:
    """The histogram bucket of a response time (ms), in SQL."""
    return (
        f"CASE WHEN {column} <= 0 THEN {ZERO_BUCKET} "
        f"ELSE CAST(floor(ln({column}) / {math.log(GROWTH)!r}) AS SMALLINT) END"
    )


def bucket_value(bucket: int) -> float:
    """The value a bucket stands for: within ``ERROR_BOUND`` (relative) of every time in it."""
    if bucket == ZERO_BUCKET:
        return 0.0
    lo, hi = GROWTH**bucket, GROWTH ** (bucket + 1)
    return 2 * lo * hi / (lo + hi)


def quantile(buckets: Iterable[tuple[int, int]], q: float) -> float | None:
    """The ``q`` quantile (linear interpolation, as ``quantile_cont``) of a merged histogram
    (``(bucket, count)`` pairs), within ``ERROR_BOUND`` of the exact one; None when empty."""
    counts: dict[int, int] = {}
    for b, n in buckets:
        counts[b] = counts.get(b, 0) + int(n)
    ordered = sorted((b, n) for b, n in counts.items() if n > 0)
    total = sum(n for _, n in ordered)
    if not total:
        return None
    h = q * (total - 1)
    k = math.floor(h)
    frac = h - k

    def at(rank: int) -> float:
        seen = 0
        for b, n in ordered:
            seen += n
            if rank < seen:
                return bucket_value(b)
        return bucket_value(ordered[-1][0])

    lo = at(k)
    return lo if frac == 0 else lo + frac * (at(min(k + 1, total - 1)) - lo)
