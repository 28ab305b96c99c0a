"""Logger benchmarks: sink throughput (bulk Arrow path vs naive per-row INSERT), and by the
number of rows already logged (``--sizes``): the bulk sink's events/s, ``GET /stats`` p95
(unfiltered, and filtered by shop + window + model) and the bytes on disk.

The throughput part feeds the sink directly (no broker): it measures the write path
(dedupe lookup, JSONL append + fsync, DuckDB insert, offsets + sizes, commit), not Kafka.
Both paths write the same events in the same batches, alternately (bulk first in odd rounds,
naive first in even ones), so load from other work hits both alike; each round is reported, with
the median and the range, and each target says in how many rounds it was met.

    .venv/bin/python bench/bench_logger.py            # defaults: 5 rounds of 10k events each way; sizes 0 and 1M
    .venv/bin/python bench/bench_logger.py --rounds 0 --sizes 0,10000000,100000000
    .venv/bin/python bench/bench_logger.py --smoke    # seconds: what CI runs

``BENCH_TMPDIR`` picks the folder for the databases (a 100M-row fill needs several GB).

Prints Markdown tables (pasted into BENCHMARKS.md as they are).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.logger.sink import history  # noqa: E402
from services.logger.sink.batch import FEEDBACK_COLUMNS  # noqa: E402
from services.logger.sink.history import QUERY_COLUMNS  # noqa: E402
from services.logger.sink.schema import open_db  # noqa: E402
from services.logger.sink.writer import DEDUPE_WINDOW_S, Sink  # noqa: E402
from services.logger.stats import ratings, rollups  # noqa: E402
from services.logger.timefmt import utc_naive  # noqa: E402
from shared.events import FeedbackEvent, QueryEvent  # noqa: E402
from shared.kafka import Received  # noqa: E402
from shared.prompt import build_prompt  # noqa: E402
from shared.results import ToolResult  # noqa: E402


class NaiveSink(Sink):
    """The same sink, but one INSERT statement per row (what the bulk path replaces)."""

    def _insert_rows(self, cur, queries, feedback, logged_at, ids):  # type: ignore[no-untyped-def]
        from services.logger.timefmt import to_json, utc_naive

        query_rows = (
            [
                ids[id(e)],
                e.query_id,
                e.shop_id,
                utc_naive(e.occurred_at),
                e.question,
                e.answer,
                e.intent,
                e.tool,
                to_json(e.tool_params),
                e.confidence,
                e.success,
                e.error,
                e.response_time_ms,
                e.model_version,
                e.generator,
                e.prompt,
                None if e.result is None else to_json(e.result),
                logged_at,
                None if e.interpretation is None else to_json(e.interpretation),
            ]
            for e in queries
        )
        feedback_rows = (
            [
                ids[id(f)],
                f.query_id,
                f.rating,
                f.comment,
                utc_naive(f.occurred_at),
                logged_at,
                f.shop_id,
                f.correction,
                f.key_id,
            ]
            for f in feedback
        )
        insert_one_by_one(cur, "queries_hot", QUERY_COLUMNS, query_rows)
        insert_one_by_one(cur, "feedback", FEEDBACK_COLUMNS, feedback_rows)


def insert_one_by_one(cur: Any, table: str, columns: Sequence[str], rows: Iterable[list[Any]]) -> None:
    """One INSERT statement per row, each value a parameter."""
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    for row in rows:
        cur.execute(sql, row)


def make_events(n: int, seed: int = 1, start: datetime | None = None) -> list[Received]:
    rng = random.Random(seed)
    start = start or datetime(2026, 1, 1, tzinfo=UTC)
    out: list[Received] = []
    for i in range(n):
        if i % 10 == 9:
            event: QueryEvent | FeedbackEvent = FeedbackEvent(
                query_id=f"bq{i - 1}", rating=rng.choice(["positive", "negative"])
            )
        else:
            result = ToolResult(tool="count_orders", values={"count": rng.randint(1, 5000)})
            q = "How many orders do I have?"
            ok = rng.random() < 0.85
            event = QueryEvent(
                query_id=f"bq{i}",
                shop_id=str(rng.randint(1, 50)),
                question=q,
                answer="You have some orders.",
                intent="order_count",
                tool="count_orders",
                confidence=rng.random(),
                success=ok,
                error=None if ok else "tool failed",
                response_time_ms=rng.uniform(5, 500),
                prompt=build_prompt(q, result),
                result=result.model_dump(),
                occurred_at=start + timedelta(milliseconds=i),
            )
        out.append(Received(event, "bench", 0, i))
    return out


def throughput(
    sink_cls: type[Sink], events: list[Received], batch: int, template: Path | None = None
) -> float:
    """Events per second through ``sink.write`` into a fresh database (a copy of ``template`` if given)."""
    with tempfile.TemporaryDirectory() as tmp:
        if template is not None:
            shutil.copyfile(template, Path(tmp) / "q.duckdb")
        conn = open_db(Path(tmp) / "q.duckdb")
        sink = sink_cls(conn.cursor(), Path(tmp))
        sink.recover()
        started = time.perf_counter()
        for i in range(0, len(events), batch):
            sink.write(events[i : i + batch])
        elapsed = time.perf_counter() - started
        assert sink.written == len(events)
        sink.close()
        conn.close()
    return len(events) / elapsed


def fill(path: Path, rows: int, now: datetime, log_dir: Path, days: int = 365) -> None:
    """``rows`` queries spread evenly over the ``days`` (a year) before ``now`` (50 shops, 4 intents, 3 model
    versions) and a rating for every 20th of them, as the logger would hold them: a month at a
    time into the hot table, whose closed days the logger's own archive then moves to Parquet
    (so the DuckDB file reuses the space, as it does in steady state), then the ratings and rollups."""
    conn = open_db(path)
    step_us = days * 86400 * 1_000_000 // max(rows, 1)
    start = utc_naive(now) - timedelta(days=days)
    chunk = max(1, rows // 12)
    for lo in range(0, rows, chunk):
        hi = min(rows, lo + chunk)
        conn.execute(f"""
            INSERT INTO queries_hot
            SELECT uuid(), 'q' || i, CAST(i % 50 AS VARCHAR), TIMESTAMP '{start}' + to_microseconds(i * {step_us}),
                   'How many orders do I have?', 'You have ' || i || ' orders.',
                   ['order_count','revenue','top_customers','unsupported'][1 + i % 4],
                   ['count_orders','total_revenue','top_customers', NULL][1 + i % 4], '{{}}',
                   (i % 1000) / 1000.0, i % 7 <> 0, CASE WHEN i % 7 = 0 THEN 'boom' END, 5 + (i * 7919) % 400,
                   ['template','v1','v2'][1 + i % 3], 'template', 'p', NULL,
                   TIMESTAMP '{start}' + to_microseconds(i * {step_us} + 1000000), NULL
            FROM range({lo}, {hi}) t(i)
        """)
        history.archive(conn, log_dir, utc_naive(now), timedelta(seconds=DEDUPE_WINDOW_S))
        conn.execute("CHECKPOINT")
    conn.execute(f"""
        INSERT INTO feedback (event_id, query_id, rating, comment, occurred_at, logged_at, shop_id)
        SELECT uuid(), 'q' || (i * 20), CASE WHEN i % 3 = 0 THEN 'negative' ELSE 'positive' END, NULL,
               TIMESTAMP '{start}' + to_microseconds(i * 20 * {step_us} + 60000000),
               TIMESTAMP '{start}' + to_microseconds(i * 20 * {step_us} + 61000000),
               CAST(i * 20 % 50 AS VARCHAR)
        FROM range({rows // 20}) t(i)
    """)
    ratings.rebuild(conn)
    rollups.rebuild(conn)
    conn.execute("CHECKPOINT")
    conn.close()


def disk_sizes(data_dir: Path) -> tuple[int, int]:
    """Bytes of DuckDB files and of Parquet files under ``data_dir``."""
    duck = sum(p.stat().st_size for p in data_dir.rglob("*.duckdb*"))
    parquet = sum(p.stat().st_size for p in data_dir.rglob("*.parquet"))
    return duck, parquet


FILTERS: dict[str, dict[str, str]] = {"all": {}, "shop+window+model": {}}


def stats_latency(client: object, runs: int, now: datetime) -> dict[str, float]:
    """p95 (and median) of ``runs`` ``GET /stats`` requests, unfiltered and filtered."""
    filters = {
        "all": {},
        "shop+window+model": {
            "shop_id": "7",
            "since": (now - timedelta(days=30)).isoformat(),
            "until": (now - timedelta(days=23)).isoformat(),
            "model_version": "v1",
        },
    }
    row: dict[str, float] = {}
    for label, params in filters.items():
        client.get("/stats", params=params)  # type: ignore[attr-defined]  # warm-up
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            r = client.get("/stats", params=params)  # type: ignore[attr-defined]
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, r.text
        row[f"{label} median"] = statistics.median(times)
        row[f"{label} p95"] = sorted(times)[int(0.95 * (len(times) - 1))]
    return row


def sink_rate(db: Path | None, events: list[Received], batch: int) -> float:
    """Events/s of the bulk sink writing ``events`` into a copy of ``db`` (an empty database when
    None); the copy is made before the clock starts (the history files are shared, read-only)."""
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMPDIR")) as tmp:
        target = Path(tmp) / "q.duckdb"
        if db is not None:
            shutil.copyfile(db, target)
        conn = open_db(target)
        sink = Sink(conn.cursor(), Path(tmp) / "logs")
        sink.recover()
        started = time.perf_counter()
        for i in range(0, len(events), batch):
            sink.write(events[i : i + batch])
        rate = len(events) / (time.perf_counter() - started)
        assert sink.written == len(events), (sink.written, len(events))
        sink.close()
        conn.close()
    return rate


def at_size(
    rows: int, events: list[Received], batch: int, runs: int, now: datetime, days: int, rounds: int
) -> dict[str, Any]:
    """Fill a database with ``rows`` queries, then: the bulk sink's events/s writing ``events`` on
    top of them and into an empty database, in ``rounds`` alternating pairs (so load from other work
    hits both alike), ``GET /stats`` p95 over the filled database, and the bytes on disk."""
    from fastapi.testclient import TestClient

    from services.logger.app import create_app
    from services.logger.settings import Settings
    from shared.settings import PathSettings, SecuritySettings

    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMPDIR")) as tmp:
        # a local run: the default token is allowed and reads need none
        settings = Settings(paths=PathSettings(data_dir=Path(tmp)), security=SecuritySettings(local_dev=True))
        t = time.perf_counter()
        fill(settings.paths.logs_db, rows, now, settings.paths.query_logs, days)
        fill_s = time.perf_counter() - t
        full: list[float] = []
        empty: list[float] = []
        for r in range(rounds):
            if r % 2:
                empty.append(sink_rate(None, events, batch))
            full.append(sink_rate(settings.paths.logs_db, events, batch))
            if not r % 2:
                empty.append(sink_rate(None, events, batch))
        out: dict[str, Any] = {"full": full, "empty": empty, "fill_s": fill_s}
        if rows:
            with TestClient(create_app(settings, start_worker=False)) as client:
                out.update(stats_latency(client, runs, now))
        duck, parquet = disk_sizes(Path(tmp))
        out["duckdb_bytes"], out["parquet_bytes"] = duck, parquet
    return out


def spread(values: list[float], fmt: str) -> str:
    """``median (min–max)``."""
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def met(values: list[float], ok: Callable[[float], bool]) -> str:
    n = sum(ok(v) for v in values)
    if n == len(values):
        return f"yes, in all {n} runs"
    return f"met in {n} of {len(values)} runs" if n else f"no (0 of {len(values)} runs)"


def mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000, help="events per run, the same for both paths")
    parser.add_argument(
        "--batch", type=int, default=5000, help="micro-batch size (Settings.batch_max_events)"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="interleaved bulk/naive rounds (0: skip that part)"
    )
    parser.add_argument(
        "--sizes",
        default="0,1000000",
        help="rows already logged, comma-separated (e.g. 0,10000000,100000000)",
    )
    parser.add_argument("--runs", type=int, default=30, help="/stats requests per size and filter")
    parser.add_argument(
        "--sink-rounds", type=int, default=3, help="alternating filled/empty sink runs per size"
    )
    parser.add_argument(
        "--days", type=int, default=365, help="the filled rows span this many days before now"
    )
    parser.add_argument("--smoke", action="store_true", help="a few seconds: tiny sizes, one round (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.events, args.batch, args.rounds, args.sizes, args.runs, args.days = 400, 200, 1, "0,3000", 3, 10
        args.sink_rounds = 1
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"duckdb {duckdb.__version__}, python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load average {load} at the start, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    events = make_events(args.events, start=now)
    ratios: list[float] = []
    if args.rounds:
        for cls in (Sink, NaiveSink):  # warm-up, not counted (first use of each code path)
            throughput(cls, events[: min(len(events), args.batch, 1000)], args.batch)
        bulk: list[float] = []
        naive: list[float] = []
        print(
            f"\nSink throughput: {args.events:,} events per run in batches of {args.batch:,}, both paths, "
            "alternating, into an empty table.\n"
        )
        print("| round | order | bulk events/s | naive events/s | bulk / naive |")
        print("|---|---|---|---|---|")
        for r in range(1, args.rounds + 1):
            order = (Sink, NaiveSink) if r % 2 else (NaiveSink, Sink)
            rates = {cls: throughput(cls, events, args.batch) for cls in order}
            bulk.append(rates[Sink])
            naive.append(rates[NaiveSink])
            first = "bulk, naive" if r % 2 else "naive, bulk"
            print(
                f"| {r} | {first} | {bulk[-1]:,.0f} | {naive[-1]:,.0f} | {bulk[-1] / naive[-1]:.0f}x |",
                flush=True,
            )
        ratios = [b / n for b, n in zip(bulk, naive, strict=True)]
        print(
            f"| median (range) | | {spread(bulk, '{:,.0f}')} | {spread(naive, '{:,.0f}')} | "
            f"{spread(ratios, '{:.0f}x')} |"
        )

    print(
        f"\nBy rows already logged ({args.days} days of traffic ending now): bulk sink events/s "
        f"({args.events:,} events in batches of {args.batch:,}) into the filled database and into an empty "
        f"one, {args.sink_rounds} alternating pairs (median, and the median of the pairs' ratios), "
        f"`GET /stats` p95 of {args.runs} requests, bytes on disk.\n"
    )
    print(
        "| rows already in `queries` | fill s | sink events/s | same rounds, empty table | ratio (median of pairs) | "
        "`GET /stats` p95 unfiltered | filtered (shop + window + model) | DuckDB file | Parquet |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    results: dict[int, dict[str, Any]] = {}
    throughput(Sink, events[: min(len(events), 1000)], args.batch)  # warm-up, not counted
    for rows in sizes:
        res = results[rows] = at_size(rows, events, args.batch, args.runs, now, args.days, args.sink_rounds)
        res["ratio"] = statistics.median(f / e for f, e in zip(res["full"], res["empty"], strict=True))
        unf = f"{res['all p95']:,.1f} ms" if rows else "—"
        flt = f"{res['shop+window+model p95']:,.1f} ms" if rows else "—"
        print(
            f"| {rows:,} | {res['fill_s']:,.0f} | {spread(res['full'], '{:,.0f}')} | {spread(res['empty'], '{:,.0f}')} | "
            f"{res['ratio']:.2f}x | {unf} | {flt} | {mb(res['duckdb_bytes'])} | {mb(res['parquet_bytes'])} |",
            flush=True,
        )

    print("\n| target | measured | met |")
    print("|---|---|---|")
    if ratios:
        print(
            f"| logger: >= 20k events/s bulk | {spread(bulk, '{:,.0f}')} events/s | "
            f"{met(bulk, lambda v: v >= 20_000)} |"
        )
        print(
            f"| logger: >= 50x naive per-row INSERT | {spread(ratios, '{:.0f}x')} | "
            f"{met(ratios, lambda v: v >= 50)} |"
        )
    top = max(sizes)
    if top:
        ratio = results[top]["ratio"]
        print(
            f"| logger: sink at {top:,} rows >= 0.8x the empty table's (median of paired rounds) | {ratio:.2f}x | "
            f"{'yes' if ratio >= 0.8 else 'no'} |"
        )
        for label, key in (("unfiltered", "all p95"), ("filtered", "shop+window+model p95")):
            v = results[top][key]
            print(
                f"| logger: `/stats` <= 100 ms at {top:,} rows (p95, {label}) | {v:,.1f} ms | "
                f"{'yes' if v <= 100 else 'no'} |"
            )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nload average {load} at the end")


if __name__ == "__main__":
    main()
