"""The logger's HTTP client (shared/logger_client.py): which token each call sends, and the two
errors every failure becomes, with the messages users see. A small stand-in logger answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import PlainTextResponse

from evaluation.phrasers import free_port, serve_http
from shared.errors import EcomInsightError
from shared.logger_client import LoggerClient, LoggerRefused, LoggerUnreachable


def stand_in() -> FastAPI:
    """Answers like the logger: /health, /stats echoes its query and token, /sql needs "admin"."""
    app = FastAPI()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"service": "logger"}

    @app.get("/stats")
    def stats(request: Request) -> dict[str, Any]:
        return {"params": dict(request.query_params), "auth": request.headers.get("authorization")}

    @app.post("/sql")
    def sql(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        if request.headers.get("authorization") != "Bearer admin":
            raise HTTPException(401, "the admin token is needed")
        return {"columns": ["sql"], "rows": [[body["sql"]]]}

    @app.get("/exports/{export_id}/data")
    def data(export_id: str) -> PlainTextResponse:
        return PlainTextResponse(f'{{"id": "{export_id}"}}\n', media_type="application/x-ndjson")

    return app


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serve_http(stand_in()) as base:
        yield base


def test_reads_send_the_read_token_and_drop_unset_filters(url: str) -> None:
    client = LoggerClient(url + "/", read_token="reader", admin_token="admin")
    answer = client.stats(shop_id="11", since=None)
    assert answer == {"params": {"shop_id": "11"}, "auth": "Bearer reader"}
    assert LoggerClient(url).stats()["auth"] is None  # no token: no header
    assert client.answers()


def test_admin_calls_send_the_admin_token(url: str) -> None:
    assert LoggerClient(url, admin_token="admin").sql("SELECT 1")["rows"] == [["SELECT 1"]]
    assert LoggerClient(url, admin_token="admin").export_data("e1") == b'{"id": "e1"}\n'


def test_an_error_status_is_refused_with_the_loggers_detail(url: str) -> None:
    with pytest.raises(LoggerRefused) as refused:
        LoggerClient(url, read_token="admin").sql("SELECT 1")  # a read token is not sent as admin
    assert refused.value.status == 401
    assert refused.value.detail == "the admin token is needed"
    assert str(refused.value) == "the logger refused (401): the admin token is needed"
    assert isinstance(refused.value, EcomInsightError)


def test_no_answer_is_unreachable() -> None:
    base = f"http://127.0.0.1:{free_port()}"
    client = LoggerClient(base, timeout_s=2.0)
    with pytest.raises(LoggerUnreachable, match=f"the logger at {base} did not answer"):
        client.stats()
    assert not client.answers()
