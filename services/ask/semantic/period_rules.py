"""The period phrases (``RULES``, tried in order) and the window each one names, cut at the end
of today (``Finder``). The definitions are in ``periods``, which finds them in a question."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from services.ask.semantic.calendar_words import (
    MAX_DAYS,
    MONTH_RE,
    MONTHS,
    NUM,
    ORDINAL,
    add_months,
    month_number,
    to_number,
)
from shared.interpretation import Window


class Finder:
    def __init__(self, today: date):
        self.today = today
        self.tomorrow = today + timedelta(days=1)

    def window(self, label: str, start: date, end: date) -> Window:
        return Window(label=label, start=start, end=min(end, self.tomorrow))

    def recent_year(self, month: int) -> int:
        """The year of the most recent ``month`` that has begun."""
        return self.today.year if month <= self.today.month else self.today.year - 1

    def date(self, m: re.Match[str], prefix: str, default_year: int | None = None) -> date:
        g = m.groupdict()
        if g.get(prefix + "iy"):
            return date(int(g[prefix + "iy"]), int(g[prefix + "im"]), int(g[prefix + "id"]))
        month = month_number(g.get(prefix + "m1") or g[prefix + "m2"])
        day = int(g.get(prefix + "d1") or g[prefix + "d2"])
        year = g.get(prefix + "y1") or g.get(prefix + "y2")
        return date(int(year) if year else default_year or self.recent_year(month), month, day)


def _date_re(p: str) -> str:
    return (
        rf"(?:(?P<{p}iy>\d{{4}})-(?P<{p}im>\d{{1,2}})-(?P<{p}id>\d{{1,2}})"
        rf"|(?P<{p}m1>{MONTH_RE[1:-1]})\s+(?P<{p}d1>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<{p}y1>\d{{4}}))?"
        rf"|(?:the\s+)?(?P<{p}d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<{p}m2>{MONTH_RE[1:-1]})(?:,?\s+(?P<{p}y2>\d{{4}}))?)"
    )


Rule = tuple[str, Callable[[Finder, re.Match[str]], Window | None]]


def _range(f: Finder, m: re.Match[str]) -> Window:
    b = f.date(m, "b")
    a = f.date(m, "a", default_year=b.year)
    return f.window("", a, b + timedelta(days=1))


def _since(f: Finder, m: re.Match[str]) -> Window:
    if m.group("sm"):
        month = month_number(m.group("sm"))
        year = int(m.group("sy")) if m.group("sy") else f.recent_year(month)
        start = date(year, month, 1)
    else:
        start = f.date(m, "a")
    return f.window("", start, f.tomorrow)


def _last_n(f: Finder, m: re.Match[str]) -> Window | None:
    n, unit = to_number(m.group(1)), m.group(2)
    if n is None or n > MAX_DAYS:
        raise ValueError("period too long")
    label = f"the last {n} {unit}{'s' if n != 1 else ''}"
    if n == 0:
        return Window(label=label, start=f.tomorrow, end=f.tomorrow)
    if unit == "day":
        return f.window(label, f.today - timedelta(days=n - 1), f.tomorrow)
    if unit == "week":
        return f.window(label, f.today - timedelta(days=7 * n - 1), f.tomorrow)
    months = n if unit == "month" else 12 * n
    return f.window(label, add_months(f.today.replace(day=1), -(months - 1)), f.tomorrow)


def _quarter_window(f: Finder, q: int, year: int | None, label: str) -> Window:
    month = 3 * (q - 1) + 1
    start = date(year if year else f.recent_year(month), month, 1)
    return f.window(label, start, add_months(start, 3))


def _year_of(f: Finder, text: str | None) -> int | None:
    if not text:
        return None
    if "last" in text or "previous" in text:
        return f.today.year - 1
    if "year" in text:
        return f.today.year
    return int(text)


def _half(f: Finder, m: re.Match[str]) -> Window:
    half = 1 if m.group(1) in ("first", "1") else 2
    year = _year_of(f, m.group(2))
    if year is None:
        year = f.today.year if half == 1 or f.today.month >= 7 else f.today.year - 1
    start = date(year, 1 if half == 1 else 7, 1)
    return f.window(f"the {'first' if half == 1 else 'second'} half of {year}", start, add_months(start, 6))


def month_window(f: Finder, m: re.Match[str]) -> Window:
    month = month_number(m.group(1))
    year = int(m.group(2)) if m.group(2) else f.recent_year(month)
    start = date(year, month, 1)
    return f.window(f"{MONTHS[month - 1].capitalize()} {year}", start, add_months(start, 1))


def _calendar(unit: str, back: int) -> Callable[[Finder, re.Match[str]], Window]:
    def build(f: Finder, m: re.Match[str]) -> Window:
        t = f.today
        if unit == "week":
            start = t - timedelta(days=t.weekday() + 7 * back)
            end = start + timedelta(days=7)
        elif unit == "month":
            start = add_months(t.replace(day=1), -back)
            end = add_months(start, 1)
        elif unit == "quarter":
            start = add_months(date(t.year, 3 * ((t.month - 1) // 3) + 1, 1), -3 * back)
            end = add_months(start, 3)
        else:
            start = date(t.year - back, 1, 1)
            end = date(t.year - back + 1, 1, 1)
        return f.window(f"{'last' if back else 'this'} {unit}", start, end)

    return build


def _future(f: Finder, m: re.Match[str]) -> None:
    return None


def _week_ending(f: Finder, m: re.Match[str]) -> Window:
    last = f.date(m, "a")
    return f.window(
        f"the week ending {last.day} {MONTHS[last.month - 1].capitalize()}",
        last - timedelta(days=6),
        last + timedelta(days=1),
    )


def _black_friday(year: int) -> date:
    first = date(year, 11, 1)
    thursday = first + timedelta(days=(3 - first.weekday()) % 7 + 21)  # the fourth Thursday
    return thursday + timedelta(days=1)


NAMED_DAYS: dict[str, Callable[[int], date]] = {
    "black friday": _black_friday,
    "cyber monday": lambda y: _black_friday(y) + timedelta(days=3),
    "new year eve": lambda y: date(y, 12, 31),
    "christmas": lambda y: date(y, 12, 25),
}


def _named_day(f: Finder, m: re.Match[str]) -> Window | None:
    name = re.sub(r"\s+", " ", m.group(1)).replace("new years eve", "new year eve").replace(" day", "")
    rule = NAMED_DAYS[name]
    year = _year_of(f, m.group(2)) or f.today.year
    if not m.group(2) and rule(year) > f.today:  # the most recent one that has begun
        year -= 1
    day = rule(year)
    if day > f.today:
        return None  # a future day: refused as a forecast, never answered with a zero
    label = {"new year eve": "New Year's Eve"}.get(name, name.title())
    return f.window(f"{label} {year}", day, day + timedelta(days=1))


def _same_last_year(f: Finder, m: re.Match[str]) -> Window:
    if m.group(1) == "month":
        start = add_months(f.today.replace(day=1), -12)
        return f.window(f"{MONTHS[start.month - 1].capitalize()} {start.year}", start, add_months(start, 1))
    start = add_months(date(f.today.year, 3 * ((f.today.month - 1) // 3) + 1, 1), -12)
    q = (start.month - 1) // 3 + 1
    return f.window(f"Q{q} {start.year}", start, add_months(start, 3))


_A, _B = _date_re("a"), _date_re("b")
RULES: list[Rule] = [
    (
        r"\b(?:next|coming|upcoming|following)\s+(?:\d+\s+)?(?:days?|weeks?|months?|quarters?|years?)\b|\btomorrow\b",
        _future,
    ),
    (rf"\b(?:between|from)\s+{_A}\s+(?:and|to|until|till|through|-)\s+{_B}", _range),
    (rf"\b(?:(?:in|for|during)\s+)?(?:the\s+)?week\s+ending(?:\s+on)?\s+{_A}", _week_ending),
    (
        r"\b(?:(?:on|for|during)\s+)?(black\s+friday|cyber\s+monday|new\s+years?\s+eve|christmas(?:\s+day)?)(?:\s+(?:of\s+)?(\d{4}|last\s+year|this\s+year))?\b",
        _named_day,
    ),
    (
        r"\b(?:(?:in|for|during)\s+)?(?:the\s+)?same\s+(month|quarter)\s+(?:last\s+year|a\s+year\s+(?:ago|before|earlier)|the\s+year\s+before|of\s+last\s+year)\b",
        _same_last_year,
    ),
    (
        rf"\b(?:on|for)\s+{_A}",
        lambda f, m: (lambda d: f.window("", d, d + timedelta(days=1)))(f.date(m, "a")),
    ),
    (rf"\bsince\s+(?:(?P<sm>{MONTH_RE[1:-1]})(?:\s+(?P<sy>\d{{4}}))?\b(?!\s+\d)|{_A})", _since),
    (
        rf"\b(?:(?:in|over|during|for|within)\s+)?(?:the\s+)?(?:last|past|previous|trailing)\s+{NUM}\s+(day|week|month|year)s?\b",
        _last_n,
    ),
    (r"\b(?:so\s+far\s+)?today\b", lambda f, m: f.window("today", f.today, f.tomorrow)),
    (
        r"\b(?:the\s+)?day\s+before\s+yesterday\b",
        lambda f, m: f.window(
            "the day before yesterday", f.today - timedelta(days=2), f.today - timedelta(days=1)
        ),
    ),  # fmt: skip
    (r"\byesterday\b", lambda f, m: f.window("yesterday", f.today - timedelta(days=1), f.today)),
    (
        r"\bsince\s+the\s+(?:start|beginning)\s+of\s+(?:the\s+|this\s+)?(week|month|quarter|year)\b",
        lambda f, m: _calendar(m.group(1), 0)(f, m),
    ),
    (r"\b(?:(?:this|current)\s+week|week\s+to\s+date|wtd)\b", _calendar("week", 0)),
    (r"\b(?:last|previous|prior|past)\s+week\b", _calendar("week", 1)),
    (r"\b(?:(?:this|current)\s+month|month\s+to\s+date|mtd)\b", _calendar("month", 0)),
    (r"\b(?:last|previous|prior|past)\s+month\b", _calendar("month", 1)),
    (r"\b(?:(?:this|current)\s+quarter|quarter\s+to\s+date|qtd)\b", _calendar("quarter", 0)),
    (r"\b(?:last|previous|prior|past)\s+quarter\b", _calendar("quarter", 1)),
    (
        r"\b(?:the\s+)?(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter(?:\s+of\s+(\d{4}|this\s+year|last\s+year))?\b",
        lambda f, m: _quarter_window(
            f, ORDINAL[m.group(1)], _year_of(f, m.group(2)), f"Q{ORDINAL[m.group(1)]}"
        ),
    ),
    (
        r"\b(?:the\s+)?(first|second)\s+half(?:\s+(?:of\s+)?(?:the\s+)?(\d{4}|this\s+year|last\s+year|year))?\b",
        _half,
    ),
    (r"\bh([12])(?:\s+(\d{4}|this\s+year|last\s+year))?\b", _half),
    (r"\b(?:(?:this|current)\s+year|year\s+to\s+date|ytd)\b", _calendar("year", 0)),
    (r"\b(?:last|previous|prior|past)\s+year\b", _calendar("year", 1)),
    (
        r"\bq([1-4])(?:\s+(?:of\s+)?(\d{4}))?\b",
        lambda f, m: _quarter_window(f, int(m.group(1)), _year_of(f, m.group(2)), f"Q{m.group(1)}"),
    ),
    (rf"\b{MONTH_RE}\b(?:\s+(?:of\s+)?(\d{{4}}))?", month_window),
    (
        r"(?<![$€£¥\d.,])(?<!than )(?<!over )(?<!above )(?<!under )(?<!below )(?<!least )(?<!most )"
        r"\b((?:19|20)\d{2})\b(?![\d.,%]|\s*(?:k\b|dollars?|euros?|pounds?|usd|eur|gbp|orders?|items?|units?|customers?))",
        lambda f, m: f.window(m.group(1), date(int(m.group(1)), 1, 1), date(int(m.group(1)) + 1, 1, 1)),
    ),
]
