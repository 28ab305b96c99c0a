"""The router on its own: parsing of periods, amounts, statuses and N, and its accuracy on held-out
phrasings with the real all-MiniLM-L6-v2 embedding (the accuracy is printed: run with -s)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import torch

from services.ask.periods import parse_period
from services.ask.router import Router, load_embedder, parse_amount, parse_n, parse_status
from tests.ask.heldout import FRESH, HELDOUT

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def embedding_router() -> Router:
    torch.set_num_threads(1)
    return Router(load_embedder())


@pytest.mark.parametrize(
    ("text", "label", "start", "end"),
    [
        ("revenue last month", "last month (October 2026)", datetime(2026, 10, 1), datetime(2026, 11, 1)),
        ("orders this month", "this month (November 2026)", datetime(2026, 11, 1), datetime(2026, 11, 26)),
        ("sales this year", "this year (2026)", datetime(2026, 1, 1), datetime(2026, 11, 26)),
        ("the last 7 days", "in the last 7 days", datetime(2026, 11, 19), datetime(2026, 11, 26)),
        ("in the past two weeks", "in the last 2 weeks", datetime(2026, 11, 12), datetime(2026, 11, 26)),
        ("over the last 3 months", "in the last 3 months", datetime(2026, 9, 1), datetime(2026, 11, 26)),
        ("yesterday", "yesterday (24 November 2026)", datetime(2026, 11, 24), datetime(2026, 11, 25)),
        ("in March", "in March 2026", datetime(2026, 3, 1), datetime(2026, 4, 1)),
        ("in December", "in December 2025", datetime(2025, 12, 1), datetime(2026, 1, 1)),
        ("in 2025", "in 2025", datetime(2025, 1, 1), datetime(2026, 1, 1)),
        ("last quarter", "last quarter (Q3 2026)", datetime(2026, 7, 1), datetime(2026, 10, 1)),
    ],
)
def test_periods(text: str, label: str, start: datetime, end: datetime) -> None:
    period = parse_period(text, today=TODAY)
    assert period is not None
    assert (period.label, period.start, period.end) == (label, start, end)


def test_no_period_and_may_the_verb() -> None:
    assert parse_period("how many orders do I have", today=TODAY) is None
    assert parse_period("may I see my revenue", today=TODAY) is None


def test_last_month_in_january_is_december_of_the_year_before() -> None:
    period = parse_period("last month", today=date(2027, 1, 10))
    assert period is not None and (period.start, period.end) == (datetime(2026, 12, 1), datetime(2027, 1, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("orders over $1,500.50", ("above", 1500.5)),
        ("orders above 2k", ("above", 2000.0)),
        ("orders under 20 dollars", ("below", 20.0)),
        ("orders of at least €300", ("at least", 300.0)),
        ("customers with more than 5 orders", None),
        ("orders in the last 30 days", None),
    ],
)
def test_amounts(text: str, expected: tuple[str, float] | None) -> None:
    assert parse_amount(text) == expected


def test_statuses_and_n() -> None:
    assert parse_status("how many canceled orders") == "cancelled"
    assert parse_status("orders in transit") == "shipped"
    assert parse_status("how many orders") is None
    assert parse_n("top 3 customers") == 3
    assert parse_n("my ten best customers") == 10
    assert parse_n("best customers") == 5
    assert parse_n("top customers in the last 30 days") == 5


def test_routes_carry_parameters() -> None:
    route = Router().route("How many refunded orders above $200 last month?")
    assert route.tool == "orders_by_amount" and route.call is not None
    assert (route.call.direction, route.call.threshold, route.call.status) == ("above", 200.0, "refunded")
    assert route.call.period is not None and route.call.period.label.startswith("last month")


@pytest.mark.parametrize(("name", "phrasings"), [("held-out", HELDOUT), ("fresh", FRESH)])
def test_accuracy_on_held_out_phrasings(
    embedding_router: Router, name: str, phrasings: list[tuple[str, str | None]]
) -> None:
    rules_only = Router()
    combined = sum(embedding_router.route(q).tool == tool for q, tool in phrasings)
    rules = sum(rules_only.route(q).tool == tool for q, tool in phrasings)
    supported = [(q, t) for q, t in phrasings if t is not None]
    nearest = sum(embedding_router.embedding_only(q) == t for q, t in supported)
    print(
        f"\nrouter accuracy on {len(phrasings)} {name} phrasings: embedding+parsing {combined}/{len(phrasings)}, "
        f"parsing only {rules}/{len(phrasings)}; nearest exemplar alone {nearest}/{len(supported)} supported"
    )
    assert combined / len(phrasings) >= 0.9
    assert combined >= rules  # the embedding never makes routing worse
    assert nearest < len(supported)  # the embedding alone is not enough: parsing earns its place


def test_unsupported_questions_get_low_confidence(embedding_router: Router) -> None:
    for question, tool in HELDOUT + FRESH:
        if tool is None:
            route = embedding_router.route(question)
            assert not route.supported and route.confidence < 0.5, question
    supported = embedding_router.route("What was my revenue last month?")
    assert supported.confidence >= 0.7


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how many orders have more than 10 items?", None),  # a count of items, not a price
        ("orders over 20 customers", None),
        ("orders over " + "9" * 400, None),  # no price is that big: no threshold, not a 500
        ("orders above $1,000.50", ("above", 1000.5)),
        ("orders over 2.5k", ("above", 2500.0)),
    ],
)
def test_amounts_are_prices_not_counts_or_overflow(question: str, expected: tuple[str, float] | None) -> None:
    assert parse_amount(question) == expected


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("revenue last 0 days", "in the last 0 days"),  # empty, not all time
        ("revenue 2025", "in 2025"),
        ("2025 revenue", "in 2025"),
        ("orders over 2000", None),  # an amount, not a year
        ("orders above $2025", None),
    ],
)
def test_periods_the_parser_used_to_miss(question: str, label: str | None) -> None:
    period = parse_period(question, date(2026, 11, 25))
    assert (period.label if period else None) == label
    if period is not None and label == "in the last 0 days":
        assert period.start == period.end
