# ruff: noqa: F403, F405
"""Neighbouring-question traps: phrasings one word away from something the layer answers.

Written after the parser, from a review of where a plausible reading would give a different
number than the one asked for; each must be refused or answered with its own truth.
"""

from __future__ import annotations

from evaluation.questions.truth import *  # noqa: F403  (the truth vocabulary)

QUESTIONS: list[Q] = [
    Q("average revenue", kind="refuse"),
    Q("median order value", quantile(0.5)),  # answerable since issue 22 (the median, never the mean)
    Q("net revenue last month", kind="refuse"),
    Q("revenue per day on average", kind="refuse"),
    Q("orders per customer", kind="refuse"),
    Q("How many orders per day on average?", kind="refuse"),
    Q("revenue last month and this month", kind="refuse"),
    Q("revenue excluding Germany", kind="refuse"),
    Q("orders not from Germany", kind="refuse"),
    Q("revenue for Kitchen and Home", kind="refuse"),
    Q("orders over 100 items", kind="refuse"),
    Q("How many orders have more than 3 items?", by_order_items(">", 3)),  # answerable since issue 22
    Q("customers who spent over $1000", kind="refuse"),
    Q("How many customers spent more than $500?", kind="refuse"),
    Q("Average order value of new customers", kind="refuse"),
    Q("revenue from new customers", kind="refuse"),
    Q(  # answerable since issue 22: the latest order (any status), its date and total
        "When was my last order?",
        f"SELECT CAST(o.created_at AS DATE), o.total_amount {O} ORDER BY o.created_at DESC LIMIT 1",
        "row",
    ),
    Q("revenue yesterday vs the day before", kind="refuse"),
    Q("biggest orders this month", kind="refuse"),
    Q("How many products do I have?", kind="refuse"),
    Q("What did {customer} buy?", kind="refuse"),
    Q("revenue in euros", kind="refuse"),
    Q("how many orders may I have", kind="refuse"),
    Q("large orders last month", kind="refuse"),
    Q("orders from the Gadgets category", kind="refuse"),
    Q("revenue by city", kind="refuse"),
    Q("What's the total I've sold this quarter?", kind="refuse"),
    Q("How many customers did I have last month?", kind="refuse"),
    Q("How many orders on 3 December 2026?", count_orders(between("2026-12-03", "2026-12-03"))),
    Q(
        "How many customers from Germany ordered last month?",
        f"SELECT count(DISTINCT o.customer_id) {O} AND {within(LAST_MONTH)} AND {PURCHASE} AND {country('DE')}",
    ),
    Q("orders over $1,000.50", count_orders(where="o.total_amount > 1000.50")),
    Q("orders over 2k this year", count_orders(THIS_YEAR, "o.total_amount > 2000")),
    Q(
        "top 5 products in Germany",
        grouped("p.name", "round(sum(i.quantity * i.unit_price), 2)", f"{OI} AND {country('DE')}"),
        "top",
        5,
    ),
    Q("what is the average revenue per order", aov()),
    Q(
        "sales per customer",
        f"SELECT round(sum(o.total_amount) / count(DISTINCT o.customer_id), 2) {O} AND {PURCHASE}",
    ),
    Q("how many orders between 9 and 5", kind="refuse"),
    Q(
        "how many orders compared with last month",
        f"SELECT ({count_orders(THIS_MONTH)}), ({count_orders(LAST_MONTH)})",
        "compare",
    ),
    Q("revenue compared to September", kind="refuse"),
    Q("what is the total value of pending orders", revenue(where="o.status = 'pending'")),
    Q("refund amount last month", revenue(LAST_MONTH, "o.status = 'refunded'")),
    Q("orders from german customers", count_orders(where=country("DE"))),
    Q("orders placed by {customer}", count_orders(where=CUSTOMER)),
]
