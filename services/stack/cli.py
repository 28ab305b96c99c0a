"""``ecominsight up`` and ``ecominsight demo``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from services.stack.settings import Settings


def _up(args: argparse.Namespace) -> int:
    from services.stack.up import run_until_stopped

    overrides = {k: v for k, v in {"data_dir": args.data_dir, "ask_port": args.port}.items() if v is not None}
    if args.api_keys:
        overrides["require_api_keys"] = True
    settings = Settings(**overrides)
    print(f"EcomInsight: starting everything with state under {settings.data_dir.resolve()}", flush=True)
    return run_until_stopped(settings)


def _demo(args: argparse.Namespace) -> int:
    from services.stack.demo import Demo
    from services.stack.secrets import StackSecrets, secrets_path

    s = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    where = secrets_path(s.data_dir.resolve())
    if not where.exists():
        print(f"no {where}: start `ecominsight up` with this data folder first")
        return 1
    tokens = StackSecrets(**json.loads(where.read_text()))
    demo = Demo(
        ask_url=f"http://{s.host}:{s.ask_port}",
        logger_url=f"http://{s.host}:{s.logger_port}",
        generator_url=f"http://{s.host}:{s.generator_port}",
        admin_token=s.admin_token or tokens.logger_admin_token,
        models_dir=s.data_dir / "models",
        ask_admin_key=tokens.ask_admin_key,
        shops=tuple(args.shops.split(",")),
    )
    return demo.run(args.questions, args.train_timeout)


def register(sub: argparse._SubParsersAction) -> None:
    up = sub.add_parser("up", help="run the broker and every service locally (offline), Ctrl-C stops all")
    up.add_argument("--data-dir", type=Path, help="where all state lives (default ./data)")
    up.add_argument("--port", type=int, help="port of the ask API (default 8000)")
    up.add_argument(
        "--api-keys", action="store_true",
        help="require shop API keys on the ask API, as a deployment does (ecominsight keys create --shop ID)",
    )  # fmt: skip
    up.set_defaults(func=_up)
    demo = sub.add_parser("demo", help="drive the learning loop against a running `ecominsight up`")
    demo.add_argument("--data-dir", type=Path, help="the data dir `up` uses (default ./data)")
    demo.add_argument("--questions", type=int, default=300)
    demo.add_argument("--shops", default="11,12", help="comma-separated shop ids to ask about (11: German owner, 12: terse)")
    demo.add_argument("--train-timeout", type=float, default=1800.0, help="seconds to wait for a new model")
    demo.set_defaults(func=_demo)
