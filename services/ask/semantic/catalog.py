"""The semantic layer's declarations: every metric and dimension, declared once.

The same declarations drive the SQL (``compiler.py``), the words of an answer that say what was
computed (``answer.py``), the catalogue in docs/questions.md and ``catalogue()`` (what ``metrics_catalog``
shows). A metric names its grain, the table rows it aggregates:

* ``order``: one row per order (``orders o``, joined to ``customers c`` when a country or
  customer is involved);
* ``item``: one row per order line (``order_items i`` joined to its order and ``products p``);
  an order metric that has an ``item_measure`` switches to it when a product or category is
  involved (revenue becomes the sum of those products' lines);
* ``customer``: one row per customer (``customers c``);
* ``special``: a query of its own in the compiler (repeat rate, customers without orders,
  inactive customers, products without sales).

*Purchases* are orders that were not cancelled or refunded. Revenue and the other money and
quantity metrics count purchases unless the question names statuses; an order count counts
every status unless the question names some.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled", "refunded")
PURCHASE_STATUSES = ("pending", "paid", "shipped", "delivered")
TIME_GRAINS = ("day", "week", "month", "quarter", "year")
# Parts of the order timestamp (UTC): rows labelled "Monday", "0".."23", "weekend" / "weekday".
CLOCK_GRAINS = ("weekday", "hour", "weekend")
ALL_DIMENSIONS = frozenset(
    (*TIME_GRAINS, *CLOCK_GRAINS, "status", "product", "category", "customer", "country")
)
ALL_FILTERS = frozenset(
    ("status", "country", "category", "product", "customer", "amount", "items", "weekday")
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PERCENTILES = (5, 10, 25, 75, 90, 95, 99)
Unit = Literal["count", "money", "percent", "ratio"]


@dataclass(frozen=True)
class Metric:
    name: str
    label: str  # as it starts an answer: "Revenue"
    definition: str  # "the sum of order totals"
    grain: Literal["order", "item", "customer", "special"]
    unit: Unit
    measure: str = ""  # SQL aggregate over the grain's rows (constants only, never user text)
    item_measure: str | None = None  # the measure over order lines, when products are involved
    statuses: tuple[str, ...] | None = PURCHASE_STATUSES  # counted by default; None: every status
    status_filter: bool = True  # may the question choose statuses?
    dimensions: frozenset[str] = ALL_DIMENSIONS
    filters: frozenset[str] = ALL_FILTERS
    periods: bool = True  # may it take a period?
    examples: tuple[str, ...] = field(default_factory=tuple)


_TIME = frozenset(TIME_GRAINS + CLOCK_GRAINS)
_ORDER_DIMS = _TIME | {"status", "customer", "country"}
_ORDER_FILTERS = frozenset(("status", "country", "customer", "amount", "items", "weekday"))

METRICS: dict[str, Metric] = {
    m.name: m
    for m in [
        Metric("orders", "Orders", "the number of orders", "order", "count", "count(DISTINCT o.order_id)",
               "count(DISTINCT o.order_id)", statuses=None,
               examples=("How many orders did I get last month?", "orders from Germany by month")),
        Metric("revenue", "Revenue", "the sum of order totals", "order", "money", "sum(o.total_amount)",
               "sum(i.quantity * i.unit_price)",
               examples=("Total revenue from shipped orders", "Revenue by product category")),
        Metric("average_order_value", "Average order value", "the average order total", "order", "money",
               "avg(o.total_amount)", dimensions=_ORDER_DIMS, filters=_ORDER_FILTERS,
               examples=("What is my average order value this year?",)),
        Metric("units_sold", "Units sold", "the number of units on order lines", "item", "count",
               "sum(i.quantity)", examples=("How many units did I sell last month?", "top 3 products by units")),
        Metric("items_per_order", "Items per order", "units on order lines divided by the number of orders",
               "item", "ratio", "sum(i.quantity) / count(DISTINCT o.order_id)",
               dimensions=_ORDER_DIMS, examples=("Average number of items per order",)),
        Metric("distinct_products", "Different products sold", "the number of different products on order lines",
               "item", "count", "count(DISTINCT i.product_id)",
               dimensions=_TIME | {"customer", "country", "category", "status"},
               examples=("How many different products did I sell last month?",)),
        Metric("largest_order", "Largest order", "the highest order total", "order", "money",
               "max(o.total_amount)", dimensions=_ORDER_DIMS, filters=_ORDER_FILTERS,
               examples=("What is my largest order ever?",)),
        Metric("smallest_order", "Smallest order", "the lowest order total", "order", "money",
               "min(o.total_amount)", dimensions=_ORDER_DIMS, filters=_ORDER_FILTERS,
               examples=("smallest order last year",)),
        Metric("refund_rate", "Refund rate", "refunded orders as a share of all orders", "order", "percent",
               "100.0 * count(DISTINCT o.order_id) FILTER (WHERE o.status = 'refunded') / nullif(count(DISTINCT o.order_id), 0)",
               "100.0 * count(DISTINCT o.order_id) FILTER (WHERE o.status = 'refunded') / nullif(count(DISTINCT o.order_id), 0)",
               statuses=None, status_filter=False, dimensions=ALL_DIMENSIONS - {"status"},
               examples=("What's my refund rate?", "refund rate by country")),
        Metric("cancellation_rate", "Cancellation rate", "cancelled orders as a share of all orders", "order",
               "percent",
               "100.0 * count(DISTINCT o.order_id) FILTER (WHERE o.status = 'cancelled') / nullif(count(DISTINCT o.order_id), 0)",
               "100.0 * count(DISTINCT o.order_id) FILTER (WHERE o.status = 'cancelled') / nullif(count(DISTINCT o.order_id), 0)",
               statuses=None, status_filter=False, dimensions=ALL_DIMENSIONS - {"status"},
               examples=("cancellation rate this year",)),
        Metric("revenue_refunded", "Revenue refunded", "the sum of the totals of refunded orders", "order", "money",
               "sum(o.total_amount)", "sum(i.quantity * i.unit_price)", statuses=("refunded",),
               status_filter=False, dimensions=ALL_DIMENSIONS - {"status"},
               examples=("How much revenue was refunded last quarter?",)),
        Metric("spending_per_customer", "Spending per customer",
               "revenue divided by the number of customers who bought", "order", "money",
               "sum(o.total_amount) / nullif(count(DISTINCT o.customer_id), 0)",
               dimensions=_TIME | {"status", "country"}, filters=_ORDER_FILTERS,
               examples=("average spend per customer", "spending per customer by country")),
        Metric("active_customers", "Customers who bought", "the number of different customers with an order",
               "order", "count", "count(DISTINCT o.customer_id)", "count(DISTINCT o.customer_id)",
               dimensions=ALL_DIMENSIONS - {"customer"},
               examples=("How many customers ordered last month?",)),
        Metric("repeat_rate", "Repeat-customer rate",
               "customers with more than one order as a share of customers with an order", "special", "percent",
               filters=frozenset(("status", "country")), dimensions=frozenset(),
               examples=("What percentage of customers ordered more than once?",)),
        Metric("repeat_customers", "Repeat customers", "the number of customers with more than one order",
               "special", "count", filters=frozenset(("status", "country")), dimensions=frozenset(),
               examples=("how many repeat customers do I have",)),
        Metric("customers", "Customers", "the number of customer accounts", "customer", "count", "count(*)",
               statuses=None, status_filter=False, dimensions=frozenset(("country",)),
               filters=frozenset(("country",)), periods=False,
               examples=("How many customers do I have?", "customers by country")),
        Metric("new_customers", "New customers", "the number of customers who signed up", "customer", "count",
               "count(*)", statuses=None, status_filter=False, dimensions=_TIME | {"country"},
               filters=frozenset(("country",)), examples=("new customers by month", "new customers from the UK")),
        Metric("customers_no_orders", "Customers without orders", "the number of customers with no order",
               "special", "count", filters=frozenset(("country", "status")), dimensions=frozenset(),
               examples=("How many customers have never ordered?",)),
        Metric("inactive_customers", "Inactive customers",
               "the number of customers who bought before but not in the quiet window", "special", "count",
               filters=frozenset(("country", "status")), dimensions=frozenset(), periods=False,
               examples=("customers inactive for 90 days",)),
        Metric("products_no_sales", "Products without sales", "the number of products on no order line",
               "special", "count", filters=frozenset(("category", "status")), dimensions=frozenset(),
               examples=("Which products had no sales last month?",)),
        Metric("refunds", "Refunds", "the number of orders with status refunded", "order", "count",
               "count(DISTINCT o.order_id)", "count(DISTINCT o.order_id)", statuses=("refunded",),
               status_filter=False, dimensions=ALL_DIMENSIONS - {"status"},
               examples=("how many refunds last month?", "refunds by country")),
        Metric("median_order_value", "Median order value",
               "the median order total (continuous quantile 0.5)", "order", "money",
               "quantile_cont(o.total_amount, 0.5)", dimensions=_ORDER_DIMS, filters=_ORDER_FILTERS,
               examples=("median order value this year", "median order value by country")),
        *(
            Metric(f"p{p}_order_value", f"{p}th percentile of order value",
                   f"the {p}th percentile of order totals (continuous quantile {p / 100:g})", "order", "money",
                   f"quantile_cont(o.total_amount, {p / 100:g})", dimensions=_ORDER_DIMS, filters=_ORDER_FILTERS,
                   examples=(f"{p}th percentile of order value",))
            for p in PERCENTILES
        ),
        Metric("customers_by_purchases", "Customers", "the number of customers with that many purchases",
               "special", "count", filters=frozenset(("status", "country", "purchases")), dimensions=frozenset(),
               examples=("customers with at least 3 orders", "how many customers ordered more than 5 times")),
        Metric("largest_order_row", "Largest order", "the purchase with the highest total: who placed it and when",
               "special", "money", filters=_ORDER_FILTERS, dimensions=frozenset(),
               examples=("who placed my biggest order and when?",)),
        Metric("smallest_order_row", "Smallest order", "the purchase with the lowest total: who placed it and when",
               "special", "money", filters=_ORDER_FILTERS, dimensions=frozenset(),
               examples=("who placed my smallest order?",)),
        Metric("first_order", "First order", "the earliest order by time (any status): its date and total",
               "special", "money", statuses=None, filters=_ORDER_FILTERS, dimensions=frozenset(),
               examples=("when was my first order?", "first order of customer Ada Johnson")),
        Metric("last_order", "Last order", "the latest order by time (any status): its date and total",
               "special", "money", statuses=None, filters=_ORDER_FILTERS, dimensions=frozenset(),
               examples=("When was my last order?",)),
    ]
}  # fmt: skip
ROW_METRICS = frozenset(("largest_order_row", "smallest_order_row", "first_order", "last_order"))


@dataclass(frozen=True)
class Dimension:
    name: str
    label: str  # "month", "product category"
    key: str  # SQL; {t} is the metric's time column
    label_sql: str | None = None  # a readable label when the key is an id
    join: Literal["", "items", "customers"] = ""


DIMENSIONS: dict[str, Dimension] = {
    **{g: Dimension(g, g, f"CAST(date_trunc('{g}', {{t}}) AS DATE)") for g in TIME_GRAINS},
    "status": Dimension("status", "order status", "o.status"),
    "product": Dimension("product", "product", "p.product_id", "p.name", "items"),
    "category": Dimension("category", "product category", "p.category", None, "items"),
    "customer": Dimension("customer", "customer", "c.customer_id", "c.name", "customers"),
    "country": Dimension("country", "customer country", "c.country", None, "customers"),
    "weekday": Dimension("weekday", "weekday", "dayname({t})"),
    "hour": Dimension("hour", "hour of day (UTC)", "hour({t})"),
    "weekend": Dimension(
        "weekend",
        "weekend or weekday",
        "CASE WHEN dayofweek({t}) IN (0, 6) THEN 'weekend' ELSE 'weekday' END",
    ),
}


def catalogue() -> list[dict[str, object]]:
    """What can be asked: each metric with its definition, group-bys, filters and examples."""
    return [
        {
            "metric": m.name,
            "label": m.label,
            "definition": m.definition,
            "counts": "every status" if m.statuses is None else ", ".join(m.statuses),
            "group_by": sorted(m.dimensions),
            "filters": sorted(m.filters) + (["period"] if m.periods else []),
            "examples": list(m.examples),
        }
        for m in METRICS.values()
    ]


# What can be asked beyond one metric: served next to the metrics (GET /catalog, MCP metrics_catalog).
CAPABILITIES: list[dict[str, object]] = [
    {"name": "group_by", "what": "one breakdown: " + ", ".join(sorted(ALL_DIMENSIONS)),
     "examples": ["orders by weekday", "revenue by hour of day", "weekend vs weekday revenue"]},
    {"name": "two_group_bys", "what": "two breakdowns; rows carry keys in the order named",
     "examples": ["revenue by country and month", "monthly orders by status"]},
    {"name": "measures", "what": "several plain measures over the same filters and period (data.measures)",
     "examples": ["orders and revenue last week"]},
    {"name": "share_of_total", "what": "100 x the filtered value / the same metric without the filters, in %; "
     "or each group's share of the total of every group (where the groups add up to it)",
     "examples": ["what share of revenue comes from Germany", "% of orders from France last month",
                  "share of revenue by country", "orders by status in %"]},
    {"name": "ratio", "what": "metric A / metric B over the same period and filters",
     "examples": ["refunds per order last month"]},
    {"name": "thresholds", "what": "customers by number of purchases; orders by number of items",
     "examples": ["customers with at least 3 orders", "orders with more than 4 items"]},
    {"name": "baskets", "what": "orders (every status) with lines of both products",
     "examples": ["how many orders contain both X and Y"]},
    {"name": "rows", "what": "the row behind an extreme; a customer's first / last order",
     "examples": ["who placed my biggest order and when?", "when was my last order?"]},
    {"name": "weekday_filter", "what": "orders placed on a weekday, weekdays or weekends (UTC)",
     "examples": ["revenue on weekends", "orders on Mondays last month"]},
    {"name": "periods", "what": "shorthand and named days: L7D, L30D, WTD, MTD, QTD, YTD, yday, w/e <date>, "
     "same month last year, the first half of this year, Black Friday, Cyber Monday, Christmas, New Year's Eve",
     "examples": ["qty sold L7D", "revenue same month last year", "orders on black friday"]},
    {"name": "ties", "what": "a ranking with a tie at the cut says how many are tied", "examples": ["bottom 3 customers by orders"]},
    {"name": "follow_ups", "what": "send the conversation_id of an answer with the next question",
     "examples": ["and last month?", "what about France?", "break that down by category", "only the shipped ones"]},
]  # fmt: skip


def capabilities() -> list[dict[str, object]]:
    return [dict(c) for c in CAPABILITIES]
