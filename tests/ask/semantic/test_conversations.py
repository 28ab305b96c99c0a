"""Follow-ups (issue 22): a question sent with a conversation_id is read against the previous
reading of that conversation (same shop only, bounded, expiring); a fragment without one is refused."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.ask.conversations import Conversations, ConversationSettings
from shared.interpretation import Interpretation


def ask(
    client: TestClient, question: str, conversation_id: str | None = None, shop: str = "10"
) -> dict[str, Any]:
    body: dict[str, Any] = {"shop_id": shop, "question": question}
    if conversation_id is not None:
        body["conversation_id"] = conversation_id
    response = client.post("/api/mcp/ask", json=body)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("first", "follow_up", "whole"),
    [
        ("revenue last month", "and in October?", "revenue in October"),
        ("orders from Germany last month", "what about France?", "orders from France last month"),
        ("revenue last month", "break that down by category", "revenue by category last month"),
        ("orders last month", "only the shipped ones", "shipped orders last month"),
        ("revenue from Germany this year", "and orders?", "orders from Germany this year"),
        ("top 5 customers by revenue", "and last month?", "top 5 customers by revenue last month"),
        (
            "revenue this month vs last month",
            "what about France?",
            "revenue from France this month vs last month",
        ),
        ("revenue in November", "and the month before?", "revenue in October"),
        ("revenue by country last month", "top 3", "top 3 countries by revenue last month"),
        ("AOV this month", "and the median?", "median order value this month"),
        ("orders last week", "just the shipped ones", "shipped orders last week"),
    ],
)
def test_a_follow_up_is_read_against_the_previous_question(
    client: TestClient, first: str, follow_up: str, whole: str
) -> None:
    a = ask(client, first)
    assert a["success"] and a["conversation_id"]
    b = ask(client, follow_up, a["conversation_id"])
    expected = ask(client, whole)
    assert b["success"], b["answer"]
    assert b["conversation_id"] == a["conversation_id"]
    assert b["interpretation"] == expected["interpretation"]
    assert b["data"]["values"] == expected["data"]["values"] and b["data"]["rows"] == expected["data"]["rows"]
    assert b["answer"] == expected["answer"]  # the answer states the whole reading it computed


@pytest.mark.parametrize(
    "fragment",
    ["and last month?", "by category?", "what about France?", "break that down by category", "and orders?"],
)
def test_a_fragment_without_a_conversation_is_refused(client: TestClient, fragment: str) -> None:
    body = ask(client, fragment)
    assert body["success"] is False, body["answer"]


@pytest.mark.parametrize(
    "follow_up", ["thanks!", "and France too?", "and also France?", "what about France as well"]
)
def test_a_follow_up_that_adds_nothing_or_adds_to_a_filter_is_refused(
    client: TestClient, follow_up: str
) -> None:
    a = ask(client, "orders from Germany last month")
    b = ask(client, follow_up, a["conversation_id"])
    assert b["success"] is False, b["answer"]


def test_another_shops_conversation_is_not_followed(client: TestClient) -> None:
    a = ask(client, "revenue from Germany last month", shop="10")
    b = ask(client, "what about France?", a["conversation_id"], shop="11")
    assert b["success"] is False
    assert b["conversation_id"] != a["conversation_id"]
    c = ask(client, "what about France?", "not-a-conversation")
    assert c["success"] is False and c["conversation_id"] != "not-a-conversation"


def test_conversations_expire_and_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    store = Conversations(ConversationSettings(ttl_s=60, max=2))
    now = [1000.0]
    monkeypatch.setattr(store, "_now", lambda: now[0])
    q = Interpretation(metric="revenue")
    for cid in ("a", "b", "c"):
        store.remember(cid, "10", q)
    assert len(store) == 2 and store.previous("a", "10") is None  # the least recently used went first
    assert store.previous("c", "10") == q and store.previous("c", "11") is None
    now[0] += 61
    assert store.previous("c", "10") is None


def test_the_ttl_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOMINSIGHT_ASK_CONVERSATION_TTL_S", "5")
    assert ConversationSettings().ttl_s == 5


def test_skipped_words_are_stated(client: TestClient) -> None:
    body = ask(client, "hi, quick one: orders this week?")
    assert body["success"] and "skipped: quick one, hi" in body["answer"]
    assert body["skipped"] == ["quick one", "hi"]


def test_the_catalogue_serves_the_new_capabilities(client: TestClient) -> None:
    body = client.get("/catalog").json()
    names = {c["name"] for c in body["capabilities"]}
    assert {"two_group_bys", "measures", "share_of_total", "rows", "follow_ups", "baskets"} <= names
    assert {"median_order_value", "refunds", "customers_by_purchases"} <= {
        m["metric"] for m in body["metrics"]
    }


def test_a_tie_at_the_cut_is_stated(client: TestClient, sql: Any) -> None:
    body = ask(client, "bottom 3 customers by number of orders")
    (tied,) = sql(
        "SELECT count(*) FROM (SELECT customer_id, count(*) AS n FROM orders WHERE shop_id = '10' GROUP BY 1) "
        "WHERE n = (SELECT min(n) FROM (SELECT count(*) AS n FROM orders WHERE shop_id = '10' GROUP BY customer_id))"
    )[0]
    assert body["success"] and len(body["data"]["rows"]) == 3
    if tied > 3:
        assert f"3 of {tied} customers tied at 1 are listed" in body["answer"]
