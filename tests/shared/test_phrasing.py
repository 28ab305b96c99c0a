"""Placeholders: formatting, template answers, delexicalising, and rejecting bad model output."""

from __future__ import annotations

import pytest

from shared.errors import PlaceholderError
from shared.phrasing import TEMPLATES, check_generated, delexicalise, template_answer, template_text
from shared.placeholders import placeholders
from shared.prompt import build_prompt
from shared.results import ToolResult, format_money, slots

TOP = ToolResult(
    tool="top_customers", params={"n": 2}, values={"n": 2},
    rows=[{"name": "Ada Lovelace", "spending": 12345.5, "orders": 12}, {"name": "Alan Turing", "spending": 999.0, "orders": 3}],
    money=["spending"], currency="USD",
)
COUNT = ToolResult(tool="count_orders", values={"count": 1174, "status": "shipped", "period": "last month (October 2026)"})


def test_money_is_shown_with_currency_two_decimals_and_separators() -> None:
    assert format_money(235706, "USD") == "$235,706.00"
    assert format_money(1234.565, "EUR") == "€1,234.57"
    assert format_money(-5, "CHF") == "-5.00 CHF"


def test_template_answer_states_exactly_the_results_numbers() -> None:
    assert template_answer(COUNT) == "You have 1,174 orders with status shipped last month (October 2026)."
    assert template_answer(TOP) == "Your top 2 customers by spending are: Ada Lovelace ($12,345.50), Alan Turing ($999.00)."


def test_delexicalise_then_fill_gives_back_the_answer() -> None:
    answer = template_answer(TOP)
    target = delexicalise(answer, TOP)
    assert target == "Your top V_N customers by spending are: V_NAME_1 (V_SPENDING_1), V_NAME_2 (V_SPENDING_2)."
    assert check_generated(target, TOP) == answer


def test_delexicalise_refuses_an_answer_with_a_number_not_in_the_result() -> None:
    assert delexicalise("You have 1,175 orders with status shipped.", COUNT) is None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("You have V_TOTAL orders.", "unknown"),
        ("You have V_COUNT orders with status V_STATUS V_PERIOD V_1.", "unknown"),  # malformed names
        ("You have V_COUNT orders with status V_STATUS V_PERIOD_.", "unknown"),
        ("You have some orders.", "missing"),
        ("You have V_COUNT orders with status V_STATUS V_PERIOD, up 12%.", "number"),
    ],
)
def test_bad_model_output_is_rejected(text: str, why: str) -> None:
    with pytest.raises(PlaceholderError, match=why):
        check_generated(text, COUNT)


def test_prompt_carries_question_tool_and_facts() -> None:
    prompt = build_prompt("How many orders?", COUNT)
    assert prompt.startswith("Answer this e-commerce analytics question: How many orders?")
    assert "tool: count_orders" in prompt and "V_COUNT = 1,174" in prompt
    assert "{" not in prompt and "}" not in prompt  # FLAN-T5's vocabulary has no curly braces


def semantic_samples() -> dict[str, ToolResult]:
    """The semantic layer's results: each states the metric, the period with its dates and the scope."""
    said = {"metric": "Revenue", "period": "last month (1 November 2026 to 30 November 2026)",
            "scope": "the sum of order totals, counting orders with status paid", "unit": "money"}  # fmt: skip
    rows = [{"label": "October 2026", "start": "2026-10-01", "value": 10.0}]
    return {
        "metric": ToolResult(tool="metric", values={**said, "value": 12.5}, money=["value", "previous"]),
        "metric_compare": ToolResult(
            tool="metric_compare",
            values={**said, "value": 12.5, "previous": 10.0, "previous_period": "October 2026", "change": "up 25.0%"},
            money=["value", "previous"],
        ),
        "metric_by": ToolResult(tool="metric_by", values={**said, "group": "month"}, rows=rows, money=["value"]),
        "metric_top": ToolResult(
            tool="metric_top", values={**said, "group": "month", "ranking": "top month"}, rows=rows, money=["value"]
        ),
        "metric_list": ToolResult(
            tool="metric_list", values={**said, "unit": "count", "value": 1}, rows=[{"label": "Mug", "id": "P1"}]
        ),
    }


def test_every_template_only_uses_slots_of_its_result() -> None:
    samples = {
        "count_orders": ToolResult(tool="count_orders", values={"count": 3}),
        "total_revenue": ToolResult(tool="total_revenue", values={"revenue": 10.0, "orders": 2}, money=["revenue"]),
        "average_order_value": ToolResult(tool="average_order_value", values={"aov": 5.0, "orders": 2}, money=["aov"]),
        "top_customers": TOP,
        "orders_by_amount": ToolResult(
            tool="orders_by_amount", values={"count": 1, "direction": "above", "threshold": 1000},
            rows=[{"order_id": "77", "total": 1500.0, "date": "2026-10-01"}], money=["threshold", "total"]),
        "top_products": ToolResult(tool="top_products", values={"n": 1, "metric": "units sold"}, rows=[{"name": "Mug", "units": 40}]),
        "customer_count": ToolResult(tool="customer_count", values={"count": 9}),
        "new_customers": ToolResult(tool="new_customers", values={"count": 2, "period": "this month (November 2026)"}),
        "revenue_by_month": ToolResult(tool="revenue_by_month", rows=[{"month": "October 2026", "revenue": 10.0}], money=["revenue"]),
        "order_status_breakdown": ToolResult(tool="order_status_breakdown", values={"total": 5}, rows=[{"status": "paid", "count": 5}]),
        "best_period": ToolResult(tool="best_period", values={"grain": "month", "best": "March 2026", "revenue": 9.0}, money=["revenue"]),
        **semantic_samples(),
    }
    assert set(samples) == set(TEMPLATES)
    for result in samples.values():
        text = template_text(result)
        filled = check_generated(text, result)  # the template passes its own checks
        assert "V_" not in filled
        used = set(placeholders(text))
        assert used, f"{result.tool}: the template states no fact"
        assert used <= slots(result).keys(), f"{result.tool}: {sorted(used - slots(result).keys())}"
        for name in used:  # each fact the template names reaches the answer as the data's text
            assert slots(result)[name] in filled, f"{result.tool}: {name}"
        with pytest.raises(PlaceholderError):  # and a slot the result lacks is refused
            check_generated(text + " V_NOT_IN_THE_RESULT", result)


def test_equal_values_in_a_list_map_to_their_own_rows() -> None:
    result = ToolResult(
        tool="orders_by_amount", values={"count": 3, "direction": "above", "threshold": 100},
        rows=[{"order_id": "A-1", "total": 150.0, "date": "2026-10-01"},
              {"order_id": "A-2", "total": 150.0, "date": "2026-10-02"},
              {"order_id": "A-3", "total": 120.0, "date": "2026-10-01"}],
        money=["threshold", "total"],
    )
    target = delexicalise(template_answer(result), result)
    assert target == template_text(result)
    assert "V_TOTAL_2" in target and "V_DATE_3" in target


def test_a_tool_without_a_template_still_names_every_fact() -> None:
    result = ToolResult(tool="refund_rate", values={"refunds": 12, "rate": "4.1%"}, rows=[{"reason": "damaged", "count": 7}])
    assert template_answer(result) == "refunds: 12; rate: 4.1%; reason damaged, count 7."
    assert template_answer(ToolResult(tool="refund_rate")) == "No data."
