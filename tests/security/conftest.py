"""What the attacks in this folder try to reach: a logger app with logged queries and feedback,
a secret file and a folder that must stay empty; and the ask API with keys required (shops 10
and 11 and an admin key) in front of a logger over HTTP holding both shops' questions."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from evaluation.phrasers import serve_http
from services.ask.app import create_app as create_ask_app
from services.ask.keys import KeySettings, KeyStore
from services.ask.settings import Settings as AskSettings
from services.logger.app import create_app
from services.logger.settings import Settings
from services.logger.sink.writer import Sink
from shared.broker import free_port
from shared.kafka import Received
from shared.settings import KafkaSettings, PathSettings
from tests.ask.conftest import warehouse_path  # noqa: F401  (a fixture: the seeded warehouse)
from tests.logger.conftest import ADMIN, make_settings, query_event

SENTINEL = "SENTINEL-7f3a9c-not-for-your-eyes"


@dataclass(frozen=True)
class Target:
    client: TestClient
    settings: Settings
    secret: Path  # a file holding SENTINEL
    empty: Path  # a folder nothing may be written to

    def sql(self, statement: str) -> tuple[int, str]:
        body = json.dumps({"sql": statement}).encode()  # ASCII: a lone surrogate travels as \ud800
        r = self.client.post("/sql", content=body, headers={**ADMIN, "Content-Type": "application/json"})
        return r.status_code, r.text


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    root = tmp_path_factory.mktemp("target")
    secret = root / "secret.csv"
    secret.write_text(f"name,value\n{SENTINEL},1\n")
    empty = root / "must-stay-empty"
    empty.mkdir()
    # no broker: the app runs without its Kafka consumer and these tests never export over HTTP
    settings = make_settings(
        root / "data", KafkaSettings(bootstrap_servers="127.0.0.1:9"),
        sql_timeout_s=1.0, sql_max_bytes=64 * 1024, sql_memory_limit="128MB",
    )
    app = create_app(settings, start_worker=False)
    with TestClient(app) as client:
        sink = Sink(app.state.service.db.cursor(), settings.paths.query_logs)
        sink.write([Received(query_event(i), "t", 0, i) for i in range(60)])
        sink.close()
        yield Target(client, settings, secret, empty)


# -- the ask API with keys required, and a logger behind it over HTTP ---------------------------

NO_BROKER = KafkaSettings(bootstrap_servers="127.0.0.1:9")
LOGGER_ADMIN, LOGGER_READ = "test-token", "test-read-token"  # the logger's tokens in make_settings
# A raw MCP ``initialize`` (what any HTTP client can send), and the headers the transport needs.
INITIALIZE = {
    "jsonrpc": "2.0", "id": 1, "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "attacker", "version": "1"}},
}  # fmt: skip
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture
def ask_settings(warehouse_path: Path, tmp_path: Path) -> Callable[..., AskSettings]:  # noqa: F811
    """The ask service as deployed: keys required; no broker, no generator, no learning."""

    def make(**overrides: Any) -> AskSettings:
        values: dict[str, Any] = {
            "paths": PathSettings(data_dir=tmp_path, warehouse_path=warehouse_path),
            "keys": KeySettings(require_api_keys=True, rate_limit_per_s=1e6, rate_limit_burst=1_000_000),
            "generator_url": f"http://127.0.0.1:{free_port()}",
            "generator_timeout_s": 1.0,
            "publish_events": False,
            "understanding_poll_s": 0.0,
        }
        values.update(overrides)
        return AskSettings(**values)

    return make


@dataclass(frozen=True)
class Tenants:
    """An ask app with keys of shops 10 and 11 and an admin key, and the logger it reads."""

    client: httpx.Client  # the ask app over real HTTP, as every caller reaches it
    url: str  # the same, for MCP
    logger_url: str
    keys: dict[str, str]  # "10", "11", "admin"
    settings: AskSettings

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}


@contextmanager
def tenants_running(tmp_path: Path, ask_settings: Callable[..., AskSettings], **overrides: Any) -> Iterator[Tenants]:
    logger_settings = make_settings(tmp_path / "logger", NO_BROKER)
    logger_app = create_app(logger_settings, start_worker=False)
    with serve_http(logger_app) as logger_url:
        sink = Sink(logger_app.state.service.db.cursor(), logger_settings.paths.query_logs)
        events = [query_event(i, shop_id=("10", "11")[i % 2], question=f"secret question {i} of shop "
                              f"{('10', '11')[i % 2]} from a{i}@example.com") for i in range(40)]
        sink.write([Received(e, "t", 0, i) for i, e in enumerate(events)])
        sink.close()
        settings = ask_settings(
            logger_url=logger_url, logger_read_token=LOGGER_READ, logger_admin_token=LOGGER_ADMIN, **overrides
        )
        store = KeyStore(settings.keys.path(settings.paths))
        keys = {"10": store.create("10"), "11": store.create("11"), "admin": store.create(None, admin=True)}
        app = create_ask_app(settings)
        # One server, one lifespan: a TestClient beside it would start the app's lifespan a second
        # time in another event loop, and MCP sessions opened over HTTP could then land in the other
        # loop's task group (its shutdown waited for them forever, now and then, under load).
        with serve_http(app) as url, httpx.Client(base_url=url, timeout=30) as client:
            yield Tenants(client, url, logger_url, keys, settings)


@pytest.fixture
def tenants(tmp_path: Path, ask_settings: Callable[..., AskSettings]) -> Iterator[Tenants]:
    with tenants_running(tmp_path, ask_settings) as running:
        yield running

