"""The fixed order in which a question is read, step by step (``read``), and what is left over.

Reading order matters: periods; weekend and weekday words; single order rows and thresholds;
comparison words; amounts; metrics whose phrases hold status words; statuses; entities; compound
metrics; ranked and grouped dimensions; simple metrics; superlatives; filler. Each step blanks
out what it used (``Reading.take``), so a later step never reads a word twice.
"""

from __future__ import annotations

import re
from datetime import date
from functools import partial

from services.ask.semantic.calendar_words import NUM
from services.ask.semantic.catalog import ROW_METRICS
from services.ask.semantic.dimension_phrases import (
    AND_GROUP,
    BOTTOM,
    BREAK_DOWN,
    GROUP_BY,
    RANKED_DIMENSION,
    TOP,
    TOP_N,
    WEEKEND_SPLIT,
    WHICH_DIMENSION,
)
from services.ask.semantic.entities import ShopEntities
from services.ask.semantic.filter_phrases import (
    AMOUNT,
    AMOUNT_BETWEEN,
    CUSTOMER_THRESHOLD,
    ORDER_THRESHOLD,
    WEEKDAY_FILTER,
)
from services.ask.semantic.follow_up_phrases import COMPARE, THE_ONE_BEFORE
from services.ask.semantic.metric_phrases import (
    ANY_EXTREME,
    COMPOUND_METRICS,
    CUSTOMER_ORDER,
    GROUPING_WORD,
    MEDIAN,
    PERCENTILE,
    RATIO,
    ROW_EXTREME,
    ROW_PARTS,
    SHARE,
    SIMPLE_METRICS,
    SPECIAL_METRICS,
    WHEN_EXTREME,
)
from services.ask.semantic.out_of_scope import UNANSWERABLE
from services.ask.semantic.periods import find_periods
from services.ask.semantic.read_filters import (
    read_amount,
    read_entities,
    read_statuses,
    read_threshold,
    read_weekday,
)
from services.ask.semantic.read_follow_ups import read_compare, read_one_before
from services.ask.semantic.read_groups import (
    dimension_of,
    read_cut,
    read_group,
    read_ranked,
    read_superlative,
    read_which,
    read_who,
    set_group,
)
from services.ask.semantic.read_measures import (
    read_compound,
    read_percentile,
    read_ratio,
    read_row,
    read_share,
    read_simple,
    read_special,
)
from services.ask.semantic.reading import Reading, Refuse
from services.ask.semantic.vocabulary import FILLER, FILLER_PHRASES, GROUPED_FILLER


def read(r: Reading, shop: ShopEntities, today: date) -> None:
    """Read every part of the question the vocabulary knows, in the fixed order."""
    _read_periods(r, today)
    _read_days_rows_and_thresholds(r)
    _read_comparison_and_amounts(r)
    _read_metrics_and_entities(r, shop)
    _read_dimensions(r)
    _read_the_rest(r)


def _read_periods(r: Reading, today: date) -> None:
    if re.search(r"\b(?:inactive|lapsed|dormant|not|never)\b", r.text):  # "inactive for 60 days"
        r.text = re.sub(
            rf"\b(?:for|in|over)\s+(?:the\s+)?{NUM}\s+(days?|weeks?|months?)\b",
            r"in the last \1 \2",
            r.text,
        )
    for found in find_periods(r.text, today):
        if found.window is None:
            raise Refuse(
                "out_of_scope", "That asks about the future; I report what has happened, not forecasts."
            )
        r.periods.append(found)
        r.understood.append(f"period {found.window.describe()}")
        r.text = r.text[: found.start] + " " * (found.end - found.start) + r.text[found.end :]
    if not r.periods and re.search(r"\b(?:over|on|during|at|in|from)\s+the\s+weekend(?!s)\b", r.text):
        raise Refuse(  # "revenue over the weekend": the last one, not every weekend ever
            "unclear",
            "Which weekend? Name a period ('revenue on weekends last month', 'revenue on 5 and 6 December'), "
            "or ask 'revenue on weekends' for every weekend.",
        )


