"""The logger's reads need a token, bad times and huge bodies get a 4xx with a short message,
placeholder secrets stop it starting, and feedback from another shop changes nothing
(issue 13, §2 and §4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.logger.app import create_app
from services.logger.export.examples import count_examples
from services.logger.sink.writer import Sink
from shared.errors import ConfigError
from shared.events import FeedbackEvent, QueryEvent
from shared.kafka import Received
from shared.settings import KafkaSettings, SecuritySettings
from tests.logger.conftest import ADMIN, READER, make_settings, query_event
from tests.security.conftest import Target

READS = ["/stats", "/queries/failed", "/queries/low-confidence"]
NO_BROKER = KafkaSettings(bootstrap_servers="127.0.0.1:9")


@pytest.mark.parametrize("path", READS)
def test_reads_need_the_read_or_the_admin_token(target: Target, path: str) -> None:
    c = target.client
    assert c.get(path).status_code == 401
    assert c.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert c.get(path, headers=READER).status_code == 200
    assert c.get(path, headers=ADMIN).status_code == 200
    assert c.post("/sql", json={"sql": "SELECT 1"}, headers=READER).status_code == 403


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize(
    "params", [{"since": "0001-01-01T00:00:00+14:00"}, {"until": "9999-12-31T23:59:59-14:00"}, {"since": "nope"}]
)
def test_times_out_of_range_are_a_422(target: Target, path: str, params: dict[str, str]) -> None:
    r = target.client.get(path, params=params, headers=READER)
    assert r.status_code == 422 and ("since" in r.json()["detail"] or "until" in r.json()["detail"])


def test_bodies_over_the_cap_are_a_413_and_a_422_does_not_echo_the_input(target: Target) -> None:
    big = b'{"sql": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    r = target.client.post("/sql", content=big, headers={**ADMIN, "Content-Type": "application/json"})
    assert r.status_code == 413 and len(r.content) < 200

    def chunks():  # no Content-Length: counted while read
        for _ in range(40):
            yield b"x" * 65536

    r = target.client.post("/sql", content=chunks(), headers={**ADMIN, "Content-Type": "application/json"})
    assert r.status_code == 413
    field = "y" * 900_000
    r = target.client.post("/sql", json={"sql": [field]}, headers=ADMIN)
    assert r.status_code == 422 and field[:1000] not in r.text and len(r.content) < 2000


@pytest.mark.parametrize("token", ["change-me", "dev-admin-token", "CHANGEME", "secret"])
def test_placeholder_secrets_stop_the_logger(tmp_path: Path, token: str) -> None:
    with pytest.raises(ConfigError, match="ECOMINSIGHT_LOGGER_ADMIN_TOKEN"):
        create_app(make_settings(tmp_path, NO_BROKER, admin_token=token), start_worker=False)
    with pytest.raises(ConfigError, match="READ_TOKEN"):
        create_app(make_settings(tmp_path, NO_BROKER, read_token=token), start_worker=False)
    with pytest.raises(ConfigError, match="ECOMINSIGHT_LOGGER_ADMIN_TOKEN"):  # a local run too (issue 24)
        create_app(make_settings(tmp_path, NO_BROKER, admin_token=token, security=SecuritySettings(local_dev=True)),
                   start_worker=False)
    # a hand-started local logger without tokens: reads are open, the admin routes are shut
    local = make_settings(tmp_path, NO_BROKER, admin_token=None, read_token=None,
                          security=SecuritySettings(local_dev=True))
    with TestClient(create_app(local, start_worker=False)) as c:
        assert c.get("/stats").status_code == 200
        assert c.post("/sql", json={"sql": "SELECT 1"}, headers={"Authorization": "Bearer x"}).status_code == 403


def test_harvested_ids_marked_negative_by_another_shop_change_nothing(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, NO_BROKER, export_min_examples=1)
    queries = [query_event(i, shop_id="10", success=True) for i in range(120)]
    queries = [q for q in queries if q.prompt is not None]
    app = create_app(settings, start_worker=False)
    with TestClient(app, headers=READER) as c:
        db = app.state.service.db
        sink = Sink(db.cursor(), settings.paths.query_logs)
        sink.write([Received(q, "t", 0, i) for i, q in enumerate(queries)])
        offset = len(queries)

        def send(events: list[FeedbackEvent]) -> None:
            nonlocal offset
            sink.write([Received(e, "t", 0, offset + i) for i, e in enumerate(events)])
            offset += len(events)

        def exported() -> int:
            return count_examples(db.cursor(), settings.export_min_confidence)

        before = exported()
        assert before > 10
        harvested = [q.query_id for q in queries[:50]]
        send([FeedbackEvent(query_id=qid, rating="negative", shop_id="11") for qid in harvested])
        send([FeedbackEvent(query_id=f"made-up-{i}", rating="negative", shop_id="11") for i in range(5)])
        assert exported() == before
        feedback = c.get("/stats").json()["feedback"]
        assert feedback == {"positive": 0, "negative": 0, "rejected": 55, "superseded": 0}

        # the shop's own rating counts, once per query, and the last one wins
        good = next(q for q in queries if q.confidence > settings.export_min_confidence)
        send([FeedbackEvent(query_id=good.query_id, rating="negative", shop_id="10") for _ in range(5)])
        assert exported() == before - 1
        send([FeedbackEvent(query_id=good.query_id, rating="positive", shop_id="10")])
        assert exported() == before
        feedback = c.get("/stats", params={"shop_id": "10"}).json()["feedback"]
        assert feedback == {"positive": 1, "negative": 0, "rejected": 0, "superseded": 5}  # shop 11's is not 10's
        feedback = c.get("/stats", params={"shop_id": "11"}).json()["feedback"]  # (issue 24, finding 3)
        assert feedback == {"positive": 0, "negative": 0, "rejected": 55, "superseded": 0}
        sink.close()


def test_old_feedback_without_a_shop_still_counts(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, NO_BROKER)
    query: QueryEvent = query_event(1, shop_id="12")
    app = create_app(settings, start_worker=False)
    with TestClient(app, headers=READER) as c:
        sink = Sink(app.state.service.db.cursor(), settings.paths.query_logs)
        sink.write([Received(query, "t", 0, 0), Received(FeedbackEvent(query_id=query.query_id, rating="negative"), "t", 0, 1)])
        sink.close()
        assert c.get("/stats").json()["feedback"]["negative"] == 1


def test_feedback_that_arrives_before_its_query_counts_once_the_query_is_logged(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, NO_BROKER)
    query: QueryEvent = query_event(2, shop_id="10")
    app = create_app(settings, start_worker=False)
    with TestClient(app, headers=READER) as c:
        sink = Sink(app.state.service.db.cursor(), settings.paths.query_logs)
        sink.write([Received(FeedbackEvent(query_id=query.query_id, rating="negative", shop_id="10"), "t", 0, 0)])
        assert c.get("/stats").json()["feedback"] == {"positive": 0, "negative": 0, "rejected": 1, "superseded": 0}
        sink.write([Received(query, "t", 0, 1)])
        assert c.get("/stats").json()["feedback"] == {"positive": 0, "negative": 1, "rejected": 0, "superseded": 0}
        sink.close()
