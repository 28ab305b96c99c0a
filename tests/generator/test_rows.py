"""A model writes ``V_ROWS`` where a list goes; the rows come from the data, as the template lists them."""

from __future__ import annotations

import pytest

from services.generator.engine import compose
from shared.phrasing import LISTED, template_answer, template_text
from shared.results import ToolResult
from shared.rows import collapse, expand

LISTS = [
    ToolResult(
        tool="top_customers",
        values={"n": 2, "period": "last month (October 2026)"},
        rows=[
            {"name": "Ada Lovelace", "spending": 1200.5, "orders": 4},
            {"name": "Alan Turing", "spending": 980.0, "orders": 2},
        ],
        money=["spending"],
    ),
    ToolResult(
        tool="orders_by_amount",
        values={"count": 2, "direction": "above", "threshold": 100},
        rows=[
            {"order_id": "1001", "total": 250.0, "date": "2026-10-02"},
            {"order_id": "1002", "total": 310.0, "date": "2026-10-02"},
        ],
        money=["threshold", "total"],
    ),
    ToolResult(tool="revenue_by_month", rows=[{"month": "2026-09", "revenue": 10.0}], money=["revenue"]),
    ToolResult(
        tool="order_status_breakdown",
        values={"total": 3},
        rows=[{"status": "paid", "count": 1}, {"status": "shipped", "count": 2}],
    ),
    ToolResult(
        tool="top_products",
        values={"n": 2, "metric": "revenue"},
        rows=[{"name": "Mug", "revenue": 40.0}, {"name": "Tea", "revenue": 12.0}],
        money=["revenue"],
    ),
]


@pytest.mark.parametrize("result", LISTS, ids=lambda r: r.tool)
def test_a_sentence_with_v_rows_answers_with_every_row_from_the_data(result: ToolResult) -> None:
    sentence = collapse(template_text(result), result)
    assert "V_ROWS" in sentence and not any(f"_{i}" in sentence for i in range(1, len(result.rows) + 1))
    answer = compose(sentence, "p", result, "v1")
    assert (answer.generator, answer.text) == ("model", template_answer(result))


def test_the_model_phrases_the_sentence_and_the_rows_are_filled_in() -> None:
    result = LISTS[0]
    answer = compose("Your best V_N buyers V_PERIOD were V_ROWS.", "p", result, "v1")
    assert answer.generator == "model"
    assert answer.text == (
        "Your best 2 buyers last month (October 2026) were Ada Lovelace ($1,200.50), Alan Turing ($980.00)."
    )


def test_v_rows_without_rows_to_list_is_rejected() -> None:
    result = ToolResult(tool="customer_count", values={"count": 5})
    assert expand("You have V_COUNT customers: V_ROWS.", result) == "You have V_COUNT customers: V_ROWS."
    answer = compose("You have V_COUNT customers: V_ROWS.", "p", result, "v1")
    assert answer.generator == "template" and "V_ROWS" in (answer.fallback_reason or "")


def months(n: int) -> ToolResult:
    """Revenue by month over n months, as the semantic layer answers it (LISTED rows in the text)."""
    rows = [
        {"label": f"Month {chr(65 + i)}", "start": f"2026-{i % 12 + 1:02d}-01", "value": 100.0 + i}
        for i in range(n)
    ]
    values = {
        "metric": "Revenue",
        "period": "all time",
        "scope": "the sum of order totals",
        "unit": "money",
        "group": "month",
    }
    if n > LISTED:
        values["more"] = f"{n - LISTED} more (every row is in the data)"
    return ToolResult(
        tool="metric_by", params={"metric": "revenue"}, values=values, rows=rows, money=["value"]
    )


def test_a_list_cut_short_says_how_many_more_whatever_the_model_wrote() -> None:
    result = months(LISTED + 1)  # 13 months: any December over a year of orders
    sentence = collapse(template_text(result), result)
    # The remainder is part of the list: the model writes only the sentence around it.
    assert sentence == "V_METRIC by V_GROUP, V_PERIOD: V_ROWS. Computed as V_SCOPE."
    for written in (sentence, sentence.replace("V_ROWS", "V_ROWS, and V_MORE")):  # with it or without it
        answer = compose(written, "p", result, "v1")
        assert (answer.generator, answer.text) == ("model", template_answer(result))
        assert answer.text.count("1 more (every row is in the data)") == 1
    # An owner's correction joins the remainder in their own words: it is still the list's.
    german = (
        template_text(result).replace("V_METRIC by", "V_METRIC nach").replace(", and V_MORE", ", und V_MORE")
    )
    assert collapse(german, result) == "V_METRIC nach V_GROUP, V_PERIOD: V_ROWS. Computed as V_SCOPE."


def test_a_list_that_is_not_cut_has_no_remainder() -> None:
    result = months(LISTED)
    assert "V_MORE" not in expand(collapse(template_text(result), result), result)
    assert compose(collapse(template_text(result), result), "p", result, "v1").text == template_answer(result)
