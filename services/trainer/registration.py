"""A trained model becomes a registry version: its weights and tokenizer, a CTranslate2 copy for
serving (kept only if it answers as PyTorch does), and the metadata the gate's verdict, the data
and the libraries make. Promotion or rejection is the registry's (``ModelRegistry``)."""

from __future__ import annotations

import logging
import platform
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from services.trainer.data import LoadedExport, Splits
from services.trainer.gate import Decision
from services.trainer.scores import Evaluation, Interval
from services.trainer.settings import Settings
from services.trainer.training import Trained
from shared import ct2
from shared.modeling import count_parameters
from shared.registry import ModelMeta, ModelRegistry

log = logging.getLogger(__name__)


@dataclass
class Verdict:
    """What the gate compared and decided: the candidate and the serving model (or the template)
    on the test split, the interval on the gain, and the decision."""

    candidate: Evaluation
    baseline: Evaluation
    baseline_name: str  # a registry version, or "template"
    interval: Interval
    decision: Decision


@dataclass
class Lineage:
    """Where a trained model came from: its base model, the version it was fine-tuned from, and
    the export it was trained on."""

    base_model: str
    parent_version: str | None
    export_id: str | None
    export: LoadedExport
    splits: Splits


def library_versions() -> dict[str, str]:
    import accelerate
    import ctranslate2
    import datasets
    import tokenizers
    import transformers

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
        "datasets": datasets.__version__,
        "accelerate": accelerate.__version__,
        "ctranslate2": ctranslate2.__version__,
    }


def convert_for_serving(folder: Path, prompts: list[str], settings: Settings) -> str:
    """Convert the saved version to CTranslate2 beside its transformers weights, and keep the
    copy only if its float32 greedy outputs equal PyTorch's on (up to 16 of) ``prompts``.
    Returns the backend the generator will use: ``"ctranslate2"`` or ``"pytorch"``."""
    try:
        mismatch = ct2.convert_checked(
            folder, prompts[:16], settings.max_input_length, settings.max_new_tokens
        )
    except ct2.ConversionError as exc:
        log.error("%s; the generator will serve this version with PyTorch", exc)
        return "pytorch"
    if mismatch is not None:
        log.error("CTranslate2 copy of %s dropped, outputs differ from PyTorch: %s", folder.name, mismatch)
        return "pytorch"
    log.info("converted %s to CTranslate2 (%s)", folder.name, ct2.CT2_DIR)
    return "ctranslate2"


def version_metrics(verdict: Verdict, splits: Splits, trained: Trained, serving_backend: str) -> dict[str, Any]:
    """The metrics a version records: the candidate's scores, the gate's verdict, the split sizes."""
    interval = verdict.interval
    return {
        **verdict.candidate.metrics,
        "gate": verdict.decision.mode,
        "baseline": verdict.baseline_name,
        "gain": verdict.decision.gain,
        "gain_ci_low": interval.low,
        "gain_ci_high": interval.high,
        "gain_ci_level": interval.level,
        "n_train": len(splits.train),
        "n_val": len(splits.validation),
        "n_test": len(splits.test),
        "train_samples_per_s": round(trained.samples_per_s, 2),
        "serving_backend": serving_backend,
    }


def hyperparameters(settings: Settings, lineage: Lineage, trained: Trained) -> dict[str, Any]:
    """The settings that shaped the run, with what the run itself made of them."""
    hyper = settings.hyperparameters()
    hyper.update(
        epochs_run=trained.epochs_run,
        n_train=len(lineage.splits.train),
        n_val=len(lineage.splits.validation),
        n_test=len(lineage.splits.test),
        skipped=lineage.export.skipped,
        parameters=count_parameters(trained.model),
    )
    return hyper


def save_version(
    settings: Settings, registry: ModelRegistry, trained: Trained, lineage: Lineage, verdict: Verdict
) -> tuple[str, Path]:
    """Write the trained model as a new registry version with its metadata; (version, folder).
    Nothing is left in the registry if writing fails."""
    version, folder = registry.allocate()
    try:
        trained.model.save_pretrained(folder)
        trained.tokenizer.save_pretrained(folder)
        prompts = [e.prompt for e in lineage.splits.validation]
        serving_backend = convert_for_serving(folder, prompts, settings)
        meta = ModelMeta(
            version=version,
            base_model=lineage.base_model,
            parent_version=lineage.parent_version,
            export_id=lineage.export_id,
            data_sha256=lineage.export.sha256,
            metrics=version_metrics(verdict, lineage.splits, trained, serving_backend),
            baseline_metrics=verdict.baseline.metrics,
            hyperparameters=hyperparameters(settings, lineage, trained),
            library_versions=library_versions(),
            train_time_s=round(trained.train_time_s, 2),
        )
        registry.save_metadata(meta)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return version, folder


def record_decision(registry: ModelRegistry, version: str, decision: Decision) -> ModelMeta:
    """Promote the version or reject it with the gate's reasons."""
    if decision.promote:
        meta = registry.promote(version)
        log.info("promoted %s (gate: %s)", version, decision.mode)
    else:
        meta = registry.reject(version, decision.reasons)
        log.info("rejected %s: %s", version, "; ".join(decision.reasons))
    return meta
