"""The logger's ``ecominsight`` subcommands, one CLI: ``logger`` (serve; also ``python -m
services.logger``), the reads and the export (``reports.py``: ``stats``, ``failed``,
``low-confidence``, ``sql``, ``export``) and ``review list | label | status`` (``review.py``)."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from services.logger.cli import reports, review


def _serve(args: argparse.Namespace) -> int:
    """Run the logger (HTTP API + sink) with uvicorn until SIGINT/SIGTERM. The crash tests'
    fault hooks, if the environment asks for them, are read here once (``faults.py``)."""
    import uvicorn

    from services.logger.app import create_app
    from services.logger.faults import hooks_from_env
    from services.logger.settings import Settings

    overrides = {k: v for k, v in {"host": args.host, "port": args.port}.items() if v is not None}
    settings = Settings(**overrides)
    app = create_app(settings, hooks=hooks_from_env())
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
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
    p.set_defaults(func=reports.stats)

    p = sub.add_parser("failed", help="the latest failed queries")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=reports.failed)

    p = sub.add_parser("low-confidence", help="queries answered with low confidence")
    p.add_argument("--threshold", type=float, default=0.7)
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=reports.low_confidence)

    p = sub.add_parser(
        "sql",
        help='one read-only SELECT over the logs, e.g. "SELECT intent, count(*) FROM queries GROUP BY 1"',
    )
    p.add_argument("query")
    p.add_argument("--max-rows", type=int, default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=reports.sql)

    review.register(sub)

    p = sub.add_parser("export", help="export the fine-tuning set and publish ExportComplete")
    p.add_argument("--output", default=None, help="also write the set to this file")
    p.set_defaults(func=reports.export)
