"""The generator as one object: the serving model, the batcher and the reloader, started and
stopped together (``with GeneratorService(settings) as service: ...``).

Start-up picks the model to serve: the registry's CURRENT version; else ``settings.model``;
else none, and every answer uses the template phrasing (``model_version: "template"``), with a
log line saying why.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any

import torch

from services.generator.batcher import Batcher, ModelSlot
from services.generator.engine import Answer, ServingModel, Stats, load_base, load_version
from services.generator.errors import ModelRefused
from services.generator.reloader import ModelReloader
from services.generator.settings import Settings
from shared.registry import ModelRegistry, RegistryError
from shared.results import ToolResult

log = logging.getLogger(__name__)


def initial_model(settings: Settings) -> ServingModel | None:
    """The registry's promoted version, else ``settings.model``, else None (template phrasing)."""
    registry = ModelRegistry(settings.paths.models)
    try:
        current = registry.current_version()
    except (OSError, RegistryError) as exc:
        log.error("cannot read the model registry at %s: %s", registry.root, exc)
        current = None
    if current:
        try:
            serving = load_version(current, registry.path(current), settings.device)
            log.info("serving promoted model %s from %s", current, registry.root)
            return serving
        except ModelRefused as exc:
            log.error("cannot load the promoted model %s (%s); trying %s", current, exc, settings.model)
    else:
        log.info("no promoted model in %s; loading %s", registry.root, settings.model)
    try:
        serving = load_base(settings.model, settings.device)
        log.info("serving base model %s", settings.model)
        return serving
    except ModelRefused as exc:
        log.warning(
            "no model could be loaded, answering with the template phrasing (model_version 'template'): %s", exc
        )
        return None


class GeneratorService:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.stats = Stats()
        self.slot = ModelSlot()
        self.batcher = Batcher(
            self.slot,
            self.settings.batch_max_size,
            self.settings.batch_wait_ms,
            self.settings.max_new_tokens,
            self.settings.max_input_tokens,
            self.stats,
        )
        self.reloader: ModelReloader | None = None
        self.started_at: datetime | None = None

    def start(self) -> GeneratorService:
        if self.settings.torch_threads:
            torch.set_num_threads(self.settings.torch_threads)
        # Before reading the registry: ModelReady events older than this are already reflected in it.
        self.started_at = datetime.now(UTC)
        serving = initial_model(self.settings)
        if serving is not None:
            self.slot.swap(serving)
        self.batcher.start()
        if self.settings.reload:
            self.reloader = ModelReloader(self.settings, self.slot, self.stats, self.started_at).start()
        return self

    def close(self) -> None:
        if self.reloader is not None:
            self.reloader.stop()
            self.reloader = None
        self.batcher.close()
        serving = self.slot.current
        if serving is not None:
            serving.unload()

    def __enter__(self) -> GeneratorService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what the HTTP API uses ------------------------------------------------------------------
    def submit(self, question: str, result: ToolResult) -> Future[Answer]:
        return self.batcher.submit(question, result)

    @property
    def version(self) -> str:
        return self.slot.version

    def model_info(self) -> dict[str, Any]:
        serving = self.slot.current
        info: dict[str, Any] = serving.describe() if serving else {
            "version": self.version,
            "source": None,
            "loaded_at": None,
            "metadata": None,
        }
        info["generator"] = "model" if serving else "template"
        info["refused"] = list(self.stats.refused)
        info["swaps"] = self.stats.swaps
        return info

    def health(self) -> dict[str, Any]:
        s = self.stats
        return {
            "status": "ok",
            "model_version": self.version,
            "reloader": "off" if self.reloader is None else ("ready" if self.reloader.ready.is_set() else "starting"),
            "queue_depth": self.batcher.depth,
            "requests": s.requests,
            "batches": s.batches,
            "largest_batch": s.largest_batch,
            "model_answers": s.model_answers,
            "template_answers": s.template_answers,
            "swaps": s.swaps,
        }
