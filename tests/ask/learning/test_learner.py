"""Learning from reviewers' labels: what a label teaches, and the gate on held-out labels.

Labels are made the way a reviewer makes them (``review label --as``): the reviewer writes the
question in words the parser knows, and that reading is the label.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from evaluation.questions import heldout, tuning
from services.ask.learning.labels import Label, reading_key
from services.ask.learning.learner import learn_one, propose
from services.ask.semantic import SemanticLayer
from services.ask.semantic.lexicon import Learned, Lexicon
from services.ask.warehouse import Warehouse

DAY = date(2026, 11, 18)
_ids = itertools.count()


@pytest.fixture(scope="module")
def layer(warehouse_path: Path) -> Iterator[SemanticLayer]:
    with Warehouse(warehouse_path) as warehouse:
        yield SemanticLayer(warehouse)


def label(layer: SemanticLayer, question: str, meant: str, shop: str = "10", day: date = DAY) -> Label:
    reading = layer.understand(meant, shop, day).interpretation
    assert reading is not None, f"the rephrasing {meant!r} must be understood"
    qid = f"q{next(_ids)}-{uuid.uuid4().hex[:6]}"
    return Label(query_id=qid, shop_id=shop, question=question, asked_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
                 interpretation=reading)  # fmt: skip


def out_of_scope(question: str, reason: str, shop: str = "10") -> Label:
    return Label(query_id=f"q{next(_ids)}", shop_id=shop, question=question,
                 asked_at=datetime(2026, 11, 18, 12, tzinfo=UTC), out_of_scope=True, reason=reason)  # fmt: skip


def teaching(layer: SemanticLayer) -> list[Label]:
    return [
        label(layer, "umsatz last month", "revenue last month"),
        label(layer, "umsatz this year by category", "revenue this year by category"),
        label(layer, "how many new punters this month", "how many new customers this month"),
        label(layer, "punters from germany", "customers from germany"),
    ]


def test_a_label_teaches_the_word_the_parser_could_not_use(layer: SemanticLayer) -> None:
    given = label(layer, "Umsatz last month?", "revenue last month")
    assert layer.understand(given.question, "10", DAY).interpretation is None  # refused today
    taught = learn_one(layer, given)
    assert [(e.phrase, e.means) for e in taught.phrases] == [("umsatz", "revenue")]


def test_a_gain_on_held_out_labels_is_adopted_and_reads_new_questions(layer: SemanticLayer) -> None:
    proposal = propose(layer, teaching(layer), Lexicon(), "u0001")
    assert proposal.adopted, proposal.reasons
    assert (proposal.held_out, proposal.before, proposal.after) == (4, 0.0, 1.0)
    # A question no label held, read with the learned word, is exactly the query it stands for.
    new = layer.understand("umsatz in the last 30 days", "11", DAY, proposal.candidate).interpretation
    meant = layer.understand("revenue in the last 30 days", "11", DAY).interpretation
    assert new is not None and meant is not None and reading_key(new) == reading_key(meant)
    assert new.corrections == {"umsatz": "revenue"}  # the answer says how it read the word


def test_a_word_taught_by_one_label_only_is_no_measured_gain(layer: SemanticLayer) -> None:
    proposal = propose(layer, [label(layer, "umsatz last month", "revenue last month")], Lexicon(), "u0001")
    assert not proposal.adopted
    assert (proposal.before, proposal.after) == (0.0, 0.0)
    assert any("tie is not a gain" in r for r in proposal.reasons)


def test_labels_that_disagree_teach_nothing(layer: SemanticLayer) -> None:
    labels = [
        label(layer, "umsatz last month", "revenue last month"),
        label(layer, "umsatz this year", "revenue this year"),
        label(layer, "umsatz this week", "orders this week"),
    ]
    proposal = propose(layer, labels, Lexicon(), "u0001")
    assert [e.phrase for e in proposal.candidate.phrases] == []
    assert proposal.conflicts and "umsatz" in proposal.conflicts[0]
    assert not proposal.adopted


def test_a_candidate_that_breaks_a_label_read_right_today_is_refused(layer: SemanticLayer) -> None:
    taught = teaching(layer)
    first = propose(layer, taught, Lexicon(), "u0001")
    assert first.adopted
    # Later labels read "umsatz" as orders: the word becomes ambiguous and is dropped, so the two
    # labelled "umsatz" questions the serving lexicon reads right would be read wrong.
    later = [
        label(layer, "umsatz yesterday", "orders yesterday"),
        label(layer, "umsatz this week", "orders this week"),
    ]
    second = propose(layer, [*taught, *later], first.candidate, "u0002")
    assert not second.adopted
    assert len(second.regressions) == 2 and any("read wrong" in r for r in second.reasons)


def test_learned_words_never_change_an_answer_the_vocabulary_gives(layer: SemanticLayer) -> None:
    lexicon = Lexicon(phrases=[Learned(phrase="umsatz", means="revenue"), Learned(phrase="punters", means="customers"),
                               Learned(phrase="bestellungen", means="orders")])  # fmt: skip
    for q in [*heldout.QUESTIONS, *tuning.QUESTIONS]:
        plain = layer.understand(q.question, "10", DAY).interpretation
        learned = layer.understand(q.question, "10", DAY, lexicon).interpretation
        assert (plain is None) == (learned is None), q.question
        if plain is not None and learned is not None:
            assert reading_key(plain) == reading_key(learned), q.question


def test_a_question_ruled_out_of_scope_is_refused_with_the_reviewers_reason(layer: SemanticLayer) -> None:
    given = out_of_scope(
        "How many orders came from the newsletter popup?", "popup sign-ups are not in the data"
    )
    taught = learn_one(layer, given)
    assert taught.refusal is not None
    lexicon = Lexicon(refusals=[taught.refusal])
    u = layer.understand("how many orders came from the newsletter popup", "10", DAY, lexicon)
    assert u.interpretation is None and u.outcome == "out_of_scope"
    assert "popup sign-ups are not in the data" in u.message
    # ... and only that question: another one is read as before.
    assert layer.understand("how many orders last month", "10", DAY, lexicon).interpretation is not None


def test_a_label_is_one_kind() -> None:
    with pytest.raises(ValueError):
        Label(query_id="q", shop_id="10", question="x", asked_at=datetime.now(UTC))


@pytest.mark.parametrize(
    ("question", "meant"),
    [
        ("profit last month", "revenue last month"),  # out of scope: the vocabulary's word wins
        ("how many visitors this week", "how many orders this week"),
        ("orders last month", "orders this month"),  # a known word is never relearned
    ],
)
def test_a_label_cannot_teach_a_known_or_out_of_scope_word_a_new_meaning(
    layer: SemanticLayer, question: str, meant: str
) -> None:
    labels = [label(layer, question, meant), label(layer, question + " please", meant)]
    proposal = propose(layer, labels, Lexicon(), "u0001")
    assert proposal.candidate.phrases == [] and not proposal.adopted
    assert all(problem for problem in proposal.problems.values())
    before = layer.understand(question, "10", DAY)
    after = layer.understand(question, "10", DAY, proposal.candidate)
    assert (before.interpretation is None) == (after.interpretation is None)


def test_a_learned_word_never_hides_an_out_of_scope_topic(layer: SemanticLayer) -> None:
    forged = Lexicon(phrases=[Learned(phrase="profit", means="revenue")])  # e.g. a hand-edited lexicon.json
    u = layer.understand("profit last month", "10", DAY, forged)
    assert u.interpretation is None and u.outcome == "out_of_scope"


def test_a_learned_word_leaves_a_shops_own_names_alone(layer: SemanticLayer) -> None:
    shop = layer.parser.entities.for_shop("10")
    name = next(n for n, found in shop.customers.items() if len(found) == 1 and len(n.split()) == 2)
    surname = name.split()[1]
    lexicon = Lexicon(phrases=[Learned(phrase=surname, means="revenue")])  # taught by another shop
    plain = layer.understand(f"orders from {name}", "10", DAY).interpretation
    learned = layer.understand(f"orders from {name}", "10", DAY, lexicon).interpretation
    assert plain is not None and learned is not None
    assert reading_key(plain) == reading_key(learned) and learned.corrections == {}
