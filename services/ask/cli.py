"""``ecominsight ask`` (serve), ``mcp`` (the MCP tools over stdio), ``seed-data``, ``import-data``, ``keys create | list | revoke``."""

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


def _mcp(args: argparse.Namespace) -> int:
    from services.ask.app import open_services
    from services.ask.mcp_server import StdioSettings, serve_stdio
    from services.ask.settings import Settings

    settings = Settings()
    # Its own outbox folder (an outbox has one writer: the ask service may be running too) and a
    # publisher thread; stdout carries the protocol, so nothing else may write to it.
    paths = settings.paths.model_copy(update={"outbox_dir": settings.paths.outbox.with_name("outbox-mcp")})
    settings = settings.model_copy(update={"paths": paths, "outbox_publisher": "thread"})
    configured = StdioSettings().api_key
    key = args.key or (configured.get_secret_value() if configured else None)
    with open_services(settings) as services:
        serve_stdio(services, key)
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
    counts = import_files(path, [Path(p) for p in args.paths], replace=args.replace, announce=print)
    print(f"imported into {path}: " + ", ".join(f"{n} {table}" for table, n in counts.items()))
    return 0


def _keys(args: argparse.Namespace) -> int:
    from services.ask.keys import HEADER_HELP, KeySettings, KeyStore
    from shared.settings import PathSettings

    store = KeyStore(Path(args.file) if args.file else KeySettings().path(PathSettings()))
    if args.keys_command == "create":
        if args.admin == (args.shop is not None):
            print("name a shop (--shop ID) or ask for an admin key (--admin), not both")
            return 2
        key = store.create(args.shop, args.label, admin=args.admin)
        whose = "an admin key (every shop's lexicon, MCP run_sql; no shop's answers)" if args.admin else (
            f"API key for shop {args.shop}"
        )
        print(f"{whose} (shown once; only its hash is kept in {store.path}):\n\n  {key}\n")
        print(f"Clients {HEADER_HELP}.")
    elif args.keys_command == "revoke":
        info = store.revoke(args.key_id)
        print(f"revoked key {info.key_id} of shop {info.shop_id}")
    else:
        keys = store.list()
        if not keys:
            print(f"no API keys in {store.path}")
        for k in keys:
            state = f"revoked {k.revoked_at}" if k.revoked_at else "active"
            whose = f"shop {k.shop_id:<8}" if k.shop_id is not None else "admin        "
            print(f"{k.key_id}  {whose} created {k.created_at}  {state}  {k.label or ''}".rstrip())
    return 0


def register(sub: Any) -> None:
    serve = sub.add_parser("ask", help="serve the ask API (FastAPI, uvicorn)")
    serve.add_argument("--host", default=None, help="default: ECOMINSIGHT_ASK_HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default: ECOMINSIGHT_ASK_PORT or 8000")
    serve.set_defaults(func=_serve)

    mcp = sub.add_parser("mcp", help="serve the ask tools over the Model Context Protocol on stdin/stdout")
    mcp.add_argument(
        "--key", default=None,
        help="the shop's API key (default: ECOMINSIGHT_MCP_API_KEY; prefer the variable, arguments show in ps)",
    )  # fmt: skip
    mcp.set_defaults(func=_mcp)

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
        help="replace the rows of the shops in the files (only those shops, only the tables given)",
    )
    imp.add_argument("--warehouse", default=None, help="warehouse file (default: ECOMINSIGHT_WAREHOUSE_PATH)")
    imp.set_defaults(func=_import)

    keys = sub.add_parser("keys", help="per-shop API keys for the ask API: create, list, revoke")
    keys.add_argument("--file", default=None, help="keys file (default: ECOMINSIGHT_ASK_API_KEYS_FILE or DATA_DIR/api_keys.json)")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser("create", help="a new key for one shop, or an admin key (printed once)")
    create.add_argument("--shop", default=None, help="the shop_id the key reads")
    create.add_argument(
        "--admin", action="store_true",
        help="an admin key: every shop's learned lexicon and MCP run_sql, but no shop's answers",
    )  # fmt: skip
    create.add_argument("--label", default=None, help="a note to tell keys apart")
    keys_sub.add_parser("list", help="key ids, shops, and whether they are revoked (never the keys)")
    revoke = keys_sub.add_parser("revoke", help="revoke a key by its id (from `keys list`) or the key itself")
    revoke.add_argument("key_id")
    keys.set_defaults(func=_keys)
