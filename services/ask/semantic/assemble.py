"""A reading becomes an ``Interpretation``, or a refusal when the pieces do not make one query:
two metrics, a breakdown the metric cannot take, a ranking of nothing, two periods without
"vs", "customers" with a period (signed up then, or ordered then?). The checks of the pieces are
in ``query_checks``, the periods compared in ``comparison``."""

from __future__ import annotations

import re
from datetime import date

from services.ask.semantic.catalog import METRICS
from services.ask.semantic.comparison import periods_of
from services.ask.semantic.periods import Found
from services.ask.semantic.query_checks import check_query
from services.ask.semantic.reading import Reading, Refuse
from shared.interpretation import Interpretation, Window


def follow(r: Reading, previous: Interpretation) -> None:
    """A follow-up keeps what it does not change from the previous reading: the metric, the
    filters of other fields, the period (and its comparison), the breakdown and its cut."""
    if not (r.metrics or r.not_bought or r.qualified):
        r.metrics.append(previous.metric)
        r.understood.append(f"metric {METRICS[previous.metric].label.lower()} (as before)")
    named = {f.field for f in r.filters}
    for f in previous.filters:
        if f.field not in named:
            r.filters.append(f)
            r.understood.append(f"{f.field} {', '.join(f.labels or [str(x) for x in f.values])} (as before)")
    if not r.periods and previous.period is not None:
        r.periods.append(Found(-1, -1, previous.period, previous.period.label))
        r.understood.append(f"period {previous.period.describe()} (as before)")
        if previous.compare_to is not None and not r.compare:
            r.compare, r.inherited_compare = True, previous.compare_to
    if r.group_by is None and previous.group_by is not None:
        r.group_by = previous.group_by
        r.understood.append(f"by {previous.group_by} (as before)")
        if r.rank is None:
            r.rank, r.limit = previous.rank, previous.limit


def assemble(r: Reading, today: date, previous: Interpretation | None = None) -> Interpretation:
    if previous is not None:
        follow(r, previous)
    name, measures = _metrics(r)
    check_query(r, name, measures)
    windows, inactive = _windows(r, name)
    period, compare_to = periods_of(r, windows, today)
    return Interpretation(
        metric=name,
        group_by=r.group_by,
        filters=r.filters,
        period=period,
        compare_to=compare_to,
        then_by=r.then_by,
        share_of_total=r.share,
        per=r.per,
        rank=r.rank if r.group_by else None,
        limit=r.limit if r.group_by and r.rank else None,
        inactive_days=inactive,
        corrections=r.corrections,
        measures=measures,
    )


def _metrics(r: Reading) -> tuple[str, list[str]]:
    """The metric of the query and the further measures named beside it ("orders and revenue")."""
    metrics = _named_metrics(r)
    measures: list[str] = []
    if len(metrics) > 1:
        metrics = sorted(metrics, key=lambda m: r.metric_at.get(m, 0))
        if not _two_measures(r, metrics):
            labels = " and ".join(METRICS[m].label.lower() for m in metrics)
            raise Refuse(
                "unclear",
                f"The question asks for {labels}; I answer several numbers at once only as a plain list "
                "('orders and revenue last week'), without a breakdown, ranking or comparison.",
            )
        metrics, measures = metrics[:1], metrics[1:]
    if not metrics:
        metrics = [_unnamed_metric(r)]
    return metrics[0], measures


def _named_metrics(r: Reading) -> list[str]:
    """The metrics read, with customers who never bought (or not lately) read as one metric."""
    metrics = list(r.metrics)
    if r.not_bought:
        metrics = [m for m in metrics if m not in ("customers", "active_customers")]
        quiet = [
            p for p in r.periods if re.search(r"\b(?:last|past)\s+\S+\s+(?:day|week|month|year)", p.text)
        ]
        metrics.append("inactive_customers" if quiet else "customers_no_orders")
    if "inactive_customers" in metrics:
        metrics = [m for m in metrics if m not in ("customers", "active_customers")]
    if len(metrics) > 1 and r.group_by == "customer" and "customers" in metrics:
        metrics.remove("customers")  # "top customers by number of orders"
    return metrics


def _unnamed_metric(r: Reading) -> str:
    """The metric a question implies without naming one, or a refusal when it implies none."""
    if r.population and not r.qualified and not r.group_by and not r.rank:
        r.understood.append(
            "metric customers"
        )  # "number of customers from Canada", "how many of my German customers"
        return "customers"
    if r.qualified:
        r.understood.append("metric orders")
        return "orders"
    default = r.hint or {"status": "orders", "product": "revenue"}.get(r.group_by or "", "revenue")
    if r.group_by is not None and r.hint is None and r.rank is None:  # "by category?" alone
        raise Refuse(
            "unclear",
            f"A breakdown by {r.group_by} of which number (orders, revenue, units, ...)? "
            "If this follows an earlier question, send its conversation_id.",
        )
    if r.group_by is None:
        raise Refuse("unclear", "I could not tell which number you want (orders, revenue, customers, ...).")
    r.understood.append(f"metric {METRICS[default].label.lower()} (for ranking {r.group_by})")
    return default


def _windows(r: Reading, name: str) -> tuple[list[Window], Window | None]:
    """The periods named, and for inactive customers the quiet span they were named for."""
    windows = [p.window for p in r.periods if p.window is not None]
    inactive: Window | None = None
    if name == "inactive_customers":
        if len(windows) != 1:
            raise Refuse(
                "unclear",
                "Say how long customers have been quiet, e.g. 'customers inactive for 90 days'.",
            )
        inactive, windows = windows[0], []
    if windows and not METRICS[name].periods:
        raise Refuse(
            "unclear",
            "'Customers' with a period has two readings: customers who signed up then, or customers who ordered then.",
            ("How many new customers did I get last month?", "How many customers ordered last month?"),
        )
    return windows, inactive


MULTI = frozenset(("orders", "revenue", "average_order_value", "units_sold", "items_per_order", "distinct_products",
                   "largest_order", "smallest_order", "refund_rate", "cancellation_rate", "revenue_refunded",
                   "spending_per_customer", "active_customers", "refunds", "median_order_value"))  # fmt: skip


def _two_measures(r: Reading, metrics: list[str]) -> bool:
    """Several plain numbers named side by side ("orders and revenue"), nothing that ties one to the other."""
    return (
        all(m in MULTI for m in metrics)
        and r.group_by is None
        and r.rank is None
        and not r.compare
        and not r.not_bought
        and bool(re.search(r"\b(?:and|plus|n)\b|&", r.original))  # "orders n rev"
    )
