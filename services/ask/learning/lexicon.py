"""The learned lexicon: phrases read as vocabulary words, and questions ruled out of scope.

Applied to the normalised question before the parser reads it (``Parser.parse``). A phrase is
replaced only where it stands as whole words; what it was read as goes into the answer's
``corrections`` so the owner sees it ("reading 'umsatz' as 'revenue'").
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

BASE = "base"  # the vocabulary alone: what serves before any label was learned


class Learned(BaseModel):
    model_config = ConfigDict(frozen=True)

    phrase: str = Field(examples=["umsatz"], description="normalised words the vocabulary does not know")
    means: str = Field(examples=["revenue"], description="words the parser reads")
    support: list[str] = Field(
        default_factory=list, description="query ids of the labels it was learned from"
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

    def apply(self, text: str, names: frozenset[str] = frozenset()) -> tuple[str, dict[str, str]]:
        """``text`` with every learned phrase replaced, and what was read as what. A phrase with a
        word in ``names`` (the asking shop's customers, products, categories) is left alone: a
        lexicon is learned from every shop, and one shop's word may be another's product."""
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
                if rest:
                    kept.append(entry.model_copy(update={"support": rest}))
            return kept

        return self.model_copy(update={"phrases": keep(self.phrases), "refusals": keep(self.refusals)})
