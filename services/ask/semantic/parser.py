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
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from services.ask.semantic import vocabulary as v
from services.ask.semantic import words
from services.ask.semantic.assemble import assemble
from services.ask.semantic.assemble import previous as previous_window
from services.ask.semantic.catalog import METRICS, PERCENTILES, ROW_METRICS, WEEKDAYS
from services.ask.semantic.entities import COUNTRIES, COUNTRY_NAMES, EntityIndex, ShopEntities
from services.ask.semantic.lexicon import Lexicon
from services.ask.semantic.periods import MONTHS, Found, find_periods, to_number
from services.ask.semantic.reading import Reading, Refuse, Understanding, normalise
from shared.interpretation import Filter, Interpretation, Window


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


COUNTRY_CODES = {n: code for code, ns in COUNTRIES.items() for n in ns}
COUNTRY_ALTERNATION = "|".join(re.escape(n) for n in sorted(COUNTRY_CODES, key=len, reverse=True))
# Lower-case codes that are not English words ("de", "fr"); "us" and "ca" are handled apart.
LOWER_CODES = sorted(c.lower() for c in COUNTRIES if c not in ("IN", "IT", "AT", "NO", "BE"))
LOWER_CODE = re.compile(
    r"(?P<verb>\b(?:bought|buy|buys|ordered|purchased|shopped|spent|spend)\s+)?"
    rf"(?P<pre>\b(?P<p>from|in|to|for|among)\s+(?:the\s+)?)(?P<c>{'|'.join(LOWER_CODES)})(?![\w'-])"
)
COUNTRY_WORDS = frozenset(n for names in COUNTRIES.values() for n in names if n.isalpha() and len(n) > 4)


