"""The words the parser knows besides its phrases: filler, shorthand, the content words a typo is
corrected to, and every word it knows at all (``KNOWN_WORDS``).

Every pattern is matched against the lower-cased question; whatever a pattern matches is *used*.
A question is answered only when every word left over is filler, words that change nothing about
what is computed ("how", "many", "my", "please"). The phrases themselves live by meaning in
``metric_phrases``, ``dimension_phrases``, ``filter_phrases``, ``follow_up_phrases`` and
``out_of_scope``.
"""

from __future__ import annotations

import difflib
import re

from services.ask.semantic.calendar_words import MONTHS
from services.ask.semantic.dimension_phrases import (
    BOTTOM,
    BREAK_DOWN,
    DIM_PLURALS,
    GROUP_BY,
    RANKED_DIMENSION,
    TOP,
    WEEKEND_SPLIT,
)
from services.ask.semantic.filter_phrases import (
    AMOUNT,
    CUSTOMER_THRESHOLD,
    ORDER_THRESHOLD,
    STATUS,
    WEEKDAY_FILTER,
)
from services.ask.semantic.follow_up_phrases import COMPARE, FOLLOW_UP, FOLLOW_UP_WORDS, THE_ONE_BEFORE
from services.ask.semantic.metric_phrases import (
    COMPOUND_METRICS,
    CUSTOMER_ORDER,
    MEDIAN,
    PERCENTILE,
    RATIO,
    ROW_EXTREME,
    SHARE,
    SIMPLE_METRICS,
    SPECIAL_METRICS,
    WHEN_EXTREME,
)
from services.ask.semantic.out_of_scope import ACTION, OUT_OF_SCOPE  # learning.learner reads them here too
from services.ask.semantic.period_rules import RULES
from services.ask.semantic.words import skippable

FILLER = frozenset(
    """a an the of in on at for to from with and or into about any anything some something how many much
    what whats which who whom is are was were be been being am does do did done my our i we me us you
    your it its this that these those there here have has had having get got gets getting show tell give
    list display see view find report pull fetch provide let know please pls plz can could would should
    like want need so far ever overall total all currently current now right just only still yet already
    again altogether number count figure figures numbers stats statistics data info summary
    overview size shop store business online made make makes making earn earned bring brought generate
    generated come came take took taken placed place put receive received contain contained contains containing
    include included including sell sold selling sells buy bought purchase purchased since time times
    period grand combined sum happened happen through marked as during via when worth cost name every""".split()  # noqa: SIM905
)
# Filler only once the question is grouped: "revenue breakdown" alone names no breakdown.
GROUPED_FILLER = frozenset(("breakdown", "split", "distribution", "trend", "trends", "each"))
FILLER_PHRASES = re.compile(
    r"\b(?:all\s+time|of\s+all\s+time|so\s+far|in\s+total|to\s+date|right\s+now|at\s+the\s+moment"
    r"|up\s+to\s+now|until\s+now|bring\s+in|brought\s+in|come\s+in|came\s+in|take\s+in|took\s+in)\b"
)
SHORTHAND = {"hw": "how", "wat": "what", "wht": "what", "val": "value", "avg": "average", "amt": "amount",
             "u": "you", "ur": "your", "r": "are", "thx": "", "pls": "please", "plz": "please",
             "cust": "customers", "custs": "customers", "rev": "revenue", "qty": "quantity", "mo": "month",
             "yr": "year", "wk": "week", "prods": "products", "cats": "categories", "ppl": "people",
             "frm": "from", "thru": "through", "ords": "orders", "qtys": "quantity", "units/qty": "units"}  # fmt: skip
# Shorthand that is also short enough to be part of a shop's names: read only when no name of the
# shop holds the word ("cat" is a category unless the shop sells a "Cat Tree").
SHORTHAND_UNLESS_NAMED = {"w": "with", "n": "and", "hr": "hour", "hrs": "hours", "cat": "category",
                          "lst": "last", "pct": "percent", "cnt": "count", "avg.": "average"}  # fmt: skip
