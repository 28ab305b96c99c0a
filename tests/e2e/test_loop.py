"""The whole loop with every service as a real process: ask -> Kafka -> logger -> export ->
trainer -> model-ready -> generator hot swap; then a logger crash loses and duplicates nothing."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest

from services.stack.launcher import Stack
from services.stack.owners import correct
from services.stack.questions import varied_questions
from services.stack.settings import Settings
from shared.broker import free_port
from shared.registry import ModelRegistry
from shared.results import ToolResult
from tests.helpers import wait_for

pytestmark = pytest.mark.e2e
TOKEN = "e2e-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}  # the logger's reads are closed under `up` too (issue 24)


# Traffic the tiny model learns in seconds: 60 distinct questions (the export drops repeats) of
# five kinds, counts and revenue by status and period.
STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled", "refunded")
PERIODS = ("last month", "this month", "this year", "in the last 30 days", "last 7 days", "this week",
           "in October", "in 2025")
AFTER_SWAP = ("Count my shipped orders last month", "How many orders did I get this year?",
              "How many paid orders do I have?")


def learnable_questions() -> list[str]:
    questions = [f"Count my {status} orders {period}" for status in STATUSES for period in PERIODS[:5]]
    for period in PERIODS:
        questions += [f"How many orders did I get {period}?", f"Total revenue {period}",
                      f"How many new customers {period}?"]
    questions += [f"How many {status} orders do I have?" for status in STATUSES]
    assert len(set(questions)) == 60 and set(AFTER_SWAP) <= set(questions)
    return questions


def jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture
def stack(tmp_path: Path, kafka_bootstrap: str):
    topics = {f"KAFKA_TOPIC_{t}": f"e2e-{t.lower()}-{uuid.uuid4().hex[:8]}"
              for t in ("QUERIES", "FEEDBACK", "EXPORTS", "MODELS", "TRAINING", "DLQ")}
    settings = Settings(
        data_dir=tmp_path / "data", external_kafka=kafka_bootstrap, ask_port=free_port(),
        generator_port=free_port(), logger_port=free_port(), admin_token=TOKEN, seed_shops=2,
        health_timeout_s=240,
    )
    extra = {
        **topics,
        "KAFKA_PARTITIONS": "1",
        "KAFKA_SESSION_TIMEOUT_MS": "3000",
        "ECOMINSIGHT_LOGGER_EXPORT_MIN_EXAMPLES": "10",
        # The traffic (learnable_questions) has five kinds of answer, which the tiny model learns
        # exactly in a few epochs: the trainer's production gate (not the offline stack's) must pass.
        "ECOMINSIGHT_TRAINER_MIN_EXAMPLES": "10",
        "ECOMINSIGHT_TRAINER_EPOCHS": "12",
        "ECOMINSIGHT_TRAINER_LEARNING_RATE": "3e-3",
        "ECOMINSIGHT_TRAINER_BATCH_SIZE": "8",
        "ECOMINSIGHT_TRAINER_MIN_FACT_ACCURACY": "0.95",
        "ECOMINSIGHT_TRAINER_MAX_INVENTED_RATE": "0.02",
        "ECOMINSIGHT_TRAINER_MAX_NEW_TOKENS": "32",
        "ECOMINSIGHT_TRAINER_TORCH_THREADS": "1",
        "ECOMINSIGHT_GENERATOR_TORCH_THREADS": "1",
        "ECOMINSIGHT_GENERATOR_MAX_NEW_TOKENS": "48",
    }
    with Stack(settings, extra_env=extra) as running:
        yield running


def test_the_system_learns_from_its_own_traffic(stack: Stack) -> None:
    http = httpx.Client(timeout=30)
    ask, logger, generator = stack.url("ask"), stack.url("logger"), stack.url("generator")
    logs = stack.data_dir / "query_logs"

    # 1. Questions over HTTP, answered from the warehouse; feedback on two of them.
    answers = []
    for question in learnable_questions():
        resp = http.post(f"{ask}/api/mcp/ask", json={"shop_id": "10", "question": question})
        assert resp.status_code == 200, resp.text
        answers.append(resp.json())
    assert all(a["success"] for a in answers), [a["answer"] for a in answers if not a["success"]]
    # offline: nothing trained yet, the template phrases every answer
    assert all(a["generator"] == "template" and a["model_version"] == "template" for a in answers)
    for a, rating in zip(answers[:2], ("positive", "negative"), strict=True):
        assert http.post(f"{ask}/api/mcp/feedback", json={"query_id": a["query_id"], "feedback": rating}).status_code < 300
    # The owner corrects every answer into German: what a model must learn to be promoted.
    for a in answers:
        fix = correct("german", ToolResult.model_validate(a["data"]))
        body = {"query_id": a["query_id"], "feedback": "negative", "correction": fix}
        assert http.post(f"{ask}/api/mcp/feedback", json=body).status_code < 300

    # 2. The logger writes every query once to the JSONL files and to DuckDB.
    # The table counts 60 once the batch is committed, and the files are complete before that.
    stats = wait_for(lambda: (s := http.get(f"{logger}/stats", headers=ADMIN).json())["total_queries"] == 60
                     and s["corrections"]["accepted"] == 60 and s, timeout=90, what="stats over 60 queries")
    assert stats["success_rate"] > 0
    lines = jsonl(logs / "all_queries.jsonl")
    assert sorted(line["query_id"] for line in lines) == sorted(a["query_id"] for a in answers)
    # Each answered line says what was computed, as the API did.
    by_id = {a["query_id"]: a for a in answers}
    assert all(line["interpretation"] == by_id[line["query_id"]]["interpretation"] for line in lines)
    assert all(line["interpretation"]["metric"] for line in lines if line["success"])
    assert len(jsonl(logs / "success_queries.jsonl")) == sum(a["success"] for a in answers)
    assert len(jsonl(logs / "failed_queries.jsonl")) == sum(not a["success"] for a in answers)

    # 3. Export -> the trainer fine-tunes the tiny model -> model-ready -> the generator swaps.
    before = http.get(f"{generator}/model").json()
    resp = http.post(f"{logger}/export", headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 200, resp.text
    new = wait_for(lambda: (m := http.get(f"{generator}/model").json())["version"] != before["version"] and m,
                   timeout=420, interval=1.0, what="the generator to serve a newly trained model")
    version = new["version"]
    meta = ModelRegistry(stack.data_dir / "models").get(version)
    assert meta.status == "promoted" and meta.metrics["gate"] == "preference" and meta.metrics["gain"] > 0
    assert meta.metrics["fact_accuracy"] >= 0.95 and meta.metrics["invented_number_rate"] <= 0.02
    # The new version, not the template fallback, phrases each kind of question it was trained on,
    # and the numbers it states are the warehouse's.
    after_ids = []
    for q in AFTER_SWAP:
        after = http.post(f"{ask}/api/mcp/ask", json={"shop_id": "10", "question": q}).json()
        after_ids.append(after["query_id"])
        assert (after["generator"], after["model_version"]) == ("model", version), (q, after["answer"])
        assert after["success"] and str(after["data"]["values"]["value"]) in after["answer"].replace(",", "")

    # 4. kill -9 the logger while traffic goes on; after a restart nothing is lost or duplicated.
    logger_proc = next(c for c in stack.children if c.name == "logger")
    assert logger_proc.proc is not None
    logger_proc.proc.kill()
    logger_proc.proc.wait()
    extra_ids = after_ids
    for question in varied_questions(15, seed=11):
        extra_ids.append(http.post(f"{ask}/api/mcp/ask", json={"shop_id": "10", "question": question}).json()["query_id"])
    logger_proc.start()
    logger_proc.wait_healthy(120)
    expected = sorted([a["query_id"] for a in answers] + extra_ids)
    wait_for(lambda: len(jsonl(logs / "all_queries.jsonl")) >= len(expected), timeout=90, what="queries after restart")
    ids = [line["query_id"] for line in jsonl(logs / "all_queries.jsonl")]
    assert Counter(ids).most_common(1)[0][1] == 1, "a query was logged twice"
    assert sorted(ids) == expected
    # The files are written before the batch commits, so the table may lag the files for a moment.
    wait_for(lambda: http.get(f"{logger}/stats", headers=ADMIN).json()["total_queries"] == len(expected), timeout=60,
             what="the statistics to count every query once")
