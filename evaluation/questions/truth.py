"""The vocabulary the question sets' truth SQL is written in.

Truth SQL runs on the tests' own read-only connection with two named parameters: ``$shop`` (the
shop id) and ``$today`` (today's UTC date). Periods are half-open ``[start, end)`` date intervals,
as docs/questions.md defines them: "last N days" is the N days ending with today, today included; weeks
start on Monday; "in September" is the most recent September that has begun; "last 3 months" is
this calendar month and the two before it.

Definitions (docs/questions.md): revenue, average order value, units, items per order, spending and
customer activity count *purchases*, orders whose status is not cancelled or refunded, unless the
question names statuses; an order count counts every status unless the question names some.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

T = "CAST($today AS DATE)"
PURCHASE = "o.status NOT IN ('cancelled', 'refunded')"

Span = tuple[str, str]
ALL: Span = ("DATE '1900-01-01'", "DATE '2200-01-01'")
TODAY: Span = (T, f"{T} + 1")
YESTERDAY: Span = (f"{T} - 1", T)
THIS_WEEK: Span = (f"date_trunc('week', {T})", f"{T} + 1")
LAST_WEEK: Span = (f"date_trunc('week', {T}) - INTERVAL 7 DAY", f"date_trunc('week', {T})")
THIS_MONTH: Span = (f"date_trunc('month', {T})", f"{T} + 1")
LAST_MONTH: Span = (f"date_trunc('month', {T}) - INTERVAL 1 MONTH", f"date_trunc('month', {T})")
THIS_QUARTER: Span = (f"date_trunc('quarter', {T})", f"{T} + 1")
LAST_QUARTER: Span = (f"date_trunc('quarter', {T}) - INTERVAL 3 MONTH", f"date_trunc('quarter', {T})")
THIS_YEAR: Span = (f"date_trunc('year', {T})", f"{T} + 1")
LAST_YEAR: Span = (f"date_trunc('year', {T}) - INTERVAL 1 YEAR", f"date_trunc('year', {T})")


def days(n: int) -> Span:
    """The last ``n`` days, today included."""
    return (f"{T} - {n - 1}", f"{T} + 1")


def days_before(n: int) -> Span:
    """The ``n`` days before the last ``n`` days (what "growth over the last n days" compares to)."""
    return (f"{T} - {2 * n - 1}", f"{T} - {n - 1}")


def months(n: int) -> Span:
    """The last ``n`` calendar months, this one included."""
    return (f"date_trunc('month', {T}) - INTERVAL {n - 1} MONTH", f"{T} + 1")


def month(m: int, year: int | None = None) -> Span:
    """A named month: of ``year``, or the most recent one that has begun."""
    y = str(year) if year else f"(year({T}) - CASE WHEN month({T}) >= {m} THEN 0 ELSE 1 END)"
    start = f"make_date({y}, {m}, 1)"
    return (start, f"{start} + INTERVAL 1 MONTH")


def quarter(q: int, year: int | None = None) -> Span:
    m = 3 * (q - 1) + 1
    y = str(year) if year else f"(year({T}) - CASE WHEN month({T}) >= {m} THEN 0 ELSE 1 END)"
    start = f"make_date({y}, {m}, 1)"
    return (start, f"{start} + INTERVAL 3 MONTH")


def year(y: int) -> Span:
    return (f"DATE '{y}-01-01'", f"DATE '{y + 1}-01-01'")


def first_half(y: int | None = None) -> Span:
    start = f"make_date({y}, 1, 1)" if y else f"date_trunc('year', {T})"
    return (start, f"{start} + INTERVAL 6 MONTH")


def between(a: str, b: str) -> Span:
    """From date ``a`` to date ``b``, both included (ISO dates)."""
    return (f"DATE '{a}'", f"DATE '{b}' + 1")


def within(span: Span, column: str = "o.created_at") -> str:
    return f"{column} >= {span[0]} AND {column} < {span[1]}"


Kind = Literal["value", "groups", "top", "compare", "refuse", "multi", "groups2", "row"]


@dataclass(frozen=True)
class Q:
    """One question and its truth.

    * ``value``: the SQL returns one number, the answer's ``data.values.value``;
    * ``groups``: the SQL returns every (key, value) group, the answer's rows (any order);
    * ``top``: the SQL returns every (key, value) group in rank order; the answer's ``n`` rows
      must be its first ``n`` values, each (label, value) one of the groups;
    * ``compare``: the SQL returns (later period's value, earlier period's value);
    * ``refuse``: the question must get ``success: false``;
    * ``multi``: the SQL returns one row, one value per measure in the order the question names
      them, the answer's ``data.measures`` (``[{"metric": ..., "value": ...}, ...]``) in that order;
    * ``groups2``: the SQL returns every (key1, key2, value) group, the answer's rows
      (``{"keys": [k1, k2], "value": v}``, any order);
    * ``row``: the SQL returns one row; each of its columns must match some field of the answer's
      first row (numbers within the tolerance, dates by their day, strings equal).

    ``after`` makes the question a follow-up: it is asked right after the question ``after`` in the
    same conversation (the ``conversation_id`` of that question's answer).

    Keys of time groups are dates (a bucket's first day, the answer row's ``start``); other keys
    are labels (a name, a status, a country code). Placeholders in braces (``{customer}``) are
    filled from the shop's own data by the test.
    """

    question: str
    sql: str | None = None
    kind: Kind = "value"
    n: int = 0
    after: str | None = None


# Building blocks of the truth SQL (plain SQL, nothing from the semantic layer).
O = "FROM orders o WHERE o.shop_id = $shop"  # noqa: E741
OI = (
    "FROM orders o JOIN order_items i ON i.order_id = o.order_id "
    "JOIN products p ON p.shop_id = o.shop_id AND p.product_id = i.product_id WHERE o.shop_id = $shop"
)
OC = "FROM orders o JOIN customers c ON c.shop_id = o.shop_id AND c.customer_id = o.customer_id WHERE o.shop_id = $shop"
C = "FROM customers c WHERE c.shop_id = $shop"


def country(code: str) -> str:
    return (
        f"o.customer_id IN (SELECT customer_id FROM customers WHERE shop_id = $shop AND country = '{code}')"
    )


def in_category(name: str) -> str:
    return (
        "o.order_id IN (SELECT i.order_id FROM order_items i JOIN products p ON p.product_id = i.product_id "
        f"AND p.shop_id = $shop WHERE p.category = '{name}')"
    )


CUSTOMER = "o.customer_id IN (SELECT customer_id FROM customers WHERE shop_id = $shop AND name = $customer)"
PRODUCT = (
    "o.order_id IN (SELECT i.order_id FROM order_items i JOIN products p ON p.product_id = i.product_id "
    "AND p.shop_id = $shop WHERE p.name = $product)"
)


def count_orders(span: Span = ALL, where: str = "TRUE") -> str:
    return f"SELECT count(*) {O} AND {within(span)} AND {where}"


def revenue(span: Span = ALL, where: str = PURCHASE) -> str:
    return f"SELECT round(coalesce(sum(o.total_amount), 0), 2) {O} AND {within(span)} AND {where}"


def aov(span: Span = ALL, where: str = PURCHASE) -> str:
    return f"SELECT round(coalesce(avg(o.total_amount), 0), 2) {O} AND {within(span)} AND {where}"


def units(span: Span = ALL, where: str = PURCHASE) -> str:
    return f"SELECT coalesce(sum(i.quantity), 0) {OI} AND {within(span)} AND {where}"


def line_revenue(span: Span = ALL, where: str = PURCHASE) -> str:
    return f"SELECT round(coalesce(sum(i.quantity * i.unit_price), 0), 2) {OI} AND {within(span)} AND {where}"


def grouped(
    key: str, value: str, frm: str, span: Span = ALL, where: str = PURCHASE, desc: bool = True
) -> str:
    """Every group, best first (``desc``) or worst first."""
    direction = "DESC" if desc else "ASC"
    # Customers are grouped by id: two customers who share a name stay two rows.
    group = "c.customer_id, k" if key == "c.name" else "k"
    return f"SELECT {key} AS k, {value} AS v {frm} AND {within(span)} AND {where} GROUP BY {group} ORDER BY v {direction}"


def bucket(grain: str) -> str:
    return f"CAST(date_trunc('{grain}', o.created_at) AS DATE)"


def pct(numerator: str, denominator: str) -> str:
    return f"round(100.0 * ({numerator}) / nullif({denominator}, 0), 2)"


REFUNDED_SHARE = pct("count(*) FILTER (WHERE o.status = 'refunded')", "count(*)")
CANCELLED_SHARE = pct("count(*) FILTER (WHERE o.status = 'cancelled')", "count(*)")


# Issue 22: timestamps, distributions, shares, ratios, thresholds, baskets, rows, named days.
WEEKDAY = "dayname(o.created_at)"
HOUR = "hour(o.created_at)"
WEEKEND = "CASE WHEN dayofweek(o.created_at) IN (0, 6) THEN 'weekend' ELSE 'weekday' END"
IS_WEEKEND = "dayofweek(o.created_at) IN (0, 6)"


def on_weekday(name: str) -> str:
    return f"dayname(o.created_at) = '{name}'"


def quantile(q: float, span: Span = ALL, where: str = PURCHASE) -> str:
    """A continuous quantile of order totals (0.5 = the median)."""
    return f"SELECT round(quantile_cont(o.total_amount, {q}), 2) {O} AND {within(span)} AND {where}"


def by_customer_purchases(op: str, n: int, span: Span = ALL, where: str = PURCHASE) -> str:
    """Customers whose number of purchases (in the period) is ``op n`` (``>=``, ``>``)."""
    return (
        f"SELECT count(*) FROM (SELECT o.customer_id {O} AND {within(span)} AND {where} "
        f"GROUP BY o.customer_id HAVING count(*) {op} {n})"
    )


def by_order_items(op: str, n: int, span: Span = ALL, where: str = "TRUE") -> str:
    """Orders (every status) whose line quantities sum to ``op n``."""
    return (
        f"SELECT count(*) FROM (SELECT o.order_id {OI} AND {within(span)} AND {where} "
        f"GROUP BY o.order_id HAVING sum(i.quantity) {op} {n})"
    )


def has_product(name: str) -> str:
    return (
        "o.order_id IN (SELECT i.order_id FROM order_items i JOIN products p ON p.product_id = i.product_id "
        f"AND p.shop_id = $shop WHERE p.name = '{name}')"
    )


def both(a: str, b: str, span: Span = ALL) -> str:
    """Orders (every status) with lines for both products."""
    return count_orders(span, f"{has_product(a)} AND {has_product(b)}")


def row_extreme(columns: str, order: str, span: Span = ALL, where: str = PURCHASE) -> str:
    """The first row of the purchases (with their customers) in ``order``."""
    return f"SELECT {columns} {OC} AND {within(span)} AND {where} ORDER BY {order} LIMIT 1"


def customer_order(first: bool, who: str = CUSTOMER) -> str:
    """A customer's first or last order (any status): its date and total."""
    direction = "ASC" if first else "DESC"
    return (
        f"SELECT CAST(o.created_at AS DATE), o.total_amount {O} AND {who} "
        f"ORDER BY o.created_at {direction} LIMIT 1"
    )


def scalars(*queries: str) -> str:
    """One row of several one-number queries, in order (kind ``multi``, ``compare``)."""
    return "SELECT " + ", ".join(f"({q})" for q in queries)


def ratio(a: str, b: str, digits: int = 4) -> str:
    return f"SELECT round(({a}) / nullif(({b}), 0), {digits})"


def share(part_where: str, value: str = "o.total_amount", frm: str = O, span: Span = ALL) -> str:
    """100 × the part's value / the whole's value, purchases, in percent."""
    return (
        f"SELECT {pct(f'sum({value}) FILTER (WHERE {part_where})', f'sum({value})')} "
        f"{frm} AND {within(span)} AND {PURCHASE}"
    )


def grouped2(k1: str, k2: str, value: str, frm: str, span: Span = ALL, where: str = PURCHASE) -> str:
    return f"SELECT {k1} AS k1, {k2} AS k2, {value} AS v {frm} AND {within(span)} AND {where} GROUP BY 1, 2"


def active(span: Span = ALL, where: str = PURCHASE) -> str:
    return f"SELECT count(DISTINCT o.customer_id) {O} AND {within(span)} AND {where}"


def day(expr: str) -> Span:
    return (expr, f"{expr} + 1")


def _black_friday(y: str) -> str:
    first = f"make_date({y}, 11, 1)"
    return f"({first} + CAST((11 - isodow({first})) % 7 + 22 AS INTEGER))"


def _latest(make: str) -> str:
    """``make`` (a date of year ``Y``) for this year when it has begun, else for last year."""
    this, last = make.replace("Y", f"year({T})"), make.replace("Y", f"(year({T}) - 1)")
    return f"(CASE WHEN {this} <= {T} THEN {this} ELSE {last} END)"


BLACK_FRIDAY: Span = day(_latest(_black_friday("Y")))
CYBER_MONDAY: Span = day(_latest(f"({_black_friday('Y')} + 3)"))
NEW_YEARS_EVE: Span = day(_latest("make_date(Y, 12, 31)"))
CHRISTMAS: Span = day(_latest("make_date(Y, 12, 25)"))
SAME_MONTH_LAST_YEAR: Span = (
    f"date_trunc('month', {T}) - INTERVAL 12 MONTH",
    f"date_trunc('month', {T}) - INTERVAL 11 MONTH",
)
