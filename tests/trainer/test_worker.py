"""The worker over the real broker: ExportComplete -> ModelReady, or TrainingFailed with the reason."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from evaluation.exports import write_export
from services.trainer.data import file_sha256
from services.trainer.settings import Settings
from services.trainer.worker import TrainerWorker
from shared.events import ExportComplete, ModelReady, TrainingFailed
from shared.kafka import EventProducer
from shared.registry import ModelRegistry
from shared.settings import KafkaSettings
from tests.helpers import Collector

pytestmark = pytest.mark.slow


def _export_event(path: Path, export_id: str, n: int) -> ExportComplete:
    return ExportComplete(export_id=export_id, path=str(path), n_examples=n, sha256=file_sha256(path))


def test_export_complete_becomes_model_ready_and_bad_exports_become_training_failed(
    make_settings: Callable[..., Settings], kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    settings = make_settings(
        kafka=kafka_settings,
        group_id=f"trainer-{uuid.uuid4().hex[:6]}",
        min_fact_accuracy=0.0,
        max_invented_rate=1.0,
        max_other_shops_drop=1.0,  # low thresholds: any model with a gain in preference passes
    )
    empty = tmp_path / "exports" / "empty.jsonl"
    empty.parent.mkdir(parents=True)
    empty.write_text("")
    good = write_export(tmp_path / "exports" / "good.jsonl", 40, seed=4, styles={"11": "german"})
    registry = ModelRegistry(settings.paths.models)

    worker = TrainerWorker(settings)
    thread = threading.Thread(target=worker.run, daemon=True)
    with Collector(kafka_settings, kafka_settings.topic_models, kafka_settings.topic_training) as collector:
        thread.start()
        try:
            with EventProducer(kafka_settings) as producer:
                producer.publish_sync(kafka_settings.topic_exports, _export_event(empty, "export-empty", 0))
                producer.publish_sync(kafka_settings.topic_exports, _export_event(good, "export-good", 40))
            events = collector.wait_count(2, timeout=120)
        finally:
            worker.stop()
            thread.join(timeout=30)

    failed = [e for e in events if isinstance(e, TrainingFailed)]
    ready = [e for e in events if isinstance(e, ModelReady)]
    assert len(failed) == 1 and len(ready) == 1
    assert failed[0].export_id == "export-empty" and "empty" in failed[0].reason
    assert ready[0].export_id == "export-good" and ready[0].version == registry.current_version()
    assert Path(ready[0].path) == registry.path(ready[0].version).resolve()
    assert (Path(ready[0].path) / "config.json").is_file()
    assert "fact_accuracy" in ready[0].metrics
    meta = registry.get(ready[0].version)
    assert (
        meta.status == "promoted"
        and meta.export_id == "export-good"
        and meta.data_sha256 == file_sha256(good)
    )

    # The same export delivered again (a rebalance during a long run) is not trained twice.
    assert worker.train_on(_export_event(good, "export-good", 40)) is None
    assert [m.version for m in registry.versions()] == [ready[0].version]


def test_a_failed_run_leaves_the_serving_model_alone(
    make_settings: Callable[..., Settings], kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    settings = make_settings(
        kafka=kafka_settings,
        min_fact_accuracy=0.0,
        max_invented_rate=1.0,
        max_other_shops_drop=1.0,
        min_examples=30,
    )
    worker = TrainerWorker(settings)
    registry = ModelRegistry(settings.paths.models)
    first = worker.train_on(
        _export_event(write_export(tmp_path / "a.jsonl", 40, styles={"11": "german"}), "a", 40)
    )
    assert first is not None and first.promoted
    corrupt = tmp_path / "b.jsonl"
    corrupt.write_text('{"input": "q", "output": "a", "result": null}\n{"input": \n')
    small = write_export(tmp_path / "c.jsonl", 10)
    with Collector(kafka_settings, kafka_settings.topic_training) as collector:
        assert worker.train_on(_export_event(corrupt, "b", 2)) is None
        assert worker.train_on(_export_event(small, "c", 10)) is None
        reasons = {e.export_id: e.reason for e in collector.wait_count(2)}
    worker.producer.close()
    assert "ExportError" in reasons["b"] and "line 2" in reasons["b"]
    assert "TooFewExamples" in reasons["c"] and "need at least 30" in reasons["c"]
    assert registry.current_version() == first.meta.version
    assert [m.version for m in registry.versions()] == [first.meta.version]


def test_a_rejected_model_gets_a_registry_entry_but_no_model_ready(
    make_settings: Callable[..., Settings], kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    settings = make_settings(kafka=kafka_settings, epochs=1.0, min_fact_accuracy=1.0, min_rouge_l=1.0)
    worker = TrainerWorker(settings)
    outcome = worker.train_on(_export_event(write_export(tmp_path / "a.jsonl", 30), "a", 30))
    worker.producer.close()
    assert outcome is not None and not outcome.promoted
    meta = ModelRegistry(settings.paths.models).get(outcome.meta.version)
    assert meta.status == "rejected" and meta.reasons
    assert ModelRegistry(settings.paths.models).current_version() is None

    # One partition keeps order: if the worker had announced the model, it would arrive first.
    marker = ModelReady(version="marker", path="/nowhere", base_model="none")
    with EventProducer(kafka_settings) as producer:
        producer.publish_sync(kafka_settings.topic_models, marker)
    with Collector(kafka_settings, kafka_settings.topic_models) as collector:
        assert collector.wait_count(1) == [marker]
