"""The question harness scores the new answer kinds of issue 22 as the contract says, and the
frozen blind set's truth SQL runs on the test warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from evaluation.questions import blind
from evaluation.questions.check_truth import problems
from evaluation.questions.harness import api_ask, run
from evaluation.questions.truth import Q


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    from services.ask.seed import seed_warehouse

    path: Path = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    seed_warehouse(path, shops=3, seed=7, orders_per_shop=2000)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def sql(con: duckdb.DuckDBPyConnection) -> Any:
    return lambda q, params: con.cursor().execute(q, params).fetchall()


def test_every_truth_of_the_blind_set_runs_and_can_be_scored(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert problems(blind.QUESTIONS, warehouse) == []
    assert sum(q.kind != "refuse" for q in blind.QUESTIONS) >= 300
    assert sum(q.kind == "refuse" for q in blind.QUESTIONS) >= 60


def test_multi_groups2_and_row_are_scored_by_value_and_field(warehouse: duckdb.DuckDBPyConnection) -> None:
    answers = {
        "two": {
            "success": True,
            "data": {"measures": [{"metric": "a", "value": 2}, {"metric": "b", "value": 3.5}]},
        },
        "swapped": {
            "success": True,
            "data": {"measures": [{"metric": "b", "value": 3.5}, {"metric": "a", "value": 2}]},
        },
        "grid": {
            "success": True,
            "data": {
                "rows": [
                    {"keys": ["DE", "2026-01-01"], "value": 1},
                    {"keys": ["FR", "2026-01-01"], "value": 2},
                ]
            },
        },
        "row": {
            "success": True,
            "data": {"rows": [{"label": "Ada", "value": 12.5, "date": "2026-03-04T10:00:00"}]},
        },
        "row without date": {"success": True, "data": {"rows": [{"label": "Ada", "value": 12.5}]}},
    }
    questions = [
        Q("two", "SELECT 2, 3.5", "multi"),
        Q("swapped", "SELECT 2, 3.5", "multi"),
        Q(
            "grid",
            "SELECT * FROM (VALUES ('FR', DATE '2026-01-01', 2), ('DE', DATE '2026-01-01', 1))",
            "groups2",
        ),
        Q("row", "SELECT 'Ada', 12.5, TIMESTAMP '2026-03-04 10:00:00'", "row"),
        Q("row without date", "SELECT 'Ada', 12.5, DATE '2026-03-04'", "row"),
    ]
    s = run(questions, lambda question, conversation_id=None: answers[question], sql(warehouse))
    assert s.correct == ["two", "grid", "row"]
    assert [w.split(" -> ")[0] for w in s.wrong] == ["swapped", "row without date"]


def test_a_follow_up_is_asked_after_its_question_in_that_conversation(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    asked: list[tuple[str, str | None]] = []

    def ask(question: str, conversation_id: str | None = None) -> dict[str, Any]:
        asked.append((question, conversation_id))
        if question == "orders this year":
            return {"success": True, "conversation_id": "c1", "data": {"values": {"value": 1}}}
        return {"success": conversation_id == "c1", "data": {"values": {"value": 7}}}

    follow_up = Q("and last year?", "SELECT 7", after="orders this year")
    alone = Q("and last year?", None, "refuse")
    s = run([follow_up, alone], ask, sql(warehouse))
    assert asked == [("orders this year", None), ("and last year?", "c1"), ("and last year?", None)]
    assert s.correct == ["[after: orders this year] and last year?"] and s.refused_ok == ["and last year?"]


class Response:
    def __init__(self, status_code: int, body: dict[str, Any]):
        self.status_code, self.body, self.text = status_code, body, str(body)

    def json(self) -> dict[str, Any]:
        return self.body


def test_a_422_to_a_conversation_id_is_a_refusal_and_other_errors_raise() -> None:
    def post(payload: dict[str, Any]) -> Response:
        if "conversation_id" in payload:
            return Response(422, {"detail": "extra field"})
        if payload["question"] == "boom":
            return Response(500, {})
        return Response(200, {"success": True, "conversation_id": "c9"})

    ask = api_ask(post)
    assert ask("orders")["success"] is True
    assert ask("and today?", "c9")["success"] is False
    with pytest.raises(AssertionError, match="HTTP 500"):
        ask("boom")
