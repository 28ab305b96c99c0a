"""What serves in a running generator: the serving model (``ModelSlot``) and the canary model
with its split (``CanarySlot``); ``swap`` replaces either one atomically between batches.

The split: each shop's requests are counted, and request ``n`` (from 0) of a shop goes to the
canary when ``floor((n + 1) * f) > floor(n * f)``: of every shop's first ``N`` requests exactly
``floor(N * f)`` go to the canary, spread evenly, the same on every run (integer arithmetic in
parts per million, so no float rounding moves a request). The canary's file in the registry
(``canary.json``) is ``canary.py``.
"""

from __future__ import annotations

import threading

from services.generator.engine import TEMPLATE_VERSION, ServingModel

PPM = 1_000_000  # the split's resolution: a fraction is held as parts per million
MAX_SHOPS = 100_000  # per-shop counters kept; beyond that they start again (bounded memory)


class ModelSlot:
    """The serving model (or None: template phrasing). ``swap`` replaces it atomically."""

    def __init__(self, serving: ServingModel | None = None):
        self._serving = serving
        self._lock = threading.Lock()

    @property
    def current(self) -> ServingModel | None:
        return self._serving

    @property
    def version(self) -> str:
        serving = self._serving
        return serving.version if serving else TEMPLATE_VERSION

    def acquire(self) -> ServingModel | None:
        """The serving model, marked in use until ``release`` (so it is not unloaded mid-batch)."""
        with self._lock:
            serving = self._serving
            if serving is not None:
                serving.acquire()
            return serving

    def swap_if_empty(self, new: ServingModel) -> bool:
        """Serve ``new`` only if nothing is served yet (a background start-up load)."""
        with self._lock:
            if self._serving is not None:
                return False
            self._serving = new
            return True

    def swap(self, new: ServingModel | None) -> ServingModel | None:
        """Serve ``new`` (None: the template) from the next batch on; returns the previous model
        (still loaded)."""
        with self._lock:
            old, self._serving = self._serving, new
            return old


class CanarySlot(ModelSlot):
    """The canary model (None: no canary) and the fraction of each shop's requests it gets."""

    def __init__(self) -> None:
        super().__init__()
        self._ppm = 0
        self._counts: dict[str, int] = {}
        self._route_lock = threading.Lock()

    @property
    def fraction(self) -> float:
        return self._ppm / PPM if self.current is not None else 0.0

    def install(self, serving: ServingModel, fraction: float) -> ServingModel | None:
        """Serve ``serving`` as the canary at ``fraction``; returns the previous canary model."""
        with self._route_lock:
            self._ppm = round(fraction * PPM)
            self._counts.clear()
            return self.swap(serving)

    def set_fraction(self, fraction: float) -> None:
        with self._route_lock:
            self._ppm = round(fraction * PPM)
            self._counts.clear()

    def clear(self) -> ServingModel | None:
        """No canary from the next request on; returns its model (still loaded)."""
        with self._route_lock:
            self._ppm = 0
            self._counts.clear()
            return self.swap(None)

    def routes(self, shop_id: str | None) -> bool:
        """Whether this request of ``shop_id`` goes to the canary (counts it)."""
        if self.current is None:
            return False
        key = shop_id or ""
        with self._route_lock:
            if len(self._counts) >= MAX_SHOPS and key not in self._counts:
                self._counts.clear()
            n = self._counts.get(key, 0)
            self._counts[key] = n + 1
            return (n + 1) * self._ppm // PPM > n * self._ppm // PPM

    def describe(self) -> dict[str, object] | None:
        serving = self.current
        if serving is None:
            return None
        return {**serving.describe(), "fraction": self.fraction}
