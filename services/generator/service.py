"""The generator as one object: the serving model, the batcher and the reloader, started and
stopped together (``with GeneratorService(settings) as service: ...``).

Start-up picks the model to serve: the registry's CURRENT version; else ``settings.model``,
loaded in the background (the hub can take a minute to fail offline) while the template phrasing
answers (``model_version: "template"``); if that fails too, a log line says why and the template
phrasing goes on answering. Each model is checked (``smoke_check``) before it serves.

A canary in force in the registry (``canary.json``, see ``canary.py``) is loaded and checked the
same way and resumes its split; if it cannot serve, a log line says why and the serving version
phrases every request.
"""

from __future__ import annotations

import gc
import logging
import threading
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any

import torch

from services.generator.batcher import Batcher
from services.generator.canary import read_canary
from services.generator.engine import Answer, ServingModel, Stats, load_base, load_version, smoke_check
from services.generator.errors import ModelRefused
from services.generator.reloader import ModelReloader
from services.generator.settings import Settings
from services.generator.slots import CanarySlot, ModelSlot
from shared.registry import ModelRegistry, RegistryError
from shared.results import ToolResult

log = logging.getLogger(__name__)


def promoted_model(settings: Settings) -> ServingModel | None:
    """The registry's promoted version, loaded and checked; None if there is none or it is broken."""
    registry = ModelRegistry(settings.paths.models)
    try:
        current = registry.current_version()
    except (OSError, RegistryError) as exc:
        log.error("cannot read the model registry at %s: %s", registry.root, exc)
        return None
    if not current:
        log.info("no promoted model in %s", registry.root)
        return None
    try:
        serving = load_version(current, registry.path(current), settings.runtime)
        _check(settings, serving)
    except ModelRefused as exc:
        log.error("cannot serve the promoted model %s: %s", current, exc)
        return None
    log.info("serving promoted model %s from %s (%s)", current, registry.root, serving.backend)
    return serving


def canary_model(settings: Settings) -> tuple[ServingModel, float] | None:
    """The registry's canary in force, loaded and checked, with its fraction; None if there is
    none or it cannot serve (a log line says why)."""
    registry = ModelRegistry(settings.paths.models)
    try:
        canary = read_canary(registry)
        if canary is None:
            return None
        serving = load_version(canary.version, registry.path(canary.version), settings.runtime)
        _check(settings, serving)
    except (OSError, RegistryError, ModelRefused) as exc:
        log.error("no canary: cannot serve the registry's canary: %s", exc)
        return None
    log.info("canary %s phrases %.1f%% of each shop's requests", canary.version, canary.fraction * 100)
    return serving, canary.fraction


def base_model(settings: Settings) -> ServingModel | None:
    """``settings.model`` loaded and checked, or None with a log line saying why."""
    try:
        serving = load_base(settings.model, settings.runtime)
        _check(settings, serving)
    except ModelRefused as exc:
        log.warning(
            "no model could be loaded, answering with the template phrasing (model_version 'template'): %s",
            exc,
        )
        return None
    return serving


def _check(settings: Settings, serving: ServingModel) -> None:
    """The same check a hot-reloaded version passes; it also warms the model up."""
    smoke_check(serving, settings.check_max_new_tokens, settings.max_input_tokens, settings.check_min_valid)


class GeneratorService:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.stats = Stats()
        self.slot = ModelSlot()
        self.canary = CanarySlot()
        self.batcher = Batcher(
            self.slot,
            self.settings.batch_max_size,
            self.settings.batch_wait_ms,
            self.settings.max_new_tokens,
            self.settings.max_input_tokens,
            self.stats,
            self.canary,
        )
        self.reloader: ModelReloader | None = None
        self.started_at: datetime | None = None
        self._base_loader: threading.Thread | None = None
        self._closed = False

    def start(self) -> GeneratorService:
        if self.settings.torch_threads:
            torch.set_num_threads(self.settings.torch_threads)
        # Before reading the registry: ModelReady events older than this are already reflected in it.
        self.started_at = datetime.now(UTC)
        serving = promoted_model(self.settings)
        if serving is not None:
            self.slot.swap(serving)
        canary = canary_model(self.settings)
        if canary is not None:
            self.canary.install(*canary)
        if self.settings.gc_freeze:
            # Start-up objects (torch, transformers, the model) leave the garbage collector's view,
            # so its occasional full collections stay short instead of pausing requests.
            gc.collect()
            gc.freeze()
        self.batcher.start()
        if self.settings.reload:
            self.reloader = ModelReloader(
                self.settings, self.slot, self.stats, self.started_at, canary=self.canary
            ).start()
        if serving is None and ModelRegistry(self.settings.paths.models).serves_template():
            log.info("the registry serves the template phrasing (model promote template / rollback)")
        elif serving is None:
            # The hub can take a minute to fail when offline: serve the template phrasing meanwhile.
            log.info(
                "loading base model %s in the background; the template phrasing answers until then",
                self.settings.model,
            )
            self._base_loader = threading.Thread(
                target=self._load_base, name="generator-base-loader", daemon=True
            )
            self._base_loader.start()
        return self

    def _load_base(self) -> None:
        serving = base_model(self.settings)
        if serving is None:
            return
        if self._closed:
            serving.unload()
        elif self.slot.swap_if_empty(serving):
            log.info("serving base model %s", serving.version)
        else:  # a promoted version arrived first
            log.info("not serving base model %s: model %s arrived first", serving.version, self.slot.version)
            serving.unload()

    def wait_for_base(self, timeout_s: float | None = None) -> None:
        """Wait until the background load of ``settings.model`` (if any) has finished."""
        if self._base_loader is not None:
            self._base_loader.join(timeout_s)

    def close(self) -> None:
        self._closed = True  # a base model still loading is dropped when it arrives
        if self.reloader is not None:
            self.reloader.stop()
            self.reloader = None
        self.batcher.close()
        for slot in (self.slot, self.canary):
            serving = slot.current
            if serving is not None:
                serving.unload()

    def __enter__(self) -> GeneratorService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what the HTTP API uses ------------------------------------------------------------------
    def submit(self, question: str, result: ToolResult, shop_id: str | None = None) -> Future[Answer]:
        return self.batcher.submit(question, result, shop_id)

    @property
    def version(self) -> str:
        return self.slot.version

    def model_info(self) -> dict[str, Any]:
        serving = self.slot.current
        info: dict[str, Any] = (
            serving.describe()
            if serving
            else {
                "version": self.version,
                "source": None,
                "loaded_at": None,
                "metadata": None,
            }
        )
        info["generator"] = "model" if serving else "template"
        info["canary"] = self.canary.describe()
        info["refused"] = list(self.stats.refused)
        info["swaps"] = self.stats.swaps
        return info

    def health(self) -> dict[str, Any]:
        s = self.stats
        canary = self.canary.current
        return {
            "status": "ok",
            "model_version": self.version,
            "canary": {"version": canary.version, "fraction": self.canary.fraction} if canary else None,
            "loading_base_model": self._base_loader is not None and self._base_loader.is_alive(),
            "reloader": "off"
            if self.reloader is None
            else ("ready" if self.reloader.ready.is_set() else "starting"),
            "queue_depth": self.batcher.depth,
            "requests": s.requests,
            "batches": s.batches,
            "largest_batch": s.largest_batch,
            "model_answers": s.model_answers,
            "template_answers": s.template_answers,
            "canary_answers": s.canary_answers,
            "swaps": s.swaps,
        }
