"""The tools: one parameterized SQL query per question family, returning a ``ToolResult``.

Tool names and result keys follow the contract in ``shared/phrasing.py``. Every value that comes
from the question (status, dates, amounts, N) is bound as a ``?`` parameter, never pasted into SQL.
Revenue excludes cancelled and refunded orders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.ask.periods import Period, day_label, last_months, month_label
from services.ask.warehouse import Warehouse
from shared.results import ToolResult

REVENUE_FILTER = "o.status NOT IN ('cancelled', 'refunded')"
COMPARISONS = {"above": ">", "below": "<", "at least": ">=", "at most": "<="}


@dataclass(frozen=True)
class ToolCall:
    """What the router decided to run (everything parsed from the question)."""

    tool: str
    period: Period | None = None
    status: str | None = None
    n: int = 5
    metric: str = "revenue"  # top_products: "revenue" | "units"
    direction: str = "above"  # orders_by_amount: a key of COMPARISONS
    threshold: float | None = None
    grain: str = "month"  # best_period: "month" | "day"
    extra: dict[str, Any] = field(default_factory=dict)

    def params(self) -> dict[str, Any]:
        """A JSON-friendly record of the call (``ToolResult.params`` and the event's tool_params)."""
        out: dict[str, Any] = {}
        if self.period is not None:
            out.update(self.period.as_params())
        if self.tool == "count_orders" or self.tool == "order_status_breakdown":
            out["status"] = self.status
        if self.tool in ("top_customers", "top_products"):
            out["n"] = self.n
        if self.tool == "top_products":
            out["metric"] = self.metric
        if self.tool == "orders_by_amount":
            out.update(direction=self.direction, threshold=self.threshold, status=self.status)
        if self.tool == "best_period":
            out["grain"] = self.grain
        return out


def _money(value: Decimal | float | int | None) -> float:
    return float(round(Decimal(str(value or 0)), 2))


def _where_period(call: ToolCall, column: str = "o.created_at") -> tuple[str, list[Any]]:
    if call.period is None:
        return "", []
    return f" AND {column} >= ? AND {column} < ?", [call.period.start, call.period.end]


def _period_value(call: ToolCall) -> dict[str, Any]:
    return {"period": call.period.label} if call.period is not None else {}


def count_orders(wh: Warehouse, shop_id: str, currency: str, call: ToolCall) -> ToolResult:
    where, args = _where_period(call)
    if call.status:
        where += " AND o.status = ?"
        args.append(call.status)
    (count,) = wh.query(f"SELECT count(*) FROM orders o WHERE o.shop_id = ?{where}", [shop_id, *args])[0]
    values: dict[str, Any] = {"count": int(count)}
    if call.status:
        values["status"] = call.status
    values.update(_period_value(call))
    return ToolResult(tool="count_orders", params=call.params(), values=values, currency=currency)


def total_revenue(wh: Warehouse, shop_id: str, currency: str, call: ToolCall) -> ToolResult:
    where, args = _where_period(call)
    revenue, orders = wh.query(
        f"SELECT coalesce(sum(o.total_amount), 0), count(*) FROM orders o WHERE o.shop_id = ? AND {REVENUE_FILTER}{where}",
        [shop_id, *args],
    )[0]
    values = {"revenue": _money(revenue), "orders": int(orders), **_period_value(call)}
    return ToolResult(
        tool="total_revenue", params=call.params(), values=values, money=["revenue"], currency=currency
    )


def average_order_value(wh: Warehouse, shop_id: str, currency: str, call: ToolCall) -> ToolResult:
    where, args = _where_period(call)
    revenue, orders = wh.query(
        f"SELECT coalesce(sum(o.total_amount), 0), count(*) FROM orders o WHERE o.shop_id = ? AND {REVENUE_FILTER}{where}",
        [shop_id, *args],
    )[0]
    aov = _money(Decimal(revenue) / orders) if orders else 0.0
    values = {"aov": aov, "orders": int(orders), **_period_value(call)}
    return ToolResult(
        tool="average_order_value", params=call.params(), values=values, money=["aov"], currency=currency
    )


def top_customers(wh: Warehouse, shop_id: str, currency: str, call: ToolCall) -> ToolResult:
    where, args = _where_period(call)
    rows = wh.query(
        f"""SELECT c.name, sum(o.total_amount) AS spending, count(*) AS orders
            FROM orders o JOIN customers c ON c.shop_id = o.shop_id AND c.customer_id = o.customer_id
            WHERE o.shop_id = ? AND {REVENUE_FILTER}{where}
            GROUP BY c.customer_id, c.name ORDER BY spending DESC, c.customer_id LIMIT ?""",
        [shop_id, *args, call.n],
    )
    out = [{"name": name, "spending": _money(spending), "orders": int(n)} for name, spending, n in rows]
    values = {"n": len(out), **_period_value(call)}
    return ToolResult(
        tool="top_customers",
        params=call.params(),
        values=values,
        rows=out,
        money=["spending"],
        currency=currency,
    )


def orders_by_amount(
    wh: Warehouse, shop_id: str, currency: str, call: ToolCall, limit: int = 10
) -> ToolResult:
    where, args = _where_period(call)
    if call.status:
        where += " AND o.status = ?"
        args.append(call.status)
    op = COMPARISONS[call.direction]  # a constant chosen by direction, never user text
    threshold = Decimal(str(call.threshold or 0))
    base = f"FROM orders o WHERE o.shop_id = ? AND o.total_amount {op} ?{where}"
    (count,) = wh.query(f"SELECT count(*) {base}", [shop_id, threshold, *args])[0]
    order = "o.total_amount DESC" if op.startswith(">") else "o.total_amount ASC"
    rows = wh.query(
        f"SELECT o.order_id, o.total_amount, o.created_at {base} ORDER BY {order}, o.order_id LIMIT ?",
        [shop_id, threshold, *args, limit],
    )
    out = [
        {"order_id": str(oid), "total": _money(total), "date": created.date().isoformat()}
        for oid, total, created in rows
    ]
    values = {
        "count": int(count),
        "direction": call.direction,
        "threshold": _money(threshold),
        **_period_value(call),
    }
    params = call.params() | {
        "listed": len(out),
        "list_order": "largest first" if op.startswith(">") else "smallest first",
    }
    return ToolResult(
        tool="orders_by_amount",
        params=params,
        values=values,
        rows=out,
        money=["threshold", "total"],
        currency=currency,
    )


def top_products(wh: Warehouse, shop_id: str, currency: str, call: ToolCall) -> ToolResult:
    where, args = _where_period(call)
    measure = "sum(i.quantity * i.unit_price)" if call.metric == "revenue" else "sum(i.quantity)"
    rows = wh.query(
        f"""SELECT p.name, {measure} AS measure
            FROM order_items i
            JOIN orders o ON o.order_id = i.order_id
            JOIN products p ON p.shop_id = o.shop_id AND p.product_id = i.product_id
            WHERE o.shop_id = ? AND {REVENUE_FILTER}{where}
            GROUP BY p.product_id, p.name ORDER BY measure DESC, p.product_id LIMIT ?""",
        [shop_id, *args, call.n],
    )
    if call.metric == "revenue":
        out: list[dict[str, Any]] = [{"name": name, "revenue": _money(m)} for name, m in rows]
    else:
        out = [{"name": name, "units": int(m)} for name, m in rows]
    values = {
        "n": len(out),
        "metric": "revenue" if call.metric == "revenue" else "units sold",
        **_period_value(call),
    }
    return ToolResult(
        tool="top_products",
        params=call.params(),
        values=values,
        rows=out,
        money=["revenue"],
        currency=currency,
    )


def customer_count(wh: Warehouse, shop_id: str, currency: str, call: ToolCall) -> ToolResult:
    (count,) = wh.query("SELECT count(*) FROM customers WHERE shop_id = ?", [shop_id])[0]
    return ToolResult(
        tool="customer_count", params=call.params(), values={"count": int(count)}, currency=currency
    )


def new_customers(wh: Warehouse, shop_id: str, currency: str, call: ToolCall) -> ToolResult:
    where, args = _where_period(call, column="created_at")
    (count,) = wh.query(f"SELECT count(*) FROM customers WHERE shop_id = ?{where}", [shop_id, *args])[0]
    return ToolResult(
        tool="new_customers",
        params=call.params(),
        values={"count": int(count), **_period_value(call)},
        currency=currency,
    )


def revenue_by_month(wh: Warehouse, shop_id: str, currency: str, call: ToolCall) -> ToolResult:
    period = call.period or last_months(12)
    rows = wh.query(
        f"""SELECT date_trunc('month', o.created_at) AS month, sum(o.total_amount)
            FROM orders o WHERE o.shop_id = ? AND {REVENUE_FILTER} AND o.created_at >= ? AND o.created_at < ?
            GROUP BY month ORDER BY month""",
        [shop_id, period.start, period.end],
    )
    out = [{"month": month_label(month), "revenue": _money(revenue)} for month, revenue in rows]
    params = call.params() | period.as_params()
    return ToolResult(
        tool="revenue_by_month",
        params=params,
        values={"period": period.label},
        rows=out,
        money=["revenue"],
        currency=currency,
    )


def order_status_breakdown(wh: Warehouse, shop_id: str, currency: str, call: ToolCall) -> ToolResult:
    where, args = _where_period(call)
    rows = wh.query(
        f"SELECT o.status, count(*) AS n FROM orders o WHERE o.shop_id = ?{where} GROUP BY o.status ORDER BY n DESC, o.status",
        [shop_id, *args],
    )
    out = [{"status": status, "count": int(n)} for status, n in rows]
    values = {"total": sum(r["count"] for r in out), **_period_value(call)}
    return ToolResult(
        tool="order_status_breakdown", params=call.params(), values=values, rows=out, currency=currency
    )


def best_period(wh: Warehouse, shop_id: str, currency: str, call: ToolCall) -> ToolResult:
    where, args = _where_period(call)
    unit = "month" if call.grain == "month" else "day"  # a constant, never user text
    rows = wh.query(
        f"""SELECT date_trunc('{unit}', o.created_at) AS bucket, sum(o.total_amount) AS revenue
            FROM orders o WHERE o.shop_id = ? AND {REVENUE_FILTER}{where}
            GROUP BY bucket ORDER BY revenue DESC, bucket LIMIT 1""",
        [shop_id, *args],
    )
    values: dict[str, Any] = {"grain": unit}
    if rows:
        bucket, revenue = rows[0]
        values.update(
            best=month_label(bucket) if unit == "month" else day_label(bucket), revenue=_money(revenue)
        )
    values.update(_period_value(call))
    return ToolResult(
        tool="best_period", params=call.params(), values=values, money=["revenue"], currency=currency
    )


Tool = Callable[[Warehouse, str, str, ToolCall], ToolResult]
TOOLS: dict[str, Tool] = {
    "count_orders": count_orders,
    "total_revenue": total_revenue,
    "average_order_value": average_order_value,
    "top_customers": top_customers,
    "orders_by_amount": orders_by_amount,
    "top_products": top_products,
    "customer_count": customer_count,
    "new_customers": new_customers,
    "revenue_by_month": revenue_by_month,
    "order_status_breakdown": order_status_breakdown,
    "best_period": best_period,
}


def run_tool(wh: Warehouse, shop_id: str, currency: str, call: ToolCall, list_limit: int = 10) -> ToolResult:
    if call.tool == "orders_by_amount":
        return orders_by_amount(wh, shop_id, currency, call, limit=list_limit)
    return TOOLS[call.tool](wh, shop_id, currency, call)
