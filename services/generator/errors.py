"""The generator's errors."""

from __future__ import annotations

from shared.errors import EcomInsightError


class GeneratorError(EcomInsightError):
    """Root of the generator's own errors."""


class ModelRefused(GeneratorError):
    """A model version failed to load or failed its check, so it was not swapped in."""


class BadRequest(GeneratorError):
    """A ``/generate`` request that cannot be phrased as it is (answered 422 with the reason)."""
