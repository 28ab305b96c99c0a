"""A second independent question set of issue 22, for TUNING (the parser may be tuned on it).

Written on 2026-12-07 by a helper who never opened ``services/ask/`` (nor ``tests/ask/``) and did
not read the other question sets' questions. Sources: README.md ("What you can ask",
"Definitions", "MCP"), the answer contract and definitions for issue 22's new capabilities, and
the schema and data of a seeded test warehouse (3 shops, seed 7). Personas: a terse mobile typist
(typos, no punctuation, abbreviations), a chatty owner (greetings, filler), a non-native speaker
(odd word order), an analyst (shorthand, percentiles, shares, ratios, two group-bys, thresholds,
baskets), follow-up pairs (``after=``) and plain questions. Must-refuse: out-of-scope topics,
actions, forecasts, fragments without a conversation, unknown content words, questions that can
be answered only in part. Truth is independent SQL in the vocabulary of ``truth.py``.

Check the truths with ``python -m evaluation.questions.check_truth fresh``; score the set with
``python -m bench.bench_blind --set fresh``.
"""

from __future__ import annotations

from evaluation.questions.truth import (
    ALL,
    BLACK_FRIDAY,
    CANCELLED_SHARE,
    CHRISTMAS,
    CUSTOMER,
    CYBER_MONDAY,
    HOUR,
    IS_WEEKEND,
    LAST_MONTH,
    LAST_QUARTER,
    LAST_WEEK,
    LAST_YEAR,
    NEW_YEARS_EVE,
    OC,
    OI,
    PURCHASE,
    REFUNDED_SHARE,
    SAME_MONTH_LAST_YEAR,
    THIS_MONTH,
    THIS_QUARTER,
    THIS_WEEK,
    THIS_YEAR,
    TODAY,
    WEEKDAY,
    WEEKEND,
    YESTERDAY,
    C,
    O,
    Q,
    Span,
    active,
    aov,
    between,
    both,
    bucket,
    by_customer_purchases,
    by_order_items,
    count_orders,
    country,
    customer_order,
    days,
    first_half,
    grouped,
    grouped2,
    in_category,
    line_revenue,
    month,
    months,
    on_weekday,
    pct,
    quantile,
    quarter,
    ratio,
    revenue,
    row_extreme,
    scalars,
    share,
    units,
    within,
)

REV = "round(sum(o.total_amount), 2)"
LINE_REV = "round(sum(i.quantity * i.unit_price), 2)"
QTY = "sum(i.quantity)"
N = "count(*)"
AOV = "round(avg(o.total_amount), 2)"


def prod(name: str) -> str:
    return f"{PURCHASE} AND p.name = '{name}'"


def cat(name: str) -> str:
    return f"{PURCHASE} AND p.category = '{name}'"


def cc(code: str) -> str:
    return f"{PURCHASE} AND {country(code)}"


def status(*names: str) -> str:
    return "o.status IN (" + ", ".join(f"'{n}'" for n in names) + ")"


def refunds(span: Span = ALL, where: str = "TRUE") -> str:
    return count_orders(span, f"o.status = 'refunded' AND {where}")


def rate(expr: str, span: Span = ALL, where: str = "TRUE") -> str:
    return f"SELECT {expr} {O} AND {within(span)} AND {where}"


def per_customer(span: Span = ALL, where: str = PURCHASE) -> str:
    return ratio(f"SELECT sum(o.total_amount) {O} AND {within(span)} AND {where}", active(span, where), 2)


def items_per_order(span: Span = ALL, where: str = PURCHASE) -> str:
    return ratio(units(span, where), count_orders(span, where))


def order_share(part: str, span: Span = ALL) -> str:
    """% of all orders (every status) in the part."""
    return rate(pct(f"count(*) FILTER (WHERE {part})", "count(*)"), span)


def extremes(span: Span = ALL, where: str = PURCHASE, desc: bool = True) -> str:
    return row_extreme(
        "c.name, o.total_amount, CAST(o.created_at AS DATE)",
        f"o.total_amount {'DESC' if desc else 'ASC'}, o.created_at",
        span,
        where,
    )


