"""Issue 24, finding 2: ``GET /understanding`` needs the admin key (only it sees question text and
query ids), a shop key sees its own lexicon, a label teaches only the shop it came from, and a
reviewer promotes a learned word to every shop explicitly (admin key)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from services.ask.learning.labels import Label
from services.ask.learning.learner import propose
from services.ask.learning.store import LexiconStore
from services.ask.semantic import SemanticLayer
from services.ask.semantic.lexicon import Lexicon
from services.ask.settings import Settings as AskSettings
from services.ask.warehouse import Warehouse
from shared.fs import atomic_write
from tests.security.conftest import Tenants, tenants_running

DAY = date(2026, 11, 18)
SECRET_QUESTION = "how many orders came from the popup of anna@example.com"
_ids = itertools.count()


def label(layer: SemanticLayer, shop: str, question: str, meant: str) -> Label:
    reading = layer.understand(meant, shop, DAY).interpretation
    assert reading is not None, meant
    return Label(query_id=f"q{shop}-{next(_ids)}", shop_id=shop, question=question,
                 asked_at=datetime(2026, 11, 18, 12, tzinfo=UTC), interpretation=reading)  # fmt: skip


def learned(warehouse_path: Path) -> Lexicon:
    """What reviewers taught: shop 11 says "umsatz", shop 10 says "punters", and shop 11 had a
    question ruled out of scope (its text holds a customer's e-mail)."""
    with Warehouse(warehouse_path) as warehouse:
        layer = SemanticLayer(warehouse)
        labels = [
            label(layer, "11", "umsatz last month", "revenue last month"),
            label(layer, "11", "umsatz this year by category", "revenue this year by category"),
            label(layer, "10", "how many new punters this month", "how many new customers this month"),
            label(layer, "10", "punters from germany", "customers from germany"),
            Label(query_id="q11-secret", shop_id="11", question=SECRET_QUESTION, asked_at=datetime.now(UTC),
                  out_of_scope=True, reason="popups are not in the data"),
        ]
        proposal = propose(layer, labels, Lexicon(), "u0001")
    assert proposal.adopted, proposal.reasons
    return proposal.candidate


@pytest.fixture
def taught(
    tmp_path: Path, warehouse_path: Path, ask_settings: Callable[..., AskSettings]
) -> Iterator[Tenants]:
    store = LexiconStore(tmp_path / "understanding")  # ask_settings' data folder is tmp_path
    store.root.mkdir(parents=True)
    atomic_write(store.current_file, learned(warehouse_path).model_dump_json())
    with tenants_running(tmp_path, ask_settings) as running:
        yield running


def ask(t: Tenants, who: str, question: str) -> bool:
    r = t.client.post("/api/mcp/ask", json={"question": question}, headers=t.headers(who))
    assert r.status_code == 200, r.text
    return bool(r.json()["success"])


def test_understanding_needs_a_key_and_only_the_admin_sees_question_text(taught: Tenants) -> None:
    assert taught.client.get("/understanding").status_code == 401
    assert taught.client.get("/understanding", params={"shop_id": "11"}).status_code == 401  # keys required
    assert taught.client.get("/understanding", headers={"Authorization": "Bearer nope"}).status_code == 401
    mine = taught.client.get("/understanding", headers=taught.headers("10"))
    assert mine.status_code == 200
    assert {(e["phrase"], e["for"]) for e in mine.json()["learned"]} == {("punters", "this shop")}
    assert "umsatz" not in mine.text and "anna@example.com" not in mine.text and "q11-" not in mine.text
    walked = taught.client.get("/understanding", params={"shop_id": "11"}, headers=taught.headers("10"))
    assert walked.status_code == 403
    admin = taught.client.get("/understanding", headers=taught.headers("admin"))
    assert admin.status_code == 200 and {"umsatz", "punters"} <= {e["phrase"] for e in admin.json()["learned"]}
    assert "anna@example.com" in admin.text  # the reviewer sees the ruled-out question


def test_a_label_teaches_only_the_shop_it_came_from(taught: Tenants) -> None:
    assert ask(taught, "11", "umsatz last month")
    assert not ask(taught, "10", "umsatz last month")  # shop 11's word does not change shop 10's reading
    assert ask(taught, "10", "punters from germany")
    assert not ask(taught, "11", "how many new punters this month")
    # shop 11's ruling applies to shop 11 only
    r = taught.client.post("/api/mcp/understand", json={"question": SECRET_QUESTION}, headers=taught.headers("10"))
    assert r.status_code == 200 and "popups are not in the data" not in r.text


def test_a_reviewer_promotes_a_learned_word_to_every_shop(taught: Tenants) -> None:
    body = {"phrase": "umsatz", "reviewer": "rita"}
    assert taught.client.post("/understanding/promote", json=body).status_code == 401
    assert taught.client.post("/understanding/promote", json=body, headers=taught.headers("11")).status_code == 403
    missing = {"phrase": "never-learned"}
    assert taught.client.post("/understanding/promote", json=missing, headers=taught.headers("admin")).status_code == 404
    done = taught.client.post("/understanding/promote", json=body, headers=taught.headers("admin"))
    assert done.status_code == 200 and done.json()["means"] == "revenue"
    assert ask(taught, "10", "umsatz last month")  # now every shop reads it
    mine = taught.client.get("/understanding", headers=taught.headers("10")).json()
    assert ("umsatz", "every shop") in {(e["phrase"], e["for"]) for e in mine["learned"]}
    history = taught.client.get("/understanding", headers=taught.headers("admin")).json()["history"]
    assert history[-1]["promoted"] == {"phrase": "umsatz", "means": "revenue", "by": "rita"}
