"""The trainer's user-facing errors. Any of them ends a run with ``TrainingFailed``."""

from __future__ import annotations

from shared.errors import EcomInsightError
from shared.errors import TooFewExamples as TooFewExamples  # one class for logger and trainer


class TrainerError(EcomInsightError):
    """Root of the trainer's errors."""


class ExportError(TrainerError):
    """The export file is missing, empty or not the JSONL the logger writes."""

