"""Which period a query covers and which one it is compared with: two periods named with "vs",
one period and the one before it ("growth this month"), or the base named after "compared with"
("orders compared with last month": now against last month)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from services.ask.semantic.calendar_words import add_months
from services.ask.semantic.periods import find_periods
from services.ask.semantic.reading import Reading, Refuse
from shared.interpretation import Window


def periods_of(r: Reading, windows: list[Window], today: date) -> tuple[Window | None, Window | None]:
    """The period of the query and the one it is compared with, from the periods the question named."""
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
