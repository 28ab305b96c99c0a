"""``ecominsight ask`` (serve), ``ecominsight seed-data``, ``ecominsight import-data``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from services.ask.app import create_app
    from services.ask.settings import Settings

    overrides: dict[str, Any] = {}
    if args.host:
        overrides["host"] = args.host
    if args.port:
        overrides["port"] = args.port
    settings = Settings(**overrides)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
    return 0


def _seed(args: argparse.Namespace) -> int:
    from services.ask.seed import seed_warehouse
    from services.ask.settings import Settings

    path = Path(args.warehouse) if args.warehouse else Settings().paths.warehouse
    counts = seed_warehouse(path, shops=args.shops, seed=args.seed, orders_per_shop=args.orders)
    print(f"seeded {path}: " + ", ".join(f"{n} {table}" for table, n in counts.items()))
    return 0


def _import(args: argparse.Namespace) -> int:
    from services.ask.importer import import_files
    from services.ask.settings import Settings

    path = Path(args.warehouse) if args.warehouse else Settings().paths.warehouse
    counts = import_files(path, [Path(p) for p in args.paths], replace=args.replace)
    print(f"imported into {path}: " + ", ".join(f"{n} {table}" for table, n in counts.items()))
    return 0


def register(sub: Any) -> None:
    serve = sub.add_parser("ask", help="serve the ask API (FastAPI, uvicorn)")
    serve.add_argument("--host", default=None, help="default: ECOMINSIGHT_ASK_HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default: ECOMINSIGHT_ASK_PORT or 8000")
    serve.set_defaults(func=_serve)

    seed = sub.add_parser("seed-data", help="fill the warehouse with deterministic sample shops and orders")
    seed.add_argument(
        "--shops", type=int, default=3, help="number of shops (shop '10' is always first; max 6)"
    )
    seed.add_argument("--seed", type=int, default=42, help="random seed")
    seed.add_argument("--orders", type=int, default=3000, help="orders per shop (about)")
    seed.add_argument(
        "--warehouse", default=None, help="warehouse file (default: ECOMINSIGHT_WAREHOUSE_PATH)"
    )
    seed.set_defaults(func=_seed)

    imp = sub.add_parser(
        "import-data", help="load CSV or Parquet files (shops.csv, orders.parquet, ...) into the warehouse"
    )
    imp.add_argument("paths", nargs="+", help="files named after their table, or folders holding them")
    imp.add_argument(
        "--replace",
        action="store_true",
        help="replace the contents of the imported tables instead of adding to them",
    )
    imp.add_argument("--warehouse", default=None, help="warehouse file (default: ECOMINSIGHT_WAREHOUSE_PATH)")
    imp.set_defaults(func=_import)