DELIVERED_SHARE = pct("sum(o.total_amount) FILTER (WHERE o.status = 'delivered')", "sum(o.total_amount)")
REPEAT_RATE = (
    "SELECT round(100.0 * count(*) FILTER (WHERE k > 1) / count(*), 2) FROM "
    f"(SELECT o.customer_id, count(*) AS k {O} AND {PURCHASE} GROUP BY 1)"
)
NO_PURCHASE = f"SELECT count(*) {C} AND c.customer_id NOT IN (SELECT o.customer_id {O} AND {PURCHASE})"

ANSWERABLE = [
    # --- plain questions and the first release's phrasings ------------------------------------
    Q("what did I sell over the past 30 days", revenue(days(30))),
    Q("top sellers by units, top 5", grouped("p.name", QTY, OI), "top", 5),
    Q("break down orders by status", grouped("o.status", N, O, where="TRUE"), "groups"),
    Q("How many orders did I get last month?", count_orders(LAST_MONTH)),
    Q("What was my revenue this year?", revenue(THIS_YEAR)),
    Q("average order value last quarter", aov(LAST_QUARTER)),
    Q("How many units did I sell yesterday?", units(YESTERDAY)),
    Q("How many customers do I have?", f"SELECT count(*) {C}"),
    Q("how many customers have never ordered", NO_PURCHASE),
    Q("What percentage of customers ordered more than once?", REPEAT_RATE),
    Q("revenue by category this year", grouped("p.category", LINE_REV, OI, THIS_YEAR), "groups"),
    Q("Revenue per month this year", grouped(bucket("month"), REV, O, THIS_YEAR), "groups"),
    Q("orders per week last month", grouped(bucket("week"), N, O, LAST_MONTH, "TRUE"), "groups"),
    Q("revenue by country", grouped("c.country", REV, OC), "groups"),
    Q("top 5 customers by spending", grouped("c.name", REV, OC), "top", 5),
    Q("Which category makes the most money?", grouped("p.category", LINE_REV, OI), "top", 1),
    Q("5 least popular products by units sold", grouped("p.name", QTY, OI, desc=False), "top", 5),
    Q("how many refunded orders last month", refunds(LAST_MONTH)),
    Q("What's my refund rate?", rate(REFUNDED_SHARE)),
    Q("cancellation rate this year", rate(CANCELLED_SHARE, THIS_YEAR)),
    Q("How much revenue was refunded last quarter?", revenue(LAST_QUARTER, "o.status = 'refunded'")),
    Q("what is my largest order ever", f"SELECT max(o.total_amount) {O} AND {PURCHASE}"),
    Q("smallest order last year", f"SELECT min(o.total_amount) {O} AND {within(LAST_YEAR)} AND {PURCHASE}"),
    Q("how many repeat customers do I have", by_customer_purchases(">", 1)),
    Q("revenue in Germany last month", revenue(LAST_MONTH, cc("DE"))),
    Q("units sold by category", grouped("p.category", QTY, OI), "groups"),
    Q(
        "How many paid orders above $300 do I have?",
        count_orders(ALL, "o.status = 'paid' AND o.total_amount > 300"),
    ),
    Q("orders between March 1 and March 15, 2026", count_orders(between("2026-03-01", "2026-03-15"))),
    Q("Compare AOV this month vs last month", scalars(aov(THIS_MONTH), aov(LAST_MONTH)), "compare"),
    Q("revenue in september", revenue(month(9))),
    Q("revenue Q3", revenue(quarter(3))),
    Q(
        "How many different products did I sell last month?",
        f"SELECT count(DISTINCT i.product_id) {OI} AND {within(LAST_MONTH)} AND {PURCHASE}",
    ),
    Q("average spend per customer", per_customer()),
    Q("how many customers ordered last month", active(LAST_MONTH)),
    Q("Average number of items per order", items_per_order()),
    Q("revenue from shipped orders", revenue(ALL, "o.status = 'shipped'")),
    Q("orders over 500 dollars this year", count_orders(THIS_YEAR, "o.total_amount > 500")),
    Q("how many Hammock units did I sell", units(ALL, prod("Hammock"))),
    Q("revenue from the Kitchen category last month", line_revenue(LAST_MONTH, cat("Kitchen"))),
    Q("How many orders were cancelled this year?", count_orders(THIS_YEAR, "o.status = 'cancelled'")),
    Q("revenue today", revenue(TODAY)),
    Q("orders this week", count_orders(THIS_WEEK)),
    Q("revenue last 90 days", revenue(days(90))),
    Q(
        "new customers by month",
        f"SELECT CAST(date_trunc('month', c.created_at) AS DATE) AS k, count(*) {C} GROUP BY 1",
        "groups",
    ),
    Q("How much did {customer} spend in total?", revenue(ALL, f"{PURCHASE} AND {CUSTOMER}")),
    Q("how many orders has {customer} placed", count_orders(ALL, CUSTOMER)),
    Q("units of {product} sold this year", units(THIS_YEAR, f"{PURCHASE} AND p.name = $product")),
    Q("revenue of {product} last 3 months", line_revenue(months(3), f"{PURCHASE} AND p.name = $product")),
    # --- terse mobile typist ------------------------------------------------------------------
    Q("ordrs yday", count_orders(YESTERDAY)),
    Q("rev last wk", revenue(LAST_WEEK)),
    Q("revnue this mnth", revenue(THIS_MONTH)),
    Q("aov ytd", aov(THIS_YEAR)),
    Q("qty sold L7D", units(days(7))),
    Q("AOV QTD", aov(THIS_QUARTER)),
    Q("# orders yday", count_orders(YESTERDAY)),
    Q("rev MTD", revenue(THIS_MONTH)),
    Q("rev L30D", revenue(days(30))),
    Q("# custmers", f"SELECT count(*) {C}"),
    Q("top 3 prods by rev", grouped("p.name", LINE_REV, OI), "top", 3),
    Q("orders by staus", grouped("o.status", N, O, where="TRUE"), "groups"),
    Q("rev germny last mnth", revenue(LAST_MONTH, cc("DE"))),
    Q("refunds L30D", refunds(days(30))),
    Q("median aov ytd", quantile(0.5, THIS_YEAR)),
    Q("orders w/e 29 nov", count_orders(between("2026-11-23", "2026-11-29"))),
    Q("rev w/e nov 22", revenue(between("2026-11-16", "2026-11-22"))),
    Q("qty by cat L30D", grouped("p.category", QTY, OI, days(30)), "groups"),
    Q("orders by weekday", grouped(WEEKDAY, N, O, where="TRUE"), "groups"),
    Q("rev by hr of day", grouped(HOUR, REV, O), "groups"),
    Q("# orders on black friday", count_orders(BLACK_FRIDAY)),
    Q("rev cyber monday", revenue(CYBER_MONDAY)),
    Q("refund rate by country", grouped("c.country", REFUNDED_SHARE, OC, where="TRUE"), "groups"),
    Q("p90 order value", quantile(0.9)),
    Q("cust w at least 3 orders", by_customer_purchases(">=", 3)),
    Q("top 10 custs by spend ytd", grouped("c.name", REV, OC, THIS_YEAR), "top", 10),
    Q("units per order L30D", items_per_order(days(30))),
    Q("orders n rev last wk", scalars(count_orders(LAST_WEEK), revenue(LAST_WEEK)), "multi"),
    Q("rev by country n month", grouped2("c.country", bucket("month"), REV, OC), "groups2"),
    Q("weekend vs weekday rev", grouped(WEEKEND, REV, O), "groups"),
    Q("hourly orders yday", grouped(HOUR, N, O, YESTERDAY, "TRUE"), "groups"),
    Q("revenue yesterdy", revenue(YESTERDAY)),
    Q("cancelled orders lst month", count_orders(LAST_MONTH, "o.status = 'cancelled'")),
    Q("pending orders", count_orders(ALL, "o.status = 'pending'")),
    Q("rev frm france ytd", revenue(THIS_YEAR, cc("FR"))),
    Q("aov by country", grouped("c.country", AOV, OC), "groups"),
    # --- chatty owner -------------------------------------------------------------------------
    Q("hi, quick one: orders this week?", count_orders(THIS_WEEK)),
    Q("could you pull up revenue for May", revenue(month(5))),
    Q("so how are sales doing this month", revenue(THIS_MONTH)),
    Q("Hello! Could you tell me how many orders I got yesterday please?", count_orders(YESTERDAY)),
    Q("hey there, what was my revenue last week? thanks so much", revenue(LAST_WEEK)),
    Q("Good morning :) I was wondering what my average order value is this year", aov(THIS_YEAR)),
    Q("could you pull up the top 5 products by units sold for me", grouped("p.name", QTY, OI), "top", 5),
    Q(
        "Hi! Just curious, how many customers do I have in Japan?",
        f"SELECT count(*) {C} AND c.country = 'JP'",
    ),
    Q("ok so what's the median order value this year", quantile(0.5, THIS_YEAR)),
    Q(
        "please show me revenue by month for this year, thank you!",
        grouped(bucket("month"), REV, O, THIS_YEAR),
        "groups",
    ),
    Q(
        "Hey, quick question - which weekday do I get the most orders on?",
        grouped(WEEKDAY, N, O, where="TRUE"),
        "top",
        1,
    ),
    Q(
        "hiya, can you show me orders and revenue last month?",
        scalars(count_orders(LAST_MONTH), revenue(LAST_MONTH)),
        "multi",
    ),
    Q("Morning! who placed my biggest order and when?", extremes(), "row"),
    Q("thanks! and could you also tell me how many refunds I had last month", refunds(LAST_MONTH)),
    Q("so, just wondering, how many customers have at least 2 orders?", by_customer_purchases(">=", 2)),
    Q("hi there, what share of my revenue comes from Germany?", share(country("DE"))),
    Q(
        "Could you please pull up revenue by category for German customers",
        grouped("p.category", LINE_REV, OI, where=cc("DE")),
        "groups",
    ),
    Q(
        "hello, how did revenue this week compare to the one before?",
        scalars(revenue(THIS_WEEK), revenue(LAST_WEEK)),
        "compare",
    ),
    Q("I'd love to know revenue for the same month last year", revenue(SAME_MONTH_LAST_YEAR)),
    Q("hey, so what were sales on Christmas?", revenue(CHRISTMAS)),
    Q("hi, how many orders came in on New Year's Eve?", count_orders(NEW_YEARS_EVE)),
    Q("could you pull up revenue for the first half of this year", revenue(first_half())),
    Q("hello, what's my 75th percentile order value last quarter, please", quantile(0.75, LAST_QUARTER)),
    Q("quick one: how many orders had more than 4 items?", by_order_items(">", 4)),
    Q(
        "Hey! How many orders contain both Portable Charger and Canvas Sneakers?",
        both("Portable Charger", "Canvas Sneakers"),
    ),
    Q(
        "just checking in - what's my revenue on weekends this year?",
        revenue(THIS_YEAR, f"{PURCHASE} AND {IS_WEEKEND}"),
    ),
    Q("hi! which hour of the day brings the most revenue?", grouped(HOUR, REV, O), "top", 1),
    Q("so how many refunds did we have this year, roughly?", refunds(THIS_YEAR)),
    Q("thank you! and what's my revenue per customer this year?", per_customer(THIS_YEAR)),
    Q(
        "good evening, could you show me revenue by country and month?",
        grouped2("c.country", bucket("month"), REV, OC),
        "groups2",
    ),
    # --- non-native speaker -------------------------------------------------------------------
    Q("how much revenue I make in last month", revenue(LAST_MONTH)),
    Q("orders of yesterday how many", count_orders(YESTERDAY)),
    Q("products by units, top 8", grouped("p.name", QTY, OI), "top", 8),
    Q("customers, top 10 by spend", grouped("c.name", REV, OC), "top", 10),
    Q("from France the orders last month how many are", count_orders(LAST_MONTH, country("FR"))),
    Q("the value of the average order this year what is", aov(THIS_YEAR)),
    Q("spanish customers' AOV", aov(ALL, cc("ES"))),
    Q("units that went to buyers in Italy", units(ALL, f"{PURCHASE} AND {country('IT')}")),
    Q("units that went to buyers in Canada", units(ALL, cc("CA"))),
    Q("revenue for category Tech in this year please", line_revenue(THIS_YEAR, cat("Tech"))),
    Q("which day of week is most busy for orders", grouped(WEEKDAY, N, O, where="TRUE"), "top", 1),
    Q("the median of order value for me is how much", quantile(0.5)),
    Q("customers who ordered 3 times or more, how many are there", by_customer_purchases(">=", 3)),
    Q("for Australian customers the revenue in this year", revenue(THIS_YEAR, cc("AU"))),
    Q("on Mondays how many orders I get", count_orders(ALL, on_weekday("Monday"))),
    Q("in Netherlands how many customers I have", f"SELECT count(*) {C} AND c.country = 'NL'"),
    Q("by category the units of last month", grouped("p.category", QTY, OI, LAST_MONTH), "groups"),
    Q("revenue of weekend and weekday, compare", grouped(WEEKEND, REV, O), "groups"),
    Q("the first order of {customer} when was it", customer_order(True), "row"),
    Q("last order of {customer}, when", customer_order(False), "row"),
    Q("the biggest order, who made it and when", extremes(), "row"),
    Q("orders in november with status delivered how many", count_orders(month(11), "o.status = 'delivered'")),
    Q(
        "revenue of the Outdoors category by month this year",
        grouped(bucket("month"), LINE_REV, OI, THIS_YEAR, cat("Outdoors")),
        "groups",
    ),
    Q("how much percent of orders is refunded this year", rate(REFUNDED_SHARE, THIS_YEAR)),
    Q("per order how many items in average last month", items_per_order(LAST_MONTH)),
    Q("from India the revenue share in percent", share(country("IN"))),
    # --- analyst ------------------------------------------------------------------------------
    Q("median order value this year", quantile(0.5, THIS_YEAR)),
    Q("90th percentile of order value", quantile(0.9)),
    Q("p25 order value last 90 days", quantile(0.25, days(90))),
    Q("95th pct order value YTD", quantile(0.95, THIS_YEAR)),
    Q("10th percentile order value, delivered orders only", quantile(0.1, ALL, "o.status = 'delivered'")),
    Q("median order value for US customers", quantile(0.5, ALL, cc("US"))),
    Q(
        "median order value by country",
        grouped("c.country", "round(quantile_cont(o.total_amount, 0.5), 2)", OC),
        "groups",
    ),
    Q("% of orders from France last month", order_share(country("FR"), LAST_MONTH)),
    Q("share of revenue from GB customers YTD", share(country("GB"), span=THIS_YEAR)),
    Q("what % of revenue comes from weekends", share(IS_WEEKEND)),
    Q("share of units sold in Kitchen, %", share("p.category = 'Kitchen'", "i.quantity", OI)),
    Q("share of revenue from delivered orders", f"SELECT {DELIVERED_SHARE} {O} AND {PURCHASE}"),
    Q("refunds per order YTD", ratio(refunds(THIS_YEAR), count_orders(THIS_YEAR))),
    Q("revenue per customer L30D", per_customer(days(30))),
    Q(
        "items per order by month this year",
        f"SELECT {bucket('month')} AS k, round(sum(i.quantity) / count(DISTINCT o.order_id), 4) {OI} AND "
        f"{within(THIS_YEAR)} AND {PURCHASE} GROUP BY 1",
        "groups",
    ),
    Q("# customers with >= 4 purchases", by_customer_purchases(">=", 4)),
    Q("customers with more than 5 orders this year", by_customer_purchases(">", 5, THIS_YEAR)),
    Q("orders with more than 6 items", by_order_items(">", 6)),
    Q("orders w/ at least 3 items last month", by_order_items(">=", 3, LAST_MONTH)),
    Q("baskets with Hammock and Hiking Poles", both("Hammock", "Hiking Poles")),
    Q("# orders containing both Cotton Tee and Salad Spinner", both("Cotton Tee", "Salad Spinner")),
    Q("orders with both Dutch Oven and Spice Rack this year", both("Dutch Oven", "Spice Rack", THIS_YEAR)),
    Q("rev by category by quarter", grouped2("p.category", bucket("quarter"), LINE_REV, OI), "groups2"),
    Q(
        "orders by status and month this year",
        grouped2("o.status", bucket("month"), N, O, THIS_YEAR, "TRUE"),
        "groups2",
    ),
    Q(
        "units by country and category",
        grouped2(
            "c.country",
            "p.category",
            QTY,
            OI.replace(
                "WHERE", "JOIN customers c ON c.shop_id = o.shop_id AND c.customer_id = o.customer_id WHERE"
            ),
        ),
        "groups2",
    ),
    Q("AOV by weekday", grouped(WEEKDAY, AOV, O), "groups"),
    Q("orders by hour of day L7D", grouped(HOUR, N, O, days(7), "TRUE"), "groups"),
    Q(
        "revenue, orders and AOV MTD",
        scalars(revenue(THIS_MONTH), count_orders(THIS_MONTH), aov(THIS_MONTH)),
        "multi",
    ),
    Q(
        "units and revenue for Tech last quarter",
        scalars(units(LAST_QUARTER, cat("Tech")), line_revenue(LAST_QUARTER, cat("Tech"))),
        "multi",
    ),
    Q(
        "refunds and refunded amount YTD",
        scalars(refunds(THIS_YEAR), revenue(THIS_YEAR, "o.status = 'refunded'")),
        "multi",
    ),
    Q("rev growth this month", scalars(revenue(THIS_MONTH), revenue(LAST_MONTH)), "compare"),
    Q("rev Q3 vs Q2", scalars(revenue(quarter(3)), revenue(quarter(2))), "compare"),
    Q(
        "orders this week vs the one before",
        scalars(count_orders(THIS_WEEK), count_orders(LAST_WEEK)),
        "compare",
    ),
    Q(
        "AOV this month vs same month last year",
        scalars(aov(THIS_MONTH), aov(SAME_MONTH_LAST_YEAR)),
        "compare",
    ),
    Q("bottom 5 customers by spend", grouped("c.name", REV, OC, desc=False), "top", 5),
    Q("top 3 countries by AOV", grouped("c.country", AOV, OC), "top", 3),
    Q("top 5 products by revenue in DE", grouped("p.name", LINE_REV, OI, where=cc("DE")), "top", 5),
    Q("orders on Saturdays YTD", count_orders(THIS_YEAR, on_weekday("Saturday"))),
    Q("rev by weekday, delivered only", grouped(WEEKDAY, REV, O, where="o.status = 'delivered'"), "groups"),
    Q("largest order L30D: who, how much, what date", extremes(days(30)), "row"),
    Q("who placed my smallest order this month", extremes(THIS_MONTH, desc=False), "row"),
    Q("biggest order in Q3: customer and date", extremes(quarter(3)), "row"),
    Q("When was my last order?", customer_order(False, "TRUE"), "row"),
    Q("when was my first order", customer_order(True, "TRUE"), "row"),
    Q(
        "orders between $100 and $200 last quarter",
        count_orders(LAST_QUARTER, "o.total_amount BETWEEN 100 AND 200"),
    ),
    Q("revenue from shipped or delivered orders", revenue(ALL, status("shipped", "delivered"))),
    Q(
        "active customers by month YTD",
        grouped(bucket("month"), "count(DISTINCT o.customer_id)", O, THIS_YEAR),
        "groups",
    ),
    Q(
        "revenue by category for orders with more than 4 items",
        grouped(
            "p.category",
            LINE_REV,
            OI,
            where=f"{PURCHASE} AND o.order_id IN (SELECT order_id FROM order_items GROUP BY 1 HAVING sum(quantity) > 4)",
        ),
        "groups",
    ),
    Q("Apparel revenue H1", line_revenue(first_half(), cat("Apparel"))),
    Q("revenue first half 2026", revenue(first_half(2026))),
    Q("orders containing Apparel products last month", count_orders(LAST_MONTH, in_category("Apparel"))),
]

