"""Question -> ``Interpretation``, or a refusal that says what was understood. It never guesses.

The contract: every word of the question is accounted for, used by a metric, a dimension, a
filter, a period or an entity of the shop's own data, or known filler. Words left over, two
metrics, two periods without a comparison, a name two customers share, a filter the metric
cannot take: each is a refusal (``success: false``) that says what was understood, what could not
be used, and how to ask instead. A wrong number stated as fact is the worst answer there is.

Reading order matters and is fixed: out-of-scope topics and actions; periods; comparison words;
amounts; metrics whose phrases hold status words; statuses; entities; compound metrics; ranked
and grouped dimensions; simple metrics; superlatives; filler.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Literal

from services.ask.semantic import vocabulary as v
from services.ask.semantic.catalog import METRICS, TIME_GRAINS
from services.ask.semantic.entities import COUNTRIES, COUNTRY_NAMES, EntityIndex, ShopEntities
from services.ask.semantic.periods import Found, add_months, find_periods, to_number
from shared.interpretation import Filter, Interpretation, Window

Outcome = Literal["answer", "out_of_scope", "unclear"]
WORD_CODES = {"NO", "IT", "AT", "BE"}  # codes that are also words people type in capitals
SUGGESTIONS = (
    "How many orders did I get last month?",
    "Revenue by product category this year",
    "Top 5 customers by spending",
    "Compare revenue this month vs last month",
)


@dataclass
class Understanding:
    outcome: Outcome
    interpretation: Interpretation | None = None
    message: str = ""  # why it refuses (when outcome is not "answer")
    understood: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)


class Refuse(Exception):
    def __init__(self, outcome: Outcome, message: str, suggestions: tuple[str, ...] = SUGGESTIONS):
        super().__init__(message)
        self.outcome, self.message, self.suggestions = outcome, message, list(suggestions)


@dataclass
class _Reading:
    """What has been read so far; ``text`` has every used span blanked out."""

    text: str
    metrics: list[str] = field(default_factory=list)
    hint: str | None = None
    group_by: str | None = None
    rank: Literal["top", "bottom"] | None = None
    limit: int | None = None
    filters: list[Filter] = field(default_factory=list)
    periods: list[Found] = field(default_factory=list)
    compare: bool = False
    not_bought: bool = False
    qualified: bool = False  # "from orders" seen: the metric is orders unless another is named
    understood: list[str] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)

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
        self.understood.append(f"metric {METRICS[name].label.lower()} ({words.strip()})")


def normalise(question: str) -> str:
    t = question.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
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
    t = t.replace("#", " number ")
    t = re.sub(r"[?!;:\"()\[\]{}*]+|\.{2,}|(?<=\w)\.(?=\s|$)|,(?=\s|$)", " ", t)
    return re.sub(r"\s+", " ", t).strip()


class Parser:
    def __init__(self, entities: EntityIndex):
        self.entities = entities

    def parse(self, question: str, shop_id: str, today: date) -> Understanding:
        text = normalise(question)
        r = _Reading(text=f" {text} ")
        try:
            shop = self.entities.for_shop(shop_id)
            self._correct(r, shop)
            self._scope(r)
            self._read(r, shop, today)
            leftover = self._leftover(r)
            if leftover:
                raise Refuse(
                    "unclear",
                    f"I could not use {', '.join(repr(w) for w in leftover)}, so I won't guess what you meant.",
                )
            q = self._assemble(r, today)
        except Refuse as exc:
            return Understanding(
                exc.outcome, None, exc.message, r.understood, self._leftover(r), exc.suggestions
            )
        return Understanding("answer", q, "", r.understood)

    # -- reading --------------------------------------------------------------------------------

    def _correct(self, r: _Reading, shop: ShopEntities) -> None:
        known = set(shop.categories) | {w for name in shop.products for w in name.split()}
        known |= {w for name in shop.customers for w in name.split()}
        known |= {w for names in COUNTRIES.values() for n in names for w in n.split()}
        words = []
        for word in r.text.split(" "):
            fixed = v.SHORTHAND.get(word)
            if fixed is None and word and word not in known and word not in v.KNOWN_WORDS:
                fixed = v.correct(word, set(shop.categories))
                if fixed:
                    r.corrections[word] = fixed
            words.append(word if fixed is None else fixed)
        r.text = " ".join(words)

    def _scope(self, r: _Reading) -> None:
        if v.ACTION.search(r.text):
            raise Refuse(
                "out_of_scope", "I only read your shop's data; I can't change orders, customers or prices."
            )
        for pattern, topic in v.OUT_OF_SCOPE:
            if re.search(pattern, r.text):
                raise Refuse(
                    "out_of_scope", f"Your shop's data does not hold {topic}, so I can't answer that."
                )

    def _read(self, r: _Reading, shop: ShopEntities, today: date) -> None:
        if re.search(r"\b(?:inactive|lapsed|dormant|not|never)\b", r.text):  # "inactive for 60 days"
            r.text = re.sub(
                rf"\b(?:for|in|over)\s+(?:the\s+)?{v.NUM}\s+(days?|weeks?|months?)\b",
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
        r.take(v.COMPARE, lambda m: setattr(r, "compare", True))
        r.take(v.AMOUNT_BETWEEN, lambda m: self._amount(r, m, between=True))
        r.take(v.AMOUNT, lambda m: self._amount(r, m))
        for pattern, name in v.SPECIAL_METRICS:
            r.take(rf"(?<![\w]){pattern}(?![\w])", partial(self._special, r, name))
        self._statuses(r)
        self._entities(r, shop)
        for pattern, name in v.SPECIAL_METRICS:  # again: "customers from Germany who ordered"
            r.take(rf"(?<![\w]){pattern}(?![\w])", partial(self._special, r, name))
        for pattern, name in v.COMPOUND_METRICS:
            r.take(rf"(?<![\w]){pattern}(?![\w])", partial(self._compound, r, name))
        r.take(v.RANKED_DIMENSION, lambda m: self._ranked(r, m))
        r.take(v.WHICH_DIMENSION, lambda m: self._which(r, m))
        r.take(v.GROUP_BY, lambda m: self._group(r, m))
        r.take(r"^\s*who\b", lambda m: self._who(r))  # the question word, not "customers who ..."
        for pattern, name in v.SIMPLE_METRICS:
            r.take(rf"(?<![\w]){pattern}(?![\w])", partial(self._simple, r, name))
        if r.group_by:
            r.take(v.TOP, lambda m: self._superlative(r, "top"))
            r.take(v.BOTTOM, lambda m: self._superlative(r, "bottom"))
        r.take(v.FILLER_PHRASES, lambda m: None)
        if r.group_by is None:  # "on average" over a breakdown would be a different question
            r.take(r"\bon\s+average\b", lambda m: None)

    def _amount(self, r: _Reading, m: re.Match[str], between: bool = False) -> None:
        def number(name: str) -> float:
            try:
                value = Decimal(m.group(name).replace(",", ""))
            except InvalidOperation as exc:
                raise Refuse("unclear", f"I could not read the amount {m.group(0).strip()!r}.") from exc
            value *= 1000 if m.group(name + "k") else 1
            if not Decimal(0) <= value < Decimal(10) ** 12:
                raise Refuse("unclear", f"The amount {m.group(0).strip()!r} is out of range.")
            return float(value)

        if between:
            low, high = sorted((number("a"), number("b")))
            r.filters.append(Filter(field="amount", op="between", values=[low, high]))
        else:
            cmp = re.sub(r"\s+", " ", m.group("cmp"))
            op = next(op for op, words in v.DIRECTIONS.items() if any(cmp.startswith(w) for w in words))
            r.filters.append(Filter(field="amount", op=op, values=[number("a")]))  # type: ignore[arg-type]
        r.understood.append(f"order total {m.group(0).strip()}")

    def _special(self, r: _Reading, name: str, m: re.Match[str]) -> None:
        words = m.group(0)
        if name == "orders:customer":
            r.metric("orders", words)
            r.group_by, r.rank = "customer", "top"
            r.limit = 5 if re.search(r"customers\b", words) else 1
        elif name == "not_bought":
            r.not_bought = True
            r.understood.append(f"customers without purchases ({words.strip()})")
        elif name == "inactive":
            r.metric("inactive_customers", words)
        else:
            r.metric(name, words)

    def _statuses(self, r: _Reading) -> None:
        negated = rf"\b(?:not|non|excluding|exclude|except|without|other\s+than|apart\s+from|but\s+not)[\s-]+(?:the\s+)?({v.STATUS}(?:\s*(?:,|and|or|&|/|nor)\s*{v.STATUS})*)(?:\s+ones)?"
        listed = (
            rf"\b({v.STATUS}(?:\s*(?:,|and|or|&|/)\s*(?:orders\s+)?{v.STATUS})*)(?:\s+(?:orders\s+)?only)?"
        )

        def add(m: re.Match[str], op: Literal["in", "not_in"]) -> None:
            found = sorted({v.STATUS_WORDS[w] for w in re.findall(v.STATUS, m.group(1))})
            if any(f.field == "status" for f in r.filters):
                raise Refuse("unclear", "The question names statuses twice; name the statuses once.")
            r.filters.append(Filter(field="status", op=op, values=list(found)))
            r.understood.append(f"status {'not ' if op == 'not_in' else ''}{' or '.join(found)}")

        r.take(negated, lambda m: add(m, "not_in"))
        r.take(listed, lambda m: add(m, "in"))

    def _entities(self, r: _Reading, shop: ShopEntities) -> None:
        customers = shop.names_pattern(list(shop.customers))
        if customers is not None:
            r.take(
                rf"(?:\b(?:customer|client)\s+)?{customers.pattern}",
                lambda m: self._customer(r, shop, m.group(0)),
            )
        products = shop.names_pattern(list(shop.products))
        if products is not None:
            plural = products.pattern.replace(r"(?:'?s)?", r"(?:'?s|es)?")
            r.take(
                rf"(?:\bunits\s+of\s+)?(?:\bthe\s+)?{plural}(?:\s+(?:product|item)s?)?",
                lambda m: self._product(r, shop, m.group(0)),
            )
        if shop.categories:
            cats = "|".join(re.escape(c) for c in sorted(shop.categories, key=len, reverse=True))
            r.take(
                rf"\b(?:(?:in|from|for|of)\s+)?(?:the\s+)?(?:categor(?:y|ies)\s+)?(?P<c>{cats})(?:\s+(?:categor(?:y|ies)|products?|items?|section|department|goods))?\b",
                lambda m: self._add(
                    r, "category", [shop.categories[m.group("c")]], [shop.categories[m.group("c")]]
                ),
            )
        names = {n: code for code, ns in COUNTRIES.items() for n in ns}
        alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        r.take(
            rf"(?:\b(?:from|in|by)\s+(?:customers?|clients?|buyers?)\s+(?:from|in|based\s+in|located\s+in)\s+|\b(?:from|in|to|for)\s+)?(?:the\s+)?(?<![\w.])(?P<c>{alternatives})(?![\w])",
            lambda m: self._add(r, "country", [names[m.group("c")]], [COUNTRY_NAMES[names[m.group("c")]]]),
        )

    def _add(self, r: _Reading, field_name: str, values: list[str], labels: list[str]) -> None:
        for f in r.filters:
            if f.field == field_name and f.values != values:
                raise Refuse(
                    "unclear", f"The question names more than one {field_name}; ask about one at a time."
                )
        if not any(f.field == field_name for f in r.filters):
            r.filters.append(Filter(field=field_name, values=list(values), labels=labels))  # type: ignore[arg-type]
            r.understood.append(f"{field_name} {', '.join(labels)}")

    def _customer(self, r: _Reading, shop: ShopEntities, words: str) -> None:
        name = re.sub(r"^(?:customer|client)\s+", "", words.strip())
        name = re.sub(r"'?s$", "", name) if name not in shop.customers else name
        matches = shop.customers.get(name, [])
        if len(matches) > 1:
            who = "; ".join(f"{c.customer_id}" + (f" ({c.email})" if c.email else "") for c in matches[:5])
            raise Refuse(
                "unclear",
                f"{len(matches)} customers are called {matches[0].name}: {who}. I won't merge them; "
                "ask about one of them by adding more detail, or ask for the top customers to see them apart.",
                ("Top 10 customers by spending", "How many orders did I get last month?"),
            )
        self._add(r, "customer", [matches[0].customer_id], [f"{matches[0].name} ({matches[0].customer_id})"])

    def _product(self, r: _Reading, shop: ShopEntities, words: str) -> None:
        key = re.sub(r"^(?:units\s+of\s+)?(?:the\s+)?", "", words.strip())
        key = re.sub(r"\s+(?:product|item)s?$", "", key)
        for candidate in (key, re.sub(r"'?s$", "", key), re.sub(r"es$", "", key)):
            if candidate in shop.products:
                pid, name = shop.products[candidate]
                if words.strip().startswith("units of"):
                    r.metric("units_sold", "units")
                self._add(r, "product", [pid], [name])
                return

    def _simple(self, r: _Reading, name: str, m: re.Match[str]) -> None:
        words = m.group(0)
        if name == "orders:qualifier":  # "revenue from orders over $200": orders only if nothing else
            r.qualified = True
            return
        r.metric(name, words)

    def _compound(self, r: _Reading, name: str, m: re.Match[str]) -> None:
        words = m.group(0)
        if name == "units_sold:products":
            r.metric("units_sold", words)
            r.rank, r.limit = "top", 5
            self._set_group(r, "product", words)
            return
        if name == "units_sold:top":
            r.metric("units_sold", words)
            r.rank = r.rank or "top"
            return
        r.metric(name, words)

    def _dimension(self, m: re.Match[str]) -> tuple[str, bool]:
        for name in v.DIMENSION_WORDS:
            word = m.group(name) if name in m.groupdict() else None
            if word:
                plural = (
                    bool(re.search(r"(?:s|ies)$", word)) and name != "status" or word.endswith("statuses")
                )
                return name, plural
        raise AssertionError("a dimension pattern matched without a dimension")

    def _set_group(self, r: _Reading, dim: str, words: str) -> None:
        if r.group_by and r.group_by != dim:
            raise Refuse(
                "unclear", f"The question groups by {r.group_by} and by {dim}; I can group by one at a time."
            )
        r.group_by = dim
        r.understood.append(f"by {dim} ({words.strip()})")

    def _ranked(self, r: _Reading, m: re.Match[str]) -> None:
        dim, plural = self._dimension(m)
        words = m.group(0)
        rank_word = m.group("rank") or m.group("rank2") or ""
        r.rank = "bottom" if re.fullmatch(v.RANK_BOTTOM, rank_word) else "top"
        n = next(
            (
                to_number(g)
                for g in re.findall(
                    r"\b(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty)\b",
                    words,
                )
            ),
            None,
        )
        r.limit = n or (5 if plural else 1)
        for word, metric in v.RANK_HINTS.items():
            if word in words:
                r.hint = metric
        if m.group("between"):
            r.understood.append(f"metric {METRICS[r.hint or 'revenue'].label.lower()} ({m.group('between')})")
        self._set_group(r, dim, words)

    def _which(self, r: _Reading, m: re.Match[str]) -> None:
        dim, plural = self._dimension(m)
        r.limit = r.limit or (int(m.group("n")) if m.group("n") else 5 if plural else 1)
        self._set_group(r, dim, m.group(0))

    def _who(self, r: _Reading) -> bool | None:
        if r.group_by not in (None, "customer"):
            return False
        if r.group_by is None:
            r.limit = r.limit or 5
            self._set_group(r, "customer", "who")
        return None

    def _group(self, r: _Reading, m: re.Match[str]) -> None:
        g = m.groupdict()
        if g.get("adverb"):
            dim = v.ADVERB_GRAIN[g["adverb"]]
        elif g.get("repeat"):
            dim = g["repeat"]
        elif g.get("noun"):
            dim = g["noun"]
        elif g.get("plural") or g.get("statuses"):
            dim = {"statuses": "status", "countries": "country", "categories": "category"}[g.get("plural") or "statuses"]
        else:
            dim, _ = self._dimension(m)
            if dim == "customer" and re.match(r"\s*per\b", m.group(0)):
                raise Refuse(
                    "unclear",
                    "'Per customer' can mean an average per customer or a list of customers.",
                    ("Top 10 customers by number of orders", "average spend per customer"),
                )
        self._set_group(r, dim, m.group(0))

    def _superlative(self, r: _Reading, rank: Literal["top", "bottom"]) -> None:
        r.rank = rank
        r.limit = r.limit or 1

    def _leftover(self, r: _Reading) -> list[str]:
        words = re.findall(r"[\w$€£%.,'-]+", r.text)
        filler = v.FILLER | v.GROUPED_FILLER if r.group_by else v.FILLER
        return [w for w in words if w.strip(".,'-") and w.strip(".,'-") not in filler]

    # -- assembling -----------------------------------------------------------------------------

    def _assemble(self, r: _Reading, today: date) -> Interpretation:
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
        if len(metrics) > 1:
            labels = " and ".join(METRICS[m].label.lower() for m in metrics)
            raise Refuse("unclear", f"The question asks for {labels}; I answer one metric at a time.")
        if not metrics and r.qualified:
            metrics = ["orders"]
            r.understood.append("metric orders")
        if not metrics:
            default = r.hint or {"status": "orders", "product": "revenue"}.get(r.group_by or "", "revenue")
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
        if r.group_by == "customer" and name == "customers":
            raise Refuse(
                "unclear",
                "Counting customers per customer does not make sense; try top customers by spending.",
            )
        if r.group_by and r.group_by not in metric.dimensions:
            raise Refuse("unclear", f"{metric.label} cannot be broken down by {r.group_by}.")
        for f in r.filters:
            if f.field not in metric.filters:
                raise Refuse(
                    "unclear",
                    f"{metric.label} cannot be filtered by {f.field} without two possible readings.",
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
        period, compare_to = self._periods(r, windows)
        return Interpretation(
            metric=name,
            group_by=r.group_by,
            filters=r.filters,
            period=period,
            compare_to=compare_to,
            rank=r.rank if r.group_by else None,
            limit=r.limit if r.group_by and r.rank else None,
            inactive_days=inactive,
            corrections=r.corrections,
        )

    def _periods(self, r: _Reading, windows: list[Window]) -> tuple[Window | None, Window | None]:
        if r.compare:
            if r.group_by:
                raise Refuse("unclear", "I can compare a total between two periods, not a breakdown.")
            if len(windows) == 2:
                later, earlier = sorted(windows, key=lambda w: w.start, reverse=True)
                return later, earlier
            if len(windows) == 1:
                return windows[0], previous(windows[0])
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
        return Window(label=f"the {days} days before", start=w.start - timedelta(days=days), end=w.start)
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
    return Window(label=f"the {days} days before", start=w.start - timedelta(days=days), end=w.start)


__all__ = ["Parser", "Understanding", "TIME_GRAINS", "previous"]
