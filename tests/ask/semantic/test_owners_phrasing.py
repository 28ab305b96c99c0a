"""Owners' phrasings (issue 22): harmless words are skipped and reported, operator words never
are, shorthand and relative periods, word order and populations read as the query they ask."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from services.ask.semantic import SemanticLayer
from services.ask.semantic.words import PROTECTED, did_you_mean, skippable
from services.ask.warehouse import Warehouse

TODAY = date(2026, 12, 3)  # a Thursday


@pytest.fixture(scope="module")
def layer(warehouse_path: Path) -> SemanticLayer:
    return SemanticLayer(Warehouse(warehouse_path))


def read(layer: SemanticLayer, question: str) -> dict:
    u = layer.understand(question, "10", TODAY)
    assert u.interpretation is not None, (question, u.message)
    return u.interpretation.model_dump(mode="json", exclude={"corrections"})


def test_chit_chat_is_skipped_and_reported(layer: SemanticLayer) -> None:
    u = layer.understand("hi, quick one: orders this week?", "10", TODAY)
    assert u.interpretation is not None
    assert read(layer, "hi, quick one: orders this week?") == read(layer, "orders this week")
    assert {"hi", "quick one"} <= set(u.skipped)
    assert read(layer, "could you pull up revenue for May") == read(layer, "revenue in May")
    assert read(layer, "so how are sales doing this month") == read(layer, "revenue this month")


@pytest.mark.parametrize(
    "question",
    [
        "how many orders may I have",  # "may" is a month, never filler
        "revenue except germany",
        "orders not from germany thanks",
        "revenue from everything but Germany",
        "how many orders before black friday",
        "revenue per head",
        "median order value by flavour",
    ],
)
def test_an_operator_word_left_unread_refuses(layer: SemanticLayer, question: str) -> None:
    u = layer.understand(question, "10", TODAY)
    assert u.interpretation is None, question


def test_the_stop_words_come_from_spacy_and_operators_are_protected() -> None:
    assert skippable("hi") and skippable("could") and skippable("quick")
    for word in ("not", "median", "per", "first", "more", "than", "only", "each", "one", "it", "may"):
        assert word in PROTECTED and not skippable(word)


def test_an_unknown_word_refuses_with_a_did_you_mean(layer: SemanticLayer) -> None:
    u = layer.understand("revenue frm the widgetz category", "10", TODAY)
    assert u.interpretation is None and "widgetz" in u.unused
    assert did_you_mean(["revnue"], ["revenue", "orders"]) == ["revenue"]


def test_a_typo_in_a_country_is_read_as_the_country(layer: SemanticLayer) -> None:
    assert read(layer, "revenue from germny") == read(layer, "revenue from germany")


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("qty sold L7D", "units sold in the last 7 days"),
        ("AOV QTD", "average order value this quarter"),
        ("# orders yday", "number of orders yesterday"),
        ("rev MTD", "revenue this month"),
        ("orders L30D", "orders in the last 30 days"),
        ("orders w/e 29 nov", "orders between 23 november and 29 november"),
    ],
)
def test_shorthand_reads_as_its_long_form(layer: SemanticLayer, short: str, long: str) -> None:
    a, b = read(layer, short), read(layer, long)
    assert (a["metric"], a["period"]["start"], a["period"]["end"]) == (
        b["metric"],
        b["period"]["start"],
        b["period"]["end"],
    )


def test_relative_periods(layer: SemanticLayer) -> None:
    q = read(layer, "revenue this week vs the one before")
    assert (q["period"]["start"], q["compare_to"]["start"], q["compare_to"]["end"]) == (
        "2026-11-30",
        "2026-11-23",
        "2026-11-30",
    )
    q = read(layer, "revenue same month last year")
    assert (q["period"]["start"], q["period"]["end"]) == ("2025-12-01", "2026-01-01")
    q = read(layer, "revenue the first half of this year")
    assert (q["period"]["start"], q["period"]["end"]) == ("2026-01-01", "2026-07-01")
    q = read(layer, "orders on black friday")
    assert (q["period"]["start"], q["period"]["end"]) == ("2026-11-27", "2026-11-28")
    q = read(layer, "orders on cyber monday")
    assert q["period"]["start"] == "2026-11-30"
    q = read(layer, "orders on new year's eve")
    assert q["period"]["start"] == "2025-12-31"
    assert layer.understand("revenue this week vs the month before", "10", TODAY).interpretation is None


@pytest.mark.parametrize(
    ("question", "canonical"),
    [
        ("products by units, top 8", "top 8 products by units"),
        ("customers, top 10 by spend", "top 10 customers by spend"),
        ("top sellers by units, top 5", "top 5 products by units"),
        ("break down orders by status", "orders by status"),
        ("spanish customers' AOV", "average order value of customers from spain"),
        ("units that went to buyers in Italy", "units sold to customers in italy"),
        ("revenue by category for German customers", "revenue by category from germany"),
    ],
)
def test_word_order_and_populations(layer: SemanticLayer, question: str, canonical: str) -> None:
    assert read(layer, question) == read(layer, canonical)


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("revenue by weekdy", "revenue by weekday"),  # never "weekly"
        ("medain order value", "median order value"),
        ("ordrs on black fridy", "orders on black friday"),
    ],
)
def test_a_typo_of_a_new_word_is_read_as_that_word(layer: SemanticLayer, typo: str, meant: str) -> None:
    assert read(layer, typo) == read(layer, meant)
