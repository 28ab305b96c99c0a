# ruff: noqa: F403, F405
"""Tuning set of issue 22 (the parser side): owners' phrasings, written against the README and
the contract, truth as independent SQL. What the parser is tuned on, never the blind set."""

from __future__ import annotations

from evaluation.questions.truth import *  # noqa: F403  (the truth vocabulary)
from evaluation.questions.truth import _black_friday

REV = "round(sum(o.total_amount), 2)"
DE = country("DE")
FR = country("FR")

QUESTIONS: list[Q] = [
    # harmless words
    Q("hi, quick one: orders this week?", count_orders(THIS_WEEK)),
    Q("could you pull up revenue for May", revenue(month(5))),
    Q("so how are sales doing this month", revenue(THIS_MONTH)),
    Q("hey there, how many customers do I have? thanks", f"SELECT count(*) {C}"),
    Q("please show me the orders from Germany last month, cheers", count_orders(LAST_MONTH, DE)),
    Q("what did I sell over the past 30 days", revenue(days(30))),
    Q("top sellers by units, top 5", grouped("p.name", "sum(i.quantity)", OI), "top", 5),
    Q("break down orders by status", grouped("o.status", "count(*)", O, where="TRUE"), "groups"),
    # shorthand
    Q("qty sold L7D", units(days(7))),
    Q("AOV QTD", aov(THIS_QUARTER)),
    Q("# orders yday", count_orders(YESTERDAY)),
    Q("rev MTD", revenue(THIS_MONTH)),
    Q("orders L30D", count_orders(days(30))),
    Q("rev YTD from DE", revenue(THIS_YEAR, f"{PURCHASE} AND {DE}")),
    # periods
    Q("revenue this week vs the one before", scalars(revenue(THIS_WEEK), revenue(LAST_WEEK)), "compare"),
    Q("revenue same month last year", revenue(SAME_MONTH_LAST_YEAR)),
    Q("orders in the first half of this year", count_orders(first_half())),
    Q("orders on black friday", count_orders(BLACK_FRIDAY)),
    Q("revenue on cyber monday", revenue(CYBER_MONDAY)),
    Q("orders on new year's eve", count_orders(NEW_YEARS_EVE)),
    # word order and populations
    Q("products by units, top 8", grouped("p.name", "sum(i.quantity)", OI), "top", 8),
    Q("customers, top 10 by spend", grouped("c.name", REV, OC), "top", 10),
    Q("spanish customers' AOV", aov(where=f"{PURCHASE} AND {country('ES')}")),
    Q("units that went to buyers in Italy", units(where=f"{PURCHASE} AND {country('IT')}")),
    Q(
        "revenue by category for German customers",
        grouped("p.category", "round(sum(i.quantity * i.unit_price), 2)", OI, where=f"{PURCHASE} AND {DE}"),
        "groups",
    ),
    # timestamps
    Q("orders by weekday", grouped(WEEKDAY, "count(*)", O, where="TRUE"), "groups"),
    Q("revenue by hour of day", grouped(HOUR, REV, O), "groups"),
    Q("weekend vs weekday revenue", grouped(WEEKEND, REV, O), "groups"),
    Q("which day of the week has the most orders", grouped(WEEKDAY, "count(*)", O, where="TRUE"), "top", 1),
    Q("revenue on weekdays only", revenue(where=f"{PURCHASE} AND NOT {IS_WEEKEND}")),
    Q("orders on mondays last month", count_orders(LAST_MONTH, on_weekday("Monday"))),
    Q("weekend revenue this year", revenue(THIS_YEAR, f"{PURCHASE} AND {IS_WEEKEND}")),
    Q(
        "bottom 3 customers by number of orders",
        grouped("c.name", "count(*)", OC, where="TRUE", desc=False),
        "top",
        3,
    ),
    Q("orders on mondays and fridays", kind="refuse"),
    Q("hourly orders yesterday", grouped(HOUR, "count(*)", O, YESTERDAY, "TRUE"), "groups"),
    # measures
    Q("median order value", quantile(0.5)),
    Q("median order value this year", quantile(0.5, THIS_YEAR)),
    Q("90th percentile of order value", quantile(0.9)),
    Q("how many refunds last month", count_orders(LAST_MONTH, "o.status = 'refunded'")),
    Q("customers with at least 3 orders", by_customer_purchases(">=", 3)),
    Q("how many customers have more than 5 orders", by_customer_purchases(">", 5)),
    Q("orders with more than 4 items", by_order_items(">", 4)),
    Q(
        "who placed my biggest order and when?",
        row_extreme("c.name, o.total_amount, CAST(o.created_at AS DATE)", "o.total_amount DESC"),
        "row",
    ),
    Q("when was {customer}'s first order", customer_order(True), "row"),
    Q("last order of {customer}", customer_order(False), "row"),
    Q("orders and revenue last week", scalars(count_orders(LAST_WEEK), revenue(LAST_WEEK)), "multi"),
    Q(
        "revenue and AOV from germany this year",
        scalars(revenue(THIS_YEAR, f"{PURCHASE} AND {DE}"), aov(THIS_YEAR, f"{PURCHASE} AND {DE}")),
        "multi",
    ),
    Q("revenue by country and month", grouped2("c.country", bucket("month"), REV, OC), "groups2"),
    Q(
        "monthly orders by status this year",
        grouped2(bucket("month"), "o.status", "count(*)", O, THIS_YEAR, "TRUE"),
        "groups2",
    ),
    Q("units by category and weekday", grouped2("p.category", WEEKDAY, "sum(i.quantity)", OI), "groups2"),
    Q("top 5 products by category", kind="refuse"),
    Q("what share of revenue comes from Germany", share(DE)),
    Q("germany's share of revenue this year", share(DE, span=THIS_YEAR)),
    Q(
        "what percentage of revenue is from the Kitchen category",
        share("p.category = 'Kitchen'", "i.quantity * i.unit_price", OI),
    ),
    Q(
        "% of orders from France last month",
        f"SELECT {pct(f'count(*) FILTER (WHERE {FR})', 'count(*)')} {O} AND {within(LAST_MONTH)}",
    ),
    Q("share of revenue", kind="refuse"),
    Q("share of revenue by month", kind="refuse"),
    Q(
        "how many orders contain both Portable Charger and Canvas Sneakers",
        both("Portable Charger", "Canvas Sneakers"),
    ),
    Q("orders with portable charger and hiking poles together", both("Portable Charger", "Hiking Poles")),
    Q("revenue from orders containing both portable charger and hiking poles", kind="refuse"),
    Q(
        "when was my biggest order",
        row_extreme("o.total_amount, CAST(o.created_at AS DATE)", "o.total_amount DESC"),
        "row",
    ),
    Q("how many customers have 5 or more orders", by_customer_purchases(">=", 5)),
    Q("customers with 2 or fewer orders this year", by_customer_purchases("<=", 2, THIS_YEAR)),
    Q("number of customers from canada", f"SELECT count(*) {C} AND c.country = 'CA'"),
    Q("how much did customers spend last month", revenue(LAST_MONTH)),
    Q("orders on black friday last year", count_orders(day(_black_friday(f"(year({T}) - 1)")))),
    Q("who placed my biggest orders", kind="refuse"),
    Q("what did my biggest customer buy", kind="refuse"),
    Q("revenue from customers with at least 3 orders", kind="refuse"),
    Q("median items per order", kind="refuse"),
    Q("orders per customer", kind="refuse"),  # customer accounts, or customers who bought?
    Q(
        "refunds per order last month",
        ratio(count_orders(LAST_MONTH, "o.status = 'refunded'"), count_orders(LAST_MONTH)),
    ),
    Q("orders per customer by month", kind="refuse"),
    # follow-ups
    Q("and in October?", revenue(month(10)), after="revenue last month"),
    Q("what about France?", count_orders(LAST_MONTH, FR), after="orders from Germany last month"),
    Q(
        "break that down by category",
        grouped("p.category", "round(sum(i.quantity * i.unit_price), 2)", OI, LAST_MONTH),
        "groups",
        after="revenue last month",
    ),
    Q("only the shipped ones", count_orders(LAST_MONTH, "o.status = 'shipped'"), after="orders last month"),
    Q("and orders?", count_orders(THIS_YEAR, DE), after="revenue from Germany this year"),
    # must refuse
    Q("by category?", kind="refuse"),
    Q("and last month?", kind="refuse"),
    Q("what about France?", kind="refuse"),
    Q("break that down by category", kind="refuse"),
    Q("how many orders may I have", kind="refuse"),
    Q("revenue except germany", kind="refuse"),
    Q("revenue from everything but Germany", kind="refuse"),
    Q("new customers and their revenue", kind="refuse"),
    Q("revenue and orders by month", kind="refuse"),
    Q("43rd percentile of order value", kind="refuse"),
    Q("orders in the last 24 hours", kind="refuse"),
    Q("revenue this week vs the month before", kind="refuse"),
    Q("hi, what is my profit this month", kind="refuse"),
    Q("orders frm teh flavour category", kind="refuse"),
    Q("customers with exactly 2 orders", kind="refuse"),
    Q("median revenue per customer", kind="refuse"),
    Q("revenue on christmas eve", kind="refuse"),
    Q("orders around christmas", kind="refuse"),
    Q("top 3 products by revenue, top 5", kind="refuse"),
]
