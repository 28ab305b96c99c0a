"""Revoked words: a reviewer's decision that a shop must stop reading a learned word.

A revocation names the shop and the word (``shop_id`` ``"*"``: the promotion to every shop),
what the word was read as, who revoked it, when and why. The store keeps every revocation in
``<data>/understanding/revoked.json`` (``store.py``), so a restarted ask service keeps them.

The learner rebuilds its lexicon from every label at each proposal, so a revocation must also
hold back the labels that taught the word (``still_taught``): a label given before the revocation
never teaches that shop the word again. A label a reviewer gives *after* the revocation (its
``labelled_at`` is later) may teach it again: that is a new, explicit decision, and the word still
has to pass the held-out gate like any other. (Times are compared to the second: a label given
in the same second as the revocation counts as before it.)
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.ask.learning.labels import Label
from services.ask.semantic.lexicon import Learned, Lexicon


class Revocation(BaseModel):
    model_config = ConfigDict(frozen=True)

    shop_id: str = Field(description="the shop that stops reading the word; '*': the promotion to every shop")
    phrase: str
    means: str = Field(description="what the word was read as until it was revoked")
    support: list[str] = Field(default_factory=list, description="query ids of the labels that had taught it")
    by: str | None = Field(default=None, description="the reviewer who revoked it")
    reason: str | None = None
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    def holds_back(self, label: Label) -> bool:
        """Is ``label`` one this revocation keeps from teaching the word (given before it)?"""
        if self.shop_id != label.shop_id:  # labels teach their own shop, never every shop
            return False
        if label.labelled_at is None:
            return True
        given = label.labelled_at if label.labelled_at.tzinfo else label.labelled_at.replace(tzinfo=UTC)
        return given.replace(microsecond=0) <= self.at.replace(microsecond=0)


def revoke(lexicon: Lexicon, shop_id: str, phrase: str, version: str) -> tuple[Lexicon, Learned]:
    """``lexicon`` without the word ``shop_id`` reads (``"*"``: without its promotion), and the entry
    removed; ``KeyError`` when that shop has no such word of its own."""
    found = next((e for e in lexicon.phrases if e.phrase == phrase and e.shop_id == shop_id), None)
    if found is None:
        raise KeyError(phrase)
    rest = [e for e in lexicon.phrases if e is not found]
    return lexicon.model_copy(update={"version": version, "phrases": rest}), found


def still_taught(revocations: list[Revocation], label: Label, phrases: list[Learned]) -> list[Learned]:
    """What ``label`` may still teach: ``phrases`` less the words revoked for its shop after it was
    given."""
    blocked = {r.phrase for r in revocations if r.holds_back(label)}
    return [e for e in phrases if e.phrase not in blocked]
