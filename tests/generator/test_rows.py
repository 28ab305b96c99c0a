"""A model writes ``V_ROWS`` where a list goes; the rows come from the data, as the template lists them."""

from __future__ import annotations

import pytest

from services.generator.engine import compose
from shared.phrasing import template_answer, template_text
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
