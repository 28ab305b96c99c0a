"""``ecominsight`` subcommands of the logger: ``logger`` (serve), ``stats``, ``failed``,
``low-confidence``, ``sql``, ``export`` and ``review`` (``review_cli.py``). Reads go through the running logger, or straight to
the database file (read-only) when it is stopped."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from services.logger.cli.review import register_review
from services.logger.client import LogClient
from services.logger.settings import Settings


def _console() -> Console:
    return Console(soft_wrap=False)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _print_rows(title: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    table = Table(title=title, show_lines=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    _console().print(table)


def _serve(args: argparse.Namespace) -> int:
    from services.logger.app import serve

    overrides = {k: v for k, v in {"host": args.host, "port": args.port}.items() if v is not None}
    serve(Settings(**overrides))
    return 0


def _stats(args: argparse.Namespace) -> int:
    client = LogClient()
    s = client.get_statistics(args.shop, args.since, args.until, args.model_version)
    if args.json:
        print(json.dumps(s, indent=2))
        return 0
    console = _console()
    summary = Table(title=f"Query statistics ({client.source})", show_header=False)
    summary.add_column("metric")
    summary.add_column("value", justify="right")
    summary.add_row("total queries", f"{s['total_queries']:,}")
    summary.add_row("success rate", f"{s['success_rate']:.1%}")
    summary.add_row("avg confidence", f"{s['avg_confidence']:.3f}")
    summary.add_row("avg response time", f"{s['avg_response_time']:.3f} s")
    summary.add_row("feedback +/-", f"{s['feedback']['positive']:,} / {s['feedback']['negative']:,}")
    console.print(summary)
    for key, title in (("intent_distribution", "intent"), ("tool_distribution", "tool")):
        table = Table(title=f"By {title}")
        table.add_column(title)
        table.add_column("queries", justify="right")
        for name, n in s[key].items():
            table.add_row(name, f"{n:,}")
        console.print(table)
    return 0


REVIEW = ["timestamp", "shop_id", "question", "answer", "intent", "tool_used", "confidence", "error"]


def _failed(args: argparse.Namespace) -> int:
    rows = LogClient().get_failed_queries(args.limit)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        _print_rows(f"Failed queries (latest {args.limit})", rows, REVIEW)
    return 0


def _low_confidence(args: argparse.Namespace) -> int:
    rows = LogClient().get_low_confidence_queries(args.threshold, args.limit)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        _print_rows(f"Queries with confidence < {args.threshold:g}", rows, REVIEW)
    return 0


def _sql(args: argparse.Namespace) -> int:
    result = LogClient().sql(args.query, args.max_rows)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    rows = [dict(zip(result["columns"], row, strict=True)) for row in result["rows"]]
    _print_rows(f"{result['row_count']} rows in {result['elapsed_ms']:.1f} ms", rows, result["columns"])
    if result["truncated"]:
        _console().print(f"[yellow]truncated to {result['row_count']} rows[/yellow]")
    return 0


def _export(args: argparse.Namespace) -> int:
    result = LogClient().export_for_finetuning(args.output)
    print(f"export {result['export_id']}: {result['n_examples']} examples, sha256 {result['sha256']}")
    print(f"  versioned copy: {result['path']}")
    print(f"  written to:     {result['output_file']}")
    if not result.get("published"):
        print(f"  ExportComplete NOT published: {result.get('publish_error')}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("logger", help="run the logger: Kafka sink to JSONL + DuckDB, stats/SQL/export API")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.set_defaults(func=_serve)

    p = sub.add_parser("stats", help="query statistics (from the running logger or the log file)")
    p.add_argument("--shop", default=None, help="only this shop_id")
    p.add_argument("--since", type=datetime.fromisoformat, default=None, help="ISO time, UTC if no zone")
    p.add_argument("--until", type=datetime.fromisoformat, default=None, help="ISO time, exclusive")
    p.add_argument("--model-version", default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_stats)

    p = sub.add_parser("failed", help="the latest failed queries")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_failed)

    p = sub.add_parser("low-confidence", help="queries answered with low confidence")
    p.add_argument("--threshold", type=float, default=0.7)
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_low_confidence)

    p = sub.add_parser(
        "sql",
        help='one read-only SELECT over the logs, e.g. "SELECT intent, count(*) FROM queries GROUP BY 1"',
    )
    p.add_argument("query")
    p.add_argument("--max-rows", type=int, default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_sql)

    register_review(sub)

    p = sub.add_parser("export", help="export the fine-tuning set and publish ExportComplete")
    p.add_argument("--output", default=None, help="also write the set to this file")
    p.set_defaults(func=_export)
