"""The learned lexicon: phrases read as vocabulary words, and questions ruled out of scope.

Applied to the normalised question before the parser reads it (``Parser.parse``). A phrase is
replaced only where it stands as whole words; what it was read as goes into the answer's
``corrections`` so the owner sees it ("reading 'umsatz' as 'revenue'").

Per shop: a phrase (and an out-of-scope ruling) learned from a label teaches the shop the label
came from (``shop_id``), and only that shop reads with it (``for_shop``). A reviewer may promote
a learned phrase to every shop (``shop_id`` ``"*"``, ``EVERY_SHOP``); a shop's own reading of a
phrase wins over a promoted one. (A lexicon written before phrases had a shop serves every shop
until the next proposal learns it again per shop.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

BASE = "base"  # the vocabulary alone: what serves before any label was learned
EVERY_SHOP = "*"  # a phrase a reviewer promoted to every shop (no shop id can be "*")


class Learned(BaseModel):
    model_config = ConfigDict(frozen=True)

    phrase: str = Field(examples=["umsatz"], description="normalised words the vocabulary does not know")
    means: str = Field(examples=["revenue"], description="words the parser reads")
    support: list[str] = Field(
        default_factory=list, description="query ids of the labels it was learned from"
    )
    shop_id: str | None = Field(
        default=None,
        description="the shop whose labels taught it; '*': promoted to every shop by a reviewer",
    )


class Lexicon(BaseModel):
    model_config = ConfigDict(frozen=True)

    version: str = BASE
    phrases: list[Learned] = Field(default_factory=list)
    refusals: list[Learned] = Field(
        default_factory=list,
        description="questions ruled out of scope: phrase is the normalised question, means the reason",
    )
    trained_on: list[str] = Field(default_factory=list, description="query ids of every label it saw")
    _by_shop: dict[str, Lexicon] = PrivateAttr(default_factory=dict)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Lexicon:
        copy = super().model_copy(update=update, deep=deep)
        copy._by_shop = {}  # a copy is another lexicon: its own cache
        return copy

    def for_shop(self, shop_id: str) -> Lexicon:
        """What ``shop_id`` reads with: its own phrases and rulings, and the promoted ones (its own
        reading of a phrase wins). Cached: the serving lexicon is replaced whole, never changed."""
        found = self._by_shop.get(shop_id)
        if found is None:
            own = [e for e in self.phrases if e.shop_id == shop_id]
            mine = {e.phrase for e in own}
            phrases = own + [e for e in self.phrases if e.shop_id in (EVERY_SHOP, None) and e.phrase not in mine]
            refusals = [r for r in self.refusals if r.shop_id in (EVERY_SHOP, None, shop_id)]
            found = self.model_copy(update={"phrases": phrases, "refusals": refusals})
            if len(self._by_shop) < 10_000:
                self._by_shop[shop_id] = found
        return found

    def promoted(self) -> list[Learned]:
        """The phrases a reviewer promoted to every shop."""
        return [e for e in self.phrases if e.shop_id == EVERY_SHOP]

    def promote(self, phrase: str, version: str) -> Lexicon:
        """A new lexicon where ``phrase``, as its shops read it, serves every shop; ``KeyError``
        when no shop learned it, ``ValueError`` when shops read it differently."""
        found = [e for e in self.phrases if e.phrase == phrase and e.shop_id != EVERY_SHOP]
        if not found:
            raise KeyError(phrase)
        meanings = sorted({e.means for e in found})
        if len(meanings) > 1:
            raise ValueError(f"{phrase!r} is read as {' and as '.join(map(repr, meanings))} by different shops")
        support = sorted({s for e in found for s in e.support})
        entry = Learned(phrase=phrase, means=meanings[0], support=support, shop_id=EVERY_SHOP)
        rest = [e for e in self.phrases if not (e.phrase == phrase and e.shop_id == EVERY_SHOP)]
        return self.model_copy(update={"version": version, "phrases": [*rest, entry]})

    def apply(self, text: str, names: frozenset[str] = frozenset()) -> tuple[str, dict[str, str]]:
        """``text`` with every learned phrase replaced, and what was read as what. A phrase with a
        word in ``names`` (the asking shop's customers, products, categories) is left alone: a
        promoted phrase serves every shop, and one shop's word may be another's product. Apply
        ``for_shop(shop)``, not the whole lexicon, to a shop's question."""
        used: dict[str, str] = {}
        for entry in sorted(self.phrases, key=lambda e: -len(e.phrase)):
            if names.intersection(entry.phrase.split()):
                continue
            pattern = rf"(?<![\w'-]){re.escape(entry.phrase)}(?![\w'-])"
            if re.search(pattern, text):
                text = re.sub(pattern, entry.means, text)
                used[entry.phrase] = entry.means
        return text, used

    def refusal(self, text: str) -> str | None:
        """The reviewer's reason when this exact (normalised) question was ruled out of scope."""
        return next((r.means for r in self.refusals if r.phrase == text), None)

    def without(self, query_id: str) -> Lexicon:
        """The lexicon as if one label had never been given (leave-one-out evaluation)."""

        def keep(entries: list[Learned]) -> list[Learned]:
            kept = []
            for entry in entries:
                rest = [s for s in entry.support if s != query_id]
                if rest or entry.shop_id == EVERY_SHOP:  # a promotion is a reviewer's, not a label's
                    kept.append(entry.model_copy(update={"support": rest}))
            return kept

        return self.model_copy(update={"phrases": keep(self.phrases), "refusals": keep(self.refusals)})
