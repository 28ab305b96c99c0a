"""The blind question set of issue 22, FROZEN: never edited after its first measurement.

Written on 2026-12-07 by a helper who never opened ``services/ask/`` (nor ``tests/ask/``) and did
not read the other question sets' questions. Sources: README.md ("What you can ask",
"Definitions"), the answer contract and definitions for issue 22's new capabilities (weekday /
hour / weekend grains, medians and percentiles, shares, ratios, thresholds, refunds as a measure,
baskets, extremes with their row, first / last order, two measures, two group-bys, follow-ups,
relative periods, named days, shorthand), and the warehouse schema and data of a seeded test
warehouse (tables shops, customers, products, orders, order_items). The questions are typed the
way shop owners type: typos, shorthand, filler and chit-chat, odd word order, follow-up pairs;
about a third are plain. Truth is independent SQL in the vocabulary of ``truth.py``.

FROZEN: committed before any measurement; the first measurement (on d0071fa, before any parser
change for issue 22) is recorded in BENCHMARKS.md ("Blind question set (issue 22)"). A question
that turns out badly written stays as it is and is listed in the report instead. Tune on other
sets, never on this one. Score it with ``python -m bench.bench_blind``.
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
    year,
)

P = PURCHASE
LINES = "sum(i.quantity * i.unit_price)"
QTY = "sum(i.quantity)"
TOTAL = "sum(o.total_amount)"
CNT = "count(*)"
AVG = "round(avg(o.total_amount), 2)"


def st(*statuses: str) -> str:
    return "o.status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def cat(name: str) -> str:
    return f"p.category = '{name}'"


def prod(name: str) -> str:
    return f"p.name = '{name}'"


def since(m: int) -> Span:
    """Since the start of a named month (the most recent that has begun), to today."""
    return (month(m)[0], TODAY[1])


def max_total(span: Span = ALL, where: str = P) -> str:
    return f"SELECT max(o.total_amount) {O} AND {within(span)} AND {where}"


def min_total(span: Span = ALL, where: str = P) -> str:
    return f"SELECT min(o.total_amount) {O} AND {within(span)} AND {where}"


def refunded_amount(span: Span = ALL, where: str = "TRUE") -> str:
    return f"SELECT round(coalesce(sum(o.total_amount), 0), 2) {O} AND {within(span)} AND o.status = 'refunded' AND {where}"


def orders_pct(part: str, span: Span = ALL, where: str = "TRUE") -> str:
    """The share of orders (every status) that are ``part``, in percent."""
    return f"SELECT {pct(f'count(*) FILTER (WHERE {part})', 'count(*)')} {O} AND {within(span)} AND {where}"


def rate(share_sql: str, span: Span = ALL, where: str = "TRUE") -> str:
    return f"SELECT {share_sql} {O} AND {within(span)} AND {where}"


def spend_per_customer(span: Span = ALL, where: str = P) -> str:
    return ratio(revenue(span, where), active(span, where), 2)


def items_per_order(span: Span = ALL, where: str = P) -> str:
    return ratio(units(span, where), count_orders(span, where), 2)


BIGGEST_ROW = "c.name, o.total_amount, CAST(o.created_at AS DATE)"
DE, FR, US, JP, AU, CA, NL, GB, IN, ES = (
    country(x) for x in ("DE", "FR", "US", "JP", "AU", "CA", "NL", "GB", "IN", "ES")
)


# --- plain: how most owners ask (about a third) -------------------------------------------------
PLAIN = [
    Q("How many orders did I get last month?", count_orders(LAST_MONTH)),
    Q("What was my revenue this year?", revenue(THIS_YEAR)),
    Q("How many orders today?", count_orders(TODAY)),
    Q("Revenue yesterday", revenue(YESTERDAY)),
    Q("What is my average order value last quarter?", aov(LAST_QUARTER)),
    Q("How many units did I sell this month?", units(THIS_MONTH)),
    Q("Total revenue in the last 30 days", revenue(days(30))),
    Q("How many orders in the last 7 days?", count_orders(days(7))),
    Q("Show revenue by month this year", grouped(bucket("month"), TOTAL, O, THIS_YEAR), "groups"),
    Q("Orders by status", grouped("o.status", CNT, O, ALL, "TRUE"), "groups"),
    Q("Revenue by product category this year", grouped("p.category", LINES, OI, THIS_YEAR), "groups"),
    Q("Top 5 customers by spending", grouped("c.name", TOTAL, OC), "top", 5),
    Q("Top 3 products by revenue last month", grouped("p.name", LINES, OI, LAST_MONTH), "top", 3),
    Q("Which 5 products sold the most units this year?", grouped("p.name", QTY, OI, THIS_YEAR), "top", 5),
    Q("How many customers do I have?", f"SELECT count(*) {C}"),
    Q("How many new customers this month?", f"SELECT count(*) {C} AND {within(THIS_MONTH, 'c.created_at')}"),
    Q("How many cancelled orders last month?", count_orders(LAST_MONTH, st("cancelled"))),
    Q("What's my refund rate this year?", rate(REFUNDED_SHARE, THIS_YEAR)),
    Q("Cancellation rate last quarter", rate(CANCELLED_SHARE, LAST_QUARTER)),
    Q("How much revenue was refunded last month?", refunded_amount(LAST_MONTH)),
    Q("Revenue in Germany last month", revenue(LAST_MONTH, f"{P} AND {DE}")),
    Q("How many orders from France this year?", count_orders(THIS_YEAR, FR)),
    Q("Units sold by category", grouped("p.category", QTY, OI), "groups"),
    Q("Revenue by country", grouped("c.country", TOTAL, OC), "groups"),
    Q("Orders by week this month", grouped(bucket("week"), CNT, O, THIS_MONTH, "TRUE"), "groups"),
    Q("Revenue by quarter this year", grouped(bucket("quarter"), TOTAL, O, THIS_YEAR), "groups"),
    Q("How many orders over $300 last month?", count_orders(LAST_MONTH, "o.total_amount > 300")),
    Q("How many orders under $50 this year?", count_orders(THIS_YEAR, "o.total_amount < 50")),
    Q(
        "orders between $100 and $200 last month",
        count_orders(LAST_MONTH, "o.total_amount BETWEEN 100 AND 200"),
    ),
    Q("What is my largest order ever?", max_total()),
    Q("What was my smallest order last year?", min_total(LAST_YEAR)),
    Q("Average number of items per order this year", items_per_order(THIS_YEAR)),
    Q(
        "How many different products did I sell last month?",
        f"SELECT count(DISTINCT i.product_id) {OI} AND {within(LAST_MONTH)} AND {P}",
    ),
    Q("How many customers ordered last month?", active(LAST_MONTH)),
    Q("How many repeat customers do I have?", by_customer_purchases(">", 1)),
    Q("Revenue from shipped orders this year", revenue(THIS_YEAR, st("shipped"))),
    Q("How many delivered orders in the last 30 days?", count_orders(days(30), st("delivered"))),
    Q("How many pending orders do I have?", count_orders(ALL, st("pending"))),
    Q("Revenue in September", revenue(month(9))),
    Q("How many orders in March?", count_orders(month(3))),
    Q("Revenue in Q3", revenue(quarter(3))),
    Q("Units sold in Q2", units(quarter(2))),
    Q("How many orders in 2025?", count_orders(year(2025))),
    Q("Revenue this month vs last month", scalars(revenue(THIS_MONTH), revenue(LAST_MONTH)), "compare"),
    Q(
        "Compare orders September vs October",
        scalars(count_orders(month(10)), count_orders(month(9))),
        "compare",
    ),
    Q("Revenue from Kitchen products this year", line_revenue(THIS_YEAR, f"{P} AND {cat('Kitchen')}")),
    Q("How many units of {product} did I sell last month?", units(LAST_MONTH, f"{P} AND p.name = $product")),
    Q("How many orders has {customer} placed?", count_orders(ALL, CUSTOMER)),
    Q("How much has {customer} spent in total?", revenue(ALL, f"{P} AND {CUSTOMER}")),
    Q("Which category makes the most money?", grouped("p.category", LINES, OI), "top", 1),
    Q("Bottom 3 products by units this year", grouped("p.name", QTY, OI, THIS_YEAR, desc=False), "top", 3),
    Q(
        "Which country has the most customers?",
        f"SELECT c.country, count(*) AS v {C} GROUP BY 1 ORDER BY v DESC",
        "top",
        1,
    ),
    Q("Top 10 customers by number of orders", grouped("c.name", CNT, OC, ALL, "TRUE"), "top", 10),
    Q(
        "What was my best month for revenue this year?",
        grouped(bucket("month"), TOTAL, O, THIS_YEAR),
        "top",
        1,
    ),
    Q(
        "Which day had the highest revenue last month?",
        grouped(bucket("day"), TOTAL, O, LAST_MONTH),
        "top",
        1,
    ),
    Q("Revenue by day in the last 7 days", grouped(bucket("day"), TOTAL, O, days(7)), "groups"),
    Q("Average order value by country this year", grouped("c.country", AVG, OC, THIS_YEAR), "groups"),
    Q("How many refunded orders this year?", count_orders(THIS_YEAR, st("refunded"))),
    Q("Revenue excluding refunded and cancelled orders last month", revenue(LAST_MONTH)),
    Q("How many orders were not cancelled this month?", count_orders(THIS_MONTH, "o.status <> 'cancelled'")),
    Q(
        "What percentage of customers ordered more than once?",
        f"SELECT {pct('count(*) FILTER (WHERE n > 1)', 'count(*)')} FROM (SELECT o.customer_id, count(*) n {O} AND {P} GROUP BY 1)",
    ),
    Q("Revenue last week", revenue(LAST_WEEK)),
    Q("Orders this week", count_orders(THIS_WEEK)),
    Q("Units sold last year", units(LAST_YEAR)),
    Q("Average order value this month", aov(THIS_MONTH)),
    Q("How many orders in the last 90 days?", count_orders(days(90))),
    Q("Revenue in the last 3 months", revenue(months(3))),
    Q(
        "New customers by month this year",
        f"SELECT CAST(date_trunc('month', c.created_at) AS DATE), count(*) {C} AND {within(THIS_YEAR, 'c.created_at')} GROUP BY 1",
        "groups",
    ),
    Q("How many customers are from Canada?", f"SELECT count(*) {C} AND c.country = 'CA'"),
    Q("Revenue from Japanese customers this year", revenue(THIS_YEAR, f"{P} AND {JP}")),
    Q("Orders by country last month", grouped("c.country", CNT, OC, LAST_MONTH, "TRUE"), "groups"),
    Q(
        "Units sold by product in the Tech category this year",
        grouped("p.name", QTY, OI, THIS_YEAR, f"{P} AND {cat('Tech')}"),
        "groups",
    ),
    Q(
        "How many paid orders above $300 do I have?",
        count_orders(ALL, f"{st('paid')} AND o.total_amount > 300"),
    ),
    Q("Revenue between March 1 and March 15, 2026", revenue(("DATE '2026-03-01'", "DATE '2026-03-16'"))),
    Q("How many orders since October?", count_orders(since(10))),
    Q("Revenue in the first half of 2026", revenue(first_half(2026))),
    Q(
        "How many customers have never ordered?",
        f"SELECT count(*) {C} AND c.customer_id NOT IN (SELECT o.customer_id {O} AND {P})",
    ),
    Q("Top 5 products by revenue", grouped("p.name", LINES, OI), "top", 5),
    Q("Orders from the Netherlands last quarter", count_orders(LAST_QUARTER, NL)),
    Q("Revenue from the UK this year", revenue(THIS_YEAR, f"{P} AND {GB}")),
    Q("Average order value in Australia", aov(ALL, f"{P} AND {AU}")),
    Q("Units sold in Apparel last month", units(LAST_MONTH, f"{P} AND {cat('Apparel')}")),
    Q(
        "How many orders contained Outdoors products this year?",
        count_orders(THIS_YEAR, in_category("Outdoors")),
    ),
    Q("Revenue growth this month", scalars(revenue(THIS_MONTH), revenue(LAST_MONTH)), "compare"),
    Q("Order status breakdown last month", grouped("o.status", CNT, O, LAST_MONTH, "TRUE"), "groups"),
    Q("Which customer ordered the most times?", grouped("c.name", CNT, OC, ALL, "TRUE"), "top", 1),
    Q("Least popular 5 products by units", grouped("p.name", QTY, OI, ALL, P, desc=False), "top", 5),
    Q("Revenue by week last month", grouped(bucket("week"), TOTAL, O, LAST_MONTH), "groups"),
    Q("How many orders in Q1 2026?", count_orders(quarter(1, 2026))),
    Q("Revenue in December 2025", revenue(month(12, 2025))),
    Q("Total units sold", units()),
    Q("Total revenue", revenue()),
    Q("How many orders do I have?", count_orders()),
    Q("Average spend per customer this year", spend_per_customer(THIS_YEAR)),
    Q(
        "How many shipped or delivered orders last month?",
        count_orders(LAST_MONTH, st("shipped", "delivered")),
    ),
    Q("Revenue from orders above $500 this year", revenue(THIS_YEAR, f"{P} AND o.total_amount > 500")),
    Q("How many orders did {customer} place this year?", count_orders(THIS_YEAR, CUSTOMER)),
    Q("Revenue from {product} this year", line_revenue(THIS_YEAR, f"{P} AND p.name = $product")),
    Q(
        "Refund rate by category",
        grouped(
            "p.category",
            pct(
                "count(DISTINCT o.order_id) FILTER (WHERE o.status = 'refunded')",
                "count(DISTINCT o.order_id)",
            ),
            OI,
            ALL,
            "TRUE",
        ),
        "groups",
    ),
    Q("How many orders yesterday?", count_orders(YESTERDAY)),
    Q("Revenue today", revenue(TODAY)),
    Q("Units sold in the last 30 days", units(days(30))),
    Q("Orders per month last year", grouped(bucket("month"), CNT, O, LAST_YEAR, "TRUE"), "groups"),
    Q("How many orders did I get this month?", count_orders(THIS_MONTH)),
    Q("What was my revenue last quarter?", revenue(LAST_QUARTER)),
    Q("How many units did I sell yesterday?", units(YESTERDAY)),
    Q("What was the average order value last week?", aov(LAST_WEEK)),
    Q("How many orders did I get last year?", count_orders(LAST_YEAR)),
    Q("Revenue this quarter", revenue(THIS_QUARTER)),
    Q("How many new customers last month?", f"SELECT count(*) {C} AND {within(LAST_MONTH, 'c.created_at')}"),
    Q("How many customers from Germany?", f"SELECT count(*) {C} AND c.country = 'DE'"),
    Q("Customers by country", f"SELECT c.country, count(*) {C} GROUP BY 1", "groups"),
    Q("Revenue by category last quarter", grouped("p.category", LINES, OI, LAST_QUARTER), "groups"),
    Q("Top 5 products by units sold last month", grouped("p.name", QTY, OI, LAST_MONTH), "top", 5),
    Q("Top 3 customers by spending this year", grouped("c.name", TOTAL, OC, THIS_YEAR), "top", 3),
    Q("How many refunded orders last month?", count_orders(LAST_MONTH, st("refunded"))),
    Q("What's my cancellation rate?", rate(CANCELLED_SHARE)),
    Q("Revenue from delivered orders last month", revenue(LAST_MONTH, st("delivered"))),
    Q("How many orders from Spain this year?", count_orders(THIS_YEAR, ES)),
    Q("Average order value in Germany this year", aov(THIS_YEAR, f"{P} AND {DE}")),
    Q("Units sold by category this month", grouped("p.category", QTY, OI, THIS_MONTH), "groups"),
    Q("Revenue by month last year", grouped(bucket("month"), TOTAL, O, LAST_YEAR), "groups"),
    Q("Orders by month this year", grouped(bucket("month"), CNT, O, THIS_YEAR, "TRUE"), "groups"),
    Q("How many orders over $1000?", count_orders(ALL, "o.total_amount > 1000")),
    Q("Largest order this year", max_total(THIS_YEAR)),
    Q("How many customers ordered this year?", active(THIS_YEAR)),
    Q("Revenue from Home products last month", line_revenue(LAST_MONTH, f"{P} AND {cat('Home')}")),
    Q("How much revenue was refunded this year?", refunded_amount(THIS_YEAR)),
]

# --- filler and chit-chat -----------------------------------------------------------------------
FILLER = [
    Q("hi, quick one: orders this week?", count_orders(THIS_WEEK)),
    Q("could you pull up revenue for May", revenue(month(5))),
    Q("so how are sales doing this month", revenue(THIS_MONTH)),
    Q("hey there! how many orders did we get yesterday?", count_orders(YESTERDAY)),
    Q("Good morning, can you tell me my total revenue for last month please", revenue(LAST_MONTH)),
    Q("just wondering, what's the average order value this year?", aov(THIS_YEAR)),
    Q("ok so, units sold last week?", units(LAST_WEEK)),
    Q("can u show me my top 5 customers by spend pls", grouped("c.name", TOTAL, OC), "top", 5),
    Q("I'd like to know how many orders came in last quarter, thanks!", count_orders(LAST_QUARTER)),
    Q("hmm, what was revenue in October again?", revenue(month(10))),
    Q(
        "quick question - how many new customers signed up this year?",
        f"SELECT count(*) {C} AND {within(THIS_YEAR, 'c.created_at')}",
    ),
    Q("please give me the order count for the last 30 days", count_orders(days(30))),
    Q(
        "would you mind showing revenue by month for this year",
        grouped(bucket("month"), TOTAL, O, THIS_YEAR),
        "groups",
    ),
    Q("thanks! and what's my refund rate overall?", rate(REFUNDED_SHARE)),
    Q(
        "Hello! I'm curious how many cancelled orders we had this year",
        count_orders(THIS_YEAR, st("cancelled")),
    ),
    Q("real quick, top 3 products by units last month", grouped("p.name", QTY, OI, LAST_MONTH), "top", 3),
    Q("yo what's revenue looking like today", revenue(TODAY)),
    Q("can you check how many orders Germany sent us last month?", count_orders(LAST_MONTH, DE)),
    Q(
        "I was wondering about units sold in the Home category this year",
        units(THIS_YEAR, f"{P} AND {cat('Home')}"),
    ),
    Q(
        "Morning! Orders by status for last month, if you can",
        grouped("o.status", CNT, O, LAST_MONTH, "TRUE"),
        "groups",
    ),
    Q("just need the total revenue so far this quarter, cheers", revenue(THIS_QUARTER)),
    Q("hey, how much did {customer} spend with us this year?", revenue(THIS_YEAR, f"{P} AND {CUSTOMER}")),
    Q("remind me, what's my biggest order ever?", max_total()),
    Q(
        "basically I want the revenue by category for last month",
        grouped("p.category", LINES, OI, LAST_MONTH),
        "groups",
    ),
    Q("so um how many customers bought something last month", active(LAST_MONTH)),
    Q(
        "Hi! Could you tell me the average order value for orders from Canada this year? Thank you",
        aov(THIS_YEAR, f"{P} AND {CA}"),
    ),
]

# --- shorthand ----------------------------------------------------------------------------------
SHORTHAND = [
    Q("qty sold L7D", units(days(7))),
    Q("AOV QTD", aov(THIS_QUARTER)),
    Q("# orders yday", count_orders(YESTERDAY)),
    Q("rev MTD", revenue(THIS_MONTH)),
    Q("rev YTD", revenue(THIS_YEAR)),
    Q("orders L30D", count_orders(days(30))),
    Q("AOV L30D", aov(days(30))),
    Q("# new custs MTD", f"SELECT count(*) {C} AND {within(THIS_MONTH, 'c.created_at')}"),
    Q("rev yday", revenue(YESTERDAY)),
    Q("qty MTD", units(THIS_MONTH)),
    Q("# cancelled orders QTD", count_orders(THIS_QUARTER, st("cancelled"))),
    Q("rev w/e 2026-11-29", revenue(("DATE '2026-11-23'", "DATE '2026-11-30'"))),
    Q("# orders w/e Nov 22 2026", count_orders(("DATE '2026-11-16'", "DATE '2026-11-23'"))),
    Q("top 5 prods by rev YTD", grouped("p.name", LINES, OI, THIS_YEAR), "top", 5),
    Q("rev by cat L30D", grouped("p.category", LINES, OI, days(30)), "groups"),
    Q("AOV DE YTD", aov(THIS_YEAR, f"{P} AND {DE}")),
    Q("refund rate YTD", rate(REFUNDED_SHARE, THIS_YEAR)),
    Q("# orders > $250 MTD", count_orders(THIS_MONTH, "o.total_amount > 250")),
    Q("rev QTD vs last qtr", scalars(revenue(THIS_QUARTER), revenue(LAST_QUARTER)), "compare"),
    Q("qty by category YTD", grouped("p.category", QTY, OI, THIS_YEAR), "groups"),
    Q("avg order val L7D", aov(days(7))),
    Q("# custs", f"SELECT count(*) {C}"),
]

# --- typos --------------------------------------------------------------------------------------
TYPOS = [
    Q("revnue last month", revenue(LAST_MONTH)),
    Q("how many ordres yesterday", count_orders(YESTERDAY)),
    Q("top 5 custmers by spending", grouped("c.name", TOTAL, OC), "top", 5),
    Q("avrage order value this year", aov(THIS_YEAR)),
    Q("how many unts did i sell last week", units(LAST_WEEK)),
    Q("revenue by catgory this year", grouped("p.category", LINES, OI, THIS_YEAR), "groups"),
    Q("orders in Germnay this year", count_orders(THIS_YEAR, DE)),
    Q("revenue in septmber", revenue(month(9))),
    Q("refund rate last quater", rate(REFUNDED_SHARE, LAST_QUARTER)),
    Q("cancelled ordrs this month", count_orders(THIS_MONTH, st("cancelled"))),
    Q("how many custommers do I have", f"SELECT count(*) {C}"),
    Q("revenue form France last month", revenue(LAST_MONTH, f"{P} AND {FR}")),
    Q("top 3 prodcuts by revenue", grouped("p.name", LINES, OI), "top", 3),
    Q("oders by status this year", grouped("o.status", CNT, O, THIS_YEAR, "TRUE"), "groups"),
    Q("whats my avg oder value last month", aov(LAST_MONTH)),
    Q("revenu by month this year", grouped(bucket("month"), TOTAL, O, THIS_YEAR), "groups"),
    Q("median ordr value this year", quantile(0.5, THIS_YEAR)),
    Q("revenue on weekneds this month", revenue(THIS_MONTH, f"{P} AND {IS_WEEKEND}")),
    Q(
        "Whats the revnue from Kitchn products this year",
        line_revenue(THIS_YEAR, f"{P} AND {cat('Kitchen')}"),
    ),
    Q("how many orders in the lst 7 days", count_orders(days(7))),
]

# --- word order ---------------------------------------------------------------------------------
WORD_ORDER = [
    Q("products by units, top 8", grouped("p.name", QTY, OI), "top", 8),
    Q("customers, top 10 by spend", grouped("c.name", TOTAL, OC), "top", 10),
    Q("last month, revenue?", revenue(LAST_MONTH)),
    Q("this year: orders by country", grouped("c.country", CNT, OC, THIS_YEAR, "TRUE"), "groups"),
    Q("by category, units sold last month", grouped("p.category", QTY, OI, LAST_MONTH), "groups"),
    Q("in Japan, how many orders this year", count_orders(THIS_YEAR, JP)),
    Q("for last quarter the average order value", aov(LAST_QUARTER)),
    Q("products by revenue this year, top 4", grouped("p.name", LINES, OI, THIS_YEAR), "top", 4),
    Q("shipped orders, last 30 days, how many", count_orders(days(30), st("shipped"))),
    Q("categories ranked by revenue, best 2", grouped("p.category", LINES, OI), "top", 2),
    Q("yesterday's orders count", count_orders(YESTERDAY)),
    Q("this month's units", units(THIS_MONTH)),
]

# --- weekday, hour of day, weekend ----------------------------------------------------------------
TIMES = [
    Q("revenue by day of the week", grouped(WEEKDAY, TOTAL, O), "groups"),
    Q("orders by weekday this year", grouped(WEEKDAY, CNT, O, THIS_YEAR, "TRUE"), "groups"),
    Q("which day of the week gets the most orders?", grouped(WEEKDAY, CNT, O, ALL, "TRUE"), "top", 1),
    Q("orders by hour of day", grouped(HOUR, CNT, O, ALL, "TRUE"), "groups"),
    Q("what hour of the day do most orders come in?", grouped(HOUR, CNT, O, ALL, "TRUE"), "top", 1),
    Q("weekend vs weekday revenue", grouped(WEEKEND, TOTAL, O), "groups"),
    Q("how many orders on weekends last month?", count_orders(LAST_MONTH, IS_WEEKEND)),
    Q("revenue on Mondays this year", revenue(THIS_YEAR, f"{P} AND {on_weekday('Monday')}")),
    Q("how many orders on saturdays this year", count_orders(THIS_YEAR, on_weekday("Saturday"))),
    Q("AOV on weekends", aov(ALL, f"{P} AND {IS_WEEKEND}")),
    Q("revenue by hour of the day last 30 days", grouped(HOUR, TOTAL, O, days(30)), "groups"),
    Q("busiest weekday by revenue last quarter", grouped(WEEKDAY, TOTAL, O, LAST_QUARTER), "top", 1),
    Q("weekend vs weekday orders this year", grouped(WEEKEND, CNT, O, THIS_YEAR, "TRUE"), "groups"),
    Q("units sold on sundays", units(ALL, f"{P} AND {on_weekday('Sunday')}")),
    Q("average order value by weekday", grouped(WEEKDAY, AVG, O), "groups"),
    Q("which hour brings the most revenue?", grouped(HOUR, TOTAL, O), "top", 1),
    Q("top 3 hours of the day by orders", grouped(HOUR, CNT, O, ALL, "TRUE"), "top", 3),
    Q("revenue on Fridays last month", revenue(LAST_MONTH, f"{P} AND {on_weekday('Friday')}")),
    Q(
        "what's my slowest day of the week for orders?",
        grouped(WEEKDAY, CNT, O, ALL, "TRUE", desc=False),
        "top",
        1,
    ),
    Q("weekend revenue this month", revenue(THIS_MONTH, f"{P} AND {IS_WEEKEND}")),
    Q("orders by day of week in the last 90 days", grouped(WEEKDAY, CNT, O, days(90), "TRUE"), "groups"),
    Q("how many orders came in on a Wednesday this year?", count_orders(THIS_YEAR, on_weekday("Wednesday"))),
    Q("units by weekday this year", grouped(WEEKDAY, QTY, OI, THIS_YEAR), "groups"),
    Q("weekday orders last month (not weekends)", count_orders(LAST_MONTH, f"NOT {IS_WEEKEND}")),
]

# --- medians and percentiles ----------------------------------------------------------------------
QUANTILES = [
    Q("median order value", quantile(0.5)),
    Q("what's the median order value this year?", quantile(0.5, THIS_YEAR)),
    Q("median order value last month", quantile(0.5, LAST_MONTH)),
    Q("90th percentile of order value", quantile(0.9)),
    Q("p90 order value YTD", quantile(0.9, THIS_YEAR)),
    Q("75th percentile order value last quarter", quantile(0.75, LAST_QUARTER)),
    Q("what's the 25th percentile of my order totals?", quantile(0.25)),
    Q("p95 order value last 30 days", quantile(0.95, days(30))),
    Q("median order value in Germany", quantile(0.5, ALL, f"{P} AND {DE}")),
    Q("median order value of shipped orders", quantile(0.5, ALL, st("shipped"))),
    Q("10th percentile of order value this year", quantile(0.1, THIS_YEAR)),
    Q("median order size in $ last year", quantile(0.5, LAST_YEAR)),
    Q("whats the median order total on weekends", quantile(0.5, ALL, f"{P} AND {IS_WEEKEND}")),
    Q("median value of orders from French customers this year", quantile(0.5, THIS_YEAR, f"{P} AND {FR}")),
]

# --- shares of a total (percent) ------------------------------------------------------------------
SHARES = [
    Q("what % of my revenue comes from Germany?", share(DE)),
    Q(
        "share of revenue from the Kitchen category this year",
        share(cat("Kitchen"), "i.quantity * i.unit_price", OI, THIS_YEAR),
    ),
    Q("what percentage of units sold were Tech?", share(cat("Tech"), "i.quantity", OI)),
    Q("what % of orders were shipped last month?", orders_pct(st("shipped"), LAST_MONTH)),
    Q("share of revenue on weekends", share(IS_WEEKEND)),
    Q(
        "what percentage of my customers are from France?",
        "SELECT " + pct("count(*) FILTER (WHERE c.country = 'FR')", "count(*)") + f" {C}",
    ),
    Q(
        "what share of revenue did {product} bring in this year?",
        share("p.name = $product", "i.quantity * i.unit_price", OI, THIS_YEAR),
    ),
    Q("% of revenue from US customers YTD", share(US, span=THIS_YEAR)),
    Q("what percent of orders were delivered this year", orders_pct(st("delivered"), THIS_YEAR)),
    Q("Apparel's share of units last quarter", share(cat("Apparel"), "i.quantity", OI, LAST_QUARTER)),
    Q("how much of my revenue (in %) came from orders over $500?", share("o.total_amount > 500")),
    Q("what % of revenue is from {customer}?", share(CUSTOMER)),
    Q("share of orders placed on Mondays", orders_pct(on_weekday("Monday"))),
    Q("percentage of revenue from Japan last month", share(JP, span=LAST_MONTH)),
    Q("what proportion of orders are pending right now, in percent", orders_pct(st("pending"))),
]

# --- ratios of two metrics ------------------------------------------------------------------------
RATIOS = [
    Q("revenue per customer last month", spend_per_customer(LAST_MONTH)),
    Q("refunds per order this year", ratio(count_orders(THIS_YEAR, st("refunded")), count_orders(THIS_YEAR))),
    Q("revenue per unit sold this year", ratio(revenue(THIS_YEAR), units(THIS_YEAR), 2)),
    Q("units per order last month", items_per_order(LAST_MONTH)),
    Q("average revenue per customer in Germany this year", spend_per_customer(THIS_YEAR, f"{P} AND {DE}")),
    Q(
        "revenue per unit for Kitchen products",
        ratio(line_revenue(ALL, f"{P} AND {cat('Kitchen')}"), units(ALL, f"{P} AND {cat('Kitchen')}"), 2),
    ),
    Q("refunds per order overall", ratio(count_orders(ALL, st("refunded")), count_orders())),
    Q("items per order YTD", items_per_order(THIS_YEAR)),
    Q("avg items in an order from Canada", items_per_order(ALL, f"{P} AND {CA}")),
    Q(
        "refunded amount per refund this year",
        ratio(refunded_amount(THIS_YEAR), count_orders(THIS_YEAR, st("refunded")), 2),
    ),
    Q(
        "revenue per customer by country this year",
        f"SELECT c.country, round(sum(o.total_amount) / count(DISTINCT o.customer_id), 2) {OC} AND {within(THIS_YEAR)} AND {P} GROUP BY 1",
        "groups",
    ),
    Q(
        "units per order by month this year",
        f"SELECT {bucket('month')}, round(sum(i.quantity) / count(DISTINCT o.order_id), 2) {OI} AND {within(THIS_YEAR)} AND {P} GROUP BY 1",
        "groups",
    ),
]

# --- thresholds -----------------------------------------------------------------------------------
THRESHOLDS = [
    Q("customers with at least 3 orders", by_customer_purchases(">=", 3)),
    Q("how many customers have more than 5 orders?", by_customer_purchases(">", 5)),
    Q("orders with more than 4 items", by_order_items(">", 4)),
    Q("how many orders had at least 3 items this year", by_order_items(">=", 3, THIS_YEAR)),
    Q("number of customers who ordered at least twice this year", by_customer_purchases(">=", 2, THIS_YEAR)),
    Q("customers with 4 or more orders", by_customer_purchases(">=", 4)),
    Q("how many orders with more than 2 items last month?", by_order_items(">", 2, LAST_MONTH)),
    Q("# customers w/ at least 5 orders", by_customer_purchases(">=", 5)),
    Q("how many customers placed more than 3 orders last year?", by_customer_purchases(">", 3, LAST_YEAR)),
    Q("orders with at least 6 items", by_order_items(">=", 6)),
    Q("German customers with at least 2 orders", by_customer_purchases(">=", 2, ALL, f"{P} AND {DE}")),
    Q("how many orders had more than 5 units in them in the last 90 days", by_order_items(">", 5, days(90))),
]

# --- refunds as a measure -------------------------------------------------------------------------
REFUNDS = [
    Q("how many refunds last month?", count_orders(LAST_MONTH, st("refunded"))),
    Q("refunds this year", count_orders(THIS_YEAR, st("refunded"))),
    Q("refunds by month this year", grouped(bucket("month"), CNT, O, THIS_YEAR, st("refunded")), "groups"),
    Q("# refunds L30D", count_orders(days(30), st("refunded"))),
    Q("refunded amount this year", refunded_amount(THIS_YEAR)),
    Q("refunds from France this year", count_orders(THIS_YEAR, f"{st('refunded')} AND {FR}")),
    Q("refunds by country", grouped("c.country", CNT, OC, ALL, st("refunded")), "groups"),
    Q(
        "refunds this month vs last month",
        scalars(count_orders(THIS_MONTH, st("refunded")), count_orders(LAST_MONTH, st("refunded"))),
        "compare",
    ),
]

# --- baskets --------------------------------------------------------------------------------------
BASKETS = [
    Q(
        "orders that contain both Canvas Sneakers and Portable Charger",
        both("Canvas Sneakers", "Portable Charger"),
    ),
    Q("how many orders had both Hiking Poles and a Cotton Tee?", both("Hiking Poles", "Cotton Tee")),
    Q(
        "orders with Salad Spinner and Portable Charger together this year",
        both("Salad Spinner", "Portable Charger", THIS_YEAR),
    ),
    Q("how often were Hammock and Portable Charger bought together", both("Hammock", "Portable Charger")),
    Q("# orders containing both Dutch Oven and Portable Charger", both("Dutch Oven", "Portable Charger")),
    Q(
        "orders with both Canvas Sneakers and Hiking Poles last quarter",
        both("Canvas Sneakers", "Hiking Poles", LAST_QUARTER),
    ),
    Q(
        "how many orders included the Portable Charger and the Cotton Tee",
        both("Portable Charger", "Cotton Tee"),
    ),
    Q("baskets with both Hiking Poles and Portable Charger", both("Hiking Poles", "Portable Charger")),
]

# --- the row behind an extreme; first and last orders ----------------------------------------------
ROWS = [
    Q("who placed my biggest order?", row_extreme(BIGGEST_ROW, "o.total_amount DESC"), "row"),
    Q("who placed my largest order and when?", row_extreme(BIGGEST_ROW, "o.total_amount DESC"), "row"),
    Q(
        "biggest order this year - who was it and how much?",
        row_extreme(BIGGEST_ROW, "o.total_amount DESC", THIS_YEAR),
        "row",
    ),
    Q(
        "who made the largest purchase last month",
        row_extreme(BIGGEST_ROW, "o.total_amount DESC", LAST_MONTH),
        "row",
    ),
    Q("when was my biggest order and who placed it?", row_extreme(BIGGEST_ROW, "o.total_amount DESC"), "row"),
    Q(
        "which customer placed the highest value order in Germany?",
        row_extreme(BIGGEST_ROW, "o.total_amount DESC", ALL, f"{P} AND {DE}"),
        "row",
    ),
    Q(
        "whose order was the biggest last quarter?",
        row_extreme(BIGGEST_ROW, "o.total_amount DESC", LAST_QUARTER),
        "row",
    ),
    Q("when did {customer} first order?", customer_order(True), "row"),
    Q("what was {customer}'s last order?", customer_order(False), "row"),
    Q("{customer} first order date and amount", customer_order(True), "row"),
    Q("when did {customer} last place an order", customer_order(False), "row"),
    Q("show me the most recent order from {customer}", customer_order(False), "row"),
    Q("how much was {customer}'s first ever order?", customer_order(True), "row"),
    Q("date of {customer}'s first order", customer_order(True), "row"),
]

# --- two measures in one question -----------------------------------------------------------------
MULTI = [
    Q("orders and revenue last week", scalars(count_orders(LAST_WEEK), revenue(LAST_WEEK)), "multi"),
    Q("revenue and AOV this month", scalars(revenue(THIS_MONTH), aov(THIS_MONTH)), "multi"),
    Q("units and orders yesterday", scalars(units(YESTERDAY), count_orders(YESTERDAY)), "multi"),
    Q(
        "rev, orders and AOV YTD",
        scalars(revenue(THIS_YEAR), count_orders(THIS_YEAR), aov(THIS_YEAR)),
        "multi",
    ),
    Q(
        "how many orders and how much revenue from Germany this year?",
        scalars(count_orders(THIS_YEAR, DE), revenue(THIS_YEAR, f"{P} AND {DE}")),
        "multi",
    ),
    Q(
        "refunds and refunded amount last quarter",
        scalars(count_orders(LAST_QUARTER, st("refunded")), refunded_amount(LAST_QUARTER)),
        "multi",
    ),
    Q("median and average order value this year", scalars(quantile(0.5, THIS_YEAR), aov(THIS_YEAR)), "multi"),
    Q(
        "biggest and smallest order last month",
        scalars(max_total(LAST_MONTH), min_total(LAST_MONTH)),
        "multi",
    ),
    Q(
        "give me revenue plus units sold for last month",
        scalars(revenue(LAST_MONTH), units(LAST_MONTH)),
        "multi",
    ),
    Q(
        "orders, units and revenue in the last 7 days",
        scalars(count_orders(days(7)), units(days(7)), revenue(days(7))),
        "multi",
    ),
    Q(
        "cancellation rate and refund rate this year",
        scalars(rate(CANCELLED_SHARE, THIS_YEAR), rate(REFUNDED_SHARE, THIS_YEAR)),
        "multi",
    ),
    Q(
        "new customers and active customers this month",
        scalars(f"SELECT count(*) {C} AND {within(THIS_MONTH, 'c.created_at')}", active(THIS_MONTH)),
        "multi",
    ),
    Q(
        "AOV and items per order last quarter",
        scalars(aov(LAST_QUARTER), items_per_order(LAST_QUARTER)),
        "multi",
    ),
    Q(
        "Kitchen revenue and units this year",
        scalars(
            line_revenue(THIS_YEAR, f"{P} AND {cat('Kitchen')}"),
            units(THIS_YEAR, f"{P} AND {cat('Kitchen')}"),
        ),
        "multi",
    ),
]

# --- two group-bys --------------------------------------------------------------------------------
GROUPS2 = [
    Q(
        "revenue by country and month this year",
        grouped2("c.country", bucket("month"), TOTAL, OC, THIS_YEAR),
        "groups2",
    ),
    Q(
        "orders by status and month, last 3 months",
        grouped2("o.status", bucket("month"), CNT, O, months(3), "TRUE"),
        "groups2",
    ),
    Q(
        "units by category and quarter this year",
        grouped2("p.category", bucket("quarter"), QTY, OI, THIS_YEAR),
        "groups2",
    ),
    Q(
        "revenue by month and category this year",
        grouped2(bucket("month"), "p.category", LINES, OI, THIS_YEAR),
        "groups2",
    ),
    Q("orders by country and status", grouped2("c.country", "o.status", CNT, OC, ALL, "TRUE"), "groups2"),
    Q(
        "AOV by country and quarter this year",
        grouped2("c.country", bucket("quarter"), AVG, OC, THIS_YEAR),
        "groups2",
    ),
    Q(
        "rev by cat and country last month",
        grouped2(
            "p.category",
            "c.country",
            LINES,
            OI.replace(
                "WHERE", "JOIN customers c ON c.shop_id = o.shop_id AND c.customer_id = o.customer_id WHERE"
            ),
            LAST_MONTH,
        ),
        "groups2",
    ),
    Q("revenue by weekday and category", grouped2(WEEKDAY, "p.category", LINES, OI), "groups2"),
    Q(
        "orders by month and status this year",
        grouped2(bucket("month"), "o.status", CNT, O, THIS_YEAR, "TRUE"),
        "groups2",
    ),
    Q(
        "units by product and month last quarter",
        grouped2("p.name", bucket("month"), QTY, OI, LAST_QUARTER),
        "groups2",
    ),
]

# --- a population as a filter ---------------------------------------------------------------------
POPULATION = [
    Q("spanish customers' AOV", aov(ALL, f"{P} AND {ES}")),
    Q("units that went to buyers in Japan", units(ALL, f"{P} AND {JP}")),
    Q(
        "revenue by category for German customers",
        grouped("p.category", LINES, OI, ALL, f"{P} AND {DE}"),
        "groups",
    ),
    Q("how much did Dutch customers spend this year", revenue(THIS_YEAR, f"{P} AND {NL}")),
    Q("AOV of our Canadian buyers last quarter", aov(LAST_QUARTER, f"{P} AND {CA}")),
    Q("orders placed by Australian customers this month", count_orders(THIS_MONTH, AU)),
    Q("units bought by customers from India this year", units(THIS_YEAR, f"{P} AND {IN}")),
    Q(
        "top 3 products among French customers by revenue",
        grouped("p.name", LINES, OI, ALL, f"{P} AND {FR}"),
        "top",
        3,
    ),
    Q(
        "revenue by month from US customers this year",
        grouped(bucket("month"), TOTAL, O, THIS_YEAR, f"{P} AND {US}"),
        "groups",
    ),
    Q("British customers' revenue last month", revenue(LAST_MONTH, f"{P} AND {GB}")),
    Q("how many units did customers in Spain buy last quarter", units(LAST_QUARTER, f"{P} AND {ES}")),
    Q(
        "top 5 German customers by spend",
        grouped("c.name", TOTAL, OC, ALL, f"{P} AND c.country = 'DE'"),
        "top",
        5,
    ),
    Q("orders by status for Japanese customers", grouped("o.status", CNT, O, ALL, JP), "groups"),
    Q("median order value of Canadian customers", quantile(0.5, ALL, f"{P} AND {CA}")),
    Q("refund rate for customers in France", rate(REFUNDED_SHARE, ALL, FR)),
]

# --- relative periods -----------------------------------------------------------------------------
RELATIVE = [
    Q(
        "orders this week vs the one before",
        scalars(count_orders(THIS_WEEK), count_orders(LAST_WEEK)),
        "compare",
    ),
    Q("revenue same month last year", revenue(SAME_MONTH_LAST_YEAR)),
    Q("revenue in the first half of this year", revenue(first_half())),
    Q(
        "revenue this month vs same month last year",
        scalars(revenue(THIS_MONTH), revenue(SAME_MONTH_LAST_YEAR)),
        "compare",
    ),
    Q("orders in the first half of this year", count_orders(first_half())),
    Q("units sold same month last year", units(SAME_MONTH_LAST_YEAR)),
    Q("AOV this week vs the week before", scalars(aov(THIS_WEEK), aov(LAST_WEEK)), "compare"),
    Q(
        "revenue this quarter compared to last quarter",
        scalars(revenue(THIS_QUARTER), revenue(LAST_QUARTER)),
        "compare",
    ),
    Q("what did I sell over the past 30 days", revenue(days(30))),
    Q("orders over the past 14 days", count_orders(days(14))),
    Q("revenue this year vs last year", scalars(revenue(THIS_YEAR), revenue(LAST_YEAR)), "compare"),
    Q(
        "new customers in the first half of this year",
        f"SELECT count(*) {C} AND {within(first_half(), 'c.created_at')}",
    ),
    Q(
        "orders same month last year vs this month",
        scalars(count_orders(THIS_MONTH), count_orders(SAME_MONTH_LAST_YEAR)),
        "compare",
    ),
    Q("since the start of the year how many orders?", count_orders(THIS_YEAR)),
    Q("revenue in the last 60 days", revenue(days(60))),
]

# --- named days -----------------------------------------------------------------------------------
NAMED_DAYS = [
    Q("black friday revenue", revenue(BLACK_FRIDAY)),
    Q("how many orders on Cyber Monday?", count_orders(CYBER_MONDAY)),
    Q("how much did we make on New Year's Eve?", revenue(NEW_YEARS_EVE)),
    Q("orders on christmas day", count_orders(CHRISTMAS)),
    Q(
        "black friday vs cyber monday revenue",
        scalars(revenue(CYBER_MONDAY), revenue(BLACK_FRIDAY)),
        "compare",
    ),
    Q("AOV on Black Friday", aov(BLACK_FRIDAY)),
    Q("units sold on cyber monday", units(CYBER_MONDAY)),
    Q("BF orders", count_orders(BLACK_FRIDAY)),
    Q("revenue on Christmas", revenue(CHRISTMAS)),
    Q("top 3 products on black friday by units", grouped("p.name", QTY, OI, BLACK_FRIDAY), "top", 3),
]

# --- follow-ups: asked right after ``after``, in its conversation -----------------------------------
MONTH_BEFORE_LAST: Span = (f"{LAST_MONTH[0]} - INTERVAL 1 MONTH", LAST_MONTH[0])
FOLLOW_UPS = [
    Q("and the month before?", revenue(MONTH_BEFORE_LAST), after="revenue last month"),
    Q("what about France?", count_orders(THIS_YEAR, FR), after="orders in Germany this year"),
    Q(
        "break that down by category",
        grouped("p.category", LINES, OI, THIS_YEAR),
        "groups",
        after="revenue this year",
    ),
    Q("only the shipped ones", count_orders(LAST_MONTH, st("shipped")), after="how many orders last month"),
    Q("and by month?", grouped(bucket("month"), QTY, OI, THIS_YEAR), "groups", after="units sold this year"),
    Q("same for last year", aov(LAST_YEAR), after="AOV this year"),
    Q("top 3 only", grouped("p.name", LINES, OI, THIS_YEAR), "top", 3, after="revenue by product this year"),
    Q("and today?", count_orders(TODAY), after="how many orders yesterday?"),
    Q("and in Canada?", revenue(LAST_QUARTER, f"{P} AND {CA}"), after="revenue in Japan last quarter"),
    Q(
        "and by number of orders?",
        grouped("c.name", CNT, OC, ALL, "TRUE"),
        "top",
        5,
        after="top 5 customers by spending",
    ),
    Q(
        "now this month",
        grouped("o.status", CNT, O, THIS_MONTH, "TRUE"),
        "groups",
        after="orders by status last month",
    ),
    Q("how about units?", units(days(30)), after="revenue in the last 30 days"),
    Q("and the 90th percentile?", quantile(0.9, THIS_YEAR), after="median order value this year"),
    Q(
        "by country please",
        grouped("c.country", CNT, OC, THIS_YEAR, st("refunded")),
        "groups",
        after="refunds this year",
    ),
    Q(
        "what about Tech?",
        line_revenue(THIS_YEAR, f"{P} AND {cat('Tech')}"),
        after="revenue from Kitchen products this year",
    ),
    Q(
        "vs last week?",
        scalars(count_orders(THIS_WEEK), count_orders(LAST_WEEK)),
        "compare",
        after="orders this week",
    ),
    Q("and Q2?", units(quarter(2)), after="units sold in Q3"),
    Q(
        "and how much did they spend?",
        revenue(ALL, f"{P} AND {CUSTOMER}"),
        after="how many orders did {customer} place?",
    ),
    Q(
        "just the weekends",
        grouped(bucket("month"), TOTAL, O, THIS_YEAR, f"{P} AND {IS_WEEKEND}"),
        "groups",
        after="revenue by month this year",
    ),
    Q(
        "and over $500?",
        count_orders(LAST_MONTH, "o.total_amount > 500"),
        after="orders over $200 last month",
    ),
    Q("and cyber monday?", revenue(CYBER_MONDAY), after="revenue on black friday"),
    Q("what about last month?", revenue(LAST_MONTH), after="revenue this month"),
    Q(
        "and by hour?",
        grouped(HOUR, CNT, O, THIS_YEAR, "TRUE"),
        "groups",
        after="orders by weekday this year",
    ),
    Q("and at least 5?", by_customer_purchases(">=", 5), after="how many customers have at least 3 orders?"),
    Q("as a share of the total?", share(DE, span=THIS_YEAR), after="revenue in Germany this year"),
    Q("for {product} only", units(LAST_MONTH, f"{P} AND p.name = $product"), after="units sold last month"),
]

ANSWERABLE = (
    PLAIN
    + FILLER
    + SHORTHAND
    + TYPOS
    + WORD_ORDER
    + TIMES
    + QUANTILES
    + SHARES
    + RATIOS
    + THRESHOLDS
    + REFUNDS
    + BASKETS
    + ROWS
    + MULTI
    + GROUPS2
    + POPULATION
    + RELATIVE
    + NAMED_DAYS
    + FOLLOW_UPS
)

# --- must be refused ------------------------------------------------------------------------------
REFUSE = [
    Q(question, None, "refuse")
    for question in (
        # out of scope: profit, stock, traffic, ads, forecasts, causes, actions, other shops, ...
        "what's my profit this month?",
        "gross margin by product last quarter",
        "net profit YTD",
        "how many Hammocks do I have in stock?",
        "which products are about to run out of inventory",
        "how many visitors did my store get yesterday",
        "what's my conversion rate this week",
        "ROAS on facebook ads last month",
        "how much did I spend on google ads",
        "which marketing channel brings the most revenue",
        "forecast revenue for next month",
        "how many orders will I get next week?",
        "predict Q1 sales",
        "why did revenue drop last month?",
        "why are customers cancelling so much",
        "cancel order 10-000123",
        "refund {customer}'s last order",
        "send a discount code to my top 10 customers",
        "email customers who haven't ordered in 90 days",
        "what is shop 11's revenue this year?",
        "how do my sales compare to my competitors",
        "revenue of Café Lumière last month",
        "average delivery time last month",
        "how many 5 star reviews did I get",
        "what's my cart abandonment rate",
        "what should I do to increase AOV?",
        "shipping costs last quarter",
        "what are my taxes for this year",
        "bounce rate on the product pages",
        "customer lifetime value prediction for next year",
        # fragments with no conversation before them
        "and last month?",
        "by category?",
        "what about France?",
        "only the shipped ones",
        "break that down by week",
        "and for last year?",
        "top 5 of those",
        "same but for Germany",
        "vs the one before?",
        "just the weekends",
        "and the median?",
        "what about them?",
        # unknown content words
        "revenue by flavour",
        "orders per warehouse last month",
        "revenue by salesperson this year",
        "how many orders used a coupon code",
        "revenue from wholesale customers",
        "orders by payment method",
        "revenue by device type",
        "orders by shipping carrier",
        "revenue in Ohio last month",
        "orders by customer gender",
        "average age of my customers",
        "revenue by zorblax this year",
        "orders from returning VIP members",
        "how many orders on rainy days",
        # answerable only in part
        "revenue and profit last month",
        "orders last week and how many visitors",
        "who placed my largest order and what did they think of it?",
        "units sold and stock left for Hammock",
        "revenue by country and ad channel",
        "AOV this year and the forecast for next year",
        "top 5 customers by spend and their email open rates",
        "refunds last month and why they happened",
        "orders this month and the margin on them",
        "revenue in Germany and the conversion rate there",
    )
]

QUESTIONS = ANSWERABLE + REFUSE
