"""A time window read from the rollups: ``[since, until)`` as whole months from the month tables,
the whole days and hours towards its ends from the day and hour tables, and the minutes at its
very ends (when ``since``/``until`` are not on the hour) from the rows themselves; so any window
costs about the same at any table size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import duckdb

from services.logger.stats.histogram import bucket_sql
from services.logger.stats.rollups import COUNTERS, DIMS, GRAINS, counters_sql, period_sql


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
        period = f"{period_sql('hour', 'q.occurred_at')} AS period, " if by_period else ""
        cells.append(
            f"""SELECT {period}q.shop_id, q.intent, coalesce(q.tool, '') AS tool, q.model_version, q.success,
                   q.generator, {counters_sql(rated=True)}
            FROM (SELECT * FROM queries WHERE {where}) q LEFT JOIN ratings r ON r.query_id = q.query_id
            GROUP BY ALL"""
        )
        lperiod = f"{period_sql('hour', 'occurred_at')} AS period, " if by_period else ""
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
