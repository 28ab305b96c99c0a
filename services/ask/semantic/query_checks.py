"""The checks that the pieces read from a question make one query: a breakdown the metric can
take, filters it can take, a ratio or a share with one reading, a two-way breakdown without
ranking. Each failed check is a refusal that says how to ask instead."""

from __future__ import annotations

import re

from services.ask.semantic.catalog import METRICS, TIME_GRAINS, Metric
from services.ask.semantic.metric_phrases import SHAREABLE
from services.ask.semantic.reading import Reading, Refuse


def check_query(r: Reading, name: str, measures: list[str]) -> None:
    """Refuse a query the metric ``name`` (and the further ``measures``) cannot answer as read."""
    if name == "customers" and r.group_by is None and any(f.field != "country" for f in r.filters):
        raise Refuse("unclear", "Customer counts cannot be filtered by that; try customers who ordered.")
    metric = METRICS[name]
    for extra in measures:
        check_filters(METRICS[extra], r)
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
        _check_ratio(r, r.per, measures)
    if r.share:
        _check_share(r, name, measures)
    if r.then_by is not None:
        _check_two_way(r, name)
    check_filters(metric, r)
    if any(f.field == "purchases" for f in r.filters) and name != "customers_by_purchases":
        raise Refuse(
            "unclear", "A threshold on a customer's purchases counts customers; ask 'how many customers ...'."
        )
    if r.rank and not r.group_by:
        raise Refuse("unclear", "The question ranks something, but I could not tell what to rank.")


def check_filters(metric: Metric, r: Reading) -> None:
    for f in r.filters:
        if f.field not in metric.filters:
            raise Refuse(
                "unclear",
                f"{metric.label} cannot be filtered by {f.field} without two possible readings.",
            )


def _check_ratio(r: Reading, per: str, measures: list[str]) -> None:
    if r.group_by or r.compare or measures or r.share:
        raise Refuse(
            "unclear", "I can give a ratio of two metrics as one number, not broken down or compared."
        )
    check_filters(METRICS[per], r)


def _check_share(r: Reading, name: str, measures: list[str]) -> None:
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
        _check_share_by_group(r, name)
    elif not r.filters:
        raise Refuse(
            "unclear", "A share of what? Name the part, e.g. 'what share of revenue comes from Germany'."
        )


def _check_share_by_group(r: Reading, name: str) -> None:
    if name in ("refunds", "revenue_refunded"):
        raise Refuse(  # "refunds by country in %": how refunds split, or each country's refund rate?
            "unclear",
            "Refunds by a group in %: how the refunds split between them, or each one's refund rate? "
            "Ask 'refund rate by country' for the rate.",
        )
    if name not in ("revenue", "units_sold", "revenue_refunded") and r.group_by in ("product", "category"):
        raise Refuse(  # one order holds several products: the groups overlap
            "unclear",
            f"{METRICS[name].label} by {r.group_by} overlap (one order holds several), so they "
            "have no single total to take a share of.",
        )
    if r.group_by in TIME_GRAINS or r.filters:
        raise Refuse(
            "unclear",
            "I can give each group's share of the whole total (e.g. 'share of revenue by country'), "
            "but not by a calendar period or with a filter (a share of which total?).",
        )


def _check_two_way(r: Reading, name: str) -> None:
    """A breakdown by two things ("revenue by country and month")."""
    if r.then_by not in METRICS[name].dimensions:
        raise Refuse("unclear", f"{METRICS[name].label} cannot be broken down by {r.then_by}.")
    if r.rank or r.compare or r.group_by == "customer" and name == "customers":
        raise Refuse(
            "unclear", "I can break a total down by two things, but not rank or compare such a table."
        )
