"""Periods in questions, found with the span of text they use.

Every period is a half-open day interval ``[start, end)`` (``shared.interpretation.Window``),
cut at the end of today. The definitions (docs/questions.md, "Definitions"):

* "today", "yesterday"; "this week" (Monday up to today), "last week" (the Monday-to-Sunday
  week before); "this/last month, quarter, year" are calendar units, the current one up to today;
* "last N days" (or weeks) is the N days (7N days) ending with today, today included; "last N
  months" is this calendar month and the N-1 before it; "last N years" likewise in months;
* a month, quarter or half without a year is the most recent one that has begun ("in September",
  "Q3", "the first half"); a bare year ("in 2025", "sales 2026") is that calendar year;
* "between 1 March and 15 March 2026" and "from 2026-03-01 to 2026-03-15" include both days;
  "since October" runs from its first day up to today.

Future periods ("next month", "tomorrow") are reported as such, so the parser can refuse them:
the warehouse holds no future orders, and a zero stated as fact would be a wrong answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from services.ask.semantic.calendar_words import today_utc
from services.ask.semantic.period_rules import RULES, Finder, month_window
from shared.interpretation import Window


@dataclass(frozen=True)
class Found:
    start: int  # character span in the text
    end: int
    window: Window | None  # None: a future period
    text: str


_COMPILED = [(re.compile(p), build) for p, build in RULES]


def find_periods(text: str, today: date | None = None) -> list[Found]:
    """Every period ``text`` names, in the order they appear (``text`` should be lower case).

    "may" counts as a month only with a year or after "in", "during", "for", "of" or "since".
    """
    finder = Finder(today or today_utc())
    work = text
    found: list[Found] = []
    for pattern, build in _COMPILED:
        for m in pattern.finditer(work):
            after_preposition = re.search(r"\b(?:in|during|for|of|since)\s*$", work[: m.start()])
            if build is month_window and m.group(1) == "may" and not m.group(2) and not after_preposition:
                continue
            try:
                window = build(finder, m)
            except (ValueError, OverflowError):
                continue
            found.append(Found(m.start(), m.end(), window, m.group(0)))
            work = work[: m.start()] + " " * (m.end() - m.start()) + work[m.end() :]
    return sorted(found, key=lambda f: f.start)