FOLLOW_UPS = [
    Q("and last month?", revenue(LAST_MONTH), after="revenue last week"),
    Q("what about France?", revenue(LAST_MONTH, cc("FR")), after="revenue in Germany last month"),
    Q(
        "break that down by category",
        grouped("p.category", LINE_REV, OI, THIS_YEAR),
        "groups",
        after="revenue this year",
    ),
    Q("only the shipped ones", count_orders(LAST_MONTH, "o.status = 'shipped'"), after="orders last month"),
    Q("and orders?", count_orders(YESTERDAY), after="revenue yesterday"),
    Q("and yday", count_orders(YESTERDAY), after="# orders today"),
    Q("same for L30D", aov(days(30)), after="AOV L7D"),
    Q("by month pls", grouped(bucket("month"), REV, O, THIS_YEAR), "groups", after="rev ytd"),
    Q("what about Japan", units(THIS_YEAR, cc("JP")), after="units sold to customers in Canada this year"),
    Q("and the median?", quantile(0.5, THIS_YEAR), after="average order value this year"),
    Q("ok and by weekday?", grouped(WEEKDAY, N, O, LAST_MONTH, "TRUE"), "groups", after="orders last month"),
    Q("and for the Kitchen category?", line_revenue(THIS_YEAR, cat("Kitchen")), after="revenue this year"),
    Q("top 3 only", grouped("c.name", REV, OC), "top", 3, after="top 10 customers by spend"),
    Q(
        "how about last quarter",
        count_orders(LAST_QUARTER, "o.status = 'refunded'"),
        after="how many refunds this quarter",
    ),
    Q(
        "and compared to last month?",
        scalars(revenue(THIS_MONTH), revenue(LAST_MONTH)),
        "compare",
        after="revenue this month",
    ),
    Q("and the 90th percentile?", quantile(0.9, LAST_QUARTER), after="median order value last quarter"),
    Q(
        "what about the first half of this year",
        revenue(first_half(), cc("DE")),
        after="revenue from German customers last year",
    ),
    Q(
        "now by country",
        grouped(
            "c.country",
            N,
            O.replace(
                "WHERE", "JOIN customers c ON c.shop_id = o.shop_id AND c.customer_id = o.customer_id WHERE"
            ),
            THIS_MONTH,
            "TRUE",
        ),
        "groups",
        after="orders this month",
    ),
    Q("and in units?", units(LAST_MONTH, cat("Home")), after="revenue from Home last month"),
    Q("excluding cancelled", count_orders(THIS_YEAR, "o.status <> 'cancelled'"), after="orders this year"),
]

