"""``POST /sql`` sandbox: what it costs per statement, and how fast it stops a runaway one.

* latency of a few statements through ``SqlSandbox.run`` (guard, column-projected Arrow copy,
  separate DuckDB process with external access off) against running them directly on the
  logger's connection (what ``/sql`` did before), same database;
* wall time until ``SELECT range(20000000)`` is stopped under a 2 s limit: the sandbox (interrupt,
  then kill) against ``con.interrupt()`` from a timer alone.

    .venv/bin/python bench/bench_sql.py               # defaults: 200k logged queries, 7 runs
    .venv/bin/python bench/bench_sql.py --smoke       # seconds: what CI runs
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_logger import fill  # noqa: E402

from services.logger.errors import SqlTimeout  # noqa: E402
from services.logger.sandbox.runner import SqlLimits, SqlSandbox  # noqa: E402
from services.logger.sink.schema import open_db  # noqa: E402

STATEMENTS = {
    "count": "SELECT count(*) FROM queries",
    "group by intent": "SELECT intent, count(*), avg(confidence) FROM queries GROUP BY 1 ORDER BY 2 DESC",
    "10 full rows": "SELECT * FROM queries ORDER BY occurred_at DESC LIMIT 10",
    "join feedback": "SELECT q.shop_id, count(f.rating) FROM queries q LEFT JOIN feedback f USING (query_id) GROUP BY 1",
}


def timed(fn: object, runs: int) -> float:
    fn()  # type: ignore[operator]  # warm-up (starts the sandbox process)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def stop_times(limit_s: float, n: int = 20_000_000) -> tuple[float, float]:
    """Seconds until ``SELECT range(n)`` gives up: sandbox, and interrupt alone."""
    with SqlSandbox(SqlLimits(timeout_s=limit_s)) as box, duckdb.connect() as conn:
        box.run(conn, "SELECT 1")  # the process is started before the clock runs
        t = time.perf_counter()
        with contextlib.suppress(SqlTimeout):
            box.run(conn, f"SELECT range({n})")
        sandboxed = time.perf_counter() - t
    conn = duckdb.connect(config={"threads": 1})
    timer = threading.Timer(limit_s, conn.interrupt)
    t = time.perf_counter()
    timer.start()
    try:
        conn.execute(f"SELECT range({n})").fetchall()
    except duckdb.InterruptException:
        pass
    finally:
        timer.cancel()
    return sandboxed, time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="a few seconds: 2,000 rows, 1 run (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.rows, args.runs = 2000, 1
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"duckdb {duckdb.__version__}, python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}")
    with tempfile.TemporaryDirectory() as tmp:
        # the logger benchmark's rows: 30 days, the closed ones in the Parquet history
        fill(Path(tmp) / "q.duckdb", args.rows, datetime.now(UTC), Path(tmp), days=30)
        conn = open_db(Path(tmp) / "q.duckdb")
        with SqlSandbox(SqlLimits(max_rows=1000, timeout_s=30.0)) as box:
            print(f"\n/sql at {args.rows:,} logged queries, median of {args.runs} (ms)")
            print("| statement | direct on the logger's connection | sandbox | ratio |\n|---|---|---|---|")
            for label, sql in STATEMENTS.items():
                cur = conn.cursor()
                direct = timed(lambda sql=sql, cur=cur: cur.execute(sql).fetchall(), args.runs)
                sandboxed = timed(lambda sql=sql: box.run(conn, sql), args.runs)
                print(f"| {label} | {direct:.1f} | {sandboxed:.1f} | {sandboxed / direct:.1f}x |")
        conn.close()
    limit, n = (0.2, 2_000_000) if args.smoke else (2.0, 20_000_000)
    sandboxed, interrupt_only = stop_times(limit, n)
    print(f"\nSELECT range({n}) under a {limit:g} s limit (s until the caller gets its answer)")
    print("| interrupt() alone | sandbox (interrupt, then kill) | ratio |\n|---|---|---|")
    print(f"| {interrupt_only:.1f} | {sandboxed:.1f} | {interrupt_only / sandboxed:.1f}x faster |")


if __name__ == "__main__":
    main()
