"""The logger's read commands: ``ecominsight stats``, ``failed``, ``low-confidence``, ``sql`` and
``export``. They go through the running logger, or straight to the database file (read-only)
when it is stopped (``client.py``)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from services.logger.client import LogClient


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


def stats(args: argparse.Namespace) -> int:
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


def _print_queries(rows: list[dict[str, Any]], title: str, as_json: bool) -> int:
    if as_json:
        print(json.dumps(rows, indent=2))
    else:
        _print_rows(title, rows, REVIEW)
    return 0


def failed(args: argparse.Namespace) -> int:
    rows = LogClient().get_failed_queries(args.limit)
    return _print_queries(rows, f"Failed queries (latest {args.limit})", args.json)


def low_confidence(args: argparse.Namespace) -> int:
    rows = LogClient().get_low_confidence_queries(args.threshold, args.limit)
    return _print_queries(rows, f"Queries with confidence < {args.threshold:g}", args.json)


def sql(args: argparse.Namespace) -> int:
    result = LogClient().sql(args.query, args.max_rows)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    rows = [dict(zip(result["columns"], row, strict=True)) for row in result["rows"]]
    _print_rows(f"{result['row_count']} rows in {result['elapsed_ms']:.1f} ms", rows, result["columns"])
    if result["truncated"]:
        _console().print(f"[yellow]truncated to {result['row_count']} rows[/yellow]")
    return 0


def export(args: argparse.Namespace) -> int:
    result = LogClient().export_for_finetuning(args.output)
    print(f"export {result['export_id']}: {result['n_examples']} examples, sha256 {result['sha256']}")
    print(f"  versioned copy: {result['path']}")
    print(f"  written to:     {result['output_file']}")
    if not result.get("published"):
        print(f"  ExportComplete NOT published: {result.get('publish_error')}")
    return 0
