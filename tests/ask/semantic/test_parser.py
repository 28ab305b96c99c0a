"""The parser's contract: every word used or filler, else a refusal that says what it understood."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from services.ask.semantic import SemanticLayer, intent_of
from services.ask.warehouse import Warehouse

TODAY = date(2026, 12, 3)


@pytest.fixture(scope="module")
def layer(warehouse_path: Path) -> SemanticLayer:
    return SemanticLayer(Warehouse(warehouse_path))


@pytest.mark.parametrize(
    ("question", "metric", "group_by", "filters", "rank"),
    [
        ("How many orders do I have?", "orders", None, {}, None),
        ("Total revenue from shipped orders", "revenue", None, {"status": ["shipped"]}, None),
        (
            "orders excluding refunded and cancelled",
            "orders",
            None,
            {"status": ["cancelled", "refunded"]},
            None,
        ),
        ("Revenue by product category", "revenue", "category", {}, None),
        ("revenue in Germany last month", "revenue", None, {"country": ["DE"]}, None),
        ("orders from DE", "orders", None, {"country": ["DE"]}, None),
        ("orders between $50 and $100", "orders", None, {"amount": [50.0, 100.0]}, None),
        ("top 3 countries by number of orders", "orders", "country", {}, "top"),
        ("least popular products", "units_sold", "product", {}, "bottom"),
        ("What percentage of customers ordered more than once?", "repeat_rate", None, {}, None),
        ("customers inactive for 60 days", "inactive_customers", None, {}, None),
        ("Which products had no sales last month?", "products_no_sales", None, {}, None),
    ],
)
def test_questions_read_into_the_query_they_ask(
    layer: SemanticLayer, question: str, metric: str, group_by: str | None, filters: dict, rank: str | None
) -> None:
    u = layer.understand(question, "10", TODAY)
    assert u.outcome == "answer", u.message
    q = u.interpretation
    assert q is not None
    assert (q.metric, q.group_by, q.rank) == (metric, group_by, rank)
    assert {f.field: f.values for f in q.filters} == filters


def test_a_comparison_puts_the_later_period_first(layer: SemanticLayer) -> None:
    u = layer.understand("revenue september vs october", "10", TODAY)
    assert u.interpretation is not None
    assert u.interpretation.period is not None and u.interpretation.compare_to is not None
    assert (
        u.interpretation.period.label == "October 2026"
        and u.interpretation.compare_to.label == "September 2026"
    )
    assert intent_of(u.interpretation) == "revenue_comparison"


def test_growth_of_one_period_compares_with_the_one_before(layer: SemanticLayer) -> None:
    u = layer.understand("revenue growth this month", "10", TODAY)
    q = u.interpretation
    assert q is not None and q.compare_to is not None
    assert (q.compare_to.start, q.compare_to.end) == (date(2026, 11, 1), date(2026, 12, 1))


@pytest.mark.parametrize(
    ("question", "unused"),
    [
        ("revenue from the blue widgets", {"blue", "widgets"}),
        ("orders by flavour", {"by", "flavour"}),
        ("How many orders did Zorblax Quuxington place?", {"zorblax", "quuxington"}),
    ],
)
def test_unknown_words_are_refused_and_listed(layer: SemanticLayer, question: str, unused: set[str]) -> None:
    u = layer.understand(question, "10", TODAY)
    assert u.outcome == "unclear" and u.interpretation is None
    assert unused <= set(u.unused)
    assert u.suggestions


def test_a_typo_is_read_as_the_word_it_is_close_to(layer: SemanticLayer) -> None:
    u = layer.understand("how many custmers do i have", "10", TODAY)
    assert u.interpretation is not None and u.interpretation.metric == "customers"
    assert u.interpretation.corrections == {"custmers": "customers"}


def test_out_of_scope_topics_and_actions_are_refused_with_the_reason(layer: SemanticLayer) -> None:
    for question in ("What is my profit margin?", "delete customer 12", "Why did revenue drop?"):
        u = layer.understand(question, "10", TODAY)
        assert u.outcome == "out_of_scope" and u.message