CONTENT_WORDS = sorted(
    set(
        """
        orders order revenue sales customers customer clients products product items units
        categories category countries country status statuses month months week weeks day
        days quarter quarters year years today yesterday average value spending spend
        refunded refund refunds cancelled cancellation pending paid shipped delivered
        largest smallest biggest highest lowest repeat returning inactive distinct different
        unique signups monthly weekly daily quarterly yearly between compare versus growth
        last this previous number selling popular grossing spenders sold least most best
        worst fewest top gross ordered never
        """.split()  # noqa: SIM905
        # issue 22: the words of the wider catalogue, so a typo of one is never read as another
        + """
        weekday weekdays weekend weekends hour hours hourly median percentile refunds share
        percentage monday tuesday wednesday thursday friday saturday sunday black cyber
        christmas quarterly items together both
        """.split()  # noqa: SIM905
        + list(MONTHS)  # the month names, as the period finder knows them
    )
)


def _pattern_words() -> set[str]:
    """The words of every pattern the parser matches: known, never corrected into another word."""
    patterns = [p for p, _ in OUT_OF_SCOPE + SPECIAL_METRICS + COMPOUND_METRICS + SIMPLE_METRICS]
    patterns += [ACTION.pattern, RANKED_DIMENSION.pattern, GROUP_BY.pattern, COMPARE.pattern, AMOUNT.pattern,
                 TOP.pattern, BOTTOM.pattern, FILLER_PHRASES.pattern, STATUS, WEEKDAY_FILTER.pattern,
                 WEEKEND_SPLIT.pattern, CUSTOMER_THRESHOLD.pattern, ORDER_THRESHOLD.pattern, MEDIAN.pattern,
                 PERCENTILE.pattern, ROW_EXTREME.pattern, CUSTOMER_ORDER.pattern, FOLLOW_UP.pattern, WHEN_EXTREME.pattern,
                 FOLLOW_UP_WORDS.pattern, THE_ONE_BEFORE.pattern, BREAK_DOWN.pattern, SHARE.pattern,
                 RATIO.pattern]  # fmt: skip
    return {w for p in patterns for w in re.findall(r"[a-z]{3,}", p)}


PERIOD_WORDS = frozenset(w for p, _ in RULES for w in re.findall(r"[a-z]{3,}", p)) | {"years", "christmas"}
KNOWN_WORDS = frozenset(
    _pattern_words() | FILLER | set(CONTENT_WORDS) | set(SHORTHAND.values()) | PERIOD_WORDS
)


def correct(word: str, extra: set[str]) -> str | None:
    """The known content word ``word`` is a typo of, if one is close enough."""
    if len(word) < 4 or not word.isalpha():
        return None
    cutoff = 0.75 if len(word) <= 5 else 0.8
    match = difflib.get_close_matches(word, [*CONTENT_WORDS, *extra], n=2, cutoff=cutoff)
    if len(match) == 2 and not match[0].startswith(match[1]) and not match[1].startswith(match[0]):
        ratios = [difflib.SequenceMatcher(None, word, m).ratio() for m in match]
        if ratios[0] - ratios[1] < 0.05:  # two words about as close: never pick one
            return None
    return match[0] if match else None


def reorder(text: str) -> str:
    """The cut said last, moved to the front: "products by units, top 8" -> "top 8 products by
    units", "customers, top 10 by spend" -> "top 10 customers by spend"."""
    m = re.fullmatch(
        rf"(?P<pre>.*?)\b(?P<dim>{DIM_PLURALS})\b(?P<mid>.*?)\s(?P<r>top|bottom)\s+(?P<n>\d{{1,3}})\b(?P<tail>.*)",
        text,
    )
    harmless = m is not None and all(w in FILLER or skippable(w) for w in m.group("pre").split())
    if m and harmless and not re.search(r"\b(?:top|bottom)\b", m.group("mid") + m.group("tail")):
        return f"{m.group('pre')} {m.group('r')} {m.group('n')} {m.group('dim')}{m.group('mid')}{m.group('tail')} "
    m = re.fullmatch(
        r"(?P<head>.*?\b(?P<r>top|bottom))(?P<mid>\s+(?!\d).*?)\s(?P=r)\s+(?P<n>\d{1,3})\s*", text
    )
    if m and not re.search(r"\d", m.group("mid")):  # "top sellers by units, top 5"
        return f"{m.group('head')} {m.group('n')}{m.group('mid')} "
    return text
