"""Each question family, answered over the seeded warehouse, checked against the tests' own SQL.

Expected numbers come from queries written here (not from the service's tools), with periods
computed here from today's UTC date. The answer must state exactly those numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from shared.phrasing import UNSUPPORTED_ANSWER, template_answer
from shared.results import ToolResult

SQL = Callable[..., list[tuple[Any, ...]]]
PAID = "status NOT IN ('cancelled', 'refunded')"
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def usd(amount: Decimal | float) -> str:
    return f"${Decimal(str(amount)).quantize(Decimal('0.01')):,}"


def today() -> date:
    return datetime.now(UTC).date()


def month_start(d: date, back: int = 0) -> datetime:
    y, m = d.year, d.month - back
    while m < 1:
        y, m = y - 1, m + 12
    return datetime(y, m, 1)


def ask(client: TestClient, question: str, shop_id: str = "10") -> dict[str, Any]:
    response = client.post("/api/mcp/ask", json={"shop_id": shop_id, "question": question})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True, body
    assert body["generator"] == "template" and body["model_version"] == "template"
    # The answer is the data, phrased: it states exactly the numbers in `data`.
    assert body["answer"] == template_answer(ToolResult.model_validate(body["data"]))
    assert 0.0 <= body["confidence"] <= 1.0
    return body


def test_order_count_all_time(client: TestClient, sql: SQL) -> None:
    body = ask(client, "How many orders do I have?")
    (expected,) = sql("SELECT count(*) FROM orders WHERE shop_id = '10'")[0]
    assert body["tool"] == "count_orders" and body["intent"] == "order_count"
    assert body["data"]["values"]["count"] == expected
    assert f"{expected:,} orders" in body["answer"]


def test_order_count_by_status_and_period(client: TestClient, sql: SQL) -> None:
    start, end = month_start(today(), 1), month_start(today())
    body = ask(client, "How many orders were cancelled last month?")
    (expected,) = sql(
        "SELECT count(*) FROM orders WHERE shop_id = '10' AND status = 'cancelled' "
        "AND created_at >= ? AND created_at < ?",
        start,
        end,
    )[0]
    assert body["data"]["values"] == {
        "count": expected,
        "status": "cancelled",
        "period": f"last month ({MONTHS[start.month - 1]} {start.year})",
    }
    assert f"You have {expected:,} orders with status cancelled last month" in body["answer"]


def test_revenue_last_month_excludes_cancelled_and_refunded(client: TestClient, sql: SQL) -> None:
    start, end = month_start(today(), 1), month_start(today())
    revenue, orders = sql(
        f"SELECT sum(total_amount), count(*) FROM orders WHERE shop_id = '10' AND {PAID} "
        "AND created_at >= ? AND created_at < ?",
        start,
        end,
    )[0]
    body = ask(client, "What was my revenue last month?")
    assert body["tool"] == "total_revenue"
    assert Decimal(str(body["data"]["values"]["revenue"])) == revenue
    assert body["data"]["values"]["orders"] == orders
    assert usd(revenue) in body["answer"] and f"{orders:,} orders" in body["answer"]


def test_revenue_is_shown_in_the_shops_currency(client: TestClient, sql: SQL) -> None:
    (revenue,) = sql(f"SELECT sum(total_amount) FROM orders WHERE shop_id = '11' AND {PAID}")[0]
    body = ask(client, "total revenue", shop_id="11")
    assert body["data"]["currency"] == "EUR"
    assert f"€{revenue:,}" in body["answer"]


def test_average_order_value_this_year(client: TestClient, sql: SQL) -> None:
    start = datetime(today().year, 1, 1)
    revenue, orders = sql(
        f"SELECT sum(total_amount), count(*) FROM orders WHERE shop_id = '10' AND {PAID} AND created_at >= ?",
        start,
    )[0]
    aov = (revenue / orders).quantize(Decimal("0.01"))
    body = ask(client, "What's my average order value this year?")
    assert body["tool"] == "average_order_value"
    assert Decimal(str(body["data"]["values"]["aov"])) == aov
    assert usd(aov) in body["answer"]


def test_top_customers_by_spending(client: TestClient, sql: SQL) -> None:
    expected = sql(f"""
        SELECT any_value(c.name), sum(o.total_amount) AS s FROM orders o, customers c
        WHERE o.customer_id = c.customer_id AND c.shop_id = o.shop_id AND o.shop_id = '10' AND o.{PAID}
        GROUP BY o.customer_id ORDER BY s DESC, o.customer_id LIMIT 3""")
    body = ask(client, "Who are my top 3 customers by spending?")
    assert body["tool"] == "top_customers"
    got = [(r["name"], Decimal(str(r["spending"]))) for r in body["data"]["rows"]]
    assert got == [(name, spent) for name, spent in expected]
    for name, spent in expected:
        assert f"{name} ({usd(spent)})" in body["answer"]


def test_orders_above_an_amount_in_a_period(client: TestClient, sql: SQL) -> None:
    start = datetime.combine(today() - timedelta(days=29), datetime.min.time())  # 30 days, today included
    (count,) = sql(
        "SELECT count(*) FROM orders WHERE shop_id = '10' AND total_amount > 500 AND created_at >= ?", start
    )[0]
    largest = sql(
        "SELECT order_id, total_amount FROM orders WHERE shop_id = '10' AND total_amount > 500 "
        "AND created_at >= ? ORDER BY total_amount DESC, order_id LIMIT 10",
        start,
    )
    body = ask(client, "How many orders over $500 did I get in the last 30 days?")
    assert body["tool"] == "orders_by_amount"
    assert body["data"]["values"]["count"] == count and body["data"]["values"]["direction"] == "above"
    assert [(r["order_id"], Decimal(str(r["total"]))) for r in body["data"]["rows"]] == largest
    assert f"You have {count:,} orders above $500.00 in the last 30 days" in body["answer"]


def test_orders_below_an_amount(client: TestClient, sql: SQL) -> None:
    (count,) = sql("SELECT count(*) FROM orders WHERE shop_id = '10' AND total_amount < 20")[0]
    body = ask(client, "list orders under $20")
    assert body["data"]["values"]["count"] == count and body["data"]["values"]["direction"] == "below"
    assert all(Decimal(str(r["total"])) < 20 for r in body["data"]["rows"])


def test_top_products_by_revenue_and_by_units(client: TestClient, sql: SQL) -> None:
    by_revenue = sql(f"""
        SELECT any_value(p.name), sum(i.unit_price * i.quantity) AS r
        FROM order_items i JOIN orders o USING (order_id) JOIN products p ON p.product_id = i.product_id
        WHERE o.shop_id = '10' AND o.{PAID} GROUP BY i.product_id ORDER BY r DESC, i.product_id LIMIT 5""")
    body = ask(client, "What are my top 5 products by revenue?")
    assert body["data"]["values"]["metric"] == "revenue"
    assert [(r["name"], Decimal(str(r["revenue"]))) for r in body["data"]["rows"]] == by_revenue

    start = datetime(today().year, 1, 1)
    by_units = sql(
        f"""
        SELECT any_value(p.name), sum(i.quantity) AS u
        FROM order_items i JOIN orders o USING (order_id) JOIN products p ON p.product_id = i.product_id
        WHERE o.shop_id = '10' AND o.{PAID} AND o.created_at >= ?
        GROUP BY i.product_id ORDER BY u DESC, i.product_id LIMIT 3""",
        start,
    )
    body = ask(client, "Which 3 products sold the most units this year?")
    assert body["data"]["values"]["metric"] == "units sold"
    assert [(r["name"], r["units"]) for r in body["data"]["rows"]] == by_units
    assert f"{by_units[0][0]} ({by_units[0][1]:,})" in body["answer"]


def test_customer_count_and_new_customers(client: TestClient, sql: SQL) -> None:
    (total,) = sql("SELECT count(*) FROM customers WHERE shop_id = '10'")[0]
    body = ask(client, "How many customers do I have?")
    assert body["tool"] == "customer_count" and body["data"]["values"]["count"] == total

    start = datetime(today().year, 1, 1)
    (new,) = sql("SELECT count(*) FROM customers WHERE shop_id = '10' AND created_at >= ?", start)[0]
    body = ask(client, "How many new customers signed up this year?")
    assert body["tool"] == "new_customers" and body["data"]["values"]["count"] == new
    assert f"You gained {new:,} new customers this year ({today().year})" in body["answer"]


def test_revenue_by_month_covers_the_last_twelve_months(client: TestClient, sql: SQL) -> None:
    expected = sql(
        f"""
        SELECT year(created_at), month(created_at), sum(total_amount) FROM orders
        WHERE shop_id = '10' AND {PAID} AND created_at >= ? GROUP BY ALL ORDER BY 1, 2""",
        month_start(today(), 11),
    )
    body = ask(client, "Show me revenue by month")
    rows = body["data"]["rows"]
    assert [(r["month"], Decimal(str(r["revenue"]))) for r in rows] == [
        (f"{MONTHS[m - 1]} {y}", revenue) for y, m, revenue in expected
    ]
    assert len(rows) == 12


def test_order_status_breakdown(client: TestClient, sql: SQL) -> None:
    expected: dict[str, int] = dict(
        sql("SELECT status, count(*) FROM orders WHERE shop_id = '10' GROUP BY status")
    )
    body = ask(client, "Give me a breakdown of my orders by status")
    assert body["tool"] == "order_status_breakdown"
    assert {r["status"]: r["count"] for r in body["data"]["rows"]} == expected
    assert body["data"]["values"]["total"] == sum(expected.values())
    for status, n in expected.items():
        assert f"{status}: {n:,}" in body["answer"]


def test_best_month_and_best_day(client: TestClient, sql: SQL) -> None:
    y, m, revenue = sql(f"""SELECT year(created_at), month(created_at), sum(total_amount) AS r FROM orders
        WHERE shop_id = '10' AND {PAID} GROUP BY ALL ORDER BY r DESC LIMIT 1""")[0]
    body = ask(client, "What was my best month?")
    assert body["data"]["values"]["best"] == f"{MONTHS[m - 1]} {y}"
    assert f"was {MONTHS[m - 1]} {y} with {usd(revenue)}" in body["answer"]

    day, revenue = sql(f"""SELECT CAST(created_at AS DATE) AS d, sum(total_amount) AS r FROM orders
        WHERE shop_id = '10' AND {PAID} GROUP BY d ORDER BY r DESC LIMIT 1""")[0]
    body = ask(client, "Which day had the highest revenue?")
    assert body["data"]["values"]["grain"] == "day"
    assert body["data"]["values"]["best"] == f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    assert usd(revenue) in body["answer"]


def test_unsupported_question_gets_no_number(client: TestClient) -> None:
    response = client.post("/api/mcp/ask", json={"shop_id": "10", "question": "What's the weather in Paris?"})
    body = response.json()
    assert response.status_code == 200
    assert body["success"] is False and body["data"] is None and body["tool"] is None
    assert body["intent"] == "unsupported" and body["confidence"] < 0.5
    assert body["answer"] == UNSUPPORTED_ANSWER
