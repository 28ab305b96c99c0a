"""A logger app with logged queries and feedback, a secret file and a folder that must stay
empty: what the attacks in this folder try to reach."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.logger.app import create_app
from services.logger.settings import Settings
from services.logger.sink import Sink
from shared.kafka import Received
from shared.settings import KafkaSettings
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
