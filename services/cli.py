"""The ``ecominsight`` command (``python -m services.cli``): ``broker`` and every service's
subcommands, from the ``register(subparsers)`` function in each ``services/<name>/cli.py``. It sits
above the services and imports them by name (``shared/`` never imports a service);
``shared.command`` builds the parser and runs the command."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from services.ask.cli import register as register_ask
from services.generator.cli import register as register_generator
from services.logger.cli import register as register_logger
from services.settings_doc import register as register_settings
from services.stack.cli import register as register_stack
from services.trainer.cli import register as register_trainer
from shared.command import Register, run


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


def register_broker(sub: Any) -> None:
    broker = sub.add_parser("broker", help="run a local Kafka-protocol broker (Tansu)")
    broker.add_argument("--port", type=int, default=9092)
    broker.set_defaults(func=_broker)


REGISTER: tuple[Register, ...] = (
    register_broker, register_ask, register_logger, register_generator, register_trainer, register_stack,
    register_settings,
)


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv, REGISTER)


if __name__ == "__main__":
    sys.exit(main())
