"""The HTTP API: statistics equal SQL computed independently over the JSONL logs, review lists,
the SQL endpoint's refusals, row cap, time limit and token, and clear 4xx for bad input."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

from services.logger.app import create_app
from services.logger.settings import Settings
from services.logger.sink.files import ALL_FILE
from services.logger.sink.writer import Sink
from shared.events import FeedbackEvent, QueryEvent
from shared.kafka import Received
from tests.logger.conftest import ADMIN, BASE_TIME, filled_client, query_event


def logged_events(n: int = 300) -> list:
    rng = random.Random(42)
    queries = [query_event(i, rng) for i in range(n)]
    feedback = [FeedbackEvent(query_id=q.query_id, rating=rng.choice(["positive", "negative"])) for q in queries[::7]]
    feedback.append(FeedbackEvent(query_id="not-logged-yet", rating="negative"))
    return [*queries, *feedback]


EVENTS = logged_events()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The app without its Kafka consumer, its database filled with EVENTS through the real sink."""
    with filled_client(settings, EVENTS) as tc:  # several micro-batches
        yield tc


def sql_over_jsonl(path: Path, where: str = "TRUE") -> dict:
    """The statistics computed independently: DuckDB SQL over the JSONL log, not the table."""
    with duckdb.connect() as conn:
        conn.execute(f"CREATE VIEW logs AS SELECT * FROM read_json_auto('{path}')")
        total, rate, conf, rt = conn.execute(
            f"SELECT count(*), avg(CASE WHEN success THEN 1.0 ELSE 0.0 END), avg(confidence), avg(response_time) "
            f"FROM logs WHERE {where}"
        ).fetchone() or (0, None, None, None)
        intents = dict(conn.execute(f"SELECT intent, count(*) FROM logs WHERE {where} GROUP BY 1").fetchall())
        tools = dict(conn.execute(f"SELECT coalesce(tool_used, 'none'), count(*) FROM logs WHERE {where} GROUP BY 1").fetchall())
        ids = {r[0] for r in conn.execute(f"SELECT query_id FROM logs WHERE {where}").fetchall()}
    return {"total": total, "rate": rate or 0.0, "conf": conf or 0.0, "rt": rt or 0.0, "intents": intents,
            "tools": tools, "ids": ids}


@pytest.mark.parametrize(
    ("params", "where"),
    [
        ({}, "TRUE"),
        ({"shop_id": "11"}, "shop_id = '11'"),
        ({"model_version": "v1"}, "model_version = 'v1'"),
        (
            {"since": (BASE_TIME + timedelta(minutes=50)).isoformat(), "until": (BASE_TIME + timedelta(minutes=200)).isoformat(),
             "shop_id": "10"},
            f"CAST(timestamp AS TIMESTAMPTZ) >= '{(BASE_TIME + timedelta(minutes=50)).isoformat()}' AND "
            f"CAST(timestamp AS TIMESTAMPTZ) < '{(BASE_TIME + timedelta(minutes=200)).isoformat()}' AND shop_id = '10'",
        ),
    ],
)
def test_stats_equal_sql_computed_over_the_logs(client: TestClient, settings: Settings, params: dict, where: str) -> None:
    r = client.get("/stats", params=params)
    assert r.status_code == 200, r.text
    s = r.json()
    expected = sql_over_jsonl(settings.paths.query_logs / ALL_FILE, where)
    assert 0 < s["total_queries"] == expected["total"]
    assert s["success_rate"] == pytest.approx(expected["rate"])
    assert s["avg_confidence"] == pytest.approx(expected["conf"])
    assert s["avg_response_time"] == pytest.approx(expected["rt"])  # seconds, as the seed printed it
    assert s["avg_response_time_ms"] == pytest.approx(expected["rt"] * 1000)
    assert s["intent_distribution"] == expected["intents"]
    assert s["tool_distribution"] == expected["tools"]
    feedback = [e for e in EVENTS if isinstance(e, FeedbackEvent) and e.query_id in expected["ids"]]
    assert s["feedback"] == {
        "positive": sum(e.rating == "positive" for e in feedback),
        "negative": sum(e.rating == "negative" for e in feedback),
        # the feedback on a query that was never logged; it names no shop, so no shop's figures count it
        "rejected": 0 if "shop_id" in params else 1,
        "superseded": 0,
    }


