"""One compiler: an ``Interpretation`` becomes parameterized SQL over the shop warehouse.

Every value that comes from a question (shop, statuses, countries, ids, amounts, dates, N) is a
bound ``?`` parameter. The SQL text is assembled only from the constants declared in
``catalog.py`` and the fixed operators below, never from user text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.ask.semantic.catalog import DIMENSIONS, METRICS, TIME_GRAINS, Metric
from shared.interpretation import Filter, Interpretation, Window

OPERATORS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
MAX_GROUPS = 400


@dataclass
class Sql:
    """A SQL statement under construction: its clauses and their parameters, in order."""

    joins: list[str] = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        self.where.append(clause)
        self.params.extend(params)

    def join(self, clause: str) -> None:
        if clause not in self.joins:
            self.joins.append(clause)

    def text(self) -> str:
        return " ".join(self.joins) + " WHERE " + " AND ".join(self.where)


ITEMS = (
    "JOIN order_items i ON i.order_id = o.order_id "
    "JOIN products p ON p.shop_id = o.shop_id AND p.product_id = i.product_id"
)
CUSTOMERS = "JOIN customers c ON c.shop_id = o.shop_id AND c.customer_id = o.customer_id"


def statuses(q: Interpretation) -> tuple[list[str], str]:
    """The statuses counted and how: ("in" | "not_in" | "all")."""
    metric = METRICS[q.metric]
    chosen = [f for f in q.filters if f.field == "status"]
    if chosen:
        return [str(v) for v in chosen[0].values], chosen[0].op
    if metric.statuses is None or q.group_by == "status":
        return [], "all"
    return list(metric.statuses), "in"


def _placeholders(values: list[Any]) -> str:
    return ", ".join("?" for _ in values)


def _needs_items(q: Interpretation) -> bool:
    return bool({q.group_by, q.then_by} & {"product", "category"}) or any(
        f.field in ("product", "category") and f.op != "all" for f in q.filters
    )


def _order_filters(sql: Sql, q: Interpretation, period: Window | None, alias: str = "o") -> None:
    """Status, amount, customer, country and period conditions on ``orders {alias}``."""
    chosen, how = statuses(q)
    if how != "all":
        sql.add(f"{alias}.status {'NOT IN' if how == 'not_in' else 'IN'} ({_placeholders(chosen)})", *chosen)
    for f in q.filters:
        if f.field == "amount":
            if f.op == "between":
                sql.add(f"{alias}.total_amount BETWEEN ? AND ?", *f.values)
            else:
                sql.add(f"{alias}.total_amount {OPERATORS[f.op]} ?", f.values[0])
        elif f.field == "customer":
            sql.add(f"{alias}.customer_id IN ({_placeholders(f.values)})", *f.values)
        elif f.field == "country":
            sql.add(
                f"{alias}.customer_id IN (SELECT customer_id FROM customers WHERE shop_id = {alias}.shop_id "
                f"AND country IN ({_placeholders(f.values)}))",
                *f.values,
            )
        elif f.field == "product" and f.op == "all":  # a basket: orders with lines of every product
            for pid in f.values:
                sql.add(f"{alias}.order_id IN (SELECT order_id FROM order_items WHERE product_id = ?)", pid)
        elif f.field == "weekday":  # the day of the order timestamp (UTC)
            sql.add(f"dayname({alias}.created_at) IN ({_placeholders(f.values)})", *f.values)
        elif f.field == "items":  # orders by the sum of their line quantities
            sql.add(
                f"{alias}.order_id IN (SELECT order_id FROM order_items GROUP BY order_id "
                f"HAVING sum(quantity) {OPERATORS[f.op]} ?)",
                f.values[0],
            )
    if period is not None:
        sql.add(f"{alias}.created_at >= ? AND {alias}.created_at < ?", period.start, period.end)


def _item_filters(sql: Sql, filters: list[Filter]) -> None:
    for f in filters:
        if f.field == "product" and f.op != "all":
            sql.add(f"i.product_id IN ({_placeholders(f.values)})", *f.values)
        elif f.field == "category":
            sql.add(f"p.category IN ({_placeholders(f.values)})", *f.values)


def _grouped(
    select_measure: str, frm: str, sql: Sql, q: Interpretation, time_col: str
) -> tuple[str, list[Any]]:
    dim = DIMENSIONS[q.group_by or ""]
    key = dim.key.format(t=time_col)
    label = dim.label_sql or key
    if q.rank is not None:
        order = f"v {'DESC' if q.rank == 'top' else 'ASC'} NULLS LAST, k"
    elif q.group_by in TIME_GRAINS:
        order = "k"
    else:
        order = "v DESC NULLS LAST, k"
    limit = q.limit if q.rank is not None and q.limit else MAX_GROUPS
    text = (
        f"SELECT {key} AS k, {label} AS label, {select_measure} AS v {frm} {sql.text()} "
        f"GROUP BY k, label ORDER BY {order} LIMIT ?"
    )
    return text, [*sql.params, limit]


MAX_GROUPS2 = 5000


def _grouped2(
    select_measure: str, frm: str, sql: Sql, q: Interpretation, time_col: str
) -> tuple[str, list[Any]]:
    """Rows (key1, label1, key2, label2, value) of two group-bys, in key order."""
    one, two = DIMENSIONS[q.group_by or ""], DIMENSIONS[q.then_by or ""]
    k1, k2 = one.key.format(t=time_col), two.key.format(t=time_col)
    l1, l2 = one.label_sql or k1, two.label_sql or k2
    text = (
        f"SELECT {k1} AS k1, {l1} AS l1, {k2} AS k2, {l2} AS l2, {select_measure} AS v {frm} {sql.text()} "
        "GROUP BY k1, l1, k2, l2 ORDER BY k1, k2 LIMIT ?"
    )
    return text, [*sql.params, MAX_GROUPS2 + 1]


def compile_query(
    q: Interpretation, shop_id: str, period: Window | None, items: bool = False
) -> tuple[str, list[Any]]:
    """SQL and parameters for ``q`` over ``period``: one row (value) or rows (key, label, value).
    ``items``: read order lines even without a product filter (the whole of a product's share)."""
    metric = METRICS[q.metric]
    if metric.grain == "special":
        return _special(metric, q, shop_id, period)
    if metric.grain == "customer":
        sql = Sql()
        sql.add("c.shop_id = ?", shop_id)
        for f in q.filters:
            if f.field == "country":
                sql.add(f"c.country IN ({_placeholders(f.values)})", *f.values)
        if period is not None:
            sql.add("c.created_at >= ? AND c.created_at < ?", period.start, period.end)
        frm = "FROM customers c"
        if q.group_by and q.then_by:
            return _grouped2(metric.measure, frm, sql, q, "c.created_at")
        if q.group_by:
            return _grouped(metric.measure, frm, sql, q, "c.created_at")
        return f"SELECT {metric.measure} {frm} {sql.text()}", sql.params

    sql = Sql()
    sql.add("o.shop_id = ?", shop_id)
    measure = metric.measure
    if metric.grain == "item" or _needs_items(q) or items:
        sql.join(ITEMS)
        measure = metric.measure if metric.grain == "item" else metric.item_measure or metric.measure
    if {q.group_by, q.then_by} & {"customer", "country"}:
        sql.join(CUSTOMERS)
    _order_filters(sql, q, period)
    _item_filters(sql, q.filters)
    frm = "FROM orders o"
    if q.group_by and q.then_by:
        return _grouped2(measure, frm, sql, q, "o.created_at")
    if q.group_by:
        return _grouped(measure, frm, sql, q, "o.created_at")
    return f"SELECT {measure} {frm} {sql.text()}", sql.params


ROW_ORDER = {
    "largest_order_row": "o.total_amount DESC",
    "smallest_order_row": "o.total_amount ASC",
    "first_order": "o.created_at ASC",
    "last_order": "o.created_at DESC",
}


def _special(metric: Metric, q: Interpretation, shop_id: str, period: Window | None) -> tuple[str, list[Any]]:
    """The metrics that are not one aggregate over orders, items or customers."""
    if metric.name in ROW_ORDER:
        return _order_row(metric.name, q, shop_id, period)
    if metric.name == "customers_by_purchases":
        return _customers_by_purchases(q, shop_id, period)
    if metric.name in ("repeat_rate", "repeat_customers"):
        return _repeat_customers(metric.name, q, shop_id, period)
    if metric.name == "products_no_sales":
        return _products_no_sales(q, shop_id, period)
    return _customers_without_orders(metric.name, q, shop_id, period)


def _shop_orders(shop_id: str, q: Interpretation, period: Window | None) -> Sql:
    """The shop's orders (``orders o``) that pass the question's order filters over ``period``."""
    sql = Sql()
    sql.add("o.shop_id = ?", shop_id)
    _order_filters(sql, q, period)
    return sql


def _order_row(name: str, q: Interpretation, shop_id: str, period: Window | None) -> tuple[str, list[Any]]:
    """The row behind an extreme: who, how much, when."""
    sql = _shop_orders(shop_id, q, period)
    sql.join(CUSTOMERS)
    return (
        "SELECT c.name, c.customer_id, o.order_id, o.total_amount, CAST(o.created_at AS DATE) "
        f"FROM orders o {sql.text()} ORDER BY {ROW_ORDER[name]}, o.created_at, o.order_id LIMIT 1",
        sql.params,
    )


def _customers_by_purchases(q: Interpretation, shop_id: str, period: Window | None) -> tuple[str, list[Any]]:
    sql = _shop_orders(shop_id, q, period)
    (f,) = [f for f in q.filters if f.field == "purchases"]
    return (
        f"SELECT count(*) FROM (SELECT o.customer_id, count(*) AS n FROM orders o {sql.text()} GROUP BY 1) "
        f"WHERE n {OPERATORS[f.op]} ?",
        [*sql.params, f.values[0]],
    )


def _repeat_customers(
    name: str, q: Interpretation, shop_id: str, period: Window | None
) -> tuple[str, list[Any]]:
    sql = _shop_orders(shop_id, q, period)
    value = (
        "100.0 * count(*) FILTER (WHERE n > 1) / nullif(count(*), 0)"
        if name == "repeat_rate"
        else "count(*) FILTER (WHERE n > 1)"
    )
    return (
        f"SELECT {value} FROM (SELECT o.customer_id, count(*) AS n FROM orders o {sql.text()} GROUP BY 1)",
        sql.params,
    )


def _products_no_sales(q: Interpretation, shop_id: str, period: Window | None) -> tuple[str, list[Any]]:
    inner = _shop_orders(shop_id, q, period)
    outer = Sql()
    outer.add("p.shop_id = ?", shop_id)
    for f in q.filters:
        if f.field == "category":
            outer.add(f"p.category IN ({_placeholders(f.values)})", *f.values)
    text = (
        f"SELECT p.product_id AS k, p.name AS label, NULL AS v FROM products p {outer.text()} "
        f"AND p.product_id NOT IN (SELECT i.product_id FROM orders o "
        f"JOIN order_items i ON i.order_id = o.order_id {inner.text()}) ORDER BY p.name, p.product_id"
    )
    return text, [*outer.params, *inner.params]


def _customers_without_orders(
    name: str, q: Interpretation, shop_id: str, period: Window | None
) -> tuple[str, list[Any]]:
    """customers_no_orders (never bought) and inactive_customers (bought before, not lately)."""
    window = q.inactive_days if name == "inactive_customers" else period
    country = [f for f in q.filters if f.field == "country"]
    quiet = Interpretation(metric=q.metric, filters=[f for f in q.filters if f.field == "status"])
    bought = _shop_orders(shop_id, quiet, window)
    if name == "customers_no_orders":
        outer = Sql()
        outer.add("c.shop_id = ?", shop_id)
        for f in country:
            outer.add(f"c.country IN ({_placeholders(f.values)})", *f.values)
        text = f"SELECT count(*) FROM customers c {outer.text()} AND c.customer_id NOT IN (SELECT o.customer_id FROM orders o {bought.text()})"
        return text, [*outer.params, *bought.params]
    earlier = Interpretation(metric=q.metric, filters=[f for f in q.filters if f.field != "amount"])
    before = _shop_orders(shop_id, earlier, None)
    text = (
        f"SELECT count(DISTINCT o.customer_id) FROM orders o {before.text()} "
        f"AND o.customer_id NOT IN (SELECT o.customer_id FROM orders o {bought.text()})"
    )
    return text, [*before.params, *bought.params]
