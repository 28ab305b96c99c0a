"""Issue 22, second round: a typo inside a shop's own name is read as that name (and said), each
group's share of a total, the parts of the row behind an extreme asked around it, a greeting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.ask.semantic import SemanticLayer
from services.ask.warehouse import Warehouse

TODAY = date(2026, 12, 3)
PURCHASE = "o.status NOT IN ('cancelled', 'refunded')"


@pytest.fixture(scope="module")
def layer(warehouse_path: Path) -> SemanticLayer:
    return SemanticLayer(Warehouse(warehouse_path))


def read(layer: SemanticLayer, question: str) -> dict[str, Any]:
    u = layer.understand(question, "10", TODAY)
    assert u.interpretation is not None, (question, u.message)
    return u.interpretation.model_dump(mode="json", exclude={"corrections"})


@pytest.mark.parametrize(
    ("typo", "meant", "said"),
    [
        (
            "revenue from Portable Chargr",
            "revenue from Portable Charger",
            ("portable chargr", "portable charger"),
        ),
        ("Bjarne Knth orders", "Bjarne Knuth orders", ("bjarne knth", "bjarne knuth")),
        ("revenue from hiking pols", "revenue from hiking poles", ("hiking pols", "hiking poles")),
        ("how many orders did Ken Shw place", "how many orders did Ken Shaw place", ("ken shw", "ken shaw")),
    ],
)
def test_a_typo_in_a_name_is_read_as_that_name_and_said(
    layer: SemanticLayer, typo: str, meant: str, said: tuple[str, str]
) -> None:
    assert read(layer, typo) == read(layer, meant)
    u = layer.understand(typo, "10", TODAY)
    assert u.interpretation is not None and u.interpretation.corrections.get(said[0]) == said[1]


@pytest.mark.parametrize(
    "question",
    [
        "revenue from Prtble Chrgr",  # too far from any name
        "revenue from hiking",  # a real word is never completed into a name
        "how much did Fraces Shaw spend",  # the name is read, but two customers share it
    ],
)
def test_a_name_too_far_or_shared_is_not_guessed(layer: SemanticLayer, question: str) -> None:
    assert layer.understand(question, "10", TODAY).interpretation is None, question


def test_a_typo_between_two_names_is_not_corrected(layer: SemanticLayer) -> None:
    """Two names of the shop one edit apart: a typo as close to both is never read as either."""
    shop = layer.parser.entities.for_shop("10")
    names = sorted(shop.customers)
    pairs = [
        (a, b)
        for a in names
        for b in names
        if a < b and len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1
    ]
    if not pairs:
        pytest.skip("no two names of shop 10 one letter apart")
    a, b = pairs[0]
    at = next(i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y)
    typo = a[:at] + "q" + a[at + 1 :]  # one edit from each
    assert layer.understand(f"orders by {typo}", "10", TODAY).interpretation is None


def test_each_groups_share_of_the_total(
    client: TestClient, sql: Callable[..., list[tuple[Any, ...]]]
) -> None:
    body = client.post(
        "/api/mcp/ask", json={"shop_id": "10", "question": "share of revenue by country"}
    ).json()
    assert body["success"], body["answer"]
    truth = sql(
        f"SELECT c.country, round(100 * sum(o.total_amount) / sum(sum(o.total_amount)) OVER (), 2) "
        f"FROM orders o JOIN customers c ON c.customer_id = o.customer_id AND c.shop_id = o.shop_id "
        f"WHERE o.shop_id = '10' AND {PURCHASE} GROUP BY 1",
    )
    got = {row["label"]: row["value"] for row in body["data"]["rows"]}
    assert got == pytest.approx({str(k): float(v) for k, v in truth}, abs=0.01)
    assert sum(got.values()) == pytest.approx(100, abs=0.1)

    body = client.post("/api/mcp/ask", json={"shop_id": "10", "question": "revenue share by category"}).json()
    truth = sql(
        f"SELECT p.category, round(100 * sum(i.quantity * i.unit_price) / sum(sum(i.quantity * i.unit_price)) OVER (), 2) "
        f"FROM orders o JOIN order_items i ON i.order_id = o.order_id JOIN products p ON p.product_id = i.product_id "
        f"WHERE o.shop_id = '10' AND {PURCHASE} GROUP BY 1",
    )
    got = {row["label"]: row["value"] for row in body["data"]["rows"]}
    assert got == pytest.approx({str(k): float(v) for k, v in truth}, abs=0.01)


@pytest.mark.parametrize(
    "question",
    [
        "share of orders by category",  # one order holds several categories: no single total
        "share of revenue by month",  # a share of which total?
        "share of revenue by country for German customers",  # the filter's total or the whole?
        "share of revenue by country and month",
        "share of revenue from top 5 customers",  # each one's share, or theirs together?
        "refunds by country in %",  # how refunds split, or each country's refund rate?
    ],
)
def test_a_share_without_one_total_is_refused(client: TestClient, question: str) -> None:
    body = client.post("/api/mcp/ask", json={"shop_id": "10", "question": question}).json()
    assert body["success"] is False, (question, body["answer"])


@pytest.mark.parametrize(
    "question",
    [
        "the biggest order, who made it and when",
        "largest order L30D: who, how much, what date",
        "biggest order in Q3: customer and date",
        "Morning! who placed my biggest order and when?",
    ],
)
def test_the_parts_of_an_extreme_read_its_row(layer: SemanticLayer, question: str) -> None:
    q = read(layer, question)
    assert q["metric"] == "largest_order_row"


@pytest.mark.parametrize("question", ["biggest order and its products", "largest order by customer and when"])
def test_a_part_the_row_does_not_hold_is_not_dropped(layer: SemanticLayer, question: str) -> None:
    u = layer.understand(question, "10", TODAY)
    assert u.interpretation is None or u.interpretation.metric != "largest_order_row", question
    assert u.interpretation is None or "when" not in question, question


def test_a_greeting_is_skipped_but_morning_as_a_time_is_not(layer: SemanticLayer) -> None:
    assert read(layer, "Morning! orders this week?") == read(layer, "orders this week")
    assert layer.understand("morning orders this week", "10", TODAY).interpretation is None


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("# customers with >= 4 purchases", "number of customers with at least 4 purchases"),
        ("orders w/ at least 3 items last month", "orders with at least 3 items last month"),
        ("cust w at least 3 orders", "customers with at least 3 orders"),
        ("orders > $100", "orders over $100"),
        ("qty by cat L30D", "units sold by category in the last 30 days"),
        ("rev by hr of day", "revenue by hour of day"),
        ("orders n rev last wk", "orders and revenue last week"),
        ("rev by country n month", "revenue by country and month"),
        ("cancelled orders lst month", "cancelled orders last month"),
        ("95th pct order value YTD", "95th percentile order value this year"),
        ("orders in november with status delivered how many", "delivered orders in november"),
        ("which hour of the day brings the most revenue", "which hour of the day has the most revenue"),
        ("top 3 countries by AOV", "top 3 countries by average order value"),
        ("revenue first half 2026", "revenue in the first half of 2026"),
        ("what % of revenue comes from weekends", "what share of revenue is on weekends"),
        ("share of units sold in Kitchen, %", "share of units sold in Kitchen"),
        ("baskets with Hammock and Hiking Poles", "how many orders contain both Hammock and Hiking Poles"),
        ("customers who ordered 3 times or more, how many are there", "customers with at least 3 orders"),
    ],
)
def test_owner_shorthand_reads_as_its_long_form(layer: SemanticLayer, short: str, long: str) -> None:
    assert read(layer, short) == read(layer, long)


@pytest.mark.parametrize(
    "question",
    [
        "orders w/ at least 3 cats",  # a threshold on something that is not counted
        "top n customers",  # "n" is not a number
        "revenue share",  # a share of what?
    ],
)
def test_shorthand_does_not_invent_a_reading(layer: SemanticLayer, question: str) -> None:
    assert layer.understand(question, "10", TODAY).interpretation is None, question


def test_a_follow_up_asks_for_a_percentile(layer: SemanticLayer) -> None:
    first = layer.understand("median order value last quarter", "10", TODAY).interpretation
    assert first is not None
    u = layer.understand("and the 90th percentile?", "10", TODAY, previous=first)
    assert u.interpretation is not None and u.interpretation.metric == "p90_order_value"
    assert u.interpretation.period == first.period


@pytest.mark.parametrize(
    ("lower", "named"),
    [
        ("rev ytd from de", "revenue this year from Germany"),
        ("orders from fr last month", "orders from France last month"),
        ("how many orders in de", "how many orders in Germany"),
        ("orders from de customers", "orders from German customers"),
        ("aov in gb", "average order value in the United Kingdom"),
        ("sales in us last month", "revenue in the United States last month"),
    ],
)
def test_a_lower_case_country_code_after_a_preposition(layer: SemanticLayer, lower: str, named: str) -> None:
    assert read(layer, lower) == read(layer, named)


@pytest.mark.parametrize("question", ["rev from us yday", "orders from ca", "revenue for us this year"])
def test_a_code_that_is_also_a_word_or_a_state_is_refused_not_skipped(
    layer: SemanticLayer, question: str
) -> None:
    u = layer.understand(question, "10", TODAY)
    assert u.interpretation is None and "capitals" in u.message, (question, u.message)


def test_bought_from_us_is_the_shop(layer: SemanticLayer) -> None:
    q = read(layer, "how many customers bought from us last month")
    assert not [f for f in q["filters"] if f["field"] == "country"]


def test_the_day_before(layer: SemanticLayer) -> None:
    q = read(layer, "revenue the day before yesterday")
    assert (q["period"]["start"], q["period"]["end"]) == ("2026-12-01", "2026-12-02")
    first = layer.understand("orders yesterday", "10", TODAY).interpretation
    assert first is not None
    u = layer.understand("and the day before?", "10", TODAY, previous=first)
    assert u.interpretation is not None and u.interpretation.period is not None
    assert str(u.interpretation.period.start) == "2026-12-01"
    month = layer.understand("revenue last month", "10", TODAY).interpretation
    assert layer.understand("and the day before?", "10", TODAY, previous=month).interpretation is None
    assert layer.understand("orders the day before", "10", TODAY).interpretation is None  # before what?


@pytest.mark.parametrize(
    ("question", "canonical"),
    [
        ("revenue share per category", "share of revenue by category"),
        ("orders by status in %", "share of orders by status"),
        ("revenue by country in percent", "share of revenue by country"),
        ("top 3 categories by revenue share", "top 3 categories by share of revenue"),
    ],
)
def test_ways_to_ask_for_each_groups_share(layer: SemanticLayer, question: str, canonical: str) -> None:
    q = read(layer, question)
    assert q == read(layer, canonical) and q["share_of_total"] is True


def test_the_weekend_without_a_period_is_not_every_weekend(layer: SemanticLayer) -> None:
    """ "over the weekend" means the last one; answering every weekend ever would be a wrong number."""
    for question in ("hey there, how many orders came in over the weekend?", "revenue on the weekend"):
        assert layer.understand(question, "10", TODAY).interpretation is None, question
    assert read(layer, "revenue on the weekend last month") == read(layer, "revenue on weekends last month")
    assert read(layer, "weekend orders")["filters"] == read(layer, "orders on weekends")["filters"]
