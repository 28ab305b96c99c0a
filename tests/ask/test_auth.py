"""The ask API with keys required, as deployed: the key decides the shop, nothing else does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.ask.app import create_app
from services.ask.keys import KeySettings, KeyStore
from services.ask.settings import Settings


@pytest.fixture
def keyed(make_settings: Callable[..., Settings]) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = make_settings(keys=KeySettings(require_api_keys=True, rate_limit_per_s=1, rate_limit_burst=3))
    store = KeyStore(settings.keys.path(settings.paths))
    keys = {shop: store.create(shop) for shop in ("10", "11")}
    with TestClient(create_app(settings)) as client:
        yield client, keys


def ask(client: TestClient, body: dict[str, Any], key: str | None = None, header: str = "bearer") -> Any:
    headers = {}
    if key is not None:
        headers = {"Authorization": f"Bearer {key}"} if header == "bearer" else {"X-API-Key": key}
    return client.post("/api/mcp/ask", json=body, headers=headers)


def test_no_key_is_401_with_how_to_get_one(keyed: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = keyed
    response = ask(client, {"shop_id": "10", "question": "How many orders do I have?"})
    assert response.status_code == 401 and "keys create" in response.json()["detail"]


def test_the_key_decides_the_shop(keyed: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = keyed
    mine = ask(client, {"question": "What is my total revenue?"}, keys["11"], header="x-api-key")
    assert mine.status_code == 200 and "€" in mine.json()["answer"]  # shop 11 sells in euros
    same = ask(client, {"shop_id": "11", "question": "What is my total revenue?"}, keys["11"])
    assert same.status_code == 200 and same.json()["answer"] == mine.json()["answer"]


def test_walking_shop_ids_with_a_key_is_403(keyed: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = keyed
    for other in ("11", "12", "13", "x' OR 1=1"):
        response = ask(client, {"shop_id": other, "question": "Top 5 customers by spending"}, keys["10"])
        assert response.status_code == 403, other
        assert "not" in response.json()["detail"] and "Bearer" not in response.text


def test_a_forged_key_is_401(keyed: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = keyed
    forged = keys["10"][:-4] + "abcd"
    assert ask(client, {"question": "How many orders?"}, forged).status_code == 401


def test_a_shop_over_its_rate_is_429_with_retry_after(keyed: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = keyed
    codes = [ask(client, {"question": "How many orders?"}, keys["10"]).status_code for _ in range(6)]
    assert codes[:3] == [200, 200, 200] and 429 in codes[3:]
    limited = ask(client, {"question": "How many orders?"}, keys["10"])
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert ask(client, {"question": "How many orders?"}, keys["11"]).status_code == 200  # other shops unaffected


def test_feedback_needs_the_key_too(keyed: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = keyed
    body = {"query_id": "q1", "feedback": "negative"}
    assert client.post("/api/mcp/feedback", json=body).status_code == 401
    ok = client.post("/api/mcp/feedback", json=body, headers={"X-API-Key": keys["10"]})
    assert ok.status_code == 202


def test_huge_bodies_are_413_and_a_422_does_not_echo_the_input(keyed: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = keyed
    big = client.post(
        "/api/mcp/ask", content=b'{"question": "' + b"x" * 200_000 + b'"}',
        headers={"Content-Type": "application/json", "X-API-Key": keys["10"]},
    )  # fmt: skip
    assert big.status_code == 413
    bad = client.post("/api/mcp/ask", json={"question": 5, "shop_id": "y" * 5000}, headers={"X-API-Key": keys["10"]})
    assert bad.status_code == 422 and len(bad.text) < 2000
