"""Bad input gets a 4xx with a message that says what is wrong; nothing produces a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_unknown_shop_is_404(client: TestClient) -> None:
    response = client.post("/api/mcp/ask", json={"shop_id": "999", "question": "How many orders do I have?"})
    assert response.status_code == 404
    assert "unknown shop '999'" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"shop_id": "10", "question": ""}, "question must not be empty"),
        ({"shop_id": "10", "question": "   \n "}, "question must not be empty"),
        ({"shop_id": "10", "question": "x" * 501}, "longer than 500 characters"),
        ({"shop_id": 10, "question": "How many orders?"}, "shop_id"),
        ({"shop_id": "10", "question": ["How many orders?"]}, "question"),
        ({"shop_id": "10"}, "question"),
        ({"question": "How many orders?"}, "shop_id"),
        ({"shop_id": "", "question": "How many orders?"}, "shop_id"),
        ({"shop_id": "10", "question": "How many orders?", "extra": 1}, "extra"),
    ],
)
def test_bad_ask_bodies_are_422_with_a_message(client: TestClient, body: dict, message: str) -> None:
    response = client.post("/api/mcp/ask", json=body)
    assert response.status_code == 422
    assert message in response.text


@pytest.mark.parametrize("raw", [b"{not json", b"", b"[]", b"null", b'"How many orders?"'])
def test_malformed_json_is_422(client: TestClient, raw: bytes) -> None:
    response = client.post("/api/mcp/ask", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {"query_id": "q1", "feedback": "meh"},
        {"query_id": "q1"},
        {"query_id": "", "feedback": "positive"},
        {"query_id": "q1", "feedback": "positive", "comment": 5},
        {"query_id": "q1", "feedback": "positive", "comment": "x" * 2001},
    ],
)
def test_bad_feedback_is_422(client: TestClient, body: dict) -> None:
    response = client.post("/api/mcp/feedback", json=body)
    assert response.status_code == 422


@pytest.mark.parametrize(
    "question",
    [
        "'; DROP TABLE orders; --",
        "orders over $99999999999999999999999",
        "top 99999 customers",
        "revenue in 1900",
        "How many orders in 2099?",
        "orders above $-5",
        "\u0000\u202e weird 😀 unicode",
        "orders under 0.001 dollars",
        "best day in February 2025",
        "revenue in the last 99999 years",
        "orders in March 0000",
        "orders in the last 999999999 days",
    ],
)
def test_odd_questions_never_500(client: TestClient, question: str) -> None:
    response = client.post("/api/mcp/ask", json={"shop_id": "10", "question": question})
    assert response.status_code == 200, response.text
    assert response.json()["answer"]


def test_lone_surrogate_in_json_is_handled(client: TestClient) -> None:
    raw = b'{"shop_id": "10", "question": "how many orders \\ud83d"}'
    response = client.post("/api/mcp/ask", content=raw, headers={"content-type": "application/json"})
    assert response.status_code in (200, 422)


def test_health_and_docs(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/docs").status_code == 200
    assert "/api/mcp/ask" in client.get("/openapi.json").json()["paths"]
