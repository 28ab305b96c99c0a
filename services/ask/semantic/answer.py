"""Run an ``Interpretation`` and turn its rows into a ``ToolResult`` that says what was computed.

Every result carries, as slots the answer must state, the metric, the period with its dates and
a ``scope`` sentence: the metric's definition, the statuses counted or left out, and every
filter. The templates that phrase these results live in ``shared/phrasing.py`` (tools
``metric``, ``metric_by``, ``metric_top``, ``metric_compare``, ``metric_list``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from services.ask.semantic.catalog import (
    DIMENSIONS,
    METRICS,
    PURCHASE_STATUSES,
    ROW_METRICS,
    STATUSES,
    TIME_GRAINS,
)
from services.ask.semantic.compiler import MAX_GROUPS, MAX_GROUPS2, compile_query, statuses
from services.ask.warehouse import Warehouse
from shared.errors import EcomInsightError
from shared.interpretation import Interpretation, Window, day_text
from shared.phrasing import LISTED
from shared.results import ToolResult, format_money

PLURALS = {"category": "categories", "country": "countries", "status": "statuses", "day": "days"}


def _round(value: Any, unit: str) -> float | int:
    if value is None:
        return 0 if unit == "count" else 0.0
    if unit == "count":
        return int(value)
    return float(round(Decimal(str(value)), 2))


def _words(items: list[str], joiner: str = "or") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {joiner} " + items[-1]


def scope(q: Interpretation, currency: str) -> str:
    """``the sum of order totals, counting orders with status ... , for customers in Germany``."""
    metric = METRICS[q.metric]
    parts = [metric.definition]
    chosen, how = statuses(q)
    if metric.name in ("customers", "new_customers"):
        pass
    elif how == "all":
        parts.append("counting orders of every status")
    elif how == "not_in":
        kept = [s for s in STATUSES if s not in chosen]
        parts.append(f"leaving out {_words(chosen, 'and')} orders (counting {_words(kept)})")
    elif tuple(chosen) == PURCHASE_STATUSES and not any(f.field == "status" for f in q.filters):
        parts.append(f"counting orders with status {_words(chosen)} (cancelled and refunded left out)")
    else:
        parts.append(f"counting only orders with status {_words(chosen)}")
    for f in q.filters:
        if f.field == "country":
            parts.append(f"for customers in {_words(f.labels)}")
        elif f.field == "category":
            parts.append(f"for products in the {_words(f.labels)} category")
        elif f.field == "product" and f.op == "all":
            parts.append(f"for orders containing both {_words(f.labels, 'and')}")
        elif f.field == "product":
            parts.append(f"for the product {_words(f.labels)}")
        elif f.field == "customer":
            parts.append(f"for the customer {_words(f.labels)}")
        elif f.field == "weekday":
            parts.append(f"for orders placed on {_words(f.labels)} (UTC)")
        elif f.field in ("purchases", "items"):
            words = {"gt": "more than", "gte": "at least", "lt": "fewer than", "lte": "at most"}
            n = int(float(f.values[0]))
            if f.field == "purchases":
                parts.append(f"for customers with {words[f.op]} {n} purchases")
            else:
                parts.append(f"for orders with {words[f.op]} {n} items")
        elif f.field == "amount":
            money = [format_money(float(x), currency) for x in f.values]
            words = {"gt": "over", "gte": "of at least", "lt": "under", "lte": "of at most"}
            text = f"between {money[0]} and {money[1]}" if f.op == "between" else f"{words[f.op]} {money[0]}"
            parts.append(f"for orders {text}")
    if q.corrections:
        parts.append("reading " + ", ".join(f"'{a}' as '{b}'" for a, b in q.corrections.items()))
    return ", ".join(parts)


def period_text(q: Interpretation, window: Window | None) -> str:
    if q.metric == "inactive_customers" and q.inactive_days is not None:
        return f"with no purchase in {q.inactive_days.describe()}"
    return window.describe() if window is not None else "all time"


def _bucket_label(grain: str, d: date) -> str:
    if grain == "day":
        return day_text(d)
    if grain == "week":
        return f"week of {day_text(d)}"
    if grain == "month":
        return f"{d.strftime('%B')} {d.year}"
    if grain == "quarter":
        return f"Q{(d.month - 1) // 3 + 1} {d.year}"
    return str(d.year)


def run(wh: Warehouse, q: Interpretation, shop_id: str, currency: str) -> ToolResult:
    metric = METRICS[q.metric]
    unit = metric.unit
    money = ["value", "previous"] if unit == "money" else []
    values: dict[str, Any] = {
        "metric": metric.label,
        "period": period_text(q, q.period),
        "scope": scope(q, currency),
        "unit": unit,
    }
    params: dict[str, Any] = {"metric": q.metric}

    def scalar(window: Window | None) -> float | int:
        sql, args = compile_query(q, shop_id, window)
        return _round(wh.query(sql, args)[0][0], unit)

    if q.per is not None:  # a ratio: this metric / another, same period and filters
        numerator = scalar(q.period)
        below = METRICS[q.per]
        bq = q.model_copy(update={"metric": q.per, "per": None})
        sql, args = compile_query(bq, shop_id, q.period)
        denominator = _round(wh.query(sql, args)[0][0], below.unit)
        ratio = float(round(Decimal(str(numerator)) / Decimal(str(denominator)), 2)) if denominator else 0.0
        values.update(
            metric=f"{metric.label} per {below.label.lower()}", value=ratio, unit="ratio",
            numerator=numerator, denominator=denominator,
            scope=f"{values['scope']}; divided by {below.label.lower()} ({scope(bq, currency)})",
        )  # fmt: skip
        return ToolResult(tool="metric", params=params, values=values, money=[], currency=currency)

    if q.share_of_total and q.group_by is not None:
        return _group_shares(wh, q, shop_id, currency, values)

    if q.share_of_total:  # 100 x part / whole, the whole without the part's filters
        part = scalar(q.period)
        lines = any(f.field in ("product", "category") for f in q.filters)
        whole_q = q.model_copy(update={"filters": [], "share_of_total": False})
        sql, args = compile_query(whole_q, shop_id, q.period, items=lines)
        whole = _round(wh.query(sql, args)[0][0], unit)
        share = float(round(Decimal(str(part)) * 100 / Decimal(str(whole)), 2)) if whole else 0.0
        values.update(
            metric=f"Share of {metric.label.lower()}", value=share, unit="percent", part=part, whole=whole,
            scope=f"{values['scope']}; as a share of {metric.label.lower()} without those filters "
            f"({scope(whole_q, currency)})",
        )  # fmt: skip
        return ToolResult(tool="metric", params=params, values=values, money=[], currency=currency)

    if q.compare_to is not None:
        now, before = scalar(q.period), scalar(q.compare_to)
        values.update(value=now, previous=before, previous_period=q.compare_to.describe())
        if before:
            pct = float(round((Decimal(str(now)) - Decimal(str(before))) * 100 / Decimal(str(before)), 1))
            values["change"] = "no change" if pct == 0 else f"{'up' if pct > 0 else 'down'} {abs(pct):.1f}%"
        else:
            values["change"] = "no change" if not now else "up from zero"
        return ToolResult(tool="metric_compare", params=params, values=values, money=money, currency=currency)

    if q.metric in ROW_METRICS:
        sql, args = compile_query(q, shop_id, q.period)
        found = wh.query(sql, args)
        found_rows: list[dict[str, Any]] = [
            {"customer": str(name), "customer_id": str(cid), "order_id": str(oid),
             "total": _round(total, "money"), "date": day.isoformat()}
            for name, cid, oid, total, day in found
        ]  # fmt: skip
        if found_rows:
            values["value"] = found_rows[0]["total"]
        return ToolResult(tool="metric_row", params=params, values=values, rows=found_rows,
                          money=["value", "total"], currency=currency)  # fmt: skip

    if q.metric == "products_no_sales":
        sql, args = compile_query(q, shop_id, q.period)
        found = wh.query(sql, args)
        listed = [{"label": str(label), "id": str(key)} for key, label, _ in found]
        values["value"] = len(listed)
        if len(listed) > LISTED:
            values["more"] = f"{len(listed) - LISTED} more"
        return ToolResult(tool="metric_list", params=params, values=values, rows=listed, currency=currency)

    if q.group_by is None:
        values["value"] = scalar(q.period)
        return ToolResult(tool="metric", params=params, values=values, money=money, currency=currency)

    if q.then_by is not None:
        return _table(wh, q, shop_id, currency, values, params)
    ranked = q.rank is not None and q.limit is not None
    # a ranking reads one group past the cut; when that one ties with the last listed, every
    # group is read, so the tie is counted and stated
    sql, args = compile_query(
        q.model_copy(update={"limit": q.limit + 1}) if ranked and q.limit is not None else q,
        shop_id,
        q.period,
    )
    found = wh.query(sql, args)
    if ranked and q.limit is not None and len(found) > q.limit and found[q.limit][2] == found[q.limit - 1][2]:
        sql, args = compile_query(q.model_copy(update={"limit": None}), shop_id, q.period)
        found = wh.query(sql, args)
    if ranked and q.limit is not None and len(found) > q.limit:
        cut = found[q.limit - 1][2]
        tied = sum(1 for _, _, v in found if v == cut)
        shown = sum(1 for _, _, v in found[: q.limit] if v == cut)
        if tied > shown:
            cut_text = format_money(float(cut), currency) if unit == "money" else f"{_round(cut, unit)}"
            noun = PLURALS.get(q.group_by or "", (q.group_by or "") + "s")
            values["ties"] = f"{shown} of {tied} {noun} tied at {cut_text} are listed"
        found = found[: q.limit]
    rows: list[dict[str, Any]] = []
    for key, label, value in found:
        row: dict[str, Any] = {}
        if q.group_by in TIME_GRAINS:
            row.update(label=_bucket_label(q.group_by, key), start=key.isoformat())
        else:
            row["label"] = str(label if label is not None else "unknown")
            if DIMENSIONS[q.group_by].label_sql:
                row["id"] = str(key)
        row["value"] = _round(value, unit)
        rows.append(row)
    dim = DIMENSIONS[q.group_by]
    values["group"] = dim.label
    if len(rows) > LISTED:
        values["more"] = f"{len(rows) - LISTED} more (every row is in the data)"
    if q.rank is not None:
        plural = PLURALS.get(q.group_by, q.group_by + "s") if len(rows) != 1 else q.group_by
        values["ranking"] = f"{q.rank} {len(rows)} {plural}" if len(rows) != 1 else f"{q.rank} {plural}"
    return ToolResult(
        tool="metric_top" if q.rank is not None else "metric_by",
        params=params,
        values=values,
        rows=rows,
        money=["value"] if unit == "money" else [],
        currency=currency,
    )


def _key_text(grain: str, key: Any, label: Any) -> str:
    if grain in TIME_GRAINS:
        return str(key.isoformat())
    return str(label if label is not None else "unknown")


def _table(
    wh: Warehouse,
    q: Interpretation,
    shop_id: str,
    currency: str,
    values: dict[str, Any],
    params: dict[str, Any],
) -> ToolResult:
    """Two group-bys: one row per pair of keys (``keys`` in the order the question names them)."""
    unit = METRICS[q.metric].unit
    sql, args = compile_query(q, shop_id, q.period)
    found = wh.query(sql, args)
    if len(found) > MAX_GROUPS2:
        raise EcomInsightError(f"more than {MAX_GROUPS2} groups; narrow the period or the filters")
    one, two = q.group_by or "", q.then_by or ""
    rows: list[dict[str, Any]] = []
    for k1, l1, k2, l2, value in found:
        a, b = _key_text(one, k1, l1), _key_text(two, k2, l2)
        label = f"{_bucket_label(one, k1) if one in TIME_GRAINS else a}, {_bucket_label(two, k2) if two in TIME_GRAINS else b}"
        rows.append({"label": label, "key1": a, "key2": b, "value": _round(value, unit)})
    values["group"] = f"{DIMENSIONS[one].label} and {DIMENSIONS[two].label}"
    if len(rows) > LISTED:
        values["more"] = f"{len(rows) - LISTED} more (every row is in the data)"
    return ToolResult(tool="metric_by", params=params, values=values, rows=rows,
                      money=["value"] if unit == "money" else [], currency=currency)  # fmt: skip


def _group_shares(
    wh: Warehouse, q: Interpretation, shop_id: str, currency: str, values: dict[str, Any]
) -> ToolResult:
    """Each group's share of the whole ("share of revenue by country"): 100 x group / total over
    the same period. Only where the groups split the total (every group summed is the total);
    groups that overlap (orders by category: one order holds several) have no single total."""
    metric = METRICS[q.metric]
    plain = q.model_copy(update={"share_of_total": False})
    grouped = run(wh, plain, shop_id, currency)
    lines = q.group_by in ("product", "category")
    sql, args = compile_query(plain.model_copy(update={"group_by": None, "rank": None, "limit": None}),
                              shop_id, q.period, items=lines)  # fmt: skip
    whole = Decimal(str(wh.query(sql, args)[0][0] or 0))
    sql, args = compile_query(plain.model_copy(update={"rank": None, "limit": None}), shop_id, q.period)
    every = wh.query(sql, args)
    summed = sum((Decimal(str(v or 0)) for _, _, v in every), Decimal(0))
    if len(every) >= MAX_GROUPS or abs(summed - whole) > Decimal("0.01"):
        raise EcomInsightError(
            f"the groups of {metric.label.lower()} by {q.group_by} overlap, so they have no single total"
        )
    rows = [
        {**row, "value": float(round(Decimal(str(row["value"])) * 100 / whole, 2)) if whole else 0.0}
        for row in grouped.rows
    ]
    shares = {
        **grouped.values, "metric": f"Share of {metric.label.lower()}", "unit": "percent",
        "whole": _round(whole, metric.unit),
        "scope": f"{grouped.values['scope']}; each group as a share of the total of every group",
    }  # fmt: skip
    return grouped.model_copy(update={"rows": rows, "money": [], "values": shares})
