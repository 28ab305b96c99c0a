"""The trainer worker: one ``ExportComplete`` at a time, in its own consumer group.

For each export it runs the training job. A promoted model is announced with ``ModelReady``
(generators hot-reload it); a rejected one only gets its registry entry (no event); a run that
fails for any reason (bad data, too few examples, out of memory, ...) publishes
``TrainingFailed`` with the reason, so generators keep serving what they serve.

An export that already has a registry entry is skipped: if a long run outlives the consumer's
poll interval and the event is delivered again, it is not trained twice.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import torch

from services.trainer.job import JobOutcome, run_job
from services.trainer.settings import Settings
from shared.events import ExportComplete, ModelReady, TrainingFailed
from shared.kafka import EventConsumer, EventProducer, Received
from shared.registry import ModelRegistry
from shared.worker import ConsumerWorker

log = logging.getLogger(__name__)


class TrainerWorker(ConsumerWorker):
    """``run()`` until ``stop()``. Owns its consumer and producer."""

    producer: EventProducer  # it always publishes

    def __init__(self, settings: Settings):
        self.settings = settings
        self.registry = ModelRegistry(settings.paths.models)
        consumer = EventConsumer(
            settings.kafka,
            [settings.kafka.topic_exports],
            settings.group_id,
            self.handle,
            client_id="ecominsight-trainer",
            max_batch=1,
            # One training run may take hours on a big model: do not let the group drop us.
            max_poll_interval_ms=6 * 3600 * 1000,
        )
        super().__init__(consumer, EventProducer(settings.kafka, client_id="ecominsight-trainer"))
        self.outcomes: list[JobOutcome] = []
        self.failures: list[TrainingFailed] = []
        self._lock = threading.Lock()

    def handle(self, batch: list[Received]) -> None:
        for received in batch:
            if isinstance(received.event, ExportComplete):
                self.train_on(received.event)
            else:
                log.debug("ignoring %s event on the exports topic", received.event.type)

    def _already_trained(self, export_id: str) -> str | None:
        for meta in self.registry.versions():
            if meta.export_id == export_id:
                return meta.version
        return None

    def train_on(self, event: ExportComplete) -> JobOutcome | None:
        done = self._already_trained(event.export_id)
        if done is not None:
            log.info("export %s was already trained as %s; skipping", event.export_id, done)
            return None
        log.info("training on export %s (%d examples) from %s", event.export_id, event.n_examples, event.path)
        try:
            outcome = run_job(
                self.settings, Path(event.path), export_id=event.export_id, registry=self.registry
            )
        except Exception as exc:  # every failure is reported, none stops the worker
            if torch.cuda.is_available():
                torch.cuda.empty_cache()  # after an out-of-memory error, give the memory back
            reason = f"{type(exc).__name__}: {exc}"
            log.error("training on export %s failed: %s", event.export_id, reason, exc_info=True)
            failed = TrainingFailed(export_id=event.export_id, reason=reason, source="trainer")
            self.producer.publish_sync(self.settings.kafka.topic_training, failed, key=event.export_id)
            with self._lock:
                self.failures.append(failed)
            return None
        with self._lock:
            self.outcomes.append(outcome)
        if outcome.promoted:
            self.producer.publish_sync(self.settings.kafka.topic_models, model_ready(outcome), key="model")
        return outcome


def model_ready(outcome: JobOutcome) -> ModelReady:
    return ModelReady.from_metadata(outcome.meta, outcome.model_path, source="trainer")
