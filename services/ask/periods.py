"""Time periods in questions: "last month", "this year", "last 30 days", "in October", "2025".

Every period is a half-open UTC interval ``[start, end)`` at day granularity, with a readable
label that reads well after "You have 12 orders": ``"last month (October 2026)"``, ``"in 2025"``,
``"in the last 30 days"``. "Last month" is the previous calendar month,
"this month"/"this week"/"this year" run from their start up to the end of today, "last N days"
(weeks, months, years) is the N calendar days (7N days, N calendar months, 12N months) ending with
today, today included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "a": 1,
    "an": 1,
}
_NUM = r"(\d{1,4}|" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)) + r")"
_MONTH_RE = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime  # inclusive, UTC (naive, as stored in the warehouse)
    end: datetime  # exclusive

    def as_params(self) -> dict[str, str]:
        return {"period": self.label, "start": self.start.isoformat(), "end": self.end.isoformat()}


def _dt(d: date) -> datetime:
    return datetime(d.year, d.month, d.day)


def _month_start(year: int, month: int) -> date:
    return date(year, month, 1)


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_label(d: date | datetime) -> str:
    return f"{MONTHS[d.month - 1].capitalize()} {d.year}"


def day_label(d: date | datetime) -> str:
    return f"{d.day} {MONTHS[d.month - 1].capitalize()} {d.year}"


def to_number(word: str) -> int | None:
    word = word.lower()
    if word.isdigit():
        return int(word)
    return _WORD_NUMBERS.get(word)


def today_utc() -> date:
    return datetime.now(UTC).date()


def parse_period(text: str, today: date | None = None) -> Period | None:
    """The period ``text`` talks about, or None when it names none (all time) or an impossible one."""
    try:
        return _parse_period(text, today)
    except (ValueError, OverflowError):  # "March 0000", "the last 99999 years"
        return None


def _parse_period(text: str, today: date | None = None) -> Period | None:
    t = text.lower()
    today = today or today_utc()
    tomorrow = _dt(today + timedelta(days=1))
    this_month = _month_start(today.year, today.month)

    m = re.search(
        r"\b(?:last|past|previous|recent|the last|over the last)\s+" + _NUM + r"\s+(day|week|month|year)s?\b",
        t,
    )
    if m and (n := to_number(m.group(1))) is not None:
        if n == 0:  # "the last 0 days": an empty period, not all time
            return Period(f"in the last 0 {m.group(2)}s", tomorrow, tomorrow)
        unit = m.group(2)
        if unit == "day":
            start = today - timedelta(days=n - 1)
        elif unit == "week":
            start = today - timedelta(days=7 * n - 1)
        elif unit == "month":
            return last_months(n, today)
        else:
            return Period(f"in the last {n} years", _dt(_add_months(this_month, -(12 * n - 1))), tomorrow)
        unit_text = unit if n == 1 else unit + "s"
        return Period(f"in the last {n} {unit_text}", _dt(start), tomorrow)

    if re.search(r"\btoday\b", t):
        return Period(f"today ({day_label(today)})", _dt(today), tomorrow)
    if re.search(r"\byesterday\b", t):
        day = today - timedelta(days=1)
        return Period(f"yesterday ({day_label(day)})", _dt(day), _dt(today))
    if re.search(r"\b(?:this|current)\s+week\b", t):
        start = today - timedelta(days=today.weekday())
        return Period(f"this week (since {day_label(start)})", _dt(start), tomorrow)
    if re.search(r"\b(?:last|previous|past)\s+week\b", t):
        start = today - timedelta(days=today.weekday() + 7)
        return Period(f"last week (week of {day_label(start)})", _dt(start), _dt(start + timedelta(days=7)))
    if re.search(r"\b(?:this|current)\s+month\b|\bmonth to date\b|\bmtd\b", t):
        return Period(f"this month ({month_label(today)})", _dt(this_month), tomorrow)
    if re.search(r"\b(?:last|previous|prior|past)\s+month\b", t):
        start = _add_months(this_month, -1)
        return Period(f"last month ({month_label(start)})", _dt(start), _dt(this_month))
    quarter_start = _month_start(today.year, 3 * ((today.month - 1) // 3) + 1)
    if re.search(r"\b(?:this|current)\s+quarter\b", t):
        q = (today.month - 1) // 3 + 1
        return Period(f"this quarter (Q{q} {today.year})", _dt(quarter_start), tomorrow)
    if re.search(r"\b(?:last|previous|past)\s+quarter\b", t):
        start = _add_months(quarter_start, -3)
        q = (start.month - 1) // 3 + 1
        return Period(f"last quarter (Q{q} {start.year})", _dt(start), _dt(quarter_start))
    if re.search(r"\b(?:this|current)\s+year\b|\byear to date\b|\bytd\b", t):
        return Period(f"this year ({today.year})", _dt(date(today.year, 1, 1)), tomorrow)
    if re.search(r"\b(?:last|previous|past)\s+year\b", t):
        y = today.year - 1
        return Period(f"last year ({y})", _dt(date(y, 1, 1)), _dt(date(y + 1, 1, 1)))

    m = re.search(r"\b" + _MONTH_RE + r"\b(?:\s+(?:of\s+)?(\d{4}))?", t)
    # "may" is also a verb: only count it with a year or after "in"/"during"/"for".
    if m and (m.group(1) != "may" or m.group(2) or re.search(r"\b(?:in|during|for|of)\s+may\b", t)):
        month = _MONTH_ABBR.get(m.group(1)[:4] if m.group(1).startswith("sept") else m.group(1)[:3])
        if month:
            # Without a year: the most recent such month, this one included.
            year = int(m.group(2)) if m.group(2) else today.year if month <= today.month else today.year - 1
            start = _month_start(year, month)
            return Period(f"in {month_label(start)}", _dt(start), _dt(_add_months(start, 1)))

    m = re.search(r"\b(?:in|during|for|of)\s+(20\d{2}|19\d{2})\b", t) or re.search(
        # A bare year ("revenue 2025"), unless it reads as an amount or a count ("over 2000", "$2000").
        r"(?<![$€£¥\d.,])(?<!than )(?<!over )(?<!above )(?<!under )(?<!below )(?<!least )(?<!most )"
        r"\b(20\d{2}|19\d{2})\b(?![\d.,%]|\s*(?:k\b|dollars?|euros?|pounds?|usd|eur|gbp|orders?|items?|units?|customers?))",
        t,
    )
    if m:
        y = int(m.group(1))
        return Period(f"in {y}", _dt(date(y, 1, 1)), _dt(date(y + 1, 1, 1)))
    return None


def last_months(n: int, today: date | None = None) -> Period:
    """The ``n`` calendar months up to and including the current one."""
    n = max(1, n)
    today = today or today_utc()
    this_month = _month_start(today.year, today.month)
    start = _add_months(this_month, -(n - 1))
    return Period(
        f"in the last {n} months" if n > 1 else f"this month ({month_label(today)})",
        _dt(start),
        _dt(today + timedelta(days=1)),
    )
