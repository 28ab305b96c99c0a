"""A reading becomes an ``Interpretation``, or a refusal when the pieces do not make one query:
two metrics, a breakdown the metric cannot take, a ranking of nothing, two periods without
"vs", "customers" with a period (signed up then, or ordered then?)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from services.ask.semantic.catalog import METRICS, TIME_GRAINS, Metric
from services.ask.semantic.metric_phrases import SHAREABLE
from services.ask.semantic.periods import Found, add_months, find_periods
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
    if not metrics and r.population and not r.qualified and not r.group_by and not r.rank:
        metrics = ["customers"]  # "number of customers from Canada", "how many of my German customers"
        r.understood.append("metric customers")
    if not metrics and r.qualified:
        metrics = ["orders"]
        r.understood.append("metric orders")
    if not metrics:
        default = r.hint or {"status": "orders", "product": "revenue"}.get(r.group_by or "", "revenue")
        if r.group_by is not None and r.hint is None and r.rank is None:  # "by category?" alone
            raise Refuse(
                "unclear",
                f"A breakdown by {r.group_by} of which number (orders, revenue, units, ...)? "
                "If this follows an earlier question, send its conversation_id.",
            )
        if r.group_by is None:
            raise Refuse(
                "unclear", "I could not tell which number you want (orders, revenue, customers, ...)."
            )
        metrics = [default]
        r.understood.append(f"metric {METRICS[default].label.lower()} (for ranking {r.group_by})")
    name = metrics[0]
    if name == "customers" and r.group_by is None and any(f.field != "country" for f in r.filters):
        raise Refuse("unclear", "Customer counts cannot be filtered by that; try customers who ordered.")
    metric = METRICS[name]
    for extra in measures:
        _check_filters(METRICS[extra], r)
        if r.periods and not METRICS[extra].periods:
            raise Refuse("unclear", f"{METRICS[extra].label} cannot take a period.")
    if r.group_by == "customer" and name == "customers":
        raise Refuse(
            "unclear",
            "Counting customers per customer does not make sense; try top customers by spending.",
        )
    if r.group_by and r.group_by not in metric.dimensions:
        raise Refuse("unclear", f"{metric.label} cannot be broken down by {r.group_by}.")
    if any(f.op == "all" for f in r.filters) and (name != "orders" or r.group_by or measures):
        raise Refuse(
            "unclear", "A basket of two products counts orders; ask 'how many orders contain both X and Y'."
        )
    if r.per is not None:
        if r.group_by or r.compare or measures or r.share:
            raise Refuse(
                "unclear", "I can give a ratio of two metrics as one number, not broken down or compared."
            )
        _check_filters(METRICS[r.per], r)
    if r.share:
        if name not in SHAREABLE or r.compare or measures or r.then_by:
            raise Refuse(
                "unclear",
                f"I can give a share of a total for {', '.join(sorted(SHAREABLE))}, one number at a time.",
            )
        if r.rank and not re.search(
            r"\bby\s+(?:the(?:ir)?\s+|its\s+)?(?:[a-z]+\s+)?(?:share|percentage|percent|%)", r.original
        ):
            raise Refuse(  # "share of revenue from my top 5 customers": theirs together, or each one's?
                "unclear",
                "A share of a ranking: each one's share, or theirs together? Ask 'top 5 customers by share of "
                "revenue' for each one's.",
            )
        if r.group_by is not None:  # "share of revenue by country": each group's share of the total
            if name in ("refunds", "revenue_refunded"):
                raise Refuse(  # "refunds by country in %": how refunds split, or each country's refund rate?
                    "unclear",
                    "Refunds by a group in %: how the refunds split between them, or each one's refund rate? "
                    "Ask 'refund rate by country' for the rate.",
                )
            if name not in ("revenue", "units_sold", "revenue_refunded") and r.group_by in (
                "product",
                "category",
            ):
                raise Refuse(  # one order holds several products: the groups overlap
                    "unclear",
                    f"{metric.label} by {r.group_by} overlap (one order holds several), so they "
                    "have no single total to take a share of.",
                )
            if r.group_by in TIME_GRAINS or r.filters:
                raise Refuse(
                    "unclear",
                    "I can give each group's share of the whole total (e.g. 'share of revenue by country'), "
                    "but not by a calendar period or with a filter (a share of which total?).",
                )
        elif not r.filters:
            raise Refuse(
                "unclear", "A share of what? Name the part, e.g. 'what share of revenue comes from Germany'."
            )
    if r.then_by is not None:
        if r.then_by not in metric.dimensions:
            raise Refuse("unclear", f"{metric.label} cannot be broken down by {r.then_by}.")
        if r.rank or r.compare or r.group_by == "customer" and name == "customers":
            raise Refuse(
                "unclear", "I can break a total down by two things, but not rank or compare such a table."
            )
    _check_filters(metric, r)
    if any(f.field == "purchases" for f in r.filters) and name != "customers_by_purchases":
        raise Refuse(
            "unclear", "A threshold on a customer's purchases counts customers; ask 'how many customers ...'."
        )
    if r.rank and not r.group_by:
        raise Refuse("unclear", "The question ranks something, but I could not tell what to rank.")
    windows = [p.window for p in r.periods if p.window is not None]
    inactive: Window | None = None
    if name == "inactive_customers":
        if len(windows) != 1:
            raise Refuse(
                "unclear",
                "Say how long customers have been quiet, e.g. 'customers inactive for 90 days'.",
            )
        inactive, windows = windows[0], []
    if windows and not metric.periods:
        raise Refuse(
            "unclear",
            "'Customers' with a period has two readings: customers who signed up then, or customers who ordered then.",
            ("How many new customers did I get last month?", "How many customers ordered last month?"),
        )
    period, compare_to = _periods(r, windows, today)
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


def _check_filters(metric: Metric, r: Reading) -> None:
    for f in r.filters:
        if f.field not in metric.filters:
            raise Refuse(
                "unclear",
                f"{metric.label} cannot be filtered by {f.field} without two possible readings.",
            )


def _periods(r: Reading, windows: list[Window], today: date) -> tuple[Window | None, Window | None]:
    if r.inherited_compare is not None and len(windows) == 1:
        if r.group_by:
            raise Refuse("unclear", "I can compare a total between two periods, not a breakdown.")
        return windows[0], r.inherited_compare
    if r.compare:
        if r.group_by:
            raise Refuse("unclear", "I can compare a total between two periods, not a breakdown.")
        if len(windows) == 2:
            later, earlier = sorted(windows, key=lambda w: w.start, reverse=True)
            return later, earlier
        if len(windows) == 1:
            found = next(p for p in r.periods if p.window is not None)
            if r.compare_at < 0 or found.start < r.compare_at:  # "growth this month", "this month compared"
                return windows[0], previous(windows[0])
            # "orders compared with last month": the named period is the base, now is implied
            unit = re.fullmatch(r"last (week|month|quarter|year)", windows[0].label)
            if unit is None:
                raise Refuse(
                    "unclear",
                    f"Compared with {windows[0].describe()}, but which period is the other one?",
                    ("Compare revenue this month vs last month", "orders September vs October"),
                )
            (current,) = find_periods(f"this {unit.group(1)}", today)
            assert current.window is not None
            return current.window, windows[0]
        raise Refuse(
            "unclear",
            "Compare which periods? For example 'this month vs last month'.",
            ("Compare revenue this month vs last month", "orders September vs October"),
        )
    if len(windows) > 1:
        raise Refuse("unclear", "The question names two periods; say 'vs' to compare them, or name one.")
    return (windows[0] if windows else None), None


def previous(w: Window) -> Window:
    """The period a single period is compared with: the calendar unit before, or as many days before."""
    label = w.label.lower()
    months = 0
    if label.startswith("the last") or not label:
        days = (w.end - w.start).days
        said = "the day before" if days == 1 else f"the {days} days before"
        return Window(label=said, start=w.start - timedelta(days=days), end=w.start)
    if re.search(r"\bweek\b", label) and not re.search(r"\d", label):
        start = w.start - timedelta(days=7)
        return Window(label="the week before", start=start, end=w.start)
    if re.search(r"\bmonth\b", label) or re.fullmatch(r"[a-z]+ \d{4}", label):
        months = 1
    elif re.search(r"\bquarter\b|^q[1-4]", label):
        months = 3
    elif "half" in label:
        months = 6
    elif re.search(r"\byear\b", label) or re.fullmatch(r"\d{4}", label):
        months = 12
    if months and w.start.day == 1:
        start = add_months(w.start, -months)
        return Window(label="the period before", start=start, end=add_months(start, months))
    days = (w.end - w.start).days
    said = "the day before" if days == 1 else f"the {days} days before"
    return Window(label=said, start=w.start - timedelta(days=days), end=w.start)
