"""``GET /metrics`` of every service, scraped after real traffic: the series an operator graphs
are there, in the Prometheus text format, with the counts of what was done."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from evaluation.phrasers import make_settings as generator_settings
from services.ask.app import create_app as create_ask_app
from services.ask.keys import KeySettings
from services.ask.seed import seed_warehouse
from services.ask.settings import Settings as AskSettings
from services.generator.app import create_app as create_generator_app
from services.generator.reloader import ModelReloader
from services.generator.service import GeneratorService
from services.logger.app import create_app as create_logger_app
from services.trainer.settings import Settings as TrainerSettings
from services.trainer.telemetry import serve_metrics
from services.trainer.worker import TrainerWorker
from shared.broker import free_port
from shared.events import ExportComplete, ModelReady
from shared.kafka import EventProducer
from shared.registry import ModelMeta, ModelRegistry
from shared.results import ToolResult
from shared.settings import KafkaSettings, PathSettings
from tests.helpers import wait_for
from tests.logger.conftest import ADMIN, query_event
from tests.logger.conftest import make_settings as logger_settings

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(text: str) -> Samples:
    """Every sample of an exposition: (name, labels) -> value. Parsing also checks the format."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels``."""
    found = [v for (n, ls), v in samples.items() if n == name and set(labels.items()) <= ls]
    assert found, f"no sample {name}{labels}"
    return sum(found)


def scrape_until(get: Callable[[], str], name: str, at_least: float) -> Samples:
    def enough() -> Samples:
        samples = scrape(get())
        return samples if value(samples, name) >= at_least else {}

    return wait_for(enough, what=f"{name} >= {at_least}")


def test_ask_counts_requests_answers_and_the_outbox(tmp_path: Path, kafka_settings: KafkaSettings) -> None:
    seed_warehouse(tmp_path / "warehouse.duckdb", shops=2, orders_per_shop=300)
    settings = AskSettings(
        paths=PathSettings(data_dir=tmp_path, warehouse_path=tmp_path / "warehouse.duckdb"),
        keys=KeySettings(require_api_keys=False),
        kafka=kafka_settings,
        use_generator=False,
    )
    questions = [
        ("10", "How many orders do I have?"),
        ("11", "How many orders do I have?"),
        ("10", "revenue by category this year"),
        ("10", "What's the weather?"),
        ("404", "orders"),
    ]
    with TestClient(create_ask_app(settings)) as client:
        for shop, question in questions:
            client.post("/api/mcp/ask", json={"shop_id": shop, "question": question})
        client.get("/health")
        response = client.get("/metrics")
        assert response.headers["content-type"].startswith("text/plain")
        samples = scrape(response.text)
        assert value(samples, "ecominsight_http_requests_total", route="/api/mcp/ask", status="200") == 4
        assert value(samples, "ecominsight_http_requests_total", route="/api/mcp/ask", status="404") == 1
        assert value(samples, "ecominsight_http_request_duration_seconds_count", route="/api/mcp/ask") == 5
        assert value(samples, "ecominsight_http_request_duration_seconds_sum", route="/api/mcp/ask") > 0
        assert value(samples, "ecominsight_http_requests_total", route="/health", method="GET") == 1
        assert value(samples, "ecominsight_ask_answers_total", success="true", generator="template") == 3
        assert value(samples, "ecominsight_ask_answers_total", intent="unsupported", success="false") == 1
        # all five events (the unknown shop's too) reach Kafka: the backlog drains to zero
        drained = scrape_until(
            lambda: client.get("/metrics").text, "ecominsight_ask_outbox_published_total", 5
        )
        assert value(drained, "ecominsight_ask_outbox_backlog") == 0
        assert value(drained, "ecominsight_ask_outbox_publish_failures_total") == 0


