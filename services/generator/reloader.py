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

A ``ModelReady`` with ``canary_fraction`` (``model canary``) is about the canary only: a fraction
above 0 loads and checks that version the same way and serves it as the canary
(``slots.CanarySlot``), 0 ends the canary. A canary that fails to load or to check is refused
like a promotion, and the serving version then phrases every request. A promotion ends the
canary: promoting the canary's own version moves its loaded model into the serving slot.
Of a batch of events, the newest promotion is applied, then the newest canary event after it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from services.generator.engine import ServingModel, Stats, load_version, smoke_check
from services.generator.errors import ModelRefused
from services.generator.settings import Settings
from services.generator.slots import CanarySlot, ModelSlot
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
        canary: CanarySlot | None = None,
    ):
        self.settings = settings
        self.slot = slot
        self.canary = canary or CanarySlot()
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
        fresh = sorted(
            (
                r.event
                for r in batch
                if isinstance(r.event, ModelReady) and r.event.occurred_at > self._seen_until
            ),
            key=lambda e: e.occurred_at,
        )
        if not fresh:
            return
        # A rebalance can deliver events again (this group commits no offsets): never act twice.
        self._seen_until = fresh[-1].occurred_at
        promotions = [e for e in fresh if e.canary_fraction is None]
        if promotions:
            newest = promotions[-1]
            if newest.version == self.slot.version:
                log.info("ModelReady %s: already serving it", newest.version)
                self._end_canary()
            else:
                self.apply(newest)
        canaries = [e for e in fresh if e.canary_fraction is not None]
        if canaries and (not promotions or canaries[-1].occurred_at > promotions[-1].occurred_at):
            self.apply(canaries[-1])

    def apply(self, event: ModelReady) -> bool:
        """Load, check and swap in ``event.version`` (as the canary when the event says so);
        False if it was refused."""
        if event.canary_fraction is not None:
            return self._apply_canary(event, event.canary_fraction)
        started = time.monotonic()
        canary = self.canary.current
        if canary is not None and canary.version == event.version:  # promoting the canary: already loaded
            new: ServingModel | None = self.canary.clear()
            share = None
        elif event.version == TEMPLATE:
            new, share = None, None
        else:
            loaded = self._load(event)
            if loaded is None:
                self._end_canary()  # the registry has moved on: the canary's comparison is over
                return False
            new, share = loaded
        old = self.slot.swap(new)
        self.stats.swapped(time.monotonic() - started)
        log.info(
            "now serving %s (was %s; in %.2fs%s)",
            f"model {new.version}" if new else "the template phrasing",
            old.version if old else TEMPLATE,
            time.monotonic() - started,
            f", {share:.0%} of check outputs valid" if share is not None else "",
        )
        self._end_canary()
        if old is not None:
            old.unload()
            log.info("released model %s", old.version)
        return True

    def _apply_canary(self, event: ModelReady, fraction: float) -> bool:
        if fraction == 0:
            self._end_canary()
            return True
        if event.version == TEMPLATE:
            self._refuse(event, "the template cannot be a canary")
            return False
        if event.version == self.slot.version:
            self._refuse(event, f"{event.version} is serving already: it cannot be its own canary")
            return False
        canary = self.canary.current
        if canary is not None and canary.version == event.version:
            self.canary.set_fraction(fraction)
            log.info("canary %s now phrases %.1f%% of each shop's requests", event.version, fraction * 100)
            return True
        loaded = self._load(event)
        if loaded is None:
            self._end_canary()  # every request to the serving version
            return False
        old = self.canary.install(loaded[0], fraction)
        log.info(
            "canary %s phrases %.1f%% of each shop's requests beside %s",
            event.version,
            fraction * 100,
            self.slot.version,
        )
        if old is not None:
            old.unload()
        return True

    def _end_canary(self) -> None:
        old = self.canary.clear()
        if old is not None:
            log.info("canary %s ended; %s phrases every request", old.version, self.slot.version)
            old.unload()

    def _load(self, event: ModelReady) -> tuple[ServingModel, float] | None:
        """``event.version`` loaded and checked, with the share of valid check outputs; None
        (refused, logged and reported) if it cannot serve."""
        try:  # only folders of our own registry are served: a name or path leading out is refused
            folder = self.registry.path(event.version)
            given = Path(event.path)
            if given.is_dir() and given.resolve() != folder.resolve():
                raise RegistryError(
                    f"path {event.path[:200]!r} is not {folder} (outside the registry {self.registry.root})"
                )
        except RegistryError as exc:
            self._refuse(event, str(exc))
            return None
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
            return None
        except Exception as exc:  # anything else a broken folder can throw
            self._refuse(event, f"model {event.version}: {type(exc).__name__}: {exc}")
            return None
        return new, share

    def _refuse(self, event: ModelReady, reason: str) -> None:
        role = "canary" if event.canary_fraction else "model"
        log.error("refused %s %s, still serving %s: %s", role, event.version, self.slot.version, reason)
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
