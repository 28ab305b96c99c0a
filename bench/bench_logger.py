"""Logger benchmarks: sink throughput (bulk Arrow path vs naive per-row INSERT) and
``GET /stats`` latency with 1M rows in the ``queries`` table.

The throughput part feeds the sink directly (no broker): it measures the write path
(dedupe lookup, JSONL append + fsync, DuckDB insert, offsets + sizes, commit), not Kafka.
Both paths write the same events in the same batches, alternately (bulk first in odd rounds,
naive first in even ones), so load from other work hits both alike; each round is reported, with
the median and the range, and each target says in how many rounds it was met.

    .venv/bin/python bench/bench_logger.py            # defaults: 5 rounds of 10k events each way, 1M rows

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
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.logger.schema import open_db  # noqa: E402
from services.logger.sink import FEEDBACK_COLUMNS, QUERY_COLUMNS, Sink  # noqa: E402
from shared.events import FeedbackEvent, QueryEvent  # noqa: E402
from shared.kafka import Received  # noqa: E402
from shared.prompt import build_prompt  # noqa: E402
from shared.results import ToolResult  # noqa: E402


class NaiveSink(Sink):
    """The same sink, but one INSERT statement per row (what the bulk path replaces)."""

    def _insert_rows(self, cur, queries, feedback, logged_at, ids):  # type: ignore[no-untyped-def]
        from services.logger.timefmt import to_json, utc_naive

        q_sql = (
            f"INSERT INTO queries ({', '.join(QUERY_COLUMNS)}) VALUES ({', '.join('?' * len(QUERY_COLUMNS))})"
        )
        for e in queries:
            cur.execute(
                q_sql,
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
                ],
            )
        f_sql = f"INSERT INTO feedback ({', '.join(FEEDBACK_COLUMNS)}) VALUES ({', '.join('?' * len(FEEDBACK_COLUMNS))})"
        for f in feedback:
            cur.execute(
                f_sql,
                [ids[id(f)], f.query_id, f.rating, f.comment, utc_naive(f.occurred_at), logged_at, f.shop_id,
                 f.correction],
            )


def make_events(n: int, seed: int = 1) -> list[Received]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    out: list[Received] = []
    for i in range(n):
        if i % 10 == 9:
            event: QueryEvent | FeedbackEvent = FeedbackEvent(
                query_id=f"q{i - 1}", rating=rng.choice(["positive", "negative"])
            )
        else:
            result = ToolResult(tool="count_orders", values={"count": rng.randint(1, 5000)})
            q = "How many orders do I have?"
            ok = rng.random() < 0.85
            event = QueryEvent(
                query_id=f"q{i}",
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
                occurred_at=start + timedelta(seconds=i),
            )
        out.append(Received(event, "bench", 0, i))
    return out


def throughput(sink_cls: type[Sink], events: list[Received], batch: int, template: Path | None = None) -> float:
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


def fill_million(path: Path, rows: int) -> None:
    conn = open_db(path)
    conn.execute(f"""
        INSERT INTO queries
        SELECT uuid(), 'q' || i, CAST(i % 50 AS VARCHAR), TIMESTAMP '2026-01-01' + to_seconds(i),
               'How many orders do I have?', 'You have ' || i || ' orders.',
               ['order_count','revenue','top_customers','unsupported'][1 + i % 4],
               ['count_orders','total_revenue','top_customers', NULL][1 + i % 4], '{{}}',
               (i % 1000) / 1000.0, i % 7 <> 0, CASE WHEN i % 7 = 0 THEN 'boom' END, 5 + (i % 400),
               ['template','v1','v2'][1 + i % 3], 'template', 'p', NULL, now()::TIMESTAMP
        FROM range({rows}) t(i)
    """)
    conn.execute(f"""
        INSERT INTO feedback (event_id, query_id, rating, comment, occurred_at, logged_at)
        SELECT uuid(), 'q' || (i * 37), CASE WHEN i % 3 = 0 THEN 'negative' ELSE 'positive' END,
               NULL, TIMESTAMP '2026-01-01', now()::TIMESTAMP FROM range({rows // 20}) t(i)
    """)
    conn.execute("CHECKPOINT")
    conn.close()


def stats_latency(rows: int, runs: int, rounds: int) -> list[dict[str, float]]:
    """Per round: median and p95 of ``runs`` requests, unfiltered and filtered, over one database."""
    from fastapi.testclient import TestClient

    from services.logger.app import create_app
    from services.logger.settings import Settings
    from shared.settings import PathSettings, SecuritySettings

    filters = {
        "all": {},
        "shop+window+model": {
            "shop_id": "7", "since": "2026-01-02T00:00:00Z", "until": "2026-01-09T00:00:00Z", "model_version": "v1",
        },
    }
    out: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        # a local run: the default token is allowed and reads need none
        settings = Settings(paths=PathSettings(data_dir=Path(tmp)), security=SecuritySettings(local_dev=True))
        fill_million(settings.paths.logs_db, rows)
        with TestClient(create_app(settings, start_worker=False)) as client:
            for _ in range(rounds):
                row: dict[str, float] = {}
                for label, params in filters.items():
                    client.get("/stats", params=params)  # warm-up
                    times = []
                    for _ in range(runs):
                        t = time.perf_counter()
                        r = client.get("/stats", params=params)
                        times.append((time.perf_counter() - t) * 1000)
                        assert r.status_code == 200
                    row[f"{label} median"] = statistics.median(times)
                    row[f"{label} p95"] = sorted(times)[int(0.95 * (len(times) - 1))]
                out.append(row)
    return out


def spread(values: list[float], fmt: str) -> str:
    """``median (min–max)``."""
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def met(values: list[float], ok: Callable[[float], bool]) -> str:
    n = sum(ok(v) for v in values)
    if n == len(values):
        return f"yes, in all {n} runs"
    return f"met in {n} of {len(values)} runs" if n else f"no (0 of {len(values)} runs)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000, help="events per run, the same for both paths")
    parser.add_argument("--batch", type=int, default=5000, help="micro-batch size (Settings.batch_max_events)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved bulk/naive rounds")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows already logged for the /stats part")
    parser.add_argument("--full-rounds", type=int, default=3, help="bulk runs into a table of --rows rows")
    parser.add_argument("--runs", type=int, default=30, help="/stats requests per round")
    args = parser.parse_args()

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"duckdb {duckdb.__version__}, python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {load} at the start, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    events = make_events(args.events)
    for cls in (Sink, NaiveSink):  # warm-up, not counted (first use of each code path)
        throughput(cls, events[: min(len(events), args.batch, 1000)], args.batch)
    bulk: list[float] = []
    naive: list[float] = []
    print(f"\nSink throughput: {args.events:,} events per run in batches of {args.batch:,}, both paths, "
          "alternating.\n")
    print("| round | order | bulk events/s | naive events/s | bulk / naive |")
    print("|---|---|---|---|---|")
    for r in range(1, args.rounds + 1):
        order = (Sink, NaiveSink) if r % 2 else (NaiveSink, Sink)
        rates = {cls: throughput(cls, events, args.batch) for cls in order}
        bulk.append(rates[Sink])
        naive.append(rates[NaiveSink])
        first = "bulk, naive" if r % 2 else "naive, bulk"
        print(f"| {r} | {first} | {bulk[-1]:,.0f} | {naive[-1]:,.0f} | {bulk[-1] / naive[-1]:.0f}x |", flush=True)
    ratios = [b / n for b, n in zip(bulk, naive, strict=True)]
    print(f"| median (range) | | {spread(bulk, '{:,.0f}')} | {spread(naive, '{:,.0f}')} | "
          f"{spread(ratios, '{:.0f}x')} |")

    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "full.duckdb"
        fill_million(template, args.rows)
        full = [throughput(Sink, events, args.batch, template) for _ in range(args.full_rounds)]
    print(f"\nBulk path into a table that already holds {args.rows:,} rows ({args.full_rounds} runs): "
          f"{spread(full, '{:,.0f}')} events/s.")

    stats = stats_latency(args.rows, args.runs, args.rounds)
    print(f"\n`GET /stats` at {args.rows:,} rows: {args.rounds} rounds of {args.runs} requests (ms).\n")
    print("| round | unfiltered median | unfiltered p95 | shop + window + model median | p95 |")
    print("|---|---|---|---|---|")
    for r, row in enumerate(stats, start=1):
        print(f"| {r} | {row['all median']:.1f} | {row['all p95']:.1f} | {row['shop+window+model median']:.1f} | "
              f"{row['shop+window+model p95']:.1f} |")
    p95 = [row["all p95"] for row in stats]
    p95_filtered = [row["shop+window+model p95"] for row in stats]

    print("\n| target | median (range) | met |")
    print("|---|---|---|")
    print(f"| logger: >= 20k events/s bulk | {spread(bulk, '{:,.0f}')} events/s | {met(bulk, lambda v: v >= 20_000)} |")
    print(f"| logger: >= 50x naive per-row INSERT | {spread(ratios, '{:.0f}x')} | {met(ratios, lambda v: v >= 50)} |")
    print(f"| logger: `/stats` <= 100 ms at {args.rows:,} rows (p95, unfiltered) | {spread(p95, '{:.1f}')} ms | "
          f"{met(p95, lambda v: v <= 100)} |")
    print(f"| logger: `/stats` <= 100 ms at {args.rows:,} rows (p95, filtered) | {spread(p95_filtered, '{:.1f}')} ms | "
          f"{met(p95_filtered, lambda v: v <= 100)} |")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nload average {load} at the end")


if __name__ == "__main__":
    main()
