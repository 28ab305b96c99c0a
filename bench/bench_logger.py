"""Logger benchmarks: sink throughput (bulk Arrow path vs naive per-row INSERT, same run) and
``GET /stats`` latency with 1M rows in the ``queries`` table.

The throughput part feeds the sink directly (no broker): it measures the write path
(dedupe lookup, JSONL append + fsync, DuckDB insert, offsets + sizes, commit), not Kafka.

    .venv/bin/python bench/bench_logger.py            # defaults: 50k events, 5k naive, 1M rows
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
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
        from services.logger.sink import to_json, utc_naive

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


def throughput(sink_cls: type[Sink], events: list[Received], batch: int, prefill: int = 0) -> float:
    """Events per second through ``sink.write`` into a fresh database (with ``prefill`` rows already in it)."""
    with tempfile.TemporaryDirectory() as tmp:
        if prefill:
            fill_million(Path(tmp) / "q.duckdb", prefill)
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
        INSERT INTO feedback SELECT uuid(), 'q' || (i * 37), CASE WHEN i % 3 = 0 THEN 'negative' ELSE 'positive' END,
               NULL, TIMESTAMP '2026-01-01', now()::TIMESTAMP FROM range({rows // 20}) t(i)
    """)
    conn.execute("CHECKPOINT")
    conn.close()


def stats_latency(rows: int, runs: int) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from services.logger.app import create_app
    from services.logger.settings import Settings
    from shared.settings import PathSettings, SecuritySettings

    with tempfile.TemporaryDirectory() as tmp:
        # a local run: the default token is allowed and reads need none
        settings = Settings(paths=PathSettings(data_dir=Path(tmp)), security=SecuritySettings(local_dev=True))
        fill_million(settings.paths.logs_db, rows)
        out: dict[str, float] = {}
        with TestClient(create_app(settings, start_worker=False)) as client:
            for label, params in (
                ("all", {}),
                (
                    "shop+window+model",
                    {
                        "shop_id": "7",
                        "since": "2026-01-02T00:00:00Z",
                        "until": "2026-01-09T00:00:00Z",
                        "model_version": "v1",
                    },
                ),
            ):
                client.get("/stats", params=params)  # warm-up
                times = []
                for _ in range(runs):
                    t = time.perf_counter()
                    r = client.get("/stats", params=params)
                    times.append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 200
                out[f"{label} median"] = statistics.median(times)
                out[f"{label} p95"] = sorted(times)[int(0.95 * (len(times) - 1))]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--naive-events", type=int, default=5_000)
    parser.add_argument(
        "--batch", type=int, default=5000, help="micro-batch size (Settings.batch_max_events)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="throughput runs of each path; the median is reported"
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"duckdb {duckdb.__version__}, python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}"
    )
    events = make_events(max(args.events, args.naive_events))
    bulk = statistics.median(throughput(Sink, events[: args.events], args.batch) for _ in range(args.repeat))
    naive = statistics.median(
        throughput(NaiveSink, events[: args.naive_events], args.batch) for _ in range(args.repeat)
    )
    print(f"sink bulk  ({args.events:,} events, batches of {args.batch}): {bulk:,.0f} events/s")
    print(f"sink naive ({args.naive_events:,} events, per-row INSERT):      {naive:,.0f} events/s")
    print(f"ratio bulk / naive: {bulk / naive:.0f}x")
    small = statistics.median(throughput(Sink, events[: args.events], 2000) for _ in range(args.repeat))
    print(f"sink bulk  ({args.events:,} events, batches of 2000): {small:,.0f} events/s")
    full = throughput(Sink, events[: args.events], args.batch, prefill=args.rows)
    print(
        f"sink bulk  ({args.events:,} events, batches of {args.batch}, {args.rows:,} rows already logged): {full:,.0f} events/s"
    )
    for label, ms in stats_latency(args.rows, args.runs).items():
        print(f"GET /stats at {args.rows:,} rows, {label}: {ms:.1f} ms")


if __name__ == "__main__":
    main()
