"""The generator answers numbers it cannot show, and huge bodies, with a 4xx (issue 13, §4)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from evaluation.phrasers import make_settings
from services.generator.app import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(tmp_path_factory.mktemp("gen")))) as c:  # template phrasing
        yield c


def post(client: TestClient, raw: str) -> tuple[int, str]:
    r = client.post("/generate", content=raw.encode(), headers={"Content-Type": "application/json"})
    return r.status_code, r.text


@pytest.mark.parametrize(
    "value",
    ["1e400", "-1e400", "1e300", "NaN", "Infinity", "-Infinity"],
)
@pytest.mark.parametrize("money", ['["revenue"]', "[]"])
def test_numbers_that_cannot_be_shown_are_a_422(client: TestClient, value: str, money: str) -> None:
    raw = (
        f'{{"question": "What is my revenue?", "result": {{"tool": "total_revenue", '
        f'"values": {{"revenue": {value}, "orders": 3}}, "money": {money}}}}}'
    )
    status, text = post(client, raw)
    assert status == 422 and "revenue" in text, text


def test_a_value_in_a_row_is_checked_too(client: TestClient) -> None:
    raw = (
        '{"question": "Top customers?", "result": {"tool": "top_customers", "values": {"n": 1}, '
        '"rows": [{"name": "Ada", "spent": 1e400}], "money": ["spent"]}}'
    )
    assert post(client, raw)[0] == 422


def test_a_normal_answer_still_works(client: TestClient) -> None:
    raw = (
        '{"question": "What is my revenue?", "result": {"tool": "total_revenue", '
        '"values": {"revenue": 1234.5, "orders": 3}, "money": ["revenue"]}}'
    )
    status, text = post(client, raw)
    assert status == 200 and "$1,234.50" in text


def test_a_huge_body_is_a_413_and_a_422_does_not_echo(client: TestClient, tmp_path: Path) -> None:
    field = "q" * (50 * 1024 * 1024)
    status, text = post(client, f'{{"question": "{field}", "result": {{"tool": "count_orders"}}}}')
    assert status == 413 and len(text) < 200
    field = "z" * 500_000
    status, text = post(
        client,
        f'{{"question": "x", "result": {{"tool": "count_orders", "values": {{"count": ["{field}"]}}}}}}',
    )
    assert status == 422 and field[:1000] not in text and len(text) < 3000
