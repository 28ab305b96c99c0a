"""A reviewer revokes a learned word: the shop stops reading it at once, the revocation survives a
restart, other shops keep their words, and the labels that taught it do not teach it again at the
next proposal. A label a reviewer gives after the revocation may teach it again (a new decision;
``services/ask/learning/revocations.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.ask.app import create_app
from services.ask.keys import KeyStore
from services.ask.learning.labels import Label
from services.ask.learning.learner import propose
from services.ask.learning.poller import LabelLearner
from services.ask.learning.store import LexiconStore
from services.ask.semantic import SemanticLayer
from services.ask.semantic.lexicon import Lexicon
from services.ask.settings import Settings
from services.ask.warehouse import Warehouse

DAY = date(2026, 11, 18)
LABELLED = datetime(2026, 11, 18, 12, tzinfo=UTC)  # when the reviewers gave the first labels


@pytest.fixture(scope="module")
def layer(warehouse_path: Path) -> Iterator[SemanticLayer]:
    with Warehouse(warehouse_path) as warehouse:
        yield SemanticLayer(warehouse)


def label(layer: SemanticLayer, shop: str, question: str, meant: str, at: datetime = LABELLED) -> Label:
    reading = layer.understand(meant, shop, DAY).interpretation
    assert reading is not None, meant
    return Label(query_id=f"q{shop}-{question}", shop_id=shop, question=question, asked_at=LABELLED,
                 interpretation=reading, labelled_at=at)  # fmt: skip


def teaching(layer: SemanticLayer) -> list[Label]:
    """Shops 10 and 11 both say "umsatz"; shop 10 also says "punters"."""
    return [
        label(layer, "10", "umsatz last month", "revenue last month"),
        label(layer, "10", "umsatz this year by category", "revenue this year by category"),
        label(layer, "10", "how many new punters this month", "how many new customers this month"),
        label(layer, "10", "punters from germany", "customers from germany"),
        label(layer, "11", "umsatz last week", "revenue last week"),
        label(layer, "11", "umsatz this year", "revenue this year"),
    ]


def reads(layer: SemanticLayer, shop: str, question: str) -> bool:
    return layer.understand(question, shop, DAY, layer.lexicon.for_shop(shop)).interpretation is not None


def learner(layer: SemanticLayer, store: LexiconStore) -> LabelLearner:
    """A learner as the ask service starts one (its labels are handed to ``learn`` here)."""
    layer.lexicon = store.current()
    return LabelLearner(layer, store, "http://127.0.0.1:1", None, interval_s=60)


def test_a_revoked_word_is_not_learned_again_from_the_same_labels(
    layer: SemanticLayer, tmp_path: Path
) -> None:
    store = LexiconStore(tmp_path / "understanding")
    first = learner(layer, store)
    taught = teaching(layer)
    proposal = first.learn(taught)
    assert proposal is not None
    assert proposal.adopted, proposal.reasons
    assert reads(layer, "10", "umsatz in the last 30 days")

    revoked = first.decisions.revoke("10", "umsatz", "rita", "here it means turnover with VAT")
    assert (revoked.means, revoked.by) == ("revenue", "rita") and len(revoked.support) == 2
    assert not reads(layer, "10", "umsatz in the last 30 days")  # at once
    assert reads(layer, "11", "umsatz in the last 30 days")  # another shop keeps its word
    assert reads(layer, "10", "how many punters do I have")  # and shop 10 its other words

    # A restarted ask service serves the revoked lexicon and learns again from every label (plus new
    # ones): the labels given before the revocation do not teach shop 10 "umsatz" again.
    again = learner(layer, store)
    assert layer.lexicon.version == "u0002" and not reads(layer, "10", "umsatz in the last 30 days")
    more = [
        *taught,
        label(layer, "11", "bestellungen last month", "orders last month"),
        label(layer, "11", "bestellungen this year", "orders this year"),
    ]
    proposal = again.learn(more)
    assert proposal is not None
    assert proposal.adopted, proposal.reasons
    learned = {(e.shop_id, e.phrase) for e in proposal.candidate.phrases}
    assert ("10", "umsatz") not in learned and {("11", "umsatz"), ("10", "punters")} <= learned
    assert any("revoked for shop 10" in problem for problem in proposal.problems.values())
    assert not reads(layer, "10", "umsatz in the last 30 days")
    assert [r.phrase for r in store.revocations()] == ["umsatz"]
    assert store.history()[-2]["revoked"]["reason"] == "here it means turnover with VAT"

    # Labels a reviewer gives after the revocation may teach the word again (through the gate).
    later = revoked.at + timedelta(seconds=5)
    retaught = [
        label(layer, "10", "umsatz yesterday", "revenue yesterday", at=later),
        label(layer, "10", "umsatz by country", "revenue by country", at=later),
    ]
    proposal = again.learn([*more, *retaught])
    assert proposal is not None
    assert proposal.adopted, proposal.reasons
    assert ("10", "umsatz") in {(e.shop_id, e.phrase) for e in proposal.candidate.phrases}
    assert reads(layer, "10", "umsatz in the last 30 days")


def test_revoking_a_promotion_leaves_the_shops_own_words(layer: SemanticLayer, tmp_path: Path) -> None:
    store = LexiconStore(tmp_path / "understanding")
    first = learner(layer, store)
    assert first.learn(teaching(layer)) is not None
    first.decisions.promote("punters", "rita")
    assert reads(layer, "12", "how many punters do I have")
    with pytest.raises(KeyError):
        first.decisions.revoke("12", "punters", "rita", None)  # shop 12 reads it only as promoted
    first.decisions.revoke("*", "punters", "rita", "only shop 10 says punters")
    assert not reads(layer, "12", "how many punters do I have")
    assert reads(layer, "10", "how many punters do I have")


@pytest.fixture
def served(
    layer: SemanticLayer, make_settings: Callable[..., Settings]
) -> Iterator[tuple[TestClient, Settings, dict[str, str]]]:
    """The ask service (learning off) serving what ``teaching`` taught, with an admin key."""
    settings = make_settings()
    proposal = propose(layer, teaching(layer), Lexicon(), "u0001")
    assert proposal.adopted, proposal.reasons
    LexiconStore(settings.paths.understanding).record(proposal)
    admin = {
        "Authorization": f"Bearer {KeyStore(settings.keys.path(settings.paths)).create(None, admin=True)}"
    }
    with TestClient(create_app(settings)) as client:
        yield client, settings, admin


def ask(client: TestClient, shop: str, question: str) -> dict[str, object]:
    resp = client.post("/api/mcp/ask", json={"shop_id": shop, "question": question})
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def test_revoke_over_the_api_refuses_the_next_question_and_survives_a_restart(
    served: tuple[TestClient, Settings, dict[str, str]],
) -> None:
    client, settings, admin = served
    assert ask(client, "10", "umsatz in the last 30 days")["success"] is True
    body = {"shop_id": "10", "phrase": " Umsatz ", "reviewer": "rita", "reason": "turnover with VAT here"}
    assert client.post("/understanding/revoke", json=body).status_code == 401
    bad = [
        ({**body, "phrase": "   "}, "phrase"),
        ({k: v for k, v in body.items() if k != "shop_id"}, "shop_id"),
        ({**body, "shop_id": "no such shop!"}, "shop id"),
        ({**body, "unknown": 1}, "unknown"),
    ]
    for wrong, said in bad:
        resp = client.post("/understanding/revoke", json=wrong, headers=admin)
        assert resp.status_code == 422 and said in resp.text, (wrong, resp.text)
    resp = client.post(
        "/understanding/revoke", json={**body, "phrase": "punters", "shop_id": "11"}, headers=admin
    )
    assert resp.status_code == 404 and "shop 11 has not learned 'punters'" in resp.text

    done = client.post("/understanding/revoke", json=body, headers=admin)
    assert done.status_code == 200, done.text
    assert {k: done.json()[k] for k in ("version", "shop_id", "phrase", "means", "by")} == {
        "version": "u0002", "shop_id": "10", "phrase": "umsatz", "means": "revenue", "by": "rita"}  # fmt: skip
    refused = ask(client, "10", "umsatz in the last 30 days")  # refused as before it was taught
    assert refused["success"] is False and "umsatz" in refused["clarification"]["unused"]  # type: ignore[index]
    assert ask(client, "11", "umsatz in the last 30 days")["success"] is True
    assert ask(client, "10", "how many punters do I have")["success"] is True
    state = client.get("/understanding", headers=admin).json()
    assert [(r["shop_id"], r["phrase"], r["by"], r["reason"]) for r in state["revoked"]] == [
        ("10", "umsatz", "rita", "turnover with VAT here")
    ]
    assert state["history"][-1]["revoked"]["phrase"] == "umsatz"
    again = client.post("/understanding/revoke", json=body, headers=admin)
    assert again.status_code == 404  # already revoked

    with TestClient(create_app(settings)) as restarted:
        assert ask(restarted, "10", "umsatz in the last 30 days")["success"] is False
        assert ask(restarted, "11", "umsatz in the last 30 days")["success"] is True
        assert restarted.get("/understanding", headers=admin).json()["revoked"][0]["phrase"] == "umsatz"
