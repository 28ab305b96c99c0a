"""The trainer's user-facing errors. Any of them ends a run with ``TrainingFailed``."""

from __future__ import annotations

from shared.errors import EcomInsightError


class TrainerError(EcomInsightError):
    """Root of the trainer's errors."""


class ExportError(TrainerError):
    """The export file is missing, empty or not the JSONL the logger writes."""


class TooFewExamples(TrainerError):
    """After skipping unusable records, fewer examples remain than the minimum."""