def test_failed_and_low_confidence_lists(client: TestClient) -> None:
    queries = [e for e in EVENTS if isinstance(e, QueryEvent)]
    failed = client.get("/queries/failed", params={"limit": 5}).json()
    newest_failed = sorted((q for q in queries if not q.success), key=lambda q: q.occurred_at, reverse=True)[:5]
    assert [f["query_id"] for f in failed] == [q.query_id for q in newest_failed]
    first = failed[0]
    q = newest_failed[0]
    assert (first["question"], first["answer"], first["error"], first["tool_used"], first["success"]) == (
        q.question, q.answer, q.error, q.tool, False
    )
    assert first["response_time"] == pytest.approx(q.response_time_ms / 1000)

    low = client.get("/queries/low-confidence", params={"threshold": 0.5, "limit": 1000}).json()
    assert sorted(x["query_id"] for x in low) == sorted(q.query_id for q in queries if q.confidence < 0.5)
    assert [x["confidence"] for x in low] == sorted(x["confidence"] for x in low)


def test_bad_parameters_get_a_clear_4xx(client: TestClient) -> None:
    assert client.get("/queries/failed", params={"limit": 0}).status_code == 422
    assert client.get("/queries/low-confidence", params={"threshold": 2}).status_code == 422
    r = client.get("/stats", params={"since": "yesterday-ish"})
    assert r.status_code == 422 and "since" in r.text


def test_sql_needs_the_admin_token(client: TestClient) -> None:
    body = {"sql": "SELECT count(*) AS n FROM queries"}
    assert client.post("/sql", json=body, headers={"Authorization": ""}).status_code == 401
    assert client.post("/sql", json=body).status_code == 403  # the read token does not run SQL
    assert client.post("/sql", json=body, headers={"Authorization": "Bearer nope"}).status_code == 403
    r = client.post("/sql", json=body, headers={"X-Admin-Token": "test-token"})
    assert r.status_code == 200 and r.json()["columns"] == ["n"] and r.json()["rows"] == [[300]]
    assert client.post("/export", headers={"X-Admin-Token": "nope"}).status_code == 403


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO queries SELECT * FROM queries",
        "UPDATE queries SET answer = 'x'",
        "DELETE FROM queries",
        "ATTACH '/tmp/other.duckdb' AS other",
        "COPY queries TO '/tmp/leak.csv'",
        "PRAGMA table_info('queries')",
        "DROP TABLE queries",
        "CREATE TABLE copy AS SELECT * FROM queries",
        "SELECT 1; DELETE FROM queries",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM '/etc/passwd'",
        "SELECT getenv('HOME')",
        # a CTE named like a file, declared in one scope and read as a file in another
        'SELECT * FROM (WITH "/etc/passwd" AS (SELECT 1) SELECT 1) t, "/etc/passwd" s',
    ],
)
def test_sql_refuses_anything_but_one_read_only_select(client: TestClient, statement: str) -> None:
    r = client.post("/sql", json={"sql": statement}, headers=ADMIN)
    assert r.status_code == 400, r.text
    assert r.json()["detail"]
    after = client.post("/sql", json={"sql": "SELECT count(*) FROM queries"}, headers=ADMIN).json()
    assert after["rows"] == [[300]]


def test_sql_row_cap_and_time_limit(tmp_path: Path, kafka_settings) -> None:
    from tests.logger.conftest import make_settings

    settings = make_settings(tmp_path, kafka_settings, sql_max_rows=50, sql_timeout_s=0.5)
    app = create_app(settings, start_worker=False)
    with TestClient(app, headers=ADMIN) as tc:
        sink = Sink(app.state.service.db.cursor(), settings.paths.query_logs)
        sink.write([Received(query_event(i), "t", 0, i) for i in range(200)])
        sink.close()
        r = tc.post("/sql", json={"sql": "SELECT query_id FROM queries ORDER BY query_id"}, headers=ADMIN).json()
        assert r["row_count"] == 50 and r["truncated"] is True
        small = tc.post("/sql", json={"sql": "SELECT 1 AS one", "max_rows": 10}, headers=ADMIN).json()
        assert small["truncated"] is False and small["rows"] == [[1]]
        slow = "SELECT count(*) FROM queries a, queries b, queries c, queries d, queries e WHERE a.confidence + e.confidence > 0"
        r = tc.post("/sql", json={"sql": slow}, headers=ADMIN)
        assert r.status_code == 408 and "0.5s" in r.json()["detail"]
        # the connection is still usable afterwards
        assert tc.get("/stats").json()["total_queries"] == 200


def test_health(client: TestClient) -> None:
    r = client.get("/health")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["service"] == "logger"
