"""The review loop over real HTTP: questions the ask service refused are labelled by a reviewer
(``ecominsight review label --as``) in the logger, the ask service learns from the labels on its
own, and then answers new questions it refused before, saying how it read the new word."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from evaluation.phrasers import serve_http
from services.ask.app import create_app
from services.ask.keys import KeyStore
from services.ask.settings import Settings
from services.logger.app import create_app as create_logger_app
from services.logger.cli.review import label_query
from services.logger.settings import Settings as LoggerSettings
from services.logger.sink.writer import Sink
from shared.kafka import Received
from shared.settings import KafkaSettings
from tests.logger.conftest import make_settings as logger_settings
from tests.logger.conftest import query_event

REFUSED = {  # what owners typed -> how the reviewer rephrases it
    "umsatz last month": "revenue last month",
    "umsatz this year by category": "revenue this year by category",
    "how many new punters this month": "how many new customers this month",
    "punters from germany": "customers from germany",
}


@pytest.fixture
def logger(tmp_path: Path) -> Iterator[tuple[LoggerSettings, str, dict[str, str]]]:
    """A logger over HTTP whose log holds the refused questions (asked now, by shop 10)."""
    settings = logger_settings(tmp_path / "logger", KafkaSettings(bootstrap_servers="127.0.0.1:1"))
    app = create_logger_app(settings, start_worker=False)
    ids: dict[str, str] = {}
    with serve_http(app) as url:
        deadline = time.monotonic() + 30
        while getattr(app.state, "service", None) is None or app.state.service.db is None:
            assert time.monotonic() < deadline, "the logger did not start"
            time.sleep(0.05)
        events = []
        for i, question in enumerate(REFUSED):
            event = query_event(i, question=question, shop_id="10", success=False, confidence=0.0, intent="unsupported",
                                tool=None, result=None, prompt=None, occurred_at=datetime.now(UTC),
                                query_id=uuid.uuid4().hex)  # fmt: skip
            ids[question] = event.query_id
            events.append(event)
        sink = Sink(app.state.service.db.cursor(), settings.paths.query_logs)
        sink.write([Received(e, "t", 0, i) for i, e in enumerate(events)])
        sink.close()
        yield settings, url, ids


def ask(url: str, question: str) -> dict[str, Any]:
    resp = httpx.post(f"{url}/api/mcp/ask", json={"shop_id": "10", "question": question}, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_labels_teach_the_ask_service_new_words(
    logger: tuple[LoggerSettings, str, dict[str, str]], make_settings: Callable[..., Settings]
) -> None:
    log_settings, log_url, ids = logger
    with serve_http(create_app(make_settings())) as ask_url:  # learning off while the reviewer labels
        before = ask(ask_url, "umsatz in the last 30 days")
        assert before["success"] is False and "umsatz" in before["clarification"]["unused"]

        # The dry run reads a question without computing or logging it.
        read = httpx.post(
            f"{ask_url}/api/mcp/understand", json={"shop_id": "10", "question": "revenue last month"}
        ).json()
        assert read["understood"] and read["interpretation"]["metric"] == "revenue"

        for question, rephrased in REFUSED.items():
            stored = label_query(log_settings.model_copy(update={"url": log_url}), ids[question],
                                 rephrased=rephrased, reviewer="test", ask_url=ask_url)  # fmt: skip
            assert stored["stored"]

    settings = make_settings(
        logger_url=log_url, logger_read_token="test-read-token", understanding_poll_s=0.2
    )
    admin = {"Authorization": f"Bearer {KeyStore(settings.keys.path(settings.paths)).create(None, admin=True)}"}
    with serve_http(create_app(settings)) as ask_url:
        deadline = time.monotonic() + 30
        state: dict[str, Any] = {}
        while time.monotonic() < deadline:
            state = httpx.get(f"{ask_url}/understanding", headers=admin).json()  # the admin sees it all
            if state["version"] != "base":
                break
            time.sleep(0.1)
        assert state["version"] == "u0001", state["history"]
        proposal = state["last_proposal"]
        assert proposal["adopted"] and proposal["understanding_accuracy_before"] == 0.0
        assert proposal["understanding_accuracy_after"] == 1.0 and proposal["held_out_labels"] == 4
        assert {(e["phrase"], e["means"]) for e in state["learned"]} == {
            ("umsatz", "revenue"),
            ("punters", "customers"),
        }

        after = ask(ask_url, "umsatz in the last 30 days")
        plain = ask(ask_url, "revenue in the last 30 days")
        assert after["success"] is True
        assert after["data"]["values"]["value"] == plain["data"]["values"]["value"]
        assert "reading 'umsatz' as 'revenue'" in after["answer"]
        assert after["interpretation"]["period"] == plain["interpretation"]["period"]

    # A restarted ask service serves what it learned, before it reads any label.
    restarted = make_settings(understanding_poll_s=0.0)
    with serve_http(create_app(restarted)) as ask_url:
        assert ask(ask_url, "how many punters do I have")["success"] is True
        assert httpx.get(f"{ask_url}/understanding", headers=admin).json()["version"] == "u0001"


def test_the_dry_run_refuses_bad_input_with_a_message(make_settings: Callable[..., Settings]) -> None:
    with serve_http(create_app(make_settings())) as url:
        resp = httpx.post(f"{url}/api/mcp/understand", json={"shop_id": "10", "question": ""})
        assert resp.status_code == 422 and "question" in resp.text
        resp = httpx.post(f"{url}/api/mcp/understand", json={"shop_id": "99", "question": "orders"})
        assert resp.status_code == 404 and "99" in resp.text
        resp = httpx.post(
            f"{url}/api/mcp/understand", json={"shop_id": "10", "question": "orders", "asked_on": "soon"}
        )
        assert resp.status_code == 422
