"""Running an ``ecominsight`` command: one parser built from ``register(subparsers)`` functions
(each service has one in ``services/<name>/cli.py``), one logging set-up, and an
``EcomInsightError`` printed as one line with exit status 2.

``services/cli.py`` runs it with every service's ``register`` (the ``ecominsight`` command); a
service's ``python -m services.<name>`` runs it with its own only, so starting one service never
imports the others' code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from shared.errors import EcomInsightError
from shared.logs import setup_logging
from shared.settings import state_line

Register = Callable[[Any], None]  # called with the parser's subparsers (``add_subparsers()``)


def build_parser(registers: Iterable[Register]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ecominsight", description="EcomInsight: ask your shop, learn from it.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in registers:
        register(sub)
    return parser


def run(argv: Sequence[str] | None, registers: Iterable[Register]) -> int:
    """Parse ``argv`` (default: ``sys.argv[1:]``), set up logging, run the chosen command."""
    args = build_parser(registers).parse_args(argv)
    setup_logging(args.verbose)
    print(state_line(getattr(args, "data_dir", None)), file=sys.stderr)  # every command says where its state is
    try:
        return int(args.func(args) or 0)
    except EcomInsightError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
