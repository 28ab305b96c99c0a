"""The words and numbers a result states: its ``scope`` sentence (the metric's definition, the
statuses counted or left out, every filter, every correction), its period, its values rounded
to cents or whole counts, and the labels of calendar buckets ("week of 3 November 2026")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from services.ask.semantic.catalog import METRICS, PURCHASE_STATUSES, STATUSES
from services.ask.semantic.compiler import statuses
from shared.interpretation import Interpretation, Window, day_text
from shared.results import format_money

PLURALS = {"category": "categories", "country": "countries", "status": "statuses", "day": "days"}


def round_value(value: Any, unit: str) -> float | int:
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


def bucket_label(grain: str, d: date) -> str:
    if grain == "day":
        return day_text(d)
    if grain == "week":
        return f"week of {day_text(d)}"
    if grain == "month":
        return f"{d.strftime('%B')} {d.year}"
    if grain == "quarter":
        return f"Q{(d.month - 1) // 3 + 1} {d.year}"
    return str(d.year)