MUST_REFUSE = [
    # out of scope
    Q("what's my profit margin this month", kind="refuse"),
    Q("how much did shipping cost me last month", kind="refuse"),
    Q("how many visitors did my site get yesterday", kind="refuse"),
    Q("conversion rate L30D", kind="refuse"),
    Q("which ad campaign brought the most revenue", kind="refuse"),
    Q("how many Hammocks do I have in stock", kind="refuse"),
    Q("average delivery time for shipped orders", kind="refuse"),
    Q("what's the average review rating of Webcam", kind="refuse"),
    Q("revenue of shop 11 last month", kind="refuse"),
    Q("how does my revenue compare to my competitors", kind="refuse"),
    Q("revenue by traffic source", kind="refuse"),
    Q("COGS ytd", kind="refuse"),
    Q("what was the tax collected last quarter", kind="refuse"),
    # actions
    Q("cancel order 123", kind="refuse"),
    Q("refund {customer}'s last order", kind="refuse"),
    Q("email all customers in Germany a coupon", kind="refuse"),
    Q("delete the customer {customer}", kind="refuse"),
    Q("set the price of Hammock to 30 dollars", kind="refuse"),
    # forecasts and causes
    Q("forecast revenue next month", kind="refuse"),
    Q("how many orders will I get next week", kind="refuse"),
    Q("predict Black Friday sales this year", kind="refuse"),
    Q("why did revenue drop last month", kind="refuse"),
    # fragments with no conversation
    Q("and last month?", kind="refuse"),
    Q("by category?", kind="refuse"),
    Q("what about France?", kind="refuse"),
    Q("only the shipped ones", kind="refuse"),
    Q("break that down by category", kind="refuse"),
    Q("and orders?", kind="refuse"),
    Q("same for L30D", kind="refuse"),
    # unknown content words
    Q("revenue from flurbs last month", kind="refuse"),
    Q("how many zorgle orders this year", kind="refuse"),
    Q("orders from Atlantis", kind="refuse"),
    Q("units of Quantum Blender sold", kind="refuse"),
    Q("revenue by warehouse", kind="refuse"),
    Q("orders by payment method", kind="refuse"),
    Q("revenue by sales rep", kind="refuse"),
    # answerable only in part
    Q("revenue and profit last month", kind="refuse"),
    Q("who placed my largest order and what did they pay for shipping", kind="refuse"),
    Q("orders last week and how many visitors", kind="refuse"),
    Q("top 5 products by revenue and their stock levels", kind="refuse"),
    Q("median order value and average delivery time this year", kind="refuse"),
    Q("revenue by country and by ad channel", kind="refuse"),
    Q("how many refunds last month and why", kind="refuse"),
    Q("which customers churned and what discount should I give them", kind="refuse"),
]

QUESTIONS: list[Q] = ANSWERABLE + FOLLOW_UPS + MUST_REFUSE
