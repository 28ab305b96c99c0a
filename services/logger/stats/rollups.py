"""Rollups: what ``/stats`` and the versions table read, kept by the sink in the same
transaction as the rows, so they never disagree with ``queries``.

``rollup_hour``, ``rollup_day`` and ``rollup_month`` hold, per hour (day, month) x shop x intent x tool x model version x
success x generator: the number of queries, the sums of their confidence and response time, and
how many of them are rated positive and negative (the rating that counts, ``ratings``).
``latency_hour``, ``latency_day`` and ``latency_month`` hold the response times per period x shop x model version
x success as a histogram with fixed log-scale buckets: bucket ``b`` holds the times in
``[GROWTH**b, GROWTH**(b+1))`` ms (0 ms and below: bucket ``ZERO_BUCKET``), the way Prometheus
histograms work, so histograms of any cells merge by adding their counts.

A percentile read from merged buckets is within ``ERROR_BOUND`` (relative) of the exact one: each
bucket stands for the value that is at most ``(GROWTH - 1) / (GROWTH + 1)`` away from any time in
it (relative), and the exact percentile (linear interpolation between two order statistics, as
DuckDB's ``quantile_cont`` and numpy's default) is interpolated between their buckets' values with
the same weights, which keeps the error under the same bound.

A window ``[since, until)`` is read as: whole months from the month tables, the whole days and
hours towards its ends from the day and hour tables, and the minutes at its very ends (when ``since``/``until`` are not on the
hour) from the rows themselves; so any window costs about the same at any table size.

``tool`` is stored as ``''`` for queries without a tool (rollup keys are never NULL).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa

GROWTH = 1.1
ERROR_BOUND = (GROWTH - 1) / (GROWTH + 1)  # 0.0476...: a stated bound, checked by the tests
ZERO_BUCKET = -32768
GRAINS = ("hour", "day", "month")

DIMS = ("shop_id", "intent", "tool", "model_version", "success", "generator")
# The dashboard's review queue at its default threshold: failed, or confidence below it, or rated
# negative. ``low_conf`` counts confidence < REVIEW_THRESHOLD, ``low_conf_negative`` those of them
# rated negative, so the queue of a cell is its queries when failed, else
# low_conf + negative - low_conf_negative.
REVIEW_THRESHOLD = 0.7
COUNTERS = ("queries", "confidence_sum", "latency_sum", "positive", "negative", "low_conf", "low_conf_negative")
LATENCY_DIMS = ("shop_id", "model_version", "success")

DDL = "\n".join(
    f"""
