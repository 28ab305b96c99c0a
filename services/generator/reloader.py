"""Hot reload: follow ``ModelReady`` events and swap models without dropping a request.

Every replica must see every event, so each one consumes ``kafka.topic_models`` in a consumer
group of its own (``ecominsight-generator-<replica id>``). Tansu's 'latest' offset is
unreliable, so the group reads from the beginning and skips stale events: those that occurred
before this replica started (it read the registry's CURRENT then, which already reflects them)
or before the newest event it already handled, all but the newest event of a batch, and the
version it already serves.

A new version is loaded beside the serving one, checked (``smoke_check``), and swapped in;
batches already running finish on the old model, which is then unloaded. A version that fails
to load or to check is refused: the old one keeps serving, an error is logged and, with
``report_refusals``, a ``TrainingFailed`` event goes to ``kafka.topic_training``. A
``ModelReady`` for ``template`` (``model promote template``, a rollback past the first version)
unloads the model: the template phrasing answers from the next batch on.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from services.generator.batcher import ModelSlot
from services.generator.engine import Stats, load_version, smoke_check
from services.generator.errors import ModelRefused
from services.generator.settings import Settings
from shared.errors import EcomInsightError
from shared.events import ModelReady, TrainingFailed
from shared.kafka import EventConsumer, EventProducer, Received, ensure_topics
from shared.registry import TEMPLATE, ModelRegistry, RegistryError

log = logging.getLogger(__name__)

RETRY_S = 5.0  # between attempts to reach the broker


class ModelReloader:
    """A ``ModelReady`` consumer: ``run()`` until ``stop()`` (``start()`` runs it in a thread)."""

    def __init__(
        self,
        settings: Settings,
        slot: ModelSlot,
        stats: Stats | None = None,
        started_at: datetime | None = None,
        replica_id: str | None = None,
    ):
        self.settings = settings
        self.slot = slot
        self.stats = stats or Stats()
        self.started_at = started_at or datetime.now(UTC)
        self._seen_until = self.started_at  # events up to here are stale
        self.replica_id = replica_id or uuid.uuid4().hex[:12]
        self.registry = ModelRegistry(settings.paths.models)
        self.consumer = EventConsumer(
            settings.kafka,
            [settings.kafka.topic_models],
            group_id=f"ecominsight-generator-{self.replica_id}",
            handler=self._handle,
            client_id=f"generator-{self.replica_id}",
            dlq=False,  # every replica reads the topic: one bad message would be dead-lettered N times
            commit=False,  # a fresh group per start: committed offsets would never be read again
        )
        self._producer: EventProducer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def ready(self) -> threading.Event:
        return self.consumer.ready

    def run(self) -> None:
        """Follow the topic until ``stop()``; an unreachable broker is retried, never fatal."""
        self._lower_priority()
        kafka = self.settings.kafka
        while not self.consumer.stopped:
            try:
                ensure_topics(kafka, [kafka.topic_models, kafka.topic_training], timeout_s=5.0)
                self.consumer.run()
            except Exception as exc:
                log.warning(
                    "cannot follow %s on %s (%s: %s); serving %s, retrying in %.0fs",
                    kafka.topic_models,
                    kafka.bootstrap_servers,
                    type(exc).__name__,
                    exc,
                    self.slot.version,
                    RETRY_S,
                )
                self._stopping.wait(RETRY_S)

    def _lower_priority(self) -> None:
        """Loading and checking a version competes with serving for the CPU: let serving win."""
        nice = self.settings.reload_nice
        if not nice:
            return
        try:  # Linux: a thread id with PRIO_PROCESS sets that one thread's niceness
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
        except (AttributeError, OSError) as exc:
            log.debug("cannot lower the reloader thread's priority: %s", exc)

    def start(self) -> ModelReloader:
        self._thread = threading.Thread(target=self.run, name="generator-reloader", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stopping.set()
        self.consumer.stop()
        if self._thread is not None:
            self._thread.join(timeout=timeout_s)
            if self._thread.is_alive():  # still waiting on an unreachable broker; it exits after that
                log.warning(
                    "the model reloader did not stop within %.0fs; leaving it (daemon thread)", timeout_s
                )
            self._thread = None
        if self._producer is not None:
            self._producer.close()
            self._producer = None

    # -- events ----------------------------------------------------------------------------------
    def _handle(self, batch: list[Received]) -> None:
        fresh = [
            r.event
            for r in batch
            if isinstance(r.event, ModelReady) and r.event.occurred_at > self._seen_until
        ]
        if not fresh:
            return
        newest = max(fresh, key=lambda e: e.occurred_at)
        # A rebalance can deliver events again (this group commits no offsets): never act twice.
        self._seen_until = newest.occurred_at
        if newest.version == self.slot.version:
            log.info("ModelReady %s: already serving it", newest.version)
            return
        self.apply(newest)

    def apply(self, event: ModelReady) -> bool:
        """Load, check and swap in ``event.version``; False if it was refused."""
        started = time.monotonic()
        if event.version == TEMPLATE:
            old = self.slot.swap(None)
            self.stats.swapped(time.monotonic() - started)
            log.info("now serving the template phrasing (was %s)", old.version if old else TEMPLATE)
            if old is not None:
                old.unload()
            return True
        try:  # only folders of our own registry are served: a name or path leading out is refused
            folder = self.registry.path(event.version)
            given = Path(event.path)
            if given.is_dir() and given.resolve() != folder.resolve():
                raise RegistryError(f"path {event.path[:200]!r} is not {folder} (outside the registry {self.registry.root})")
        except RegistryError as exc:
            self._refuse(event, str(exc))
            return False
        log.info("loading model %s from %s beside %s", event.version, folder, self.slot.version)
        try:
            new = load_version(event.version, folder, self.settings.runtime)
            share = smoke_check(
                new,
                self.settings.check_max_new_tokens,
                self.settings.max_input_tokens,
                self.settings.check_min_valid,
                pause_s=self.settings.check_pause_ms / 1000.0,
            )
        except ModelRefused as exc:
            self._refuse(event, str(exc))
            return False
        except Exception as exc:  # anything else a broken folder can throw
            self._refuse(event, f"model {event.version}: {type(exc).__name__}: {exc}")
            return False
        old = self.slot.swap(new)
        self.stats.swapped(time.monotonic() - started)
        log.info(
            "now serving model %s (was %s; loaded and checked in %.2fs, %.0f%% of check outputs valid)",
            new.version,
            old.version if old else "template",
            time.monotonic() - started,
            share * 100,
        )
        if old is not None:
            old.unload()
            log.info("released model %s", old.version)
        return True

    def _refuse(self, event: ModelReady, reason: str) -> None:
        log.error("refused model %s, still serving %s: %s", event.version, self.slot.version, reason)
        self.stats.refused.append({"version": event.version, "reason": reason, "at": time.time()})
        del self.stats.refused[:-20]
        if not self.settings.report_refusals:
            return
        try:
            if self._producer is None:
                self._producer = EventProducer(self.settings.kafka, client_id=f"generator-{self.replica_id}")
            self._producer.publish_sync(
                self.settings.kafka.topic_training,
                TrainingFailed(
                    export_id=event.export_id,
                    reason=f"generator {self.replica_id} refused model {event.version}: {reason}",
                    source="generator",
                ),
                key=event.version,
            )
        except EcomInsightError as exc:
            log.error("could not report the refusal of %s: %s", event.version, exc)
