"""What has been read of a question so far, and the two ways a reading ends.

``Reading.text`` is the normalised question with every span that was used blanked out, so what
is left at the end is exactly what could not be used. ``Refuse`` ends a reading with a reason;
``Understanding`` is what the parser hands back either way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from services.ask.semantic.catalog import METRICS
from services.ask.semantic.entities import COUNTRIES
from services.ask.semantic.periods import Found
from shared.interpretation import Filter, Interpretation, Window

Outcome = Literal["answer", "out_of_scope", "unclear"]
WORD_CODES = {"NO", "IT", "AT", "BE"}  # codes that are also words people type in capitals
SUGGESTIONS = (
    "How many orders did I get last month?",
    "Revenue by product category this year",
    "Top 5 customers by spending",
    "Compare revenue this month vs last month",
)


# Analyst shorthand for periods (docs/questions.md, Definitions): L7D, L4W, L3M, yday, w/e.
SHORTHAND_PERIODS = (
    (r"\bl(\d{1,3})d\b", r"last \1 days"),
    (r"\bl(\d{1,2})w\b", r"last \1 weeks"),
    (r"\bl(\d{1,2})m\b", r"last \1 months"),
    (r"\b(last|past)\s+(\d{1,3})\s*d\b", r"\1 \2 days"),
    (r"\b(last|past)\s+(\d{1,2})\s*w(?:ks?)?\b", r"\1 \2 weeks"),
    (r"\b(?:yday|yest|ystd|ydy)\b", "yesterday"),
    (r"\b(?:tdy|2day)\b", "today"),
    (r"(?<![\w/])w/e(?![\w/])|\bw/ending\b|\bwk\s+ending\b", "week ending"),
)


# Operators owners type as symbols or abbreviations: ">= 4 purchases", "w/ at least 3 items",
# "95th pct order value" (an ordinal before "pct" is a percentile; "pct" alone is percent).
SHORTHAND_OPERATORS = (
    (r">=\s*(?=[\d$€£])", " at least "),
    (r"<=\s*(?=[\d$€£])", " at most "),
    (r"(?<![<>=-])>\s*(?=[\d$€£])", " more than "),
    (r"(?<![<>=])<(?![<>=])\s*(?=[\d$€£])", " less than "),
    (r"(?<![\w/])w/o(?![\w/])", " without "),
    (r"(?<![\w/])w/(?=\s|[a-z])", " with "),
    (r"\b(\d{1,2}(?:st|nd|rd|th))\s+pct\b", r"\1 percentile"),
)


@dataclass
class Understanding:
    outcome: Outcome
    interpretation: Interpretation | None = None
    message: str = ""  # why it refuses (when outcome is not "answer")
    understood: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # harmless words left unread (answers say so)


class Refuse(Exception):
    def __init__(self, outcome: Outcome, message: str, suggestions: tuple[str, ...] = SUGGESTIONS):
        super().__init__(message)
        self.outcome, self.message, self.suggestions = outcome, message, list(suggestions)


@dataclass
class Reading:
    """What has been read so far; ``text`` has every used span blanked out."""

    text: str
    original: str = ""  # the normalised question, nothing blanked out
    metrics: list[str] = field(default_factory=list)
    hint: str | None = None
    group_by: str | None = None
    population: bool = False  # "of customers from Canada": customers named only as who the filter is
    share: bool = False  # "what share of revenue comes from Germany"
    per: str | None = None  # "orders per customer": the metric divided by this one
    then_by: str | None = None  # a second breakdown, in the order the question names them
    rank: Literal["top", "bottom"] | None = None
    limit: int | None = None
    filters: list[Filter] = field(default_factory=list)
    periods: list[Found] = field(default_factory=list)
    compare: bool = False
    compare_at: int = -1  # where the first comparison word stood
    not_bought: bool = False
    qualified: bool = False  # "from orders" seen: the metric is orders unless another is named
    understood: list[str] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # chit-chat phrases taken out before reading
    metric_at: dict[str, int] = field(default_factory=dict)  # where each metric was named
    follow_up: bool = False  # "and last month?", "what about France?": read against the previous question
    inherited_compare: Window | None = None  # the previous question's comparison, kept by a follow-up

    def take(self, pattern: re.Pattern[str] | str, on: Callable[[re.Match[str]], bool | None]) -> None:
        """Call ``on`` for each match; blank the match out unless ``on`` returns False."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        for m in list(rx.finditer(self.text)):
            if self.text[m.start() : m.end()].strip() == "" or not m.group(0).strip():
                continue
            if on(m) is not False:
                self.text = self.text[: m.start()] + " " * (m.end() - m.start()) + self.text[m.end() :]

    def metric(self, name: str, words: str) -> None:
        if name not in self.metrics:
            self.metrics.append(name)
            found = self.text.find(words)
            self.metric_at[name] = found if found >= 0 else len(self.text)
        self.understood.append(f"metric {METRICS[name].label.lower()} ({words.strip()})")


def normalise(question: str) -> str:
    t = re.sub(  # "Morning! who ..." is a greeting; "morning orders" would be a time of day
        r"^\s*(?:good\s+)?(morning|afternoon|evening)\s*[!,.]+", r"good \1 ", question, flags=re.I
    )
    t = t.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    for code, names in COUNTRIES.items():  # upper-case country codes, unless the whole question shouts
        if not question.isupper() and code not in WORD_CODES:
            t = re.sub(rf"(?<![\w.]){code}(?![\w.])", names[0], t)
    t = re.sub(r"(?<![\w.])UK(?![\w.])", "united kingdom", t) if not question.isupper() else t
    t = t.lower()
    t = re.sub(r"\bwhat's\b", "what is", t)
    t = re.sub(
        r"\b(\w+)n't\b",
        lambda m: {"won": "will not", "can": "can not"}.get(m.group(1), m.group(1) + " not"),
        t,
    )
    t = re.sub(
        r"\b(i|we|you|they)'(ll|ve|d|m|re)\b",
        lambda m: (
            m.group(1) + " " + {"ll": "will", "ve": "have", "d": "would", "m": "am", "re": "are"}[m.group(2)]
        ),
        t,
    )
    t = re.sub(r"(\w)'s\b", r"\1", t)
    t = re.sub(r"#\s*(?:of\s+)?", " number of ", t)
    for pattern, repl in SHORTHAND_PERIODS:
        t = re.sub(pattern, repl, t)
    for pattern, repl in SHORTHAND_OPERATORS:
        t = re.sub(pattern, repl, t)
    t = re.sub(r"[?!;:\"()\[\]{}*]+|\.{2,}|(?<=\w)\.(?=\s|$)|,(?=\s|$)", " ", t)
    return re.sub(r"\s+", " ", t).strip()
