"""Run an ``Interpretation`` and turn its rows into a ``ToolResult`` that says what was computed.

Every result carries, as slots the answer must state, the metric, the period with its dates and
a ``scope`` sentence: the metric's definition, the statuses counted or left out, and every
filter (``answer_text``). The templates that phrase these results live in ``shared/phrasing.py``
(tools ``metric``, ``metric_by``, ``metric_top``, ``metric_compare``, ``metric_list``). Results
broken down by one or two dimensions are built in ``answer_groups``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.ask.semantic.answer_groups import grouped, table
from services.ask.semantic.answer_text import period_text, round_value, scope
from services.ask.semantic.catalog import METRICS, ROW_METRICS
from services.ask.semantic.compiler import MAX_GROUPS
from services.ask.semantic.result_draft import Draft
from services.ask.warehouse import Warehouse
from shared.errors import EcomInsightError
from shared.interpretation import Interpretation, Window
from shared.phrasing import LISTED
from shared.results import ToolResult


def run(wh: Warehouse, q: Interpretation, shop_id: str, currency: str) -> ToolResult:
    """The result of ``q`` for the shop: one number, a comparison, a ratio, a share, an order
    row, a list, or a breakdown."""
    metric = METRICS[q.metric]
    values: dict[str, Any] = {
        "metric": metric.label,
        "period": period_text(q, q.period),
        "scope": scope(q, currency),
        "unit": metric.unit,
    }
    d = Draft(wh, q, shop_id, currency, values, {"metric": q.metric})
    if q.per is not None:  # a ratio: this metric / another, same period and filters
        return _ratio(d, q.per)
    if q.share_of_total and q.group_by is not None:
        return _group_shares(d)
    if q.share_of_total:
        return _share(d)
    if q.compare_to is not None:
        return _compare(d, q.compare_to)
    if q.metric in ROW_METRICS:
        return _order_rows(d)
    if q.metric == "products_no_sales":
        return _unsold_products(d)
    if q.group_by is None:
        values["value"] = _scalar(d, q.period)
        money = ["value", "previous"] if metric.unit == "money" else []
        return ToolResult(tool="metric", params=d.params, values=values, money=money, currency=currency)
    if q.then_by is not None:
        return table(d)
    return grouped(d)


def _scalar(d: Draft, window: Window | None) -> float | int:
    return round_value(d.rows(d.q, window)[0][0], METRICS[d.q.metric].unit)


def _ratio(d: Draft, per: str) -> ToolResult:
    metric, values = METRICS[d.q.metric], d.values
    numerator = _scalar(d, d.q.period)
    below = METRICS[per]
    bq = d.q.model_copy(update={"metric": per, "per": None})
    denominator = round_value(d.rows(bq, d.q.period)[0][0], below.unit)
    ratio = float(round(Decimal(str(numerator)) / Decimal(str(denominator)), 2)) if denominator else 0.0
    values.update(
        metric=f"{metric.label} per {below.label.lower()}", value=ratio, unit="ratio",
        numerator=numerator, denominator=denominator,
        scope=f"{values['scope']}; divided by {below.label.lower()} ({scope(bq, d.currency)})",
    )  # fmt: skip
    return ToolResult(tool="metric", params=d.params, values=values, money=[], currency=d.currency)


def _share(d: Draft) -> ToolResult:
    """100 x part / whole, the whole without the part's filters."""
    q, metric, values = d.q, METRICS[d.q.metric], d.values
    part = _scalar(d, q.period)
    lines = any(f.field in ("product", "category") for f in q.filters)
    whole_q = q.model_copy(update={"filters": [], "share_of_total": False})
    whole = round_value(d.rows(whole_q, q.period, items=lines)[0][0], metric.unit)
    share = float(round(Decimal(str(part)) * 100 / Decimal(str(whole)), 2)) if whole else 0.0
    values.update(
        metric=f"Share of {metric.label.lower()}", value=share, unit="percent", part=part, whole=whole,
        scope=f"{values['scope']}; as a share of {metric.label.lower()} without those filters "
        f"({scope(whole_q, d.currency)})",
    )  # fmt: skip
    return ToolResult(tool="metric", params=d.params, values=values, money=[], currency=d.currency)


def _compare(d: Draft, compare_to: Window) -> ToolResult:
    values = d.values
    now, before = _scalar(d, d.q.period), _scalar(d, compare_to)
    values.update(value=now, previous=before, previous_period=compare_to.describe())
    if before:
        pct = float(round((Decimal(str(now)) - Decimal(str(before))) * 100 / Decimal(str(before)), 1))
        values["change"] = "no change" if pct == 0 else f"{'up' if pct > 0 else 'down'} {abs(pct):.1f}%"
    else:
        values["change"] = "no change" if not now else "up from zero"
    money = ["value", "previous"] if METRICS[d.q.metric].unit == "money" else []
    return ToolResult(tool="metric_compare", params=d.params, values=values, money=money, currency=d.currency)


def _order_rows(d: Draft) -> ToolResult:
    """The single order behind an extreme, or a customer's first or last order."""
    found_rows: list[dict[str, Any]] = [
        {"customer": str(name), "customer_id": str(cid), "order_id": str(oid),
         "total": round_value(total, "money"), "date": day.isoformat()}
        for name, cid, oid, total, day in d.rows(d.q, d.q.period)
    ]  # fmt: skip
    if found_rows:
        d.values["value"] = found_rows[0]["total"]
    return ToolResult(tool="metric_row", params=d.params, values=d.values, rows=found_rows,
                      money=["value", "total"], currency=d.currency)  # fmt: skip


def _unsold_products(d: Draft) -> ToolResult:
    listed = [{"label": str(label), "id": str(key)} for key, label, _ in d.rows(d.q, d.q.period)]
    d.values["value"] = len(listed)
    if len(listed) > LISTED:
        d.values["more"] = f"{len(listed) - LISTED} more"
    return ToolResult(tool="metric_list", params=d.params, values=d.values, rows=listed, currency=d.currency)


def _group_shares(d: Draft) -> ToolResult:
    """Each group's share of the whole ("share of revenue by country"): 100 x group / total over
    the same period. Only where the groups split the total (every group summed is the total);
    groups that overlap (orders by category: one order holds several) have no single total."""
    q, metric = d.q, METRICS[d.q.metric]
    plain = q.model_copy(update={"share_of_total": False})
    by_group = run(d.wh, plain, d.shop_id, d.currency)
    lines = q.group_by in ("product", "category")
    every_group = plain.model_copy(update={"group_by": None, "rank": None, "limit": None})
    whole = Decimal(str(d.rows(every_group, q.period, items=lines)[0][0] or 0))
    every = d.rows(plain.model_copy(update={"rank": None, "limit": None}), q.period)
    summed = sum((Decimal(str(v or 0)) for _, _, v in every), Decimal(0))
    if len(every) >= MAX_GROUPS or abs(summed - whole) > Decimal("0.01"):
        raise EcomInsightError(
            f"the groups of {metric.label.lower()} by {q.group_by} overlap, so they have no single total"
        )
    rows = [
        {**row, "value": float(round(Decimal(str(row["value"])) * 100 / whole, 2)) if whole else 0.0}
        for row in by_group.rows
    ]
    shares = {
        **by_group.values, "metric": f"Share of {metric.label.lower()}", "unit": "percent",
        "whole": round_value(whole, metric.unit),
        "scope": f"{by_group.values['scope']}; each group as a share of the total of every group",
    }  # fmt: skip
    return by_group.model_copy(update={"rows": rows, "money": [], "values": shares})
