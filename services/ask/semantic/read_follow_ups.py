"""The reading of comparisons and follow-ups: "vs last month", "the month before", and what a
follow-up in a conversation says about the previous question ("and France?", "the median")."""

from __future__ import annotations

import re
from functools import partial

from services.ask.semantic.calendar_words import MONTHS
from services.ask.semantic.catalog import PERCENTILES
from services.ask.semantic.comparison import previous as previous_window
from services.ask.semantic.follow_up_phrases import THE_ONE_BEFORE
from services.ask.semantic.periods import Found
from services.ask.semantic.reading import Reading, Refuse
from shared.interpretation import Interpretation, Window


def unit_of(w: Window) -> str | None:
    """The calendar unit a period names ("last month", "November 2026" -> "month"), if any."""
    label = w.label.lower()
    if label in ("today", "yesterday"):
        return "day"
    for unit in ("week", "month", "quarter", "year"):
        if re.search(rf"\b{unit}\b", label):
            return unit
    if re.fullmatch(r"[a-z]+ \d{4}", label) and label.split()[0] in MONTHS:
        return "month"
    if re.match(r"q[1-4]\b", label):
        return "quarter"
    return "year" if re.fullmatch(r"\d{4}", label) else None


def read_compare(r: Reading, m: re.Match[str]) -> None:
    r.compare = True
    # "vs last month", "compared with last month": the period after the word is the base
    if r.compare_at < 0 and re.match(r"vs|versus|compared|against|relative", m.group(0)):
        r.compare_at = m.start()


def read_one_before(r: Reading, m: re.Match[str]) -> None:
    unit = m.group("unit")
    named = [p.window for p in r.periods if p.window is not None]
    if len(named) != 1 or (unit and unit not in ("one", "period") and unit != unit_of(named[0])):
        raise Refuse("unclear", f"I could not tell which period {m.group(0).strip()!r} is.")
    # the traps set keeps "yesterday vs the day before" refused; only a follow-up reads it
    if unit == "day":
        raise Refuse("unclear", "Name both days to compare them, e.g. 'revenue yesterday vs 5 December'.")
    r.understood.append(f"compared with {m.group(0).strip()}")


def read_relative_to(r: Reading, q: Interpretation) -> None:
    """What only a follow-up can say: "the month before" (the previous period, shifted), "the
    median" (of the previous order value)."""
    if q.period is not None and q.compare_to is None:
        window = q.period

        def before(m: re.Match[str]) -> None:
            unit = m.group("unit")
            if unit and unit not in ("one", "period") and unit != unit_of(window):
                raise Refuse("unclear", f"I could not tell which period {m.group(0).strip()!r} is.")
            shifted = previous_window(window)
            if unit_of(window) == "month" and shifted.start.day == 1:
                shifted = shifted.model_copy(
                    update={"label": f"{MONTHS[shifted.start.month - 1].capitalize()} {shifted.start.year}"}
                )
            elif unit_of(window) == "year" and (shifted.start.month, shifted.start.day) == (1, 1):
                shifted = shifted.model_copy(update={"label": str(shifted.start.year)})
            r.periods.append(Found(-1, -1, shifted, shifted.label))
            r.understood.append(f"period {shifted.describe()} ({m.group(0).strip()})")

        r.take(THE_ONE_BEFORE, before)
    if q.metric in ("average_order_value", "median_order_value") or q.metric.endswith("_order_value"):
        for p in PERCENTILES:  # "and the 90th percentile?"
            r.take(rf"^\s*(?:the\s+)?(?:{p}(?:st|nd|rd|th)?\s+percentile|p{p})\s*$",
                   partial(_follow_metric, r, f"p{p}_order_value" if p != 50 else "median_order_value"))  # fmt: skip
        for pattern, name in ((r"^\s*(?:the\s+)?median\s*$", "median_order_value"),
                              (r"^\s*(?:the\s+)?(?:mean|average)\s*$", "average_order_value")):  # fmt: skip
            r.take(pattern, partial(_follow_metric, r, name))


def _follow_metric(r: Reading, name: str, m: re.Match[str]) -> None:
    r.follow_up = True
    r.metric(name, m.group(0))


def read_follow_up(r: Reading, m: re.Match[str]) -> None:
    r.follow_up = True
    r.understood.append(f"a follow-up ({m.group(0).strip()})")
