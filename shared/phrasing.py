"""Answers with placeholders: the deterministic template phrasing, delexicalising a logged
answer into a training target, filling placeholders, and checking generated text.

Tools and the result keys their templates use (the contract between the ask service's tools,
the generator and the trainer):

=======================  ======================================  ==========================
tool                     values                                  rows
=======================  ======================================  ==========================
count_orders             count, status?, period?                 -
total_revenue            revenue, orders, period?                -
average_order_value      aov, orders, period?                    -
top_customers            n, period?                              name, spending, orders
orders_by_amount         count, direction, threshold, period?    order_id, total, date
top_products             n, metric ("revenue"/"units sold")      name, revenue | units
customer_count           count                                   -
new_customers            count, period                           -
revenue_by_month         period?                                 month, revenue
order_status_breakdown   total, period?                          status, count
best_period              grain ("month"/"day"), best, revenue    -
=======================  ======================================  ==========================

``period`` is a readable label such as ``"last month (October 2026)"``; money keys are listed
in ``ToolResult.money``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator

from shared.errors import PlaceholderError
from shared.placeholders import LOOKALIKE_RE, placeholders, slot_name, without_placeholders
from shared.results import ToolResult, slots

SUPPORTED_QUESTIONS = (
    "order counts (by status or period), total revenue, average order value, top customers by "
    "spending, orders above or below an amount, top products by revenue or units, customer counts "
    "and new customers, revenue by month, order status breakdown, and the best month or day by revenue"
)
UNSUPPORTED_ANSWER = f"Sorry, I can't answer that yet. You can ask about {SUPPORTED_QUESTIONS}."


def _opt(result: ToolResult, key: str, fmt: str = " {}") -> str:
    return fmt.format(slot_name(key)) if result.values.get(key) not in (None, "") else ""


def _list(result: ToolResult, cell: Callable[[int], str]) -> str:
    return ", ".join(cell(i) for i in range(1, len(result.rows) + 1))


def _count_orders(r: ToolResult) -> str:
    status = _opt(r, "status", " with status {}")
    return f"You have V_COUNT orders{status}{_opt(r, 'period')}."


def _total_revenue(r: ToolResult) -> str:
    return f"Your total revenue{_opt(r, 'period')} is V_REVENUE from V_ORDERS orders."


def _aov(r: ToolResult) -> str:
    return f"Your average order value{_opt(r, 'period')} is V_AOV across V_ORDERS orders."


def _top_customers(r: ToolResult) -> str:
    if not r.rows:
        return f"You have no customers with spending{_opt(r, 'period')}."
    items = _list(r, lambda i: f"V_NAME_{i} (V_SPENDING_{i})")
    return f"Your top V_N customers by spending{_opt(r, 'period')} are: {items}."


def _orders_by_amount(r: ToolResult) -> str:
    text = f"You have V_COUNT orders V_DIRECTION V_THRESHOLD{_opt(r, 'period')}."
    if r.rows:
        text += " " + ("They include: " + _list(r, lambda i: f"order V_ORDER_ID_{i} (V_TOTAL_{i}, V_DATE_{i})")) + "."
    return text


def _top_products(r: ToolResult) -> str:
    if not r.rows:
        return "You have no product sales yet."
    col = "REVENUE" if r.rows and "revenue" in r.rows[0] else "UNITS"
    items = _list(r, lambda i: f"V_NAME_{i} (V_{col}_{i})")
    return f"Your top V_N products by V_METRIC{_opt(r, 'period')} are: {items}."


def _customer_count(r: ToolResult) -> str:
    return "You have V_COUNT customers."


def _new_customers(r: ToolResult) -> str:
    return f"You gained V_COUNT new customers{_opt(r, 'period')}."


def _revenue_by_month(r: ToolResult) -> str:
    if not r.rows:
        return f"You have no revenue{_opt(r, 'period')}."
    return f"Revenue by month{_opt(r, 'period')}: " + _list(r, lambda i: f"V_MONTH_{i}: V_REVENUE_{i}") + "."


def _status_breakdown(r: ToolResult) -> str:
    items = _list(r, lambda i: f"V_STATUS_{i}: V_COUNT_{i}")
    return f"Your V_TOTAL orders{_opt(r, 'period')} by status: {items}."


def _best_period(r: ToolResult) -> str:
    if not r.values.get("best"):
        return "You have no revenue yet."
    return "Your best V_GRAIN by revenue was V_BEST with V_REVENUE."


# The semantic layer's results (services/ask/semantic): each states the metric, the period with
# its dates and the scope (definition, statuses, filters). Text lists at most LISTED rows.
LISTED = 12


def _pct(r: ToolResult) -> str:
    return "%" if r.values.get("unit") == "percent" else ""


def _more(r: ToolResult) -> str:
    return ", and V_MORE" if r.values.get("more") else ""


def _metric(r: ToolResult) -> str:
    return f"V_METRIC, V_PERIOD: V_VALUE{_pct(r)}. Computed as V_SCOPE."


def _metric_compare(r: ToolResult) -> str:
    p = _pct(r)
    return f"V_METRIC, V_PERIOD: V_VALUE{p}, against V_PREVIOUS{p} in V_PREVIOUS_PERIOD (V_CHANGE). Computed as V_SCOPE."


def _metric_by(r: ToolResult) -> str:
    shown = min(len(r.rows), LISTED)
    if not shown:
        return "V_METRIC by V_GROUP, V_PERIOD: nothing to show. Computed as V_SCOPE."
    items = "; ".join(f"V_LABEL_{i}: V_VALUE_{i}{_pct(r)}" for i in range(1, shown + 1))
    return f"V_METRIC by V_GROUP, V_PERIOD: {items}{_more(r)}. Computed as V_SCOPE."


def _metric_top(r: ToolResult) -> str:
    if not r.rows:
        return "V_METRIC, V_RANKING, V_PERIOD: nothing to rank. Computed as V_SCOPE."
    items = ", ".join(f"V_LABEL_{i} (V_VALUE_{i}{_pct(r)})" for i in range(1, min(len(r.rows), LISTED) + 1))
    return f"V_METRIC, V_RANKING, V_PERIOD: {items}. Computed as V_SCOPE."


def _metric_list(r: ToolResult) -> str:
    items = ", ".join(f"V_LABEL_{i}" for i in range(1, min(len(r.rows), LISTED) + 1))
    return f"V_METRIC, V_PERIOD: V_VALUE{': ' + items if items else ''}{_more(r)}. Computed as V_SCOPE."


TEMPLATES: dict[str, Callable[[ToolResult], str]] = {
    "metric": _metric,
    "metric_compare": _metric_compare,
    "metric_by": _metric_by,
    "metric_top": _metric_top,
    "metric_list": _metric_list,
    "count_orders": _count_orders,
    "total_revenue": _total_revenue,
    "average_order_value": _aov,
    "top_customers": _top_customers,
    "orders_by_amount": _orders_by_amount,
    "top_products": _top_products,
    "customer_count": _customer_count,
    "new_customers": _new_customers,
    "revenue_by_month": _revenue_by_month,
    "order_status_breakdown": _status_breakdown,
    "best_period": _best_period,
}


def template_text(result: ToolResult) -> str:
    """The deterministic phrasing of ``result``, still with placeholders."""
    template = TEMPLATES.get(result.tool)
    if template is None:
        # A tool without a template still gets an honest answer: every fact, named and listed.
        facts = [f"{key.replace('_', ' ')}: {slot_name(key)}" for key, v in result.values.items() if v is not None]
        facts += [
            ", ".join(f"{key.replace('_', ' ')} {slot_name(key, i)}" for key, v in row.items() if v is not None)
            for i, row in enumerate(result.rows, start=1)
        ]
        return ("; ".join(f for f in facts if f) + ".") if any(facts) else "No data."
    return template(result)


def required_placeholders(result: ToolResult) -> set[str]:
    """The facts an answer about ``result`` must state: those its template states."""
    return set(placeholders(template_text(result)))


def fill(text: str, values: dict[str, str]) -> str:
    """Replace every placeholder with its display text; unknown placeholders raise."""
    unknown = sorted({p for p in LOOKALIKE_RE.findall(text) if p not in values})  # V_1 and V_X_ too
    if unknown:
        raise PlaceholderError(f"unknown placeholder(s): {', '.join(unknown)}")
    return LOOKALIKE_RE.sub(lambda m: values[m.group(0)], text)


def template_answer(result: ToolResult) -> str:
    """The template phrasing of ``result`` with its numbers filled in."""
    return fill(template_text(result), slots(result))


def check_generated(text: str, result: ToolResult) -> str:
    """Validate model output with placeholders and return it filled.

    Raises ``PlaceholderError`` if it uses an unknown placeholder, leaves out a required one,
    or writes a digit outside a placeholder (an invented number).
    """
    values = slots(result)
    used = set(placeholders(text))
    unknown = sorted(set(LOOKALIKE_RE.findall(text)) - values.keys())  # malformed names are unknown too
    if unknown:
        raise PlaceholderError(f"unknown placeholder(s): {', '.join(unknown)}")
    missing = sorted(required_placeholders(result) - used)
    if missing:
        raise PlaceholderError(f"missing placeholder(s): {', '.join(missing)}")
    if re.search(r"\d", without_placeholders(text)):
        raise PlaceholderError(f"states a number outside placeholders: {text!r}")
    return fill(text, values)


def _slot_order(name: str) -> tuple[int, str]:
    """``V_DATE_2`` sorts before ``V_DATE_10``: (row index, name); scalars come first."""
    tail = name.rsplit("_", 1)[-1]
    return (int(tail) if tail.isdigit() else 0, name)


def delexicalise(answer: str, result: ToolResult) -> str | None:
    """Turn a logged answer back into placeholder text, or ``None`` if a number in it cannot be
    matched to the result (such an example is not fit for training).

    When several slots show the same text (two orders on the same date), the k-th occurrence in
    the answer becomes the k-th of those slots in row order, as the templates list rows."""
    by_text: dict[str, list[str]] = {}
    for name, shown in slots(result).items():
        by_text.setdefault(shown, []).append(name)
    text = answer
    # Longest display text first, so "$1,234.50" wins over "1,234".
    for shown in sorted(by_text, key=lambda t: (-len(t), t)):
        names = sorted(by_text[shown], key=_slot_order)
        pattern = r"(?<![\w.,$€£¥])" + re.escape(shown) + r"(?![\w]|[.,]\d)"
        occurrence = itertools.count()

        def pick(_: re.Match[str], names: list[str] = names, occurrence: Iterator[int] = occurrence) -> str:
            return names[min(next(occurrence), len(names) - 1)]

        text = re.sub(pattern, pick, text)
    if re.search(r"\d", without_placeholders(text)):
        return None
    return text
