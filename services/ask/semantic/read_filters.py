"""The reading of filters: statuses, the shop's customers, products and categories, countries,
weekdays, order totals ("over $200") and thresholds ("customers with at least 3 orders"). A
filter named twice with different values is refused, never merged."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Literal

from services.ask.semantic.calendar_words import to_number
from services.ask.semantic.catalog import WEEKDAYS
from services.ask.semantic.entities import COUNTRIES, COUNTRY_NAMES, ShopEntities
from services.ask.semantic.filter_phrases import DIRECTIONS, POPULATION_OF, STATUS, STATUS_WORDS
from services.ask.semantic.reading import Reading, Refuse
from shared.interpretation import Filter

COUNTRY_CODES = {n: code for code, ns in COUNTRIES.items() for n in ns}
COUNTRY_ALTERNATION = "|".join(re.escape(n) for n in sorted(COUNTRY_CODES, key=len, reverse=True))


def add_filter(r: Reading, field_name: str, values: list[str], labels: list[str]) -> None:
    for f in r.filters:
        if f.field == field_name and f.values != values:
            raise Refuse(
                "unclear", f"The question names more than one {field_name}; ask about one at a time."
            )
    if not any(f.field == field_name for f in r.filters):
        r.filters.append(Filter(field=field_name, values=list(values), labels=labels))  # type: ignore[arg-type]
        r.understood.append(f"{field_name} {', '.join(labels)}")


def read_statuses(r: Reading) -> None:
    negated = rf"\b(?:not|non|excluding|exclude|except|without|other\s+than|apart\s+from|but\s+not)[\s-]+(?:the\s+)?({STATUS}(?:\s*(?:,|and|or|&|/|nor)\s*{STATUS})*)(?:\s+ones)?"
    listed = rf"(?:\b(?:with|having|in)\s+(?:the\s+|a\s+)?(?:order\s+)?status(?:\s+(?:of|is|=))?\s+)?\b({STATUS}(?:\s*(?:,|and|or|&|/)\s*(?:orders\s+)?{STATUS})*)(?:\s+(?:orders\s+)?only)?"

    def add(m: re.Match[str], op: Literal["in", "not_in"]) -> None:
        found = sorted({STATUS_WORDS[w] for w in re.findall(STATUS, m.group(1))})
        if any(f.field == "status" for f in r.filters):
            raise Refuse("unclear", "The question names statuses twice; name the statuses once.")
        r.filters.append(Filter(field="status", op=op, values=list(found)))
        r.understood.append(f"status {'not ' if op == 'not_in' else ''}{' or '.join(found)}")

    r.take(negated, lambda m: add(m, "not_in"))
    r.take(listed, lambda m: add(m, "in"))


def read_entities(r: Reading, shop: ShopEntities) -> None:
    customers = shop.customers_pattern
    if customers is not None:
        r.take(
            rf"(?:\b(?:by|from|of|for)\s+)?(?:\b(?:customer|client)\s+)?{customers.pattern}",
            lambda m: _customer(r, shop, m.group(0)),
        )
    products = shop.products_pattern
    if products is not None:
        alts = shop.products_alternation
        r.take(  # a basket: "orders that contain both X and Y", "X and Y together"
            rf"\b(?:(?P<both>both|(?P<bw>baskets?|carts?)\s+(?:with|containing|holding))\s+)?(?:the\s+)?(?P<a>{alts})\s+(?:and|&)\s+(?:also\s+)?(?:the\s+)?(?P<b>{alts})"
            r"(?P<together>(?:\s+(?:bought|purchased|ordered|sold))?\s+(?:together|in\s+the\s+same\s+(?:order|basket)))?(?![\w-])",
            lambda m: _basket(r, shop, m),
        )
        plural = products.pattern.replace(r"(?:'?s)?", r"(?:'?s|es)?")
        r.take(
            rf"(?:\bunits\s+of\s+)?(?:\bthe\s+)?{plural}(?:\s+(?:product|item)s?)?",
            lambda m: _product(r, shop, m.group(0)),
        )
    if shop.categories:
        cats = "|".join(re.escape(c) for c in sorted(shop.categories, key=len, reverse=True))
        r.take(
            rf"\b(?:(?:in|from|for|of)\s+)?(?:the\s+)?(?:categor(?:y|ies)\s+)?(?P<c>{cats})(?:\s+(?:categor(?:y|ies)|products?|items?|section|department|goods))?\b",
            lambda m: add_filter(
                r, "category", [shop.categories[m.group("c")]], [shop.categories[m.group("c")]]
            ),
        )
    names, alternatives = COUNTRY_CODES, COUNTRY_ALTERNATION
    r.take(  # "orders from German customers": the customers only qualify the country
        rf"\b(?:from|by|of|among|for|to|with)\s+(?:the\s+|my\s+|all\s+)?(?P<c>{alternatives})\s+(?:customers?|clients?|buyers?|shoppers?)\b"
        rf"|\b(?P<p>{alternatives})\s+(?:customers|clients|buyers|shoppers)(?:'|\s+(?={POPULATION_OF}))",
        lambda m: _country(r, names[m.group("c") or m.group("p")], m),
    )
    r.take(  # "units that went to buyers in Italy"
        rf"\b(?:(?:that|which)\s+)?(?:went|go|goes|sold|shipped)\s+to\s+(?:customers?\s+|clients?\s+|buyers?\s+|shoppers?\s+)?(?:(?:in|from|based\s+in|located\s+in)\s+)?(?:the\s+)?(?P<c>{alternatives})(?![\w])",
        lambda m: add_filter(r, "country", [names[m.group("c")]], [COUNTRY_NAMES[names[m.group("c")]]]),
    )
    r.take(
        rf"(?:\b(?:from|in|by|of|for|among|to)\s+(?:the\s+|my\s+)?(?:customers?|clients?|buyers?|shoppers?)\s+(?:from|in|based\s+in|located\s+in)\s+|\b(?:from|in|to|for)\s+)?(?:the\s+)?(?<![\w.])(?P<c>{alternatives})(?![\w])",
        lambda m: _country(r, names[m.group("c")], m),
    )


def _country(r: Reading, code: str, m: re.Match[str]) -> None:
    """A country; "of customers from Canada", "of German customers": the customers are the
    population, and the count of them when no other metric is named."""
    add_filter(r, "country", [code], [COUNTRY_NAMES[code]])
    if re.search(r"\b(?:customers?|clients?|buyers?|shoppers?)\b", m.group(0)):
        r.population = True


def _customer(r: Reading, shop: ShopEntities, words: str) -> None:
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
    add_filter(r, "customer", [matches[0].customer_id], [f"{matches[0].name} ({matches[0].customer_id})"])


def _product(r: Reading, shop: ShopEntities, words: str) -> None:
    key = re.sub(r"^(?:units\s+of\s+)?(?:the\s+)?", "", words.strip())
    key = re.sub(r"\s+(?:product|item)s?$", "", key)
    for candidate in (key, re.sub(r"'?s$", "", key), re.sub(r"es$", "", key)):
        if candidate in shop.products:
            pid, name = shop.products[candidate]
            if words.strip().startswith("units of"):
                r.metric("units_sold", "units")
            add_filter(r, "product", [pid], [name])
            return


def _basket(r: Reading, shop: ShopEntities, m: re.Match[str]) -> bool | None:
    if not (m.group("both") or m.group("together")):
        return False  # "X and Y" alone: either or both? left for the refusal of two products
    (a, an), (b, bn) = shop.products[m.group("a")], shop.products[m.group("b")]
    if a == b or any(f.field == "product" for f in r.filters):
        raise Refuse("unclear", f"I could not read {m.group(0).strip()!r} as one basket of two products.")
    r.filters.append(Filter(field="product", op="all", values=[a, b], labels=[an, bn]))
    r.understood.append(f"orders containing both {an} and {bn}")
    r.qualified = True  # "how many times were X and Y bought together": orders
    return None


def read_weekday(r: Reading, m: re.Match[str]) -> None:
    word = re.sub(r"\s+", "", m.group("d") or m.group("a"))
    if word.startswith("weekend"):
        days = ["Saturday", "Sunday"]
    elif word.startswith("weekday"):
        days = list(WEEKDAYS[:5])
    else:
        days = [word.rstrip("s").capitalize() if not word.endswith("days") else word[:-1].capitalize()]
    add_filter(r, "weekday", days, days)


def read_amount(r: Reading, m: re.Match[str], between: bool = False) -> None:
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
            raise Refuse("unclear", f"I could not read {m.group(0).strip()!r} as a range of order totals.")
        r.filters.append(Filter(field="amount", op="between", values=[low, high]))
    else:
        cmp = re.sub(r"\s+", " ", m.group("cmp"))
        op = next(op for op, words in DIRECTIONS.items() if any(cmp.startswith(w) for w in words))
        r.filters.append(Filter(field="amount", op=op, values=[number("a")]))  # type: ignore[arg-type]
    r.understood.append(f"order total {m.group(0).strip()}")


def read_threshold(r: Reading, m: re.Match[str], field_name: str) -> None:
    g = m.groupdict()
    n = to_number(g.get("n") or g.get("n2") or g.get("n3") or g.get("n4") or "")
    cmp = re.sub(r"\s+", " ", g.get("cmp") or "at least")
    if g.get("cmp3") or g.get("cmp4"):
        cmp = "at least" if re.sub(r"\s+", " ", g.get("cmp3") or g["cmp4"]) in ("+", "or more") else "at most"
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
