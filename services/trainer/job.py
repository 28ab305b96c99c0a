"""One training run, step by step: load the export and split it (train / validation / test) ->
fine-tune, the checkpoint chosen on the validation split (``training.py``) -> evaluate the
candidate and the serving model on the test split, with a bootstrap interval on the gain -> gate
(``gate.py``) -> registry entry, promoted or rejected (``registration.py``).

``run_job`` is what both the worker (on ``ExportComplete``) and ``ecominsight train`` call. It
raises an ``EcomInsightError`` (or whatever broke) when the run cannot finish; the caller turns
that into ``TrainingFailed``. Nothing is written to the registry unless training finished.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from services.trainer import data as data_mod
from services.trainer.errors import TooFewExamples
from services.trainer.gate import Decision, decide
from services.trainer.registration import Lineage, Verdict, record_decision, save_version
from services.trainer.scores import Evaluation, evaluate_model, evaluate_template, preference_interval
from services.trainer.settings import Settings
from services.trainer.training import Progress, Trained, start_model, train
from shared.modeling import count_parameters, load_seq2seq
from shared.registry import ModelMeta, ModelRegistry

log = logging.getLogger(__name__)


@dataclass
class JobOutcome:
    meta: ModelMeta
    decision: Decision
    model_path: Path
    candidate: Evaluation
    baseline: Evaluation
    baseline_name: str  # a registry version, or "template"
    n_train: int
    n_val: int  # the validation split: picked the checkpoint
    n_test: int  # the test split: what the gate scored
    skipped: dict[str, int] = field(default_factory=dict)
    samples_per_s: float = 0.0

    @property
    def promoted(self) -> bool:
        return self.decision.promote


def load_examples(settings: Settings, data_path: Path) -> data_mod.LoadedExport:
    """The export's usable examples; ``TooFewExamples`` below ``settings.min_examples``."""
    export = data_mod.load_export(data_path)
    if export.skipped:
        log.info("skipped %d of %d records: %s", export.n_skipped, export.total, export.skipped)
    if len(export.examples) < settings.min_examples:
        raise TooFewExamples(
            f"{len(export.examples)} usable examples in {data_path.name} "
            f"({export.n_skipped} of {export.total} skipped: {export.skipped or 'none'}); "
            f"need at least {settings.min_examples}"
        )
    return export


def split_examples(settings: Settings, export: data_mod.LoadedExport) -> data_mod.Splits:
    splits = data_mod.three_way(
        export.examples, settings.validation_fraction, settings.seed, settings.corrected_fraction
    )
    log.info(
        "training on %d examples, choosing the checkpoint on %d, testing on %d (%d corrections)",
        len(splits.train),
        len(splits.validation),
        len(splits.test),
        sum(e.corrected for e in splits.test),
    )
    return splits


def evaluate_on(settings: Settings, model: Any, tokenizer: Any, test_set: list[data_mod.Example]) -> Evaluation:
    """A model's scores on the test split, decoded as the generator would."""
    return evaluate_model(
        model,
        tokenizer,
        test_set,
        settings.eval_batch_size,
        settings.max_input_length,
        settings.max_new_tokens,
    )


def evaluate_serving(
    settings: Settings, registry: ModelRegistry, test_set: list[data_mod.Example]
) -> tuple[Evaluation, str]:
    """The serving version on the test split, or the template when nothing is served yet."""
    serving = registry.current()
    if serving is None:
        return evaluate_template(test_set), "template"
    serving_tok, serving_model = load_seq2seq(registry.path(serving.version))
    baseline = evaluate_on(settings, serving_model, serving_tok, test_set)
    del serving_model
    return baseline, serving.version


def judge(settings: Settings, registry: ModelRegistry, trained: Trained, test_set: list[data_mod.Example]) -> Verdict:
    """Score the candidate against the serving model and let the gate decide."""
    candidate = evaluate_on(settings, trained.model, trained.tokenizer, test_set)
    baseline, baseline_name = evaluate_serving(settings, registry, test_set)
    interval = preference_interval(
        candidate, baseline, settings.bootstrap_resamples, settings.confidence_level, settings.seed
    )
    decision = decide(candidate.metrics, baseline.metrics, settings, interval)
    log.info("candidate %s", candidate.metrics)
    log.info("serving (%s) %s", baseline_name, baseline.metrics)
    return Verdict(candidate, baseline, baseline_name, interval, decision)


def fine_tune(
    settings: Settings,
    registry: ModelRegistry,
    splits: data_mod.Splits,
    workdir: Path,
    progress: Progress | None,
) -> tuple[Trained, str, str | None]:
    """Train from the start model; (the trained model, its base model's name, its parent version)."""
    texts = [e.prompt for e in splits.train] + [e.target for e in splits.train]
    base_name, parent, load_from = start_model(settings, registry, texts, workdir)
    log.info("starting from %s", parent or base_name)
    trained = train(settings, load_from, splits.train, splits.validation, workdir, progress)
    log.info(
        "trained %s parameters in %.1fs (%.1f samples/s, %.1f epochs)",
        f"{count_parameters(trained.model):,}",
        trained.train_time_s,
        trained.samples_per_s,
        trained.epochs_run,
    )
    return trained, base_name, parent


def run_job(
    settings: Settings,
    data_path: Path,
    export_id: str | None = None,
    progress: Progress | None = None,
    registry: ModelRegistry | None = None,
) -> JobOutcome:
    if settings.torch_threads:
        torch.set_num_threads(settings.torch_threads)
    registry = registry or ModelRegistry(settings.paths.models)
    export = load_examples(settings, Path(data_path))
    splits = split_examples(settings, export)
    with tempfile.TemporaryDirectory(prefix="ecominsight-train-") as tmp:
        trained, base_name, parent = fine_tune(settings, registry, splits, Path(tmp), progress)
        verdict = judge(settings, registry, trained, splits.test)
        lineage = Lineage(base_name, parent, export_id, export, splits)
        version, folder = save_version(settings, registry, trained, lineage, verdict)
    meta = record_decision(registry, version, verdict.decision)
    return JobOutcome(
        meta=meta,
        decision=verdict.decision,
        model_path=folder,
        candidate=verdict.candidate,
        baseline=verdict.baseline,
        baseline_name=verdict.baseline_name,
        n_train=len(splits.train),
        n_val=len(splits.validation),
        n_test=len(splits.test),
        skipped=export.skipped,
        samples_per_s=trained.samples_per_s,
    )