class Parser:
    def __init__(self, entities: EntityIndex):
        self.entities = entities

    def parse(
        self,
        question: str,
        shop_id: str,
        today: date,
        lexicon: Lexicon | None = None,
        previous: Interpretation | None = None,
    ) -> Understanding:
        """``lexicon``: what reviewers' labels taught (``services.ask.learning``); none: the vocabulary
        alone. ``previous``: the last reading of this conversation, which a follow-up is read against."""
        text = normalise(question)
        learned: dict[str, str] = {}
        ruled_out = lexicon.refusal(text) if lexicon is not None else None
        if lexicon is not None and lexicon.phrases:
            text, learned = lexicon.apply(text, self.entities.for_shop(shop_id).words)
        r = Reading(text=f" {text} ", original=text, corrections=dict(learned))
        try:
            if ruled_out is not None:
                raise Refuse("out_of_scope", f"A reviewer ruled this question out of scope: {ruled_out}")
            if learned:  # a learned word never hides a topic the data does not hold
                self._scope(Reading(text=f" {normalise(question)} "))
            shop = self.entities.for_shop(shop_id)
            r.take(words.POLITE_PHRASES, lambda m: r.skipped.append(m.group(0).strip()))
            self._lower_codes(r, shop)
            self._correct(r, shop)
            self._scope(r)
            r.text = v.reorder(r.text)
            r.take(v.FOLLOW_UP, lambda m: self._follow_up(r, m))
            if previous is not None:
                r.take(v.FOLLOW_UP_NARROWING, lambda m: self._follow_up(r, m))
                self._relative_to(r, previous)
            self._read(r, shop, today)
            if previous is not None and (r.follow_up or not (r.metrics or r.not_bought or r.qualified)):
                r.follow_up = True
                if previous.group_by is not None and r.group_by is None:  # "top 3"
                    r.take(v.TOP_N, lambda m: self._cut(r, m))
                r.take(v.FOLLOW_UP_WORDS, lambda m: None)
                if not [u for u in r.understood if not u.startswith("a follow-up")]:
                    raise Refuse(
                        "unclear", "That adds nothing to the previous question; ask what should change."
                    )
            elif r.follow_up:
                raise Refuse(
                    "unclear",
                    "This reads as a follow-up to an earlier question, but there is no conversation to "
                    "follow; ask the whole question (or send the conversation_id of the previous answer).",
                )
            unknown = [w for w in self._leftover(r) if not words.skippable(w)]
            if unknown:
                vocabulary = self._vocabulary(shop)
                hint = words.did_you_mean(
                    [w for w in unknown if w not in vocabulary and w not in words.PROTECTED], vocabulary
                )
                raise Refuse(
                    "unclear",
                    f"I could not use {', '.join(repr(w) for w in unknown)}, so I won't guess what you meant."
                    + (f" Did you mean {' or '.join(repr(h) for h in hint[:3])}?" if hint else ""),
                )
            q = assemble(r, today, previous if r.follow_up else None)
        except Refuse as exc:
            leftover = self._leftover(r)
            skipped = r.skipped + [w.strip(".,'-") for w in leftover if words.skippable(w)]
            return Understanding(
                exc.outcome,
                None,
                exc.message,
                r.understood,
                leftover,
                exc.suggestions,
                list(dict.fromkeys(skipped)),
            )
        skipped = r.skipped + [w.strip(".,'-") for w in self._leftover(r)]
        return Understanding("answer", q, "", r.understood, skipped=list(dict.fromkeys(skipped)))

    @staticmethod
    def _vocabulary(shop: ShopEntities) -> set[str]:
        return (
            set(v.CONTENT_WORDS) | shop.words | {n for ns in COUNTRIES.values() for n in ns if " " not in n}
        )

    # -- reading --------------------------------------------------------------------------------

    def _correct(self, r: Reading, shop: ShopEntities) -> None:
        known = shop.known_words
        countries = COUNTRY_WORDS
        self._fix_names(r, shop)
        out: list[str] = []
        for word in r.text.split(" "):
            fixed = v.SHORTHAND.get(word)
            if fixed is None and word not in known:
                fixed = v.SHORTHAND_UNLESS_NAMED.get(word)
            if (
                fixed is None
                and word
                and word not in known
                and word not in v.KNOWN_WORDS
                and not words.skippable(word)
            ):
                fixed = v.correct(word, set(shop.categories) | countries)
                if fixed:
                    r.corrections[word] = fixed
            out.append(word if fixed is None else fixed)
        r.text = " ".join(out)

    def _lower_codes(self, r: Reading, shop: ShopEntities) -> None:
        """Country codes typed in lower case after a preposition ("rev ytd from de", "orders in fr"):
        read where the code is no English word and no word of the shop's names. "in us" is the United
        States; "from us", "for us" and "ca" (Canada or California?) are refused, never skipped."""

        def code(m: re.Match[str]) -> str:
            c = m.group("c")
            if c in shop.known_words:
                return m.group(0)
            if c == "ca" or (c == "us" and m.group("p") != "in" and not m.group("verb")):
                raise Refuse(
                    "unclear",
                    f"I could not tell what {(m.group('pre') + c).strip()!r} means"
                    + (" (Canada or California?)" if c == "ca" else " (the United States, or your shop?)")
                    + f"; write the country's name or its code in capitals ({c.upper()}).",
                )
            if c == "us" and m.group("verb"):
                return m.group(0)  # "bought from us": the shop
            return f"{m.group('verb') or ''}{m.group('pre')}{COUNTRIES[c.upper()][0]}"

        r.text = LOWER_CODE.sub(code, r.text)

    def _unknown(self, word: str, shop: ShopEntities) -> bool:
        return (
            len(word) >= 3
            and word.isalpha()
            and word not in shop.known_words
            and word not in v.KNOWN_WORDS
            and word not in v.SHORTHAND
            and not words.skippable(word)
        )

    def _fix_names(self, r: Reading, shop: ShopEntities) -> None:
        """A typo inside a customer's or product's name ("Portable Chargr", "Fraces Shaw"): read as
        that name when exactly one name of the shop is that close (one edit, two in a long name; no
        other name within one more edit) and every other word of it is typed as in the name. Only
        words outside every vocabulary are touched, so the work is done only for such questions."""
        tokens = r.text.split(" ")
        unknown = [i for i, w in enumerate(tokens) if self._unknown(w, shop)]
        if not unknown:
            return
        fixes: dict[tuple[int, int], str] = {}
        for i in unknown:
            found: set[tuple[int, int, str]] = set()
            for n, names in shop.names_by_length.items():
                for start in range(max(0, i - n + 1), i + 1):
                    window = tokens[start : start + n]
                    if len(window) < n or not all(window):
                        continue
                    phrase = " ".join(window)
                    hits = process.extract(phrase, names, scorer=Levenshtein.distance, limit=2)
                    if not hits:
                        continue
                    name, d = hits[0][0], hits[0][1]
                    if d == 0 or d > (1 if len(phrase) < 8 else 2):
                        continue
                    if len(hits) > 1 and hits[1][1] <= d + 1:
                        continue  # two names about as close: never pick one
                    if all(
                        w == nw or self._unknown(w, shop)
                        for w, nw in zip(window, name.split(" "), strict=True)
                    ):
                        found.add((start, start + n, name))
            if len({name for _, _, name in found}) == 1:
                start, end, name = max(found, key=lambda f: f[1] - f[0])
                fixes[(start, end)] = name
        for (start, end), name in sorted(fixes.items(), reverse=True):
            r.corrections[" ".join(tokens[start:end])] = name
            tokens[start:end] = [name]
        r.text = " ".join(tokens)

    def _scope(self, r: Reading) -> None:
        if v.ACTION.search(r.text):
            raise Refuse(
                "out_of_scope", "I only read your shop's data; I can't change orders, customers or prices."
            )
        for pattern, topic in v.OUT_OF_SCOPE:
            if re.search(pattern, r.text):
                raise Refuse(
                    "out_of_scope", f"Your shop's data does not hold {topic}, so I can't answer that."
                )

    def _read(self, r: Reading, shop: ShopEntities, today: date) -> None:
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
        if not r.periods and re.search(r"\b(?:over|on|during|at|in|from)\s+the\s+weekend(?!s)\b", r.text):
            raise Refuse(  # "revenue over the weekend": the last one, not every weekend ever
                "unclear",
                "Which weekend? Name a period ('revenue on weekends last month', 'revenue on 5 and 6 December'), "
                "or ask 'revenue on weekends' for every weekend.",
            )
        r.take(v.WEEKEND_SPLIT, lambda m: self._set_group(r, "weekend", m.group(0)))
        r.take(v.WEEKDAY_FILTER, lambda m: self._weekday(r, m))
        for unanswerable, why in v.UNANSWERABLE:
            if unanswerable.search(r.text):
                raise Refuse("unclear", why)
        r.take(v.ROW_EXTREME, lambda m: self._row(r, m))
        r.take(v.WHEN_EXTREME, lambda m: self._row(r, m))
        if v.ANY_EXTREME.search(r.text) and v.ROW_PARTS.search(r.text) and not v.GROUPING_WORD.search(r.text):
            r.take(v.ANY_EXTREME, lambda m: self._row(r, m))
        if any(m in ROW_METRICS for m in r.metrics):  # "... and what date": a part the row holds
            r.take(v.ROW_PARTS, lambda m: None)
        r.take(v.CUSTOMER_ORDER, lambda m: self._row(r, m))
        r.take(v.CUSTOMER_THRESHOLD, lambda m: self._threshold(r, m, "purchases"))
        r.take(v.ORDER_THRESHOLD, lambda m: self._threshold(r, m, "items"))
        r.take(v.MEDIAN, lambda m: r.metric("median_order_value", m.group(0)))
        r.take(v.PERCENTILE, lambda m: self._percentile(r, m))
        r.take(v.COMPARE, lambda m: self._compare(r, m))
        if r.compare:  # "this week vs the one before": the period before the one named
            r.take(v.THE_ONE_BEFORE, lambda m: self._one_before(r, m))
        r.take(v.AMOUNT_BETWEEN, lambda m: self._amount(r, m, between=True))
        r.take(v.AMOUNT, lambda m: self._amount(r, m))
        r.take(v.RATIO, lambda m: self._ratio(r, m))
        for pattern, name in v.SPECIAL_METRICS:
            r.take(rf"(?<![\w]){pattern}(?![\w])", partial(self._special, r, name))
        self._statuses(r)
        self._entities(r, shop)
        for pattern, name in v.SPECIAL_METRICS:  # again: "customers from Germany who ordered"
            r.take(rf"(?<![\w]){pattern}(?![\w])", partial(self._special, r, name))
        r.take(v.SHARE, lambda m: self._share(r, m))
        for pattern, name in v.COMPOUND_METRICS:
            r.take(rf"(?<![\w]){pattern}(?![\w])", partial(self._compound, r, name))
        r.take(v.RANKED_DIMENSION, lambda m: self._ranked(r, m))
        r.take(v.WHICH_DIMENSION, lambda m: self._which(r, m))
        r.take(v.GROUP_BY, lambda m: self._group(r, m))
        if r.group_by:  # "revenue by country and month"
            r.take(v.AND_GROUP, lambda m: self._set_group(r, self._dimension(m)[0], m.group(0)))
        r.take(r"^\s*who\b", lambda m: self._who(r))  # the question word, not "customers who ..."
        for pattern, name in v.SIMPLE_METRICS:
            r.take(rf"(?<![\w]){pattern}(?![\w])", partial(self._simple, r, name))
        if r.group_by and r.rank and r.metrics:  # "top 3 countries by AOV": the metric read, its "by" left
            r.take(r"\bby(?=\s*$)", lambda m: None)
        if r.group_by:  # "products by units, top 8": the cut after the breakdown
            r.take(v.BREAK_DOWN, lambda m: None)
            r.take(v.TOP_N, lambda m: self._cut(r, m))
            r.take(v.TOP, lambda m: self._superlative(r, "top"))
            r.take(v.BOTTOM, lambda m: self._superlative(r, "bottom"))
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
        r.take(v.FILLER_PHRASES, lambda m: None)
        if r.group_by is None:  # "on average" over a breakdown would be a different question
            r.take(r"\bon\s+average\b", lambda m: None)

    def _compare(self, r: Reading, m: re.Match[str]) -> None:
        r.compare = True
        # "vs last month", "compared with last month": the period after the word is the base
        if r.compare_at < 0 and re.match(r"vs|versus|compared|against|relative", m.group(0)):
            r.compare_at = m.start()

    def _basket(self, r: Reading, shop: ShopEntities, m: re.Match[str]) -> bool | None:
        if not (m.group("both") or m.group("together")):
            return False  # "X and Y" alone: either or both? left for the refusal of two products
        (a, an), (b, bn) = shop.products[m.group("a")], shop.products[m.group("b")]
        if a == b or any(f.field == "product" for f in r.filters):
            raise Refuse("unclear", f"I could not read {m.group(0).strip()!r} as one basket of two products.")
        r.filters.append(Filter(field="product", op="all", values=[a, b], labels=[an, bn]))
        r.understood.append(f"orders containing both {an} and {bn}")
        r.qualified = True  # "how many times were X and Y bought together": orders
        return None

    def _ratio(self, r: Reading, m: re.Match[str]) -> None:
        pair = v.RATIOS.get((m.group("a2"), m.group("b2")))
        if pair is None or r.per is not None:
            raise Refuse("unclear", f"I could not read {m.group(0).strip()!r} as one ratio of two metrics.")
        r.metric(pair[0], m.group(0))
        r.per = pair[1]
        r.understood.append(f"divided by {METRICS[pair[1]].label.lower()}")

    def _share(self, r: Reading, m: re.Match[str]) -> None:
        if r.share:
            raise Refuse("unclear", "The question asks for a share twice; ask for one share at a time.")
        r.share = True
        r.understood.append(f"as a share of the total ({m.group(0).strip()})")

    def _weekday(self, r: Reading, m: re.Match[str]) -> None:
        word = re.sub(r"\s+", "", m.group("d") or m.group("a"))
        if word.startswith("weekend"):
            days = ["Saturday", "Sunday"]
        elif word.startswith("weekday"):
            days = list(WEEKDAYS[:5])
        else:
            days = [word.rstrip("s").capitalize() if not word.endswith("days") else word[:-1].capitalize()]
        self._add(r, "weekday", days, days)

    def _row(self, r: Reading, m: re.Match[str]) -> None:
        x = re.sub(r"\s+", " ", m.group("x"))
        name = {
            "biggest": "largest_order_row", "largest": "largest_order_row", "highest": "largest_order_row",
            "most expensive": "largest_order_row", "smallest": "smallest_order_row", "lowest": "smallest_order_row",
            "cheapest": "smallest_order_row", "first": "first_order", "earliest": "first_order",
            "last": "last_order", "latest": "last_order", "most recent": "last_order",
        }[x]  # fmt: skip
        r.metric(name, m.group(0))

    def _threshold(self, r: Reading, m: re.Match[str], field_name: str) -> None:
        g = m.groupdict()
        n = to_number(g.get("n") or g.get("n2") or g.get("n3") or g.get("n4") or "")
        cmp = re.sub(r"\s+", " ", g.get("cmp") or "at least")
        if g.get("cmp3") or g.get("cmp4"):
            cmp = (
                "at least"
                if re.sub(r"\s+", " ", g.get("cmp3") or g["cmp4"]) in ("+", "or more")
                else "at most"
            )
        op = {"at least": "gte", "no fewer than": "gte", "no less than": "gte", "more than": "gt", "over": "gt",
              "greater than": "gt", "above": "gt", "fewer than": "lt", "less than": "lt", "under": "lt",
              "below": "lt", "at most": "lte", "no more than": "lte", "up to": "lte"}[cmp]  # fmt: skip
        if n is None or any(f.field == field_name for f in r.filters):
            raise Refuse("unclear", f"I could not read {m.group(0).strip()!r} as one threshold.")
        r.filters.append(Filter(field=field_name, op=op, values=[float(n)]))  # type: ignore[arg-type]
        r.understood.append(m.group(0).strip())
        if field_name == "purchases":
            r.metric("customers_by_purchases", m.group(0))
        else:
            r.qualified = True  # "orders with more than 4 items": orders, unless another metric is named

    def _percentile(self, r: Reading, m: re.Match[str]) -> None:
        p = int(m.group("p") or m.group("p2"))
        name = "median_order_value" if p == 50 else f"p{p}_order_value"
        if name not in METRICS:
            raise Refuse(
                "unclear",
                f"I can compute the median and the percentiles {', '.join(str(x) for x in PERCENTILES)} of order value.",
            )
        r.metric(name, m.group(0))

    def _relative_to(self, r: Reading, q: Interpretation) -> None:
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
                        update={
                            "label": f"{MONTHS[shifted.start.month - 1].capitalize()} {shifted.start.year}"
                        }
                    )
                elif unit_of(window) == "year" and (shifted.start.month, shifted.start.day) == (1, 1):
                    shifted = shifted.model_copy(update={"label": str(shifted.start.year)})
                r.periods.append(Found(-1, -1, shifted, shifted.label))
                r.understood.append(f"period {shifted.describe()} ({m.group(0).strip()})")

            r.take(v.THE_ONE_BEFORE, before)
        if q.metric in ("average_order_value", "median_order_value") or q.metric.endswith("_order_value"):
            for p in PERCENTILES:  # "and the 90th percentile?"
                r.take(rf"^\s*(?:the\s+)?(?:{p}(?:st|nd|rd|th)?\s+percentile|p{p})\s*$",
                       partial(self._follow_metric, r, f"p{p}_order_value" if p != 50 else "median_order_value"))  # fmt: skip
            for pattern, name in ((r"^\s*(?:the\s+)?median\s*$", "median_order_value"),
                                  (r"^\s*(?:the\s+)?(?:mean|average)\s*$", "average_order_value")):  # fmt: skip
                r.take(pattern, partial(self._follow_metric, r, name))

    def _follow_metric(self, r: Reading, name: str, m: re.Match[str]) -> None:
        r.follow_up = True
        r.metric(name, m.group(0))

    def _follow_up(self, r: Reading, m: re.Match[str]) -> None:
        r.follow_up = True
        r.understood.append(f"a follow-up ({m.group(0).strip()})")

    def _one_before(self, r: Reading, m: re.Match[str]) -> None:
        unit = m.group("unit")
        named = [p.window for p in r.periods if p.window is not None]
        if len(named) != 1 or (unit and unit not in ("one", "period") and unit != unit_of(named[0])):
            raise Refuse("unclear", f"I could not tell which period {m.group(0).strip()!r} is.")
        # the traps set keeps "yesterday vs the day before" refused; only a follow-up reads it
        if unit == "day":
            raise Refuse("unclear", "Name both days to compare them, e.g. 'revenue yesterday vs 5 December'.")
        r.understood.append(f"compared with {m.group(0).strip()}")

    def _cut(self, r: Reading, m: re.Match[str]) -> None:
        stated = re.search(r"\d", " ".join(r.understood))  # "top 5 ... top 8": two cuts
        if r.rank is not None and r.limit not in (None, int(m.group("n"))) and stated:
            raise Refuse("unclear", "The question names two different cuts (top N); name one.")
        r.rank = "bottom" if m.group("r") == "bottom" else "top"
        r.limit = int(m.group("n"))
        r.understood.append(f"{r.rank} {r.limit}")

    def _amount(self, r: Reading, m: re.Match[str], between: bool = False) -> None:
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
            low, high = number("a"), number("b")
            if low >= high:  # "between 9 and 5" reads as hours, not amounts
                raise Refuse(
                    "unclear", f"I could not read {m.group(0).strip()!r} as a range of order totals."
                )
            r.filters.append(Filter(field="amount", op="between", values=[low, high]))
        else:
            cmp = re.sub(r"\s+", " ", m.group("cmp"))
            op = next(op for op, words in v.DIRECTIONS.items() if any(cmp.startswith(w) for w in words))
            r.filters.append(Filter(field="amount", op=op, values=[number("a")]))  # type: ignore[arg-type]
        r.understood.append(f"order total {m.group(0).strip()}")

    def _special(self, r: Reading, name: str, m: re.Match[str]) -> None:
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

    def _statuses(self, r: Reading) -> None:
        negated = rf"\b(?:not|non|excluding|exclude|except|without|other\s+than|apart\s+from|but\s+not)[\s-]+(?:the\s+)?({v.STATUS}(?:\s*(?:,|and|or|&|/|nor)\s*{v.STATUS})*)(?:\s+ones)?"
        listed = rf"(?:\b(?:with|having|in)\s+(?:the\s+|a\s+)?(?:order\s+)?status(?:\s+(?:of|is|=))?\s+)?\b({v.STATUS}(?:\s*(?:,|and|or|&|/)\s*(?:orders\s+)?{v.STATUS})*)(?:\s+(?:orders\s+)?only)?"

        def add(m: re.Match[str], op: Literal["in", "not_in"]) -> None:
            found = sorted({v.STATUS_WORDS[w] for w in re.findall(v.STATUS, m.group(1))})
            if any(f.field == "status" for f in r.filters):
                raise Refuse("unclear", "The question names statuses twice; name the statuses once.")
            r.filters.append(Filter(field="status", op=op, values=list(found)))
            r.understood.append(f"status {'not ' if op == 'not_in' else ''}{' or '.join(found)}")

        r.take(negated, lambda m: add(m, "not_in"))
        r.take(listed, lambda m: add(m, "in"))

    def _entities(self, r: Reading, shop: ShopEntities) -> None:
        customers = shop.customers_pattern
        if customers is not None:
            r.take(
                rf"(?:\b(?:by|from|of|for)\s+)?(?:\b(?:customer|client)\s+)?{customers.pattern}",
                lambda m: self._customer(r, shop, m.group(0)),
            )
        products = shop.products_pattern
        if products is not None:
            alts = shop.products_alternation
            r.take(  # a basket: "orders that contain both X and Y", "X and Y together"
                rf"\b(?:(?P<both>both|(?P<bw>baskets?|carts?)\s+(?:with|containing|holding))\s+)?(?:the\s+)?(?P<a>{alts})\s+(?:and|&)\s+(?:also\s+)?(?:the\s+)?(?P<b>{alts})"
                r"(?P<together>(?:\s+(?:bought|purchased|ordered|sold))?\s+(?:together|in\s+the\s+same\s+(?:order|basket)))?(?![\w-])",
                lambda m: self._basket(r, shop, m),
            )
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
        names, alternatives = COUNTRY_CODES, COUNTRY_ALTERNATION
        r.take(  # "orders from German customers": the customers only qualify the country
            rf"\b(?:from|by|of|among|for|to|with)\s+(?:the\s+|my\s+|all\s+)?(?P<c>{alternatives})\s+(?:customers?|clients?|buyers?|shoppers?)\b"
            rf"|\b(?P<p>{alternatives})\s+(?:customers|clients|buyers|shoppers)(?:'|\s+(?={v.POPULATION_OF}))",
            lambda m: self._country(r, names[m.group("c") or m.group("p")], m),
        )
        r.take(  # "units that went to buyers in Italy"
            rf"\b(?:(?:that|which)\s+)?(?:went|go|goes|sold|shipped)\s+to\s+(?:customers?\s+|clients?\s+|buyers?\s+|shoppers?\s+)?(?:(?:in|from|based\s+in|located\s+in)\s+)?(?:the\s+)?(?P<c>{alternatives})(?![\w])",
            lambda m: self._add(r, "country", [names[m.group("c")]], [COUNTRY_NAMES[names[m.group("c")]]]),
        )
        r.take(
            rf"(?:\b(?:from|in|by|of|for|among|to)\s+(?:the\s+|my\s+)?(?:customers?|clients?|buyers?|shoppers?)\s+(?:from|in|based\s+in|located\s+in)\s+|\b(?:from|in|to|for)\s+)?(?:the\s+)?(?<![\w.])(?P<c>{alternatives})(?![\w])",
            lambda m: self._country(r, names[m.group("c")], m),
        )

    def _country(self, r: Reading, code: str, m: re.Match[str]) -> None:
        """A country; "of customers from Canada", "of German customers": the customers are the
        population, and the count of them when no other metric is named."""
        self._add(r, "country", [code], [COUNTRY_NAMES[code]])
        if re.search(r"\b(?:customers?|clients?|buyers?|shoppers?)\b", m.group(0)):
            r.population = True

    def _add(self, r: Reading, field_name: str, values: list[str], labels: list[str]) -> None:
        for f in r.filters:
            if f.field == field_name and f.values != values:
                raise Refuse(
                    "unclear", f"The question names more than one {field_name}; ask about one at a time."
                )
        if not any(f.field == field_name for f in r.filters):
            r.filters.append(Filter(field=field_name, values=list(values), labels=labels))  # type: ignore[arg-type]
            r.understood.append(f"{field_name} {', '.join(labels)}")

    def _customer(self, r: Reading, shop: ShopEntities, words: str) -> None:
        name = re.sub(r"^(?:(?:by|from|of|for)\s+)?(?:(?:customer|client)\s+)?", "", words.strip())
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

    def _product(self, r: Reading, shop: ShopEntities, words: str) -> None:
        key = re.sub(r"^(?:units\s+of\s+)?(?:the\s+)?", "", words.strip())
        key = re.sub(r"\s+(?:product|item)s?$", "", key)
        for candidate in (key, re.sub(r"'?s$", "", key), re.sub(r"es$", "", key)):
            if candidate in shop.products:
                pid, name = shop.products[candidate]
                if words.strip().startswith("units of"):
                    r.metric("units_sold", "units")
                self._add(r, "product", [pid], [name])
                return

    def _simple(self, r: Reading, name: str, m: re.Match[str]) -> None:
        words = m.group(0)
        if name == "orders:qualifier":  # "revenue from orders over $200": orders only if nothing else
            r.qualified = True
            return
        r.metric(name, words)

    def _compound(self, r: Reading, name: str, m: re.Match[str]) -> None:
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

    def _set_group(self, r: Reading, dim: str, words: str) -> None:
        if r.group_by and r.group_by != dim:
            if r.then_by is not None and r.then_by != dim:
                raise Refuse("unclear", "The question groups by three things; I can group by two at most.")
            r.then_by = dim
            r.understood.append(f"then by {dim} ({words.strip()})")
            return
        r.group_by = dim
        r.understood.append(f"by {dim} ({words.strip()})")

    def _ranked(self, r: Reading, m: re.Match[str]) -> None:
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

    def _which(self, r: Reading, m: re.Match[str]) -> None:
        dim, plural = self._dimension(m)
        r.limit = r.limit or (int(m.group("n")) if m.group("n") else 5 if plural else 1)
        self._set_group(r, dim, m.group(0))

    def _who(self, r: Reading) -> bool | None:
        if r.group_by not in (None, "customer"):
            return False
        if r.group_by is None:
            r.limit = r.limit or 5
            self._set_group(r, "customer", "who")
        return None

    def _group(self, r: Reading, m: re.Match[str]) -> None:
        g = m.groupdict()
        if g.get("adverb"):
            dim = v.ADVERB_GRAIN[g["adverb"]]
        elif g.get("repeat"):
            dim = g["repeat"]
        elif g.get("noun"):
            dim = g["noun"]
        elif g.get("plural") or g.get("statuses"):
            dim = {"statuses": "status", "countries": "country", "categories": "category"}[
                g.get("plural") or "statuses"
            ]
        else:
            dim, _ = self._dimension(m)
            if dim == "customer" and re.match(r"\s*per\b", m.group(0)):
                raise Refuse(
                    "unclear",
                    "'Per customer' can mean an average per customer or a list of customers.",
                    ("Top 10 customers by number of orders", "average spend per customer"),
                )
        self._set_group(r, dim, m.group(0))

    def _superlative(self, r: Reading, rank: Literal["top", "bottom"]) -> None:
        r.rank = rank
        r.limit = r.limit or 1

    def _leftover(self, r: Reading) -> list[str]:
        words = re.findall(r"[\w$€£%.,'-]+", r.text)
        filler = v.FILLER | v.GROUPED_FILLER if r.group_by else v.FILLER
        return [w for w in words if w.strip(".,'-") and w.strip(".,'-") not in filler]

    # -- assembling -----------------------------------------------------------------------------


__all__ = ["Parser", "Understanding"]
