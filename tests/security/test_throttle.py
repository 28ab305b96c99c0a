"""Issue 24, finding 5: failed authentication is throttled per client address (429 with
Retry-After, on the ask API and the MCP endpoint alike), a client that authenticates is not
slowed by it, and feedback names the key that rated or corrected a query."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from services.ask.app import create_app
from services.ask.keys import KeySettings, KeyStore
from services.ask.settings import Settings as AskSettings
from shared.events import Event, FeedbackEvent
from tests.security.conftest import INITIALIZE, MCP_HEADERS, tenants_running

BURST = 5
KEYS = KeySettings(require_api_keys=True, rate_limit_per_s=1e6, rate_limit_burst=1_000_000,
                   auth_fail_burst=BURST, auth_fail_per_s=0.01)  # fmt: skip
ASK = {"question": "How many orders do I have?"}


@pytest.fixture
def keyed(ask_settings: Callable[..., AskSettings]) -> Iterator[tuple[AskSettings, dict[str, str]]]:
    settings = ask_settings(keys=KEYS)
    store = KeyStore(settings.keys.path(settings.paths))
    yield settings, {"10": store.create("10"), "11": store.create("11")}


def client(settings: AskSettings, address: str) -> TestClient:
    return TestClient(create_app(settings), client=(address, 40000))


def test_guessing_keys_is_throttled_per_address_with_retry_after(keyed: tuple[AskSettings, dict[str, str]]) -> None:
    settings, keys = keyed
    attacker = client(settings, "203.0.113.7")
    with attacker, client(settings, "198.51.100.2") as owner:
        guesses = [f"eik_{i:012x}_" + "x" * 40 for i in range(3 * BURST)]
        codes = [attacker.post("/api/mcp/ask", json=ASK, headers={"X-API-Key": g}).status_code for g in guesses]
        assert codes[:BURST] == [401] * BURST and set(codes[BURST:]) == {429}
        limited = attacker.post("/api/mcp/ask", json=ASK, headers={"X-API-Key": keys["10"]})
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1  # even a right guess
        for path in ("/api/mcp/stats", "/api/mcp/queries", "/understanding"):
            assert attacker.get(path).status_code == 429, path
        # another address with its own key is not slowed by the attacker
        assert owner.post("/api/mcp/ask", json=ASK, headers={"X-API-Key": keys["10"]}).status_code == 200


@pytest.mark.parametrize("failure", ["no key", "other shop", "unknown key"])
def test_every_kind_of_failed_authentication_counts(keyed: tuple[AskSettings, dict[str, str]], failure: str) -> None:
    settings, keys = keyed
    body, headers = {
        "no key": (ASK, {}),
        "other shop": ({**ASK, "shop_id": "11"}, {"X-API-Key": keys["10"]}),
        "unknown key": (ASK, {"X-API-Key": "eik_000000000000_" + "y" * 40}),
    }[failure]
    with client(settings, "203.0.113.9") as c:
        codes = [c.post("/api/mcp/ask", json=body, headers=headers).status_code for _ in range(BURST + 3)]
    assert codes[BURST:] == [429] * 3 and set(codes[:BURST]) <= {401, 403}


def test_a_valid_key_spends_nothing_from_the_failure_budget(keyed: tuple[AskSettings, dict[str, str]]) -> None:
    settings, keys = keyed
    with client(settings, "198.51.100.3") as c:
        for _ in range(4 * BURST):
            assert c.post("/api/mcp/ask", json=ASK, headers={"X-API-Key": keys["11"]}).status_code == 200


def test_mcp_initialize_with_bad_keys_is_throttled_too(tmp_path: Path, ask_settings: Callable[..., AskSettings]) -> None:
    with tenants_running(tmp_path, ask_settings, keys=KEYS) as t:  # real HTTP: the client is 127.0.0.1
        codes = []
        for i in range(BURST + 2):
            headers = {**MCP_HEADERS, "Authorization": f"Bearer eik_{i:012x}_" + "z" * 40}
            codes.append(httpx.post(f"{t.url}/mcp/", json=INITIALIZE, headers=headers, timeout=30))
    assert [r.status_code for r in codes[:BURST]] == [401] * BURST
    assert all(r.status_code == 429 and int(r.headers["Retry-After"]) >= 1 for r in codes[BURST:])


def test_feedback_names_the_key_that_rated_or_corrected(keyed: tuple[AskSettings, dict[str, str]]) -> None:
    settings, keys = keyed
    sent: list[Event] = []
    app = create_app(settings)
    with TestClient(app) as c:
        app.state.services.publish = lambda topic, event, key: sent.append(event)  # what goes to Kafka
        asked = c.post("/api/mcp/ask", json=ASK, headers={"X-API-Key": keys["10"]}).json()
        body: dict[str, Any] = {"query_id": asked["query_id"], "feedback": "negative", "correction": "fine"}
        assert c.post("/api/mcp/feedback", json=body, headers={"X-API-Key": keys["10"]}).status_code == 202
    key_id = next(k.key_id for k in KeyStore(settings.keys.path(settings.paths)).list() if k.shop_id == "10")
    rated = [e for e in sent if isinstance(e, FeedbackEvent)]
    assert [(e.query_id, e.shop_id, e.key_id) for e in rated] == [(asked["query_id"], "10", key_id)]
