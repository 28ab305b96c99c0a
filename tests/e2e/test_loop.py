"""The whole loop with every service as a real process: ask -> Kafka -> logger -> export ->
trainer -> model-ready -> generator hot swap; then a logger crash loses and duplicates nothing."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest

from services.stack.demo import varied_questions
from services.stack.launcher import Stack
from services.stack.settings import Settings
from shared.broker import free_port
from tests.helpers import wait_for

pytestmark = pytest.mark.e2e
TOKEN = "e2e-token"


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
        # A tiny model trained for a few steps cannot reach production thresholds: open the gate.
        "ECOMINSIGHT_TRAINER_MIN_EXAMPLES": "10",
        "ECOMINSIGHT_TRAINER_EPOCHS": "1",
        "ECOMINSIGHT_TRAINER_BATCH_SIZE": "8",
        "ECOMINSIGHT_TRAINER_MIN_FACT_ACCURACY": "0",
        "ECOMINSIGHT_TRAINER_MAX_INVENTED_RATE": "1",
        "ECOMINSIGHT_TRAINER_MIN_ROUGE_L": "0",
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
    for question in varied_questions(60, seed=3):
        resp = http.post(f"{ask}/api/mcp/ask", json={"shop_id": "10", "question": question})
        assert resp.status_code == 200, resp.text
        answers.append(resp.json())
    assert sum(a["success"] for a in answers) >= 40
    assert all(a["model_version"] == "template" for a in answers)  # offline: nothing trained yet
    for a, rating in zip(answers[:2], ("positive", "negative"), strict=True):
        assert http.post(f"{ask}/api/mcp/feedback", json={"query_id": a["query_id"], "feedback": rating}).status_code < 300

    # 2. The logger writes every query once to the JSONL files and to DuckDB.
    wait_for(lambda: len(jsonl(logs / "all_queries.jsonl")) >= 60, timeout=90, what="60 logged queries")
    lines = jsonl(logs / "all_queries.jsonl")
    assert sorted(line["query_id"] for line in lines) == sorted(a["query_id"] for a in answers)
    assert len(jsonl(logs / "success_queries.jsonl")) == sum(a["success"] for a in answers)
    assert len(jsonl(logs / "failed_queries.jsonl")) == sum(not a["success"] for a in answers)
    stats = wait_for(lambda: (s := http.get(f"{logger}/stats").json())["total_queries"] == 60 and s, timeout=30,
                     what="stats over 60 queries")
    assert stats["success_rate"] > 0

    # 3. Export -> the trainer fine-tunes the tiny model -> model-ready -> the generator swaps.
    before = http.get(f"{generator}/model").json()
    resp = http.post(f"{logger}/export", headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 200, resp.text
    new = wait_for(lambda: (m := http.get(f"{generator}/model").json())["version"] != before["version"] and m,
                   timeout=420, interval=1.0, what="the generator to serve a newly trained model")
    version = new["version"]
    assert version.startswith("v")
    after = http.post(f"{ask}/api/mcp/ask", json={"shop_id": "10", "question": "How many orders do I have?"}).json()
    assert after["model_version"] == version
    assert after["success"] and str(after["data"]["values"]["count"]) in after["answer"].replace(",", "")

    # 4. kill -9 the logger while traffic goes on; after a restart nothing is lost or duplicated.
    logger_proc = next(c for c in stack.children if c.name == "logger")
    assert logger_proc.proc is not None
    logger_proc.proc.kill()
    logger_proc.proc.wait()
    extra_ids = [after["query_id"]]
    for question in varied_questions(15, seed=11):
        extra_ids.append(http.post(f"{ask}/api/mcp/ask", json={"shop_id": "10", "question": question}).json()["query_id"])
    logger_proc.start()
    logger_proc.wait_healthy(120)
    expected = sorted([a["query_id"] for a in answers] + extra_ids)
    wait_for(lambda: len(jsonl(logs / "all_queries.jsonl")) >= len(expected), timeout=90, what="queries after restart")
    ids = [line["query_id"] for line in jsonl(logs / "all_queries.jsonl")]
    assert Counter(ids).most_common(1)[0][1] == 1, "a query was logged twice"
    assert sorted(ids) == expected
    assert http.get(f"{logger}/stats").json()["total_queries"] == len(expected)