def _read_days_rows_and_thresholds(r: Reading) -> None:
    r.take(WEEKEND_SPLIT, lambda m: set_group(r, "weekend", m.group(0)))
    r.take(WEEKDAY_FILTER, lambda m: read_weekday(r, m))
    for unanswerable, why in UNANSWERABLE:
        if unanswerable.search(r.text):
            raise Refuse("unclear", why)
    r.take(ROW_EXTREME, lambda m: read_row(r, m))
    r.take(WHEN_EXTREME, lambda m: read_row(r, m))
    if ANY_EXTREME.search(r.text) and ROW_PARTS.search(r.text) and not GROUPING_WORD.search(r.text):
        r.take(ANY_EXTREME, lambda m: read_row(r, m))
    if any(m in ROW_METRICS for m in r.metrics):  # "... and what date": a part the row holds
        r.take(ROW_PARTS, lambda m: None)
    r.take(CUSTOMER_ORDER, lambda m: read_row(r, m))
    r.take(CUSTOMER_THRESHOLD, lambda m: read_threshold(r, m, "purchases"))
    r.take(ORDER_THRESHOLD, lambda m: read_threshold(r, m, "items"))
    r.take(MEDIAN, lambda m: r.metric("median_order_value", m.group(0)))
    r.take(PERCENTILE, lambda m: read_percentile(r, m))


def _read_comparison_and_amounts(r: Reading) -> None:
    r.take(COMPARE, lambda m: read_compare(r, m))
    if r.compare:  # "this week vs the one before": the period before the one named
        r.take(THE_ONE_BEFORE, lambda m: read_one_before(r, m))
    r.take(AMOUNT_BETWEEN, lambda m: read_amount(r, m, between=True))
    r.take(AMOUNT, lambda m: read_amount(r, m))


def _read_metrics_and_entities(r: Reading, shop: ShopEntities) -> None:
    r.take(RATIO, lambda m: read_ratio(r, m))
    for pattern, name in SPECIAL_METRICS:
        r.take(rf"(?<![\w]){pattern}(?![\w])", partial(read_special, r, name))
    read_statuses(r)
    read_entities(r, shop)
    for pattern, name in SPECIAL_METRICS:  # again: "customers from Germany who ordered"
        r.take(rf"(?<![\w]){pattern}(?![\w])", partial(read_special, r, name))
    r.take(SHARE, lambda m: read_share(r, m))
    for pattern, name in COMPOUND_METRICS:
        r.take(rf"(?<![\w]){pattern}(?![\w])", partial(read_compound, r, name))


def _read_dimensions(r: Reading) -> None:
    r.take(RANKED_DIMENSION, lambda m: read_ranked(r, m))
    r.take(WHICH_DIMENSION, lambda m: read_which(r, m))
    r.take(GROUP_BY, lambda m: read_group(r, m))
    if r.group_by:  # "revenue by country and month"
        r.take(AND_GROUP, lambda m: set_group(r, dimension_of(m)[0], m.group(0)))
    r.take(r"^\s*who\b", lambda m: read_who(r))  # the question word, not "customers who ..."


def _read_the_rest(r: Reading) -> None:
    """Simple metrics, the cut and superlatives of a breakdown, and filler."""
    for pattern, name in SIMPLE_METRICS:
        r.take(rf"(?<![\w]){pattern}(?![\w])", partial(read_simple, r, name))
    if r.group_by and r.rank and r.metrics:  # "top 3 countries by AOV": the metric read, its "by" left
        r.take(r"\bby(?=\s*$)", lambda m: None)
    if r.group_by:  # "products by units, top 8": the cut after the breakdown
        r.take(BREAK_DOWN, lambda m: None)
        r.take(TOP_N, lambda m: read_cut(r, m))
        r.take(TOP, lambda m: read_superlative(r, "top"))
        r.take(BOTTOM, lambda m: read_superlative(r, "bottom"))
    if {"largest_order", "smallest_order"} & set(r.metrics) and re.search(
        r"\b(?:who|whom|when|date)\b", r.text
    ):
        raise Refuse(  # "largest order by customer and when": the dates are not in that table
            "unclear",
            "I can show who placed the single largest or smallest order and when, but not "
            "the date or customer of each group's extreme.",
        )
    if r.share:  # "share of units sold in Kitchen, %": the share said again as a unit
        r.take(r"(?:\bin\s+)?(?:(?<![\w%])%(?![\w%])|\bpercent(?:age)?\b)(?:\s+terms)?", lambda m: None)
    r.take(FILLER_PHRASES, lambda m: None)
    if r.group_by is None:  # "on average" over a breakdown would be a different question
        r.take(r"\bon\s+average\b", lambda m: None)


def leftover(r: Reading) -> list[str]:
    """The words no step used, less filler."""
    words = re.findall(r"[\w$€£%.,'-]+", r.text)
    filler = FILLER | GROUPED_FILLER if r.group_by else FILLER
    return [w for w in words if w.strip(".,'-") and w.strip(".,'-") not in filler]
