"""The review queue over HTTP: what a reviewer is shown, labelling, and what the ask service reads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from services.logger.settings import Settings
from shared.events import FeedbackEvent, QueryEvent
from shared.interpretation import Interpretation, Window
from tests.logger.conftest import ADMIN, filled_client, query_event

LAST_MONTH = Interpretation(
    metric="revenue", period=Window(label="last month", start=date(2026, 9, 1), end=date(2026, 10, 1))
)


def events() -> list[QueryEvent | FeedbackEvent]:
    failed = [query_event(i, question="umsatz last month", shop_id="11", success=False, confidence=0.0,
                          intent="unsupported", tool=None, result=None, prompt=None) for i in range(3)]  # fmt: skip
    unsure = query_event(10, question="how many ordres", shop_id="10", success=True, confidence=0.5)
    disliked = query_event(
        11, question="How many orders do I have?", shop_id="12", success=True, confidence=1.0
    )
    fine = query_event(12, question="What is my total revenue?", shop_id="10", success=True, confidence=1.0)
    invalid = query_event(13, question="", shop_id="10", success=False, confidence=0.0, intent="invalid")
    rating = FeedbackEvent(query_id=disliked.query_id, rating="negative", shop_id="12")
    return [*failed, unsure, disliked, fine, invalid, rating]


EVENTS = events()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with filled_client(settings, EVENTS) as tc:
        yield tc


def queue(client: TestClient, **params: object) -> list[dict]:
    resp = client.get("/review/queue", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


def test_the_queue_holds_failed_unsure_and_disliked_questions_once_each(client: TestClient) -> None:
    items = queue(client)
    by_question = {i["question"]: i for i in items}
    assert set(by_question) == {"umsatz last month", "how many ordres", "How many orders do I have?"}
    assert (
        by_question["umsatz last month"]["times"] == 3 and by_question["umsatz last month"]["why"] == "failed"
    )
    assert by_question["how many ordres"]["why"] == "low_confidence"
    assert by_question["How many orders do I have?"]["why"] == "negative"
    assert items[0]["question"] == "umsatz last month"  # the most often asked first
    assert [i["question"] for i in queue(client, shop_id="12")] == ["How many orders do I have?"]
    assert [i["why"] for i in queue(client, reason="failed")] == ["failed"]


def test_a_label_takes_the_question_off_the_queue_and_reaches_the_labels(client: TestClient) -> None:
    item = next(i for i in queue(client) if i["question"] == "umsatz last month")
    body = {"interpretation": LAST_MONTH.model_dump(mode="json"), "reviewer": "ana"}
    resp = client.post(f"/review/{item['query_id']}", json=body, headers=ADMIN)
    assert resp.status_code == 200, resp.text
    assert "umsatz last month" not in {i["question"] for i in queue(client)}  # all three askings
    labels = client.get("/review/labels").json()["labels"]
    assert len(labels) == 1
    assert labels[0]["shop_id"] == "11" and labels[0]["out_of_scope"] is False
    assert Interpretation.model_validate(labels[0]["interpretation"]) == LAST_MONTH
    assert labels[0]["asked_at"].startswith("2026-")  # when it was asked: "last month" is read from then
    # A later label of the same query replaces the first.
    resp = client.post(
        f"/review/{item['query_id']}", json={"out_of_scope": True, "reason": "German"}, headers=ADMIN
    )
    assert resp.status_code == 200
    labels = client.get("/review/labels").json()["labels"]
    assert [(lab["out_of_scope"], lab["reason"]) for lab in labels] == [(True, "German")]
    one = client.get(f"/queries/{item['query_id']}").json()
    assert one["question"] == "umsatz last month" and one["labelled_out_of_scope"] is True


def test_labelling_needs_the_admin_token_and_a_well_formed_label(client: TestClient) -> None:
    qid = queue(client)[0]["query_id"]
    body = {"out_of_scope": True, "reason": "x"}
    assert client.post(f"/review/{qid}", json=body).status_code in (401, 403)  # the read token is not enough
    both = {"out_of_scope": True, "interpretation": LAST_MONTH.model_dump(mode="json")}
    resp = client.post(f"/review/{qid}", json=both, headers=ADMIN)
    assert resp.status_code == 422 and "not both" in resp.text
    assert client.post(f"/review/{qid}", json={}, headers=ADMIN).status_code == 422
    bad_metric = {"interpretation": {"metric": "revenue", "limit": 0}}
    assert client.post(f"/review/{qid}", json=bad_metric, headers=ADMIN).status_code == 422
    resp = client.post("/review/no-such-query", json=body, headers=ADMIN)
    assert resp.status_code == 404 and "no-such-query" in resp.text
    assert client.get("/queries/no-such-query").status_code == 404
    assert client.get("/review/queue", params={"limit": 0}).status_code == 422
