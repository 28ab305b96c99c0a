"""Fixtures for the ask service: a seeded warehouse file, settings and an in-process client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fastapi.testclient import TestClient

from services.ask.app import create_app
from services.ask.keys import KeySettings
from services.ask.seed import seed_warehouse
from services.ask.settings import Settings
from shared.broker import free_port
from shared.settings import KafkaSettings, PathSettings


@pytest.fixture(scope="session")
def warehouse_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded warehouse (3 shops, shop "10" first), shared read-only by the ask tests."""
    path = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    seed_warehouse(path, shops=3, seed=7, orders_per_shop=2000)
    return path


@pytest.fixture(scope="session")
def sql(warehouse_path: Path) -> Iterator[Callable[..., list[tuple[Any, ...]]]]:
    """The tests' own read-only connection for computing expected answers independently."""
    con = duckdb.connect(str(warehouse_path), read_only=True)

    def run(query: str, *params: Any) -> list[tuple[Any, ...]]:
        return con.cursor().execute(query, list(params)).fetchall()

    yield run
    con.close()


@pytest.fixture
def make_settings(warehouse_path: Path, tmp_path: Path) -> Callable[..., Settings]:
    """Settings over the seeded warehouse; the generator points at a port where nothing listens."""

    def make(kafka: KafkaSettings | None = None, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "paths": PathSettings(data_dir=tmp_path, warehouse_path=warehouse_path),
            "keys": KeySettings(require_api_keys=False, rate_limit_per_s=1e6, rate_limit_burst=1_000_000),
            "generator_url": f"http://127.0.0.1:{free_port()}",
            "generator_timeout_s": 1.0,
            "publish_events": kafka is not None,
            "understanding_poll_s": 0.0,  # no logger to learn from unless a test starts one
        }
        if kafka is not None:
            values["kafka"] = kafka
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def client(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    """The ask app without event publishing (answers and input handling only)."""
    with TestClient(create_app(make_settings())) as c:
        yield c
