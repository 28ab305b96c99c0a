"""The names a question may use, resolved against the shop's own data.

Customer and product names, categories and countries come from the warehouse (one read per
shop, cached; the warehouse is read-only while the service runs). Two customers who share a
name stay two customers: the parser says so instead of merging them.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import cached_property

from services.ask.warehouse import Warehouse

COUNTRIES: dict[str, tuple[str, ...]] = {
    "US": ("united states", "united states of america", "usa", "u.s.", "u.s.a.", "america", "american"),
    "GB": ("united kingdom", "uk", "u.k.", "great britain", "britain", "british"),
    "DE": ("germany", "german"),
    "FR": ("france", "french"),
    "CA": ("canada", "canadian"),
    "AU": ("australia", "australian"),
    "JP": ("japan", "japanese"),
    "IN": ("india", "indian"),
    "NL": ("netherlands", "the netherlands", "holland", "dutch"),
    "ES": ("spain", "spanish"),
    "IT": ("italy", "italian"),
    "BR": ("brazil", "brazilian"),
    "MX": ("mexico", "mexican"),
    "SE": ("sweden", "swedish"),
    "NO": ("norway", "norwegian"),
    "DK": ("denmark", "danish"),
    "FI": ("finland", "finnish"),
    "IE": ("ireland", "irish"),
    "CH": ("switzerland", "swiss"),
    "AT": ("austria", "austrian"),
    "BE": ("belgium", "belgian"),
    "PL": ("poland", "polish"),
    "PT": ("portugal", "portuguese"),
    "CN": ("china", "chinese"),
    "KR": ("south korea", "korea", "korean"),
    "SG": ("singapore",),
    "NZ": ("new zealand",),
    "ZA": ("south africa",),
}
COUNTRY_NAMES = {code: names[0].title().replace("Of", "of") for code, names in COUNTRIES.items()}
COUNTRY_NAMES.update(US="the United States", GB="the United Kingdom", NL="the Netherlands")


@dataclass(frozen=True)
class Customer:
    customer_id: str
    name: str
    email: str | None


@dataclass
class ShopEntities:
    customers: dict[str, list[Customer]] = field(default_factory=dict)  # lower-case name -> customers
    products: dict[str, tuple[str, str]] = field(default_factory=dict)  # lower-case name -> (id, name)
    categories: dict[str, str] = field(default_factory=dict)  # lower-case -> as stored
    countries: set[str] = field(default_factory=set)  # codes present in the data

    @cached_property
    def words(self) -> frozenset[str]:
        """Every word of a customer's, product's or category's name (lower case)."""
        names = [*self.customers, *self.products, *self.categories]
        return frozenset(w for name in names for w in name.split())

    def names_pattern(self, names: list[str]) -> re.Pattern[str] | None:
        if not names:
            return None
        return re.compile(rf"(?<![\w-])(?:{alternation(names)})(?:'?s)?(?![\w-])")

    @cached_property
    def customers_pattern(self) -> re.Pattern[str] | None:
        return self.names_pattern(list(self.customers))

    @cached_property
    def products_pattern(self) -> re.Pattern[str] | None:
        return self.names_pattern(list(self.products))

    @cached_property
    def products_alternation(self) -> str:
        return alternation(list(self.products))

    @cached_property
    def names_by_length(self) -> dict[int, list[str]]:
        """Customers' and products' names (lower case) by their number of words, for typo fixes."""
        out: dict[int, list[str]] = {}
        for name in sorted({*self.customers, *self.products}):
            out.setdefault(len(name.split(" ")), []).append(name)
        return out

    @cached_property
    def known_words(self) -> frozenset[str]:
        """Every word of a name of the shop or of a country: never "corrected" into another word."""
        return self.words | {w for names in COUNTRIES.values() for n in names for w in n.split()}


def alternation(names: list[str]) -> str:
    """``a|b|c`` of the escaped names, longest first (so the longest name is matched)."""
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


class EntityIndex:
    """Per-shop entities, loaded on first use."""

    def __init__(self, warehouse: Warehouse):
        self._warehouse = warehouse
        self._shops: dict[str, ShopEntities] = {}
        self._lock = threading.Lock()

    def for_shop(self, shop_id: str) -> ShopEntities:
        with self._lock:
            cached = self._shops.get(shop_id)
        if cached is not None:
            return cached
        wh = self._warehouse
        found = ShopEntities()
        for cid, name, email, country in wh.query(
            "SELECT customer_id, name, email, country FROM customers WHERE shop_id = ? ORDER BY customer_id",
            [shop_id],
        ):
            found.customers.setdefault(str(name).lower(), []).append(Customer(str(cid), str(name), email))
            if country:
                found.countries.add(str(country).upper())
        for pid, name, category in wh.query(
            "SELECT product_id, name, category FROM products WHERE shop_id = ? ORDER BY product_id", [shop_id]
        ):
            found.products.setdefault(str(name).lower(), (str(pid), str(name)))
            if category:
                found.categories[str(category).lower()] = str(category)
        with self._lock:
            self._shops[shop_id] = found
        return found
