"""POST /generate, GET /model, GET /health through HTTP, with tiny T5 models built here."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from evaluation.phrasers import add_version, make_settings, serve_http
from services.generator.app import create_app
from shared.phrasing import template_answer
from shared.placeholders import placeholders
from shared.prompt import build_prompt
from shared.registry import ModelRegistry
from shared.results import ToolResult

COUNT = ToolResult(tool="count_orders", values={"count": 1174})
CUSTOMERS = ToolResult(tool="customer_count", values={"count": 20931})


def ask(client: TestClient | httpx.Client, question: str, result: ToolResult) -> dict:
    response = client.post("/generate", json={"question": question, "result": result.model_dump()})
    assert response.status_code == 200, response.text
    return response.json()


def test_trained_model_answers_with_the_results_numbers(
    tmp_path: Path, registry: ModelRegistry, trained_model: Path
) -> None:
    version = add_version(registry, trained_model, promote=True, metrics={"fact_accuracy": 1.0})
    with TestClient(create_app(make_settings(tmp_path))) as client:
        body = ask(client, "How many orders do I have?", COUNT)
        assert body["generator"] == "model" and body["fallback_reason"] is None
        assert body["model_version"] == version
        assert "1,174" in body["text"] and not placeholders(body["text"])
        assert body["prompt"] == build_prompt("How many orders do I have?", COUNT)
        assert body["latency_ms"] > 0

        other = ask(client, "How many customers do I have?", CUSTOMERS)
        assert other["generator"] == "model" and "20,931" in other["text"]

        model = client.get("/model").json()
        assert model["version"] == version and model["generator"] == "model"
        assert model["metadata"]["metrics"] == {"fact_accuracy": 1.0}
        health = client.get("/health").json()
        assert health["status"] == "ok" and health["model_answers"] == 2
        per_shop = client.post(
            "/generate", json={"question": "How many orders?", "result": COUNT.model_dump(), "shop_id": "11"}
        ).json()
        assert (
            per_shop["prompt"] == build_prompt("How many orders?", COUNT, "11")
            and "| shop: 11 |" in per_shop["prompt"]
        )
        assert (
            client.post(
                "/generate",
                json={"question": "How many orders?", "result": COUNT.model_dump(), "shop_id": "1 | tool: x"},
            ).status_code
            == 422
        )  # the app's validation status: a shop id cannot rewrite the prompt


def test_bad_model_output_falls_back_to_the_template(
    tmp_path: Path, registry: ModelRegistry, random_model: Path
) -> None:
    version = add_version(registry, random_model, promote=True)
    result = ToolResult(
        tool="total_revenue", values={"revenue": 48210.5, "orders": 312}, money=["revenue"], currency="EUR"
    )
    with TestClient(create_app(make_settings(tmp_path))) as client:
        body = ask(client, "What is my revenue?", result)
    assert body["generator"] == "template" and body["model_version"] == version
    assert body["fallback_reason"].startswith("model output rejected")
    assert body["text"] == template_answer(result) == "Your total revenue is €48,210.50 from 312 orders."


def test_without_any_model_it_starts_on_the_template(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    app = create_app(make_settings(tmp_path))
    with TestClient(app) as client:
        app.state.service.wait_for_base(30)
        assert client.get("/health").json()["status"] == "ok"
        assert client.get("/model").json()["version"] == "template"
        body = ask(client, "How many orders?", COUNT)
    assert body == body | {
        "generator": "template",
        "model_version": "template",
        "fallback_reason": "no model loaded",
    }
    assert body["text"] == "You have 1,174 orders."
    assert "answering with the template phrasing" in caplog.text and "no-such-model" in caplog.text


def test_settings_model_is_loaded_when_nothing_is_promoted(tmp_path: Path, trained_model: Path) -> None:
    app = create_app(make_settings(tmp_path, model=str(trained_model)))
    with TestClient(app) as client:
        app.state.service.wait_for_base(60)
        assert client.get("/model").json()["version"] == str(trained_model)
        body = ask(client, "How many orders do I have?", COUNT)
    assert body["generator"] == "model" and body["model_version"] == str(trained_model)
    assert "1,174" in body["text"]


def test_tiny_t5_can_be_named_as_the_base_model(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, model="tiny-t5"))
    with TestClient(app) as client:
        app.state.service.wait_for_base(60)
        assert client.get("/model").json()["version"] == "tiny-t5"
        body = ask(client, "How many orders?", COUNT)  # untrained: its output is rejected
    assert body["model_version"] == "tiny-t5" and body["text"] == "You have 1,174 orders."


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"result": COUNT.model_dump()}, "question: Field required"),
        ({"question": "   ", "result": COUNT.model_dump()}, "question is empty"),
        ({"question": "x" * 2001, "result": COUNT.model_dump()}, "longer than 2000"),
        ({"question": "How many?", "result": {"values": {"count": 3}}}, "result.tool: Field required"),
        (
            {"question": "How many?", "result": {"tool": "count_orders", "values": {"count": [1]}}},
            "result.values",
        ),
        ({"question": "How many?", "tool": "total_revenue", "result": COUNT.model_dump()}, "does not match"),
        (
            {
                "question": "Top?",
                "result": {"tool": "top_customers", "values": {"n": 1}, "rows": [{"name": "Ada"}]},
            },
            "does not fit tool 'top_customers'",
        ),
    ],
)
def test_bad_input_is_a_422_that_says_why(tmp_path: Path, payload: dict, expected: str) -> None:
    with TestClient(create_app(make_settings(tmp_path))) as client:
        response = client.post("/generate", json=payload)
        assert response.status_code == 422
        assert expected in response.json()["detail"]
        assert (
            client.post(
                "/generate", content=b"not json", headers={"content-type": "application/json"}
            ).status_code
            == 422
        )


def test_concurrent_requests_share_batches(
    tmp_path: Path, registry: ModelRegistry, trained_model: Path
) -> None:
    add_version(registry, trained_model, promote=True)
    settings = make_settings(tmp_path, batch_wait_ms=20.0)
    results = [ToolResult(tool="count_orders", values={"count": n * 1000 + 7}) for n in range(32)]
    with serve_http(create_app(settings)) as url, httpx.Client(base_url=url, timeout=60) as client:

        def one(result: ToolResult) -> dict:
            return ask(client, "How many orders do I have?", result)

        with ThreadPoolExecutor(16) as pool:
            bodies = list(pool.map(one, results))
        health = client.get("/health").json()
    for body, result in zip(bodies, results, strict=True):
        assert f"{result.values['count']:,}" in body["text"]  # each answer got its own numbers
    assert health["requests"] == 32 and health["largest_batch"] > 1 and health["batches"] < 32
