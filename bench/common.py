"""What several benchmark scripts share: the ask API in-process over the seeded test warehouse,
and a pool of concurrent keep-alive clients.

The scripts put the repository root on ``sys.path`` before importing this module, so it works
both as ``python bench/<script>.py`` and as ``python -m bench.<script>``. A script copied into an
older checkout (``bench_blind.py`` against a baseline commit) needs this file copied beside it.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

SHOPS = ("10", "11", "12")  # the seeded shops requests take turns over

# Runs one truth query of a question set (SQL, named parameters) on the warehouse: its rows.
TruthQuery = Callable[[str, dict[str, Any]], list[tuple[Any, ...]]]


@contextmanager
def seeded_ask_api() -> Iterator[tuple[Any, TruthQuery]]:
    """The ask app as the tests build it (no API keys, no rate limit, no generator, no events) over
    a fresh warehouse of 3 shops (seed 7, 2,000 orders each): a TestClient, and a function that
    runs a question set's truth SQL read-only on the same warehouse."""
    import duckdb
    from fastapi.testclient import TestClient

    from services.ask.app import create_app
    from services.ask.keys import KeySettings
    from services.ask.seed import seed_warehouse
    from services.ask.settings import Settings
    from shared.settings import PathSettings

    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Path(tmp) / "warehouse.duckdb"
        seed_warehouse(warehouse, shops=3, seed=7, orders_per_shop=2000)
        settings = Settings(
            paths=PathSettings(data_dir=Path(tmp), warehouse_path=warehouse),
            keys=KeySettings(require_api_keys=False, rate_limit_per_s=1e6, rate_limit_burst=10**6),
            use_generator=False,
            publish_events=False,
        )
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            with TestClient(create_app(settings)) as client:
                yield client, lambda sql, params: con.cursor().execute(sql, params).fetchall()
        finally:
            con.close()


def run_clients(
    url: str,
    clients: int,
    seconds: float,
    send: Callable[[httpx.Client, int, int], None],
    timeout: float = 30,
) -> float:
    """Run ``clients`` keep-alive HTTP clients against ``url`` for ``seconds``: client ``k`` sends
    requests ``k``, ``k + clients``, ``k + 2 * clients`` ... by calling ``send(client, k, i)``.
    Returns the wall time the clients took, in seconds."""
    stop = time.perf_counter() + seconds

    def worker(k: int) -> None:
        with httpx.Client(base_url=url, timeout=timeout) as client:
            i = k
            while time.perf_counter() < stop:
                send(client, k, i)
                i += clients

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def report(text: str, write: Path | None) -> int:
    """Print a benchmark's Markdown and, with ``--write FILE``, write it to that file too; the
    script's exit status."""
    print(text)
    if write:
        write.write_text(text)
    return 0
