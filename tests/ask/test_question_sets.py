"""The question sets through the real API: no confidently wrong answer, every must-refuse refused.

Coverage figures for both parts are printed by ``python -m bench.bench_ask --questions`` and
recorded in BENCHMARKS.md; here the held-out part must keep the bar the issue set (90%).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from evaluation.questions import earlier, fresh, heldout, traps, tuning
from evaluation.questions.harness import Score, api_ask, run

SETS = {"tuning": tuning.QUESTIONS, "heldout": heldout.QUESTIONS, "traps": traps.QUESTIONS}


def score(client: TestClient, sql: Callable[..., list[tuple[Any, ...]]], questions: list[Any]) -> Score:
    def ask(question: str) -> dict[str, Any]:
        response = client.post("/api/mcp/ask", json={"shop_id": "10", "question": question})
        assert response.status_code == 200, (question, response.text)
        return response.json()

    return run(questions, ask, lambda q, params: sql(q, params))


@pytest.fixture(scope="module")
def named_sql(warehouse_path: Any) -> Any:
    import duckdb

    con = duckdb.connect(str(warehouse_path), read_only=True)
    yield lambda q, params: con.cursor().execute(q, params).fetchall()
    con.close()


@pytest.mark.parametrize("name", list(SETS))
def test_no_confidently_wrong_answer_and_every_refusal(client: TestClient, named_sql: Any, name: str) -> None:
    s = score(client, named_sql, SETS[name])
    assert s.wrong == [], "\n".join(s.wrong)
    assert s.refusal_rate == 1.0
    assert s.must_refuse >= 20 and s.answerable >= (5 if name == "traps" else 60)
    assert s.coverage >= 0.9, "\n".join(s.refused)


def test_the_fresh_set_no_wrong_answer_and_its_coverage(client: TestClient, named_sql: Any) -> None:
    """The second owner-style set of issue 22 (written blind, follow-ups asked in their
    conversation): no confidently wrong answer, every must-refuse refused, and the bar of the issue
    (90%; 96.2% when tuned on it, from 85.3% with 2 confidently wrong when it landed)."""
    ask = api_ask(lambda payload: client.post("/api/mcp/ask", json=payload))
    s = run(fresh.QUESTIONS, ask, lambda q, params: named_sql(q, params))
    assert s.wrong == [], "\n".join(s.wrong)
    assert s.refusal_rate == 1.0 and s.must_refuse >= 40 and s.answerable >= 200
    assert s.coverage >= 0.9, "\n".join(s.refused)


def test_the_earlier_sets_keep_their_families(client: TestClient) -> None:
    """The router's held-out and fresh phrasings: each is answered as its family, or refused;
    the unsupported ones are all refused, and at least 90% of the rest are answered."""
    answered = wrong = 0
    questions = earlier.HELDOUT + earlier.FRESH
    for question, tool in questions:
        body = client.post("/api/mcp/ask", json={"shop_id": "10", "question": question}).json()
        if tool is None:
            assert body["success"] is False, (question, body["answer"])
            continue
        if body["success"]:
            answered += 1
            wrong += body["intent"] not in earlier.INTENTS[tool]
    supported = sum(1 for _, tool in questions if tool is not None)
    assert wrong == 0
    assert answered >= 0.9 * supported
