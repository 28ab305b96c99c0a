"""The logging set-up of every EcomInsight process (the ``ecominsight`` command, ``python -m
services.<name>``, the outbox publisher's child)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that log every connection attempt at INFO: only their warnings are shown.
NOISY = ("kafka", "httpx", "httpx2", "httpcore")  # httpx2: the MCP SDK's and the hub's client


def quiet_libraries(quiet: Mapping[str, int] | None = None) -> None:
    """The ``NOISY`` libraries at WARNING and up, ``quiet`` per logger name; the rest untouched.

    The app factories call it too, so an app served by plain ``uvicorn --factory`` (where
    ``setup_logging`` never runs, and the MCP SDK's set-up turns the root logger to INFO) does
    not write a log line for every call it makes to another service."""
    for name, level in {**dict.fromkeys(NOISY, logging.WARNING), **(quiet or {})}.items():
        logging.getLogger(name).setLevel(level)


def setup_logging(verbose: bool = False, *, quiet: Mapping[str, int] | None = None) -> None:
    """INFO (DEBUG when ``verbose``) to stderr with a timestamp and the logger's name. The
    ``NOISY`` libraries log at WARNING and up; ``quiet`` sets other levels per logger name."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format=FORMAT)
    quiet_libraries(quiet)
