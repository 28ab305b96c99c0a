"""Answers as an owner reads them: each states what was computed, and refusals say why.

Expected numbers come from SQL written here, not from the semantic layer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.phrasing import template_answer
from shared.results import ToolResult

SQL = Callable[..., list[tuple[Any, ...]]]


def usd(amount: Decimal | float) -> str:
    return f"${Decimal(str(amount)).quantize(Decimal('0.01')):,}"


def day_text(d: date) -> str:
    return f"{d.day} {d.strftime('%B')} {d.year}"


def last_month() -> tuple[date, date]:
    first = datetime.now(UTC).date().replace(day=1)
    start = (first - timedelta(days=1)).replace(day=1)
    return start, first


def ask(client: TestClient, question: str, shop_id: str = "10") -> dict[str, Any]:
    response = client.post("/api/mcp/ask", json={"shop_id": shop_id, "question": question})
    assert response.status_code == 200, response.text
    return response.json()


def answered(client: TestClient, question: str, shop_id: str = "10") -> dict[str, Any]:
    body = ask(client, question, shop_id)
    assert body["success"] is True, body["answer"]
    assert body["generator"] == "template" and body["model_version"] == "template"
    assert body["answer"] == template_answer(ToolResult.model_validate(body["data"]))
    assert body["interpretation"] is not None and body["clarification"] is None
    return body


def test_an_answer_names_the_metric_the_statuses_counted_and_the_dates(client: TestClient, sql: SQL) -> None:
    start, end = last_month()
    body = answered(client, "revenue last month")
    (expected,) = sql(
        "SELECT sum(total_amount) FROM orders WHERE shop_id = '10' AND status NOT IN ('cancelled', 'refunded') "
        "AND created_at >= ? AND created_at < ?",
        start,
        end,
    )[0]
    text = body["answer"]
    assert usd(expected) in text
    assert text.startswith("Revenue, last month")
    assert f"{day_text(start)} to {day_text(end - timedelta(days=1))}" in text
    assert "cancelled and refunded left out" in text and "sum of order totals" in text
    q = body["interpretation"]
    assert q["metric"] == "revenue" and q["period"]["start"] == start.isoformat()
    assert q["period"]["end"] == end.isoformat()


def test_every_filter_is_stated_never_dropped(client: TestClient, sql: SQL) -> None:
    body = answered(client, "How many paid orders above $300 do I have?")
    (expected,) = sql("SELECT count(*) FROM orders WHERE shop_id = '10' AND status = 'paid' AND total_amount > 300")[0]
    assert body["data"]["values"]["value"] == expected
    assert "only orders with status paid" in body["answer"] and "over $300.00" in body["answer"]
    assert f"{expected:,}" in body["answer"]
    fields = {f["field"]: f for f in body["interpretation"]["filters"]}
    assert fields["status"]["values"] == ["paid"] and fields["amount"]["values"] == [300.0]


def test_a_customer_named_in_the_question_is_resolved_from_the_shop(client: TestClient, sql: SQL) -> None:
    name, cid, orders = sql(
        """SELECT c.name, c.customer_id, count(*) FROM customers c JOIN orders o ON o.customer_id = c.customer_id
           WHERE c.shop_id = '10' AND c.name IN (SELECT name FROM customers WHERE shop_id = '10'
                                                 GROUP BY name HAVING count(*) = 1)
           GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 1"""
    )[0]
    body = answered(client, f"How many orders did {name} place?")
    assert body["data"]["values"]["value"] == orders
    assert f"{name} ({cid})" in body["answer"]


def test_two_customers_with_one_name_are_never_merged(client: TestClient, sql: SQL) -> None:
    name, n = sql(
        "SELECT name, count(*) FROM customers WHERE shop_id = '10' GROUP BY name HAVING count(*) > 1 ORDER BY 1 LIMIT 1"
    )[0]
    ids = [r[0] for r in sql("SELECT customer_id FROM customers WHERE shop_id = '10' AND name = ?", name)]
    body = ask(client, f"How much has {name} spent?")
    assert body["success"] is False and body["data"] is None
    assert f"{n} customers are called {name}" in body["answer"]
    assert all(cid in body["answer"] for cid in ids[:5])


@pytest.mark.parametrize(
    ("question", "reason", "said"),
    [
        ("What is my profit this month?", "out_of_scope", "profit"),
        ("Cancel order 10-000123", "out_of_scope", "can't change"),
        ("What will my revenue be next month?", "out_of_scope", "forecasts"),
        ("How many orders did Zorblax Quuxington place?", "unclear", "'zorblax'"),
        ("revenue by flavour", "unclear", "'flavour'"),
        # issue 22: two measures are answered as a list, never broken down
        ("revenue and orders by month", "unclear", "only as a plain list"),
        ("How many customers did I have last month?", "unclear", "two readings"),
    ],
)
def test_a_refusal_says_why_what_it_understood_and_how_to_ask(
    client: TestClient, question: str, reason: str, said: str
) -> None:
    body = ask(client, question)
    assert body["success"] is False and body["data"] is None and body["interpretation"] is None
    assert body["generator"] == "template" and body["confidence"] == 0.0
    assert said in body["answer"]
    clarification = body["clarification"]
    assert clarification["reason"] == reason and len(clarification["suggestions"]) >= 2
    assert "You could ask, for example" in body["answer"]
    assert not any(ch.isdigit() for ch in body["answer"].split("What I understood")[0].replace("10-000123", ""))


def test_what_was_understood_is_listed_when_a_word_is_left_over(client: TestClient) -> None:
    body = ask(client, "revenue last month from the blue widgets")
    assert body["success"] is False
    assert set(body["clarification"]["unused"]) >= {"blue", "widgets"}
    assert any(u.startswith("metric revenue") for u in body["clarification"]["understood"])
    assert any(u.startswith("period last month") for u in body["clarification"]["understood"])


def test_money_is_shown_in_the_shops_currency(client: TestClient, sql: SQL) -> None:
    body = answered(client, "What is my total revenue?", shop_id="11")
    (expected,) = sql(
        "SELECT sum(total_amount) FROM orders WHERE shop_id = '11' AND status NOT IN ('cancelled', 'refunded')"
    )[0]
    assert f"€{Decimal(expected).quantize(Decimal('0.01')):,}" in body["answer"]


def test_a_comparison_states_both_periods_and_the_change(client: TestClient, sql: SQL) -> None:
    body = answered(client, "Compare revenue this month vs last month")
    values = body["data"]["values"]
    start, end = last_month()
    (before,) = sql(
        "SELECT sum(total_amount) FROM orders WHERE shop_id = '10' AND status NOT IN ('cancelled', 'refunded') "
        "AND created_at >= ? AND created_at < ?",
        start,
        end,
    )[0]
    assert values["previous"] == float(before)
    assert "this month (" in body["answer"] and day_text(start) in body["answer"]
    change = (Decimal(str(values["value"])) - before) * 100 / before
    assert f"{'up' if change > 0 else 'down'} {abs(change):.1f}%" in body["answer"]


def test_long_lists_show_twelve_rows_and_say_how_many_more(client: TestClient, sql: SQL) -> None:
    body = answered(client, "orders by day this year")
    rows = body["data"]["rows"]
    (days,) = sql(
        "SELECT count(DISTINCT CAST(created_at AS DATE)) FROM orders WHERE shop_id = '10' "
        "AND created_at >= date_trunc('year', current_date)"
    )[0]
    assert len(rows) == days and days > 12
    assert f"{days - 12} more" in body["answer"] and rows[12]["label"] not in body["answer"]


def test_a_typo_is_read_and_said(client: TestClient) -> None:
    body = answered(client, "how many ordres this yaer")
    assert "reading 'ordres' as 'orders'" in body["answer"]
    assert body["confidence"] < 1.0


def test_values_from_the_question_never_reach_the_sql_text(client: TestClient, sql: SQL) -> None:
    before = sql("SELECT count(*) FROM orders")[0][0]
    body = ask(client, "orders from Germany'; DROP TABLE orders; --")
    assert body["success"] is False
    assert sql("SELECT count(*) FROM orders")[0][0] == before
