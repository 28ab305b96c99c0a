"""The ``ecominsight`` command. Each service adds its own subcommands in ``services/<name>/cli.py``
through a ``register(subparsers)`` function."""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
import threading
from collections.abc import Sequence

from shared.errors import EcomInsightError

SERVICE_CLIS = ("services.ask.cli", "services.logger.cli", "services.generator.cli", "services.trainer.cli",
                "services.stack.cli")


def _broker(args: argparse.Namespace) -> int:
    from shared.broker import LocalBroker
    from shared.kafka import ensure_topics
    from shared.settings import KafkaSettings

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with LocalBroker(port=args.port) as broker:
        kafka = KafkaSettings(bootstrap_servers=broker.bootstrap_servers)
        ensure_topics(kafka)
        print(f"Kafka-protocol broker (Tansu, memory storage) on {broker.bootstrap_servers}")
        print(f"topics: {', '.join(kafka.all_topics())}")
        print(f"export KAFKA_BOOTSTRAP_SERVERS={broker.bootstrap_servers}   # Ctrl-C stops it")
        sys.stdout.flush()
        while not stop.is_set() and broker.running:
            stop.wait(0.5)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ecominsight", description="EcomInsight: ask your shop, learn from it.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    broker = sub.add_parser("broker", help="run a local Kafka-protocol broker (Tansu)")
    broker.add_argument("--port", type=int, default=9092)
    broker.set_defaults(func=_broker)
    for module_name in SERVICE_CLIS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):  # that service has no CLI yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("kafka", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return int(args.func(args) or 0)
    except EcomInsightError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