CREATE TABLE IF NOT EXISTS rollup_{grain} (
    period TIMESTAMP NOT NULL,
    shop_id VARCHAR NOT NULL,
    intent VARCHAR NOT NULL,
    tool VARCHAR NOT NULL,
    model_version VARCHAR NOT NULL,
    success BOOLEAN NOT NULL,
    generator VARCHAR NOT NULL,
    queries BIGINT NOT NULL,
    confidence_sum DOUBLE NOT NULL,
    latency_sum DOUBLE NOT NULL,
    positive BIGINT NOT NULL,
    negative BIGINT NOT NULL,
    low_conf BIGINT NOT NULL,
    low_conf_negative BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS latency_{grain} (
    period TIMESTAMP NOT NULL,
    shop_id VARCHAR NOT NULL,
    model_version VARCHAR NOT NULL,
    success BOOLEAN NOT NULL,
    bucket SMALLINT NOT NULL,
    n BIGINT NOT NULL
);
"""
    for grain in GRAINS
)
TABLES = tuple(f"{kind}_{grain}" for kind in ("rollup", "latency") for grain in GRAINS)


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


# -- writing (the sink, in its transaction) -----------------------------------------------------
def _period(grain: str, column: str = "occurred_at") -> str:
    return f"date_trunc('{grain}', {column})"


def _merge(cur: duckdb.DuckDBPyConnection, grain: str, source: str, params: dict[str, Any] | None = None) -> None:
    """Add ``source`` (rows with ``period``, the dimensions and the counters, one per cell) to the
    rollup of ``grain``. The join only reads the row groups of the periods it touches (zone maps)."""
    keys = ("period", *DIMS)
    on = " AND ".join(f"t.{k} = s.{k}" for k in keys)
    counters = COUNTERS
    cur.execute(
        f"""
        MERGE INTO rollup_{grain} t USING ({source}) s ON {on}
        WHEN MATCHED THEN UPDATE SET {", ".join(f"{c} = t.{c} + s.{c}" for c in counters)}
        WHEN NOT MATCHED THEN INSERT ({", ".join((*keys, *counters))})
            VALUES ({", ".join(f"s.{c}" for c in (*keys, *counters))})
        """,
        params or {},
    )


def _merge_latency(cur: duckdb.DuckDBPyConnection, grain: str, source: str) -> None:
    keys = ("period", *LATENCY_DIMS, "bucket")
    on = " AND ".join(f"t.{k} = s.{k}" for k in keys)
    cur.execute(
        f"""
        MERGE INTO latency_{grain} t USING ({source}) s ON {on}
        WHEN MATCHED THEN UPDATE SET n = t.n + s.n
        WHEN NOT MATCHED THEN INSERT ({", ".join((*keys, "n"))}) VALUES ({", ".join(f"s.{c}" for c in (*keys, "n"))})
        """
    )


def _cells_sql(grain: str, relation: str, rated: bool) -> str:
    """One row per cell of ``relation`` (rows with the ``queries`` columns, aliased ``q``)."""
    join = "LEFT JOIN ratings r ON r.query_id = q.query_id" if rated else ""
    return f"""
        SELECT {_period(grain, "q.occurred_at")} AS period, q.shop_id, q.intent, coalesce(q.tool, '') AS tool,
               q.model_version, q.success, q.generator, {_counters_sql(rated)}
        FROM {relation} q {join}
        GROUP BY ALL
    """


def _counters_sql(rated: bool) -> str:
    """The counters over rows ``q`` (LEFT JOIN ``ratings r`` when ``rated``)."""
    low = f"q.confidence < {REVIEW_THRESHOLD}"
    if rated:
        pos, neg = "count(*) FILTER (WHERE r.rating = 'positive')", "count(*) FILTER (WHERE r.rating = 'negative')"
        low_neg = f"count(*) FILTER (WHERE {low} AND r.rating = 'negative')"
    else:
        pos = neg = low_neg = "0"
    return (
        f"count(*) AS queries, sum(q.confidence) AS confidence_sum, sum(q.response_time_ms) AS latency_sum, "
        f"{pos} AS positive, {neg} AS negative, count(*) FILTER (WHERE {low}) AS low_conf, "
        f"{low_neg} AS low_conf_negative"
    )


def _latency_sql(grain: str, relation: str) -> str:
    return f"""
        SELECT {_period(grain, "q.occurred_at")} AS period, q.shop_id, q.model_version, q.success,
               {bucket_sql("q.response_time_ms")} AS bucket, count(*) AS n
        FROM {relation} q GROUP BY ALL
    """


def add_queries(cur: duckdb.DuckDBPyConnection, relation: str = "batch_queries") -> None:
    """Count a batch's new queries (registered as ``relation``) in every rollup. Their ratings
    are added by ``rate`` (``ratings.refresh``), which runs after this."""
    for grain in GRAINS:
        _merge(cur, grain, _cells_sql(grain, relation, rated=False))
        _merge_latency(cur, grain, _latency_sql(grain, relation))


def rate(cur: duckdb.DuckDBPyConnection, changes: list[tuple[Any, ...]]) -> None:
    """Apply rating changes: ``(shop_id, occurred_at, intent, tool, model_version, success,
    generator, confidence, positive delta, negative delta)``, one per rated query."""
    if not changes:
        return
    names = (
        "shop_id", "occurred_at", "intent", "tool", "model_version", "success", "generator", "confidence", "pos", "neg",
    )  # fmt: skip
    table = pa.table({name: pa.array([c[i] for c in changes]) for i, name in enumerate(names)})
    cur.register("rating_changes", table)
    try:
        for grain in GRAINS:
            _merge(
                cur,
                grain,
                f"""
                SELECT {_period(grain, "q.occurred_at")} AS period, q.shop_id, q.intent, coalesce(q.tool, '') AS tool,
                       q.model_version, q.success, q.generator, 0 AS queries, 0.0 AS confidence_sum,
                       0.0 AS latency_sum, sum(q.pos) AS positive, sum(q.neg) AS negative, 0 AS low_conf,
                       coalesce(sum(q.neg) FILTER (WHERE q.confidence < {REVIEW_THRESHOLD}), 0) AS low_conf_negative
                FROM rating_changes q GROUP BY ALL
                """,
            )
    finally:
        cur.unregister("rating_changes")


def rebuild(conn: duckdb.DuckDBPyConnection) -> None:
    """Every rollup from every row (a database written before rollups existed; the benchmark's fill)."""
    for table in TABLES:
        conn.execute(f"DELETE FROM {table}")
    # in period order, as the sink appends them: the zone maps on ``period`` keep a batch's MERGE to
    # the row groups of its own periods
    for grain in GRAINS:
        conn.execute(
            f"INSERT INTO rollup_{grain} BY NAME SELECT * FROM ({_cells_sql(grain, 'queries', rated=True)}) ORDER BY period"
        )
        conn.execute(
            f"INSERT INTO latency_{grain} BY NAME SELECT * FROM ({_latency_sql(grain, 'queries')}) ORDER BY period"
        )


# -- reading ------------------------------------------------------------------------------------
@dataclass
class Window:
    """How ``[since, until)`` is read: ``(grain, lo, hi)`` ranges from the rollups, and the raw
    ``(lo, hi)`` ranges at its ends (None: open)."""

    rollup: list[tuple[str, datetime | None, datetime | None]] = field(default_factory=list)
    raw: list[tuple[datetime | None, datetime | None]] = field(default_factory=list)


def _floor(moment: datetime, grain: str) -> datetime:
    moment = moment.replace(minute=0, second=0, microsecond=0)
    if grain in ("day", "month"):
        moment = moment.replace(hour=0)
    return moment.replace(day=1) if grain == "month" else moment


def _next(moment: datetime, grain: str) -> datetime:
    if grain == "hour":
        return moment + timedelta(hours=1)
    if grain == "day":
        return moment + timedelta(days=1)
    return moment.replace(year=moment.year + 1, month=1) if moment.month == 12 else moment.replace(month=moment.month + 1)


def _ceil(moment: datetime, grain: str) -> datetime:
    down = _floor(moment, grain)
    return down if down == moment else _next(down, grain)


def split(since: datetime | None, until: datetime | None, coarsest: str = "month") -> Window:
    """Cut a window (naive UTC) into rollup and raw ranges that cover it exactly once: whole
    periods of the coarsest grain (up to ``coarsest``) in the middle, finer ones towards the
    ends, and the rows themselves for what is left of an hour at either end."""
    w = Window()
    if since is not None and until is not None and since >= until:
        return w

    def add(kind: str | None, lo: datetime | None, hi: datetime | None) -> None:
        if kind is None:
            w.raw.append((lo, hi))
        else:
            w.rollup.append((kind, lo, hi))

    lo, hi, finer = since, until, None
    for grain in GRAINS[: GRAINS.index(coarsest) + 1]:
        a = _ceil(lo, grain) if lo is not None else None
        b = _floor(hi, grain) if hi is not None else None
        if a is not None and b is not None and a >= b:  # no whole period of this grain inside
            add(finer, lo, hi)
            return w
        if lo is not None and a != lo:
            add(finer, lo, a)
        if hi is not None and b != hi:
            add(finer, b, hi)
        lo, hi, finer = a, b, grain
    add(finer, lo, hi)
    return w


class _Params:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"${name}"


def _where(
    p: _Params, column: str, lo: datetime | None, hi: datetime | None, shop_id: str | None, model_version: str | None
) -> str:
    conds = ["TRUE"]
    if lo is not None:
        conds.append(f"{column} >= {p.add(lo)}")
    if hi is not None:
        conds.append(f"{column} < {p.add(hi)}")
    if shop_id is not None:
        conds.append(f"shop_id = {p.add(shop_id)}")
    if model_version is not None:
        conds.append(f"model_version = {p.add(model_version)}")
    return " AND ".join(conds)


def read(
    conn: duckdb.DuckDBPyConnection,
    shop_id: str | None,
    since: datetime | None,
    until: datetime | None,
    model_version: str | None,
    by_period: bool = False,
    coarsest: str = "month",
) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    """The selected queries as cells (a dict per shop x intent x tool x model version x success x
    generator with the counters; ``tool`` None for none) and their latency histogram
    (``(model_version, success, bucket, count)``). ``since``/``until`` are naive UTC. With
    ``by_period`` both also carry ``period`` (an hour or a day; the rows at the window's ends
    count in their hour), the histogram as ``(period, model_version, success, bucket, count)``."""
    window = split(since, until, coarsest)
    p, pl = _Params(), _Params()
    cells: list[str] = []
    latency: list[str] = []
    keys = ", ".join(("period", *DIMS) if by_period else DIMS)
    lkeys = "period, model_version, success, bucket" if by_period else "model_version, success, bucket"
    for grain, lo, hi in window.rollup:
        cells.append(
            f"SELECT {keys}, {', '.join(COUNTERS)} FROM rollup_{grain} "
            f"WHERE {_where(p, 'period', lo, hi, shop_id, model_version)}"
        )
        latency.append(
            f"SELECT {lkeys}, n FROM latency_{grain} WHERE {_where(pl, 'period', lo, hi, shop_id, model_version)}"
        )
    for lo, hi in window.raw:
        where = _where(p, "occurred_at", lo, hi, shop_id, model_version)
        where_l = _where(pl, "occurred_at", lo, hi, shop_id, model_version)
        period = f"{_period('hour', 'q.occurred_at')} AS period, " if by_period else ""
        cells.append(
            f"""SELECT {period}q.shop_id, q.intent, coalesce(q.tool, '') AS tool, q.model_version, q.success,
                   q.generator, {_counters_sql(rated=True)}
            FROM (SELECT * FROM queries WHERE {where}) q LEFT JOIN ratings r ON r.query_id = q.query_id
            GROUP BY ALL"""
        )
        lperiod = f"{_period('hour', 'occurred_at')} AS period, " if by_period else ""
        latency.append(
            f"SELECT {lperiod}model_version, success, {bucket_sql('response_time_ms')} AS bucket, count(*) AS n "
            f"FROM queries WHERE {where_l} GROUP BY ALL"
        )
    if not cells:
        return [], []
    sums = ", ".join(f"sum({c}) AS {c}" for c in COUNTERS)
    cur = conn.execute(
        f"SELECT {keys}, {sums} FROM ({' UNION ALL '.join(cells)}) GROUP BY ALL HAVING sum(queries) > 0", p.values
    )
    names = [d[0] for d in cur.description or []]
    out = []
    for row in cur.fetchall():
        cell = dict(zip(names, row, strict=True))
        cell["tool"] = cell["tool"] or None
        out.append(cell)
    hist = conn.execute(
        f"SELECT {lkeys}, sum(n) FROM ({' UNION ALL '.join(latency)}) GROUP BY ALL", pl.values
    ).fetchall()
    return out, [(*row[:-3], bool(row[-3]), int(row[-2]), int(row[-1])) for row in hist if row[-1]]
