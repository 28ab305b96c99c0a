"""The issue-22 tuning set through the real API: no confidently wrong answer, every must-refuse refused."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest
from fastapi.testclient import TestClient

from evaluation.questions import tuning_owners
from evaluation.questions.harness import api_ask, run


@pytest.fixture(scope="module")
def named_sql(warehouse_path: Any) -> Any:
    con = duckdb.connect(str(warehouse_path), read_only=True)
    yield lambda q, params: con.cursor().execute(q, params).fetchall()
    con.close()


def test_the_owners_set_has_no_wrong_answer(client: TestClient, named_sql: Any) -> None:
    ask = api_ask(lambda payload: client.post("/api/mcp/ask", json=payload))
    s = run(tuning_owners.QUESTIONS, ask, named_sql)
    print(f"owners set: {len(s.correct)}/{s.answerable} answered, {s.coverage:.1%}; refused {s.refused}")
    assert s.wrong == [], "\n".join(s.wrong)
    assert s.refusal_rate == 1.0
    assert s.coverage >= 0.9, "\n".join(s.refused)
