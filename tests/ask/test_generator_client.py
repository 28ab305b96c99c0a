"""Falling back to the template phrasing when the generator is down, slow or misbehaves.

The servers here are real HTTP servers on free ports that are slow or broken on purpose; the
real generator is exercised by the end-to-end test.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from services.ask.app import create_app
from services.ask.generator_client import GeneratorClient
from services.ask.settings import Settings
from shared.broker import free_port
from shared.phrasing import template_answer
from shared.results import ToolResult

RESULT = ToolResult(tool="total_revenue", values={"revenue": 1234.5, "orders": 17}, money=["revenue"])


connections: set[tuple[str, int]] = set()


@contextmanager
def http_server(
    delay_s: float = 0.0, status: int = 200, text: str = "You made V"
) -> Iterator[tuple[str, list[str]]]:
    """A small HTTP server answering POST /generate after ``delay_s`` with ``text``; yields its
    URL and the paths it was sent (``connections``: the client addresses it saw)."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as uvicorn serves the real generator

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            hits.append(self.path)
            connections.add(self.client_address)
            self.rfile.read(int(self.headers.get("content-length", 0)))
            time.sleep(delay_s)
            body = json.dumps(
                {
                    "text": text,
                    "model_version": "v0007",
                    "generator": "model",
                    "latency_ms": 1.0,
                    "prompt": "p",
                    "fallback_reason": None,
                }
            ).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client gave up already

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def test_unreachable_generator_falls_back_to_the_template() -> None:
    client = GeneratorClient(f"http://127.0.0.1:{free_port()}", timeout_s=1.0)
    phrased = client.phrase("What is my revenue?", RESULT)
    assert (phrased.generator, phrased.model_version) == ("template", "template")
    assert phrased.text == template_answer(RESULT) == "Your total revenue is $1,234.50 from 17 orders."
    assert phrased.fallback_reason and "unreachable" in phrased.fallback_reason


def test_slow_generator_times_out_to_the_template_then_is_skipped_for_a_while() -> None:
    with http_server(delay_s=2.0) as (url, hits):
        client = GeneratorClient(url, timeout_s=0.3, retry_after_s=30)
        phrased = client.phrase("What is my revenue?", RESULT)
        assert phrased.generator == "template" and phrased.text == template_answer(RESULT)
        assert phrased.fallback_reason and "slower than 0.3s" in phrased.fallback_reason
        again = client.phrase("What is my revenue?", RESULT)
        assert again.generator == "template"
        assert len(hits) == 1  # the second question did not wait for the slow generator again
        client.close()


def test_generator_errors_and_invented_numbers_fall_back_to_the_template() -> None:
    with http_server(status=500) as (url, _):
        phrased = GeneratorClient(url, timeout_s=1.0).phrase("What is my revenue?", RESULT)
        assert phrased.generator == "template" and phrased.text == template_answer(RESULT)
    with http_server(text="Your total revenue is $9,999.00.") as (url, _):
        phrased = GeneratorClient(url, timeout_s=1.0).phrase("What is my revenue?", RESULT)
        assert phrased.generator == "template" and phrased.text == template_answer(RESULT)
        assert phrased.fallback_reason and "not in the data" in phrased.fallback_reason


def test_ask_answers_from_the_template_when_the_generator_is_slow(
    make_settings: Callable[..., Settings],
) -> None:
    with http_server(delay_s=2.0) as (url, hits):
        settings = make_settings(generator_url=url, generator_timeout_s=0.3)
        with TestClient(create_app(settings)) as client:
            body = client.post(
                "/api/mcp/ask", json={"shop_id": "10", "question": "total revenue this year"}
            ).json()
    assert hits == ["/generate"]
    assert body["success"] and body["generator"] == "template" and body["model_version"] == "template"
    assert body["answer"] == template_answer(ToolResult.model_validate(body["data"]))


def test_ask_writes_no_log_line_per_generator_call(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    """Served by plain ``uvicorn --factory`` (no ``setup_logging``), the app still keeps httpx's
    one-INFO-line-per-request out of its log: at 80 req/s that was 80 lines a second."""
    for name in ("httpx", "httpx2", "httpcore"):
        logging.getLogger(name).setLevel(logging.NOTSET)  # as a fresh process has them
    caplog.set_level(logging.INFO)
    with http_server() as (url, hits), TestClient(create_app(make_settings(generator_url=url))) as client:
        for _ in range(3):
            client.post("/api/mcp/ask", json={"shop_id": "10", "question": "total revenue this year"})
    assert hits == ["/generate"] * 3
    assert not [r.getMessage() for r in caplog.records if url in r.getMessage()]


def test_sequential_calls_reuse_one_kept_alive_connection() -> None:
    connections.clear()
    with http_server() as (url, hits):
        client = GeneratorClient(url, timeout_s=5.0)
        try:
            for _ in range(5):
                client.phrase("What is my revenue?", RESULT)
        finally:
            client.close()
    assert hits == ["/generate"] * 5
    assert len(connections) == 1  # one TCP connection for the five calls


@pytest.mark.parametrize(
    "question",
    [
        "What will my revenue be next year?",  # a forecast: not computed from the data
        "Delete all my orders",  # an action
        "What's the weather in Paris?",  # not about the shop
    ],
)
def test_a_refusal_never_calls_the_generator(make_settings: Callable[..., Settings], question: str) -> None:
    with http_server() as (url, hits), TestClient(create_app(make_settings(generator_url=url))) as client:
        body = client.post("/api/mcp/ask", json={"shop_id": "10", "question": question}).json()
    assert body["success"] is False
    assert hits == []