def test_logger_counts_events_written_and_its_lag(tmp_path: Path, kafka_settings: KafkaSettings) -> None:
    settings = logger_settings(tmp_path, kafka_settings)
    with EventProducer(kafka_settings) as producer:
        for i in range(40):
            producer.publish(kafka_settings.topic_queries, query_event(i), key="10")
        producer.flush()
    with TestClient(create_logger_app(settings)) as client:
        samples = scrape_until(
            lambda: client.get("/metrics").text, "ecominsight_logger_events_written_total", 40
        )
        assert value(samples, "ecominsight_logger_events_written_total") == 40
        assert wait_for(
            lambda: value(scrape(client.get("/metrics").text), "ecominsight_logger_consumer_lag") == 0,
            what="the lag to be 0",
        )
        assert client.get("/stats", headers=ADMIN).status_code == 200
        assert client.get("/stats").status_code == 401
        samples = scrape(client.get("/metrics").text)
    assert value(samples, "ecominsight_http_requests_total", route="/stats", status="200") == 1
    assert value(samples, "ecominsight_http_requests_total", route="/stats", status="401") == 1
    assert value(samples, "ecominsight_logger_dead_lettered_total") == 0


def test_generator_shows_the_version_serving_answers_and_swaps(tmp_path: Path) -> None:
    settings = generator_settings(tmp_path)
    service = GeneratorService(settings)
    result = ToolResult(tool="count_orders", values={"count": 1174})
    with service, TestClient(create_generator_app(service=service)) as client:
        for _ in range(3):
            assert (
                client.post(
                    "/generate", json={"question": "How many orders?", "result": result.model_dump()}
                ).status_code
                == 200
            )
        before = scrape(client.get("/metrics").text)
        # a rollback to the template phrasing arrives: one swap, timed
        ModelReloader(settings, service.slot, service.stats).apply(
            ModelReady(version="template", path="", base_model="template")
        )
        after = scrape(client.get("/metrics").text)
    assert value(before, "ecominsight_generator_model_info", version="template", generator="template") == 1
    assert value(before, "ecominsight_generator_answers_total", generator="template") == 3
    assert value(before, "ecominsight_generator_answers_total", generator="model") == 0
    assert value(before, "ecominsight_http_requests_total", route="/generate", status="200") == 3
    assert value(before, "ecominsight_generator_swaps_total") == 0
    assert value(after, "ecominsight_generator_swaps_total") == 1
    assert value(after, "ecominsight_generator_swap_duration_seconds_count") == 1
    assert value(after, "ecominsight_generator_swap_duration_seconds_sum") >= 0


def test_trainer_serves_runs_and_gate_results_on_its_port(
    tmp_path: Path, kafka_settings: KafkaSettings
) -> None:
    registry = ModelRegistry(tmp_path / "models")
    for status in ("promoted", "rejected", "rejected"):
        version, _ = registry.allocate()
        registry.save_metadata(ModelMeta(version=version, base_model="tiny-t5", status=status))  # type: ignore[arg-type]
    worker = TrainerWorker(TrainerSettings(kafka=kafka_settings, paths=PathSettings(data_dir=tmp_path)))
    try:
        # a run on an export that is not there fails, is reported and counted
        assert (
            worker.train_on(
                ExportComplete(
                    export_id="e1", path=str(tmp_path / "missing.jsonl"), n_examples=30, sha256="0" * 64
                )
            )
            is None
        )
        port = free_port()
        serve_metrics(worker, "127.0.0.1", port)
        samples = scrape(httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text)
    finally:
        worker.producer.close()
    assert value(samples, "ecominsight_trainer_runs_total", result="failed") == 1
    assert value(samples, "ecominsight_trainer_runs_total", result="promoted") == 0
    assert value(samples, "ecominsight_trainer_train_duration_seconds_count") == 0
    assert value(samples, "ecominsight_trainer_registry_versions", status="rejected") == 2
    assert value(samples, "ecominsight_trainer_registry_versions", status="promoted") == 1
