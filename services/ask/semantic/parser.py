"""Question -> ``Interpretation``, or a refusal that says what was understood. It never guesses.

The contract: every word of the question is accounted for, used by a metric, a dimension, a
filter, a period or an entity of the shop's own data, or known filler. Words left over, two
metrics, two periods without a comparison, a name two customers share, a filter the metric
cannot take: each is a refusal (``success: false``) that says what was understood, what could not
be used, and how to ask instead. A wrong number stated as fact is the worst answer there is.

This module holds the steps around the reading: the learned lexicon, spelling, scope, follow-ups
and the refusal of words left over. The reading itself, in its fixed order, is ``reader.read``;
the parts it reads are in ``read_measures``, ``read_filters``, ``read_groups`` and
``read_follow_ups``.
"""

from __future__ import annotations

from datetime import date

from services.ask.semantic import words
from services.ask.semantic.assemble import assemble
from services.ask.semantic.dimension_phrases import TOP_N
from services.ask.semantic.entities import EntityIndex, ShopEntities
from services.ask.semantic.follow_up_phrases import FOLLOW_UP, FOLLOW_UP_NARROWING, FOLLOW_UP_WORDS
from services.ask.semantic.lexicon import Lexicon
from services.ask.semantic.out_of_scope import check_scope
from services.ask.semantic.read_follow_ups import read_follow_up, read_relative_to
from services.ask.semantic.read_groups import read_cut
from services.ask.semantic.reader import leftover, read
from services.ask.semantic.reading import Reading, Refuse, Understanding, normalise
from services.ask.semantic.spelling import correct_spelling, read_lower_codes, vocabulary_of
from services.ask.semantic.vocabulary import reorder
from shared.interpretation import Interpretation


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
                check_scope(Reading(text=f" {normalise(question)} "))
            q = _interpret(r, self.entities.for_shop(shop_id), today, previous)
        except Refuse as exc:
            return _refused(r, exc)
        skipped = r.skipped + [w.strip(".,'-") for w in leftover(r)]
        return Understanding("answer", q, "", r.understood, skipped=list(dict.fromkeys(skipped)))


def _interpret(
    r: Reading, shop: ShopEntities, today: date, previous: Interpretation | None
) -> Interpretation:
    """Spelling, scope, the reading and the follow-up: the query, or a ``Refuse``."""
    r.take(words.POLITE_PHRASES, lambda m: r.skipped.append(m.group(0).strip()))
    read_lower_codes(r, shop)
    correct_spelling(r, shop)
    check_scope(r)
    r.text = reorder(r.text)
    r.take(FOLLOW_UP, lambda m: read_follow_up(r, m))
    if previous is not None:
        r.take(FOLLOW_UP_NARROWING, lambda m: read_follow_up(r, m))
        read_relative_to(r, previous)
    read(r, shop, today)
    _settle_follow_up(r, previous)
    _refuse_unknown_words(r, shop)
    return assemble(r, today, previous if r.follow_up else None)


def _settle_follow_up(r: Reading, previous: Interpretation | None) -> None:
    """A question that names no metric continues the conversation; one that reads as a follow-up
    without a conversation, or adds nothing to it, is refused."""
    if previous is not None and (r.follow_up or not (r.metrics or r.not_bought or r.qualified)):
        r.follow_up = True
        if previous.group_by is not None and r.group_by is None:  # "top 3"
            r.take(TOP_N, lambda m: read_cut(r, m))
        r.take(FOLLOW_UP_WORDS, lambda m: None)
        if not [u for u in r.understood if not u.startswith("a follow-up")]:
            raise Refuse("unclear", "That adds nothing to the previous question; ask what should change.")
    elif r.follow_up:
        raise Refuse(
            "unclear",
            "This reads as a follow-up to an earlier question, but there is no conversation to "
            "follow; ask the whole question (or send the conversation_id of the previous answer).",
        )


def _refuse_unknown_words(r: Reading, shop: ShopEntities) -> None:
    """Words left over that could change the number: refused, with the closest known words."""
    unknown = [w for w in leftover(r) if not words.skippable(w)]
    if unknown:
        vocabulary = vocabulary_of(shop)
        hint = words.did_you_mean(
            [w for w in unknown if w not in vocabulary and w not in words.PROTECTED], vocabulary
        )
        raise Refuse(
            "unclear",
            f"I could not use {', '.join(repr(w) for w in unknown)}, so I won't guess what you meant."
            + (f" Did you mean {' or '.join(repr(h) for h in hint[:3])}?" if hint else ""),
        )


def _refused(r: Reading, exc: Refuse) -> Understanding:
    """The refusal: why, what was understood, and which words were left over or skipped."""
    left = leftover(r)
    skipped = r.skipped + [w.strip(".,'-") for w in left if words.skippable(w)]
    return Understanding(
        exc.outcome,
        None,
        exc.message,
        r.understood,
        left,
        exc.suggestions,
        list(dict.fromkeys(skipped)),
    )


__all__ = ["Parser", "Understanding"]
