"""Issue 24, finding 4: MCP sessions need a key, are capped per key and expire, and every request
on a session is answered or fails with an error (never hangs), raw HTTP as an attacker sends it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.ask.settings import Settings as AskSettings
from tests.security.conftest import INITIALIZE, MCP_HEADERS, Tenants, tenants_running

PROTOCOL = {"MCP-Protocol-Version": "2025-06-18"}


def initialize(url: str, key: str | None) -> httpx.Response:
    headers = {**MCP_HEADERS, **({"Authorization": f"Bearer {key}"} if key else {})}
    return httpx.post(f"{url}/mcp/", json=INITIALIZE, headers=headers, timeout=30)


def session(url: str, key: str) -> dict[str, str]:
    """An open session's headers (initialize + initialized), as a client that behaves sends them."""
    opened = initialize(url, key)
    assert opened.status_code == 200, opened.text
    headers = {**MCP_HEADERS, **PROTOCOL, "Authorization": f"Bearer {key}",
               "Mcp-Session-Id": opened.headers["mcp-session-id"]}
    done = httpx.post(f"{url}/mcp/", json={"jsonrpc": "2.0", "method": "notifications/initialized"},
                      headers=headers, timeout=30)
    assert done.status_code == 202, done.text
    return headers


def list_tools(url: str, headers: dict[str, str], request_id: Any = 2, timeout: float = 30) -> httpx.Response:
    return httpx.post(f"{url}/mcp/", json={"jsonrpc": "2.0", "id": request_id, "method": "tools/list"},
                      headers=headers, timeout=timeout)


@pytest.fixture
def capped(tmp_path: Path, ask_settings: Callable[..., AskSettings]) -> Iterator[Tenants]:
    with tenants_running(tmp_path, ask_settings, mcp_sessions_per_key=3, mcp_session_idle_s=1.0) as running:
        yield running


@pytest.mark.parametrize("key", [None, "", "eik_000000000000_" + "x" * 40, "test-token", "Bearer"])
def test_initialize_needs_a_valid_key(tenants: Tenants, key: str | None) -> None:
    response = initialize(tenants.url, key)
    assert response.status_code == 401 and "mcp-session-id" not in response.headers
    assert response.json()["error"]["message"]


def test_a_session_belongs_to_the_key_that_opened_it(tenants: Tenants) -> None:
    mine = session(tenants.url, tenants.keys["10"])
    assert list_tools(tenants.url, mine).status_code == 200
    stolen = {**mine, "Authorization": f"Bearer {tenants.keys['11']}"}
    assert list_tools(tenants.url, stolen).status_code == 404  # as if it did not exist
    anonymous = {k: v for k, v in mine.items() if k != "Authorization"}
    assert list_tools(tenants.url, anonymous).status_code == 401


def test_sessions_per_key_are_capped_and_expire(capped: Tenants) -> None:
    url, key = capped.url, capped.keys["10"]
    opened = [session(url, key) for _ in range(3)]
    refused = initialize(url, key)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "mcp-session-id" not in refused.headers
    assert initialize(url, capped.keys["11"]).status_code == 200  # another key has its own sessions
    closed = httpx.delete(f"{url}/mcp/", headers=opened[0], timeout=30)
    assert closed.status_code < 300
    assert initialize(url, key).status_code == 200  # a closed session frees its place
    time.sleep(1.5)  # longer than mcp_session_idle_s: every session of the key expired
    assert list_tools(url, opened[1]).status_code == 404
    assert initialize(url, key).status_code == 200


def test_concurrent_requests_with_one_id_are_answered_or_refused_never_left_hanging(tenants: Tenants) -> None:
    sessions = [session(tenants.url, tenants.keys[("10", "11")[i % 2]]) for i in range(6)]
    calls = [h for h in sessions for _ in range(6)]  # six requests with id 7 on every session at once
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda h: list_tools(tenants.url, h, request_id=7, timeout=20), calls))
    statuses = [a.status_code for a in answers]
    assert set(statuses) <= {200, 409}, statuses
    for a in answers:
        body = a.json()
        assert body["id"] == 7 and ("result" in body or "already in flight" in body["error"]["message"])
    for h in sessions:  # each session still works afterwards
        assert list_tools(tenants.url, h, request_id=8).json()["result"]["tools"]


def test_a_request_not_answered_in_time_gets_an_error(tmp_path: Path, ask_settings: Callable[..., AskSettings]) -> None:
    with tenants_running(tmp_path, ask_settings, mcp_request_timeout_s=1e-6) as running:
        response = initialize(running.url, running.keys["10"])
    assert response.status_code == 504
    assert response.json()["id"] == 1 and "no answer within" in response.json()["error"]["message"]
