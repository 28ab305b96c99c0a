"""One training run: export -> examples (train / validation / test) -> fine-tune, the checkpoint
chosen on the validation split -> evaluate candidate and serving model on the test split, with a
bootstrap interval on the gain -> gate -> registry entry (promoted or rejected).

``run_job`` is what both the worker (on ``ExportComplete``) and ``ecominsight train`` call. It
raises an ``EcomInsightError`` (or whatever broke) when the run cannot finish; the caller turns
that into ``TrainingFailed``. Nothing is written to the registry unless training finished.
"""

from __future__ import annotations

import logging
import platform
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from transformers import (
    EarlyStoppingCallback,
    PrinterCallback,
    Seq2SeqTrainer,
    Seq2SeqTrainingArguments,
    TrainerCallback,
)

from services.trainer import data as data_mod
from services.trainer.errors import TooFewExamples
from services.trainer.gate import Decision, decide
from services.trainer.scores import Evaluation, evaluate_model, evaluate_template, preference_interval
from services.trainer.settings import Settings
from services.trainer.tiny import build_tiny
from shared import ct2
from shared.modeling import TINY_BASE, TinyT5Spec, count_parameters, load_seq2seq, set_generation_defaults
from shared.registry import ModelMeta, ModelRegistry

log = logging.getLogger(__name__)

Progress = Callable[[int, int, float | None, float | None], None]  # step, max_steps, loss, eta_s


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


class ProgressCallback(TrainerCallback):
    """Logs step, loss and ETA every ``logging_steps`` and forwards them to ``progress``."""

    def __init__(self, progress: Progress | None = None, every: int = 10):
        self.progress = progress
        self.every = every
        self.started = time.monotonic()
        self.loss: float | None = None

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.started = time.monotonic()

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, float] | None = None, **kwargs: Any
    ) -> None:
        if logs and "loss" in logs:
            self.loss = float(logs["loss"])

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        step, total = state.global_step, state.max_steps
        elapsed = time.monotonic() - self.started
        eta = elapsed / step * (total - step) if step else None
        if self.progress is not None:
            self.progress(step, total, self.loss, eta)
        if step % self.every == 0 or step == total:
            loss = f"{self.loss:.4f}" if self.loss is not None else "-"
            eta_text = f"{eta:.0f}s" if eta is not None else "-"
            log.info("training step %d/%d  loss %s  ETA %s", step, total, loss, eta_text)

    def on_evaluate(
        self, args: Any, state: Any, control: Any, metrics: dict[str, float] | None = None, **kw: Any
    ) -> None:
        if metrics and "eval_loss" in metrics:
            log.info("epoch %.1f: validation loss %.4f", state.epoch or 0.0, metrics["eval_loss"])


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


def start_model(
    settings: Settings, registry: ModelRegistry, texts: list[str], workdir: Path
) -> tuple[str, str | None, str | Path]:
    """(base model name, parent version, what to load): the serving version, or the base."""
    current = registry.current() if settings.finetune_current else None
    if current is not None:
        return current.base_model, current.version, registry.path(current.version)
    if settings.base_model == TINY_BASE:
        spec = TinyT5Spec(
            d_model=settings.tiny_d_model,
            num_layers=settings.tiny_layers,
            num_decoder_layers=settings.tiny_layers,
            d_kv=max(8, settings.tiny_d_model // 4),
            d_ff=settings.tiny_d_model * 2,
        )
        name = TINY_BASE if settings.tiny_tokenizer == "byte" else f"{TINY_BASE}-word"
        return name, None, build_tiny(workdir / "base", settings.tiny_tokenizer, texts, spec)
    return settings.base_model, None, settings.base_model


def training_arguments(
    settings: Settings, output_dir: Path, n_train: int, **overrides: Any
) -> Seq2SeqTrainingArguments:
    precision = settings.resolved_precision()
    values: dict[str, Any] = dict(
        output_dir=str(output_dir),
        learning_rate=settings.learning_rate,
        per_device_train_batch_size=settings.batch_size,
        per_device_eval_batch_size=settings.eval_batch_size,
        gradient_accumulation_steps=settings.gradient_accumulation_steps,
        num_train_epochs=settings.epochs,
        weight_decay=settings.weight_decay,
        eval_strategy="epoch",
        save_strategy="epoch",
        save_total_limit=settings.save_total_limit,
        load_best_model_at_end=True,
        metric_for_best_model="eval_loss",
        greater_is_better=False,
        # Only lengths vary: grouping similar lengths keeps padding (and wasted compute) small.
        train_sampling_strategy="group_by_length" if settings.group_by_length and n_train > 1 else "random",
        seed=settings.seed,
        use_cpu=settings.resolved_device() == "cpu",
        bf16=precision == "bf16",
        fp16=precision == "fp16",
        logging_strategy="steps",
        logging_steps=settings.logging_steps,
        report_to="none",
        disable_tqdm=True,
        save_only_model=True,  # checkpoints hold weights only: no optimizer state on disk
        dataloader_pin_memory=settings.resolved_device() == "cuda",
    )
    values.update(overrides)
    return Seq2SeqTrainingArguments(**values)


@dataclass
class Trained:
    model: Any
    tokenizer: Any
    train_time_s: float
    samples_per_s: float
    epochs_run: float


def train(
    settings: Settings,
    load_from: str | Path,
    train_set: list[data_mod.Example],
    val_set: list[data_mod.Example],
    workdir: Path,
    progress: Progress | None = None,
) -> Trained:
    """Fine-tune with ``Seq2SeqTrainer``; returns the best checkpoint's model (in eval mode)."""
    tokenizer, model = load_seq2seq(load_from, device="cpu")
    model.train()
    pad_to_max = settings.padding == "max_length"
    train_ds = data_mod.tokenise(
        train_set, tokenizer, settings.max_input_length, settings.max_target_length, pad_to_max
    )
    val_ds = data_mod.tokenise(
        val_set, tokenizer, settings.max_input_length, settings.max_target_length, pad_to_max
    )
    unk = getattr(tokenizer, "unk_token_id", None)
    if unk is not None and any(unk in ids for ids in train_ds["labels"]):
        n = sum(unk in ids for ids in train_ds["labels"])
        log.warning("%d training targets contain words the model's vocabulary lacks (<unk>)", n)
    callbacks: list[TrainerCallback] = [ProgressCallback(progress, settings.logging_steps)]
    if settings.early_stopping_patience > 0:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=settings.early_stopping_patience))
    trainer = Seq2SeqTrainer(
        model=model,
        args=training_arguments(settings, workdir / "checkpoints", len(train_set)),
        data_collator=data_mod.collator(tokenizer, model),
        train_dataset=train_ds,
        eval_dataset=val_ds,
        processing_class=tokenizer,
        callbacks=callbacks,
    )
    # Loading the best checkpoint at the end warns about "missing" embedding keys: they are tied to
    # ``shared.weight``, which is loaded, so the warning is harmless.
    trainer.remove_callback(PrinterCallback)  # ProgressCallback logs instead of printing dicts
    t0 = time.perf_counter()
    output = trainer.train()
    elapsed = time.perf_counter() - t0
    trained = trainer.model
    log.info(
        "best checkpoint: %s (validation loss %s)",
        trainer.state.best_model_checkpoint,
        trainer.state.best_metric,
    )
    set_generation_defaults(trained, settings.max_new_tokens)
    trained.eval()
    epochs_run = float(trainer.state.epoch or 0.0)
    samples_per_s = float(output.metrics.get("train_samples_per_second", 0.0))
    return Trained(trained, tokenizer, elapsed, samples_per_s, epochs_run)


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
    export = data_mod.load_export(Path(data_path))
    if export.skipped:
        log.info("skipped %d of %d records: %s", export.n_skipped, export.total, export.skipped)
    if len(export.examples) < settings.min_examples:
        raise TooFewExamples(
            f"{len(export.examples)} usable examples in {Path(data_path).name} "
            f"({export.n_skipped} of {export.total} skipped: {export.skipped or 'none'}); "
            f"need at least {settings.min_examples}"
        )
    splits = data_mod.three_way(
        export.examples, settings.validation_fraction, settings.seed, settings.corrected_fraction
    )
    train_set, val_set, test_set = splits.train, splits.validation, splits.test
    log.info(
        "training on %d examples, choosing the checkpoint on %d, testing on %d (%d corrections)",
        len(train_set),
        len(val_set),
        len(test_set),
        sum(e.corrected for e in test_set),
    )

    with tempfile.TemporaryDirectory(prefix="ecominsight-train-") as tmp:
        workdir = Path(tmp)
        texts = [e.prompt for e in train_set] + [e.target for e in train_set]
        base_name, parent, load_from = start_model(settings, registry, texts, workdir)
        log.info("starting from %s", parent or base_name)
        trained = train(settings, load_from, train_set, val_set, workdir, progress)
        log.info(
            "trained %s parameters in %.1fs (%.1f samples/s, %.1f epochs)",
            f"{count_parameters(trained.model):,}",
            trained.train_time_s,
            trained.samples_per_s,
            trained.epochs_run,
        )

        candidate = evaluate_model(
            trained.model,
            trained.tokenizer,
            test_set,
            settings.eval_batch_size,
            settings.max_input_length,
            settings.max_new_tokens,
        )
        serving = registry.current()
        if serving is not None:
            serving_tok, serving_model = load_seq2seq(registry.path(serving.version))
            baseline = evaluate_model(
                serving_model,
                serving_tok,
                test_set,
                settings.eval_batch_size,
                settings.max_input_length,
                settings.max_new_tokens,
            )
            baseline_name = serving.version
            del serving_model
        else:
            baseline, baseline_name = evaluate_template(test_set), "template"
        interval = preference_interval(
            candidate, baseline, settings.bootstrap_resamples, settings.confidence_level, settings.seed
        )
        decision = decide(candidate.metrics, baseline.metrics, settings, interval)
        log.info("candidate %s", candidate.metrics)
        log.info("serving (%s) %s", baseline_name, baseline.metrics)

        version, folder = registry.allocate()
        try:
            trained.model.save_pretrained(folder)
            trained.tokenizer.save_pretrained(folder)
            serving_copy = convert_for_serving(folder, [e.prompt for e in val_set], settings)
            hyper = settings.hyperparameters()
            hyper.update(
                epochs_run=trained.epochs_run,
                n_train=len(train_set),
                n_val=len(val_set),
                n_test=len(test_set),
                skipped=export.skipped,
                parameters=count_parameters(trained.model),
            )
            meta = ModelMeta(
                version=version,
                base_model=base_name,
                parent_version=parent,
                export_id=export_id,
                data_sha256=export.sha256,
                metrics={
                    **candidate.metrics,
                    "gate": decision.mode,
                    "baseline": baseline_name,
                    "gain": decision.gain,
                    "gain_ci_low": interval.low,
                    "gain_ci_high": interval.high,
                    "gain_ci_level": interval.level,
                    "n_train": len(train_set),
                    "n_val": len(val_set),
                    "n_test": len(test_set),
                    "train_samples_per_s": round(trained.samples_per_s, 2),
                    "serving_backend": serving_copy,
                },
                baseline_metrics=baseline.metrics,
                hyperparameters=hyper,
                library_versions=library_versions(),
                train_time_s=round(trained.train_time_s, 2),
            )
            registry.save_metadata(meta)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    if decision.promote:
        meta = registry.promote(version)
        log.info("promoted %s (gate: %s)", version, decision.mode)
    else:
        meta = registry.reject(version, decision.reasons)
        log.info("rejected %s: %s", version, "; ".join(decision.reasons))
    return JobOutcome(
        meta=meta,
        decision=decision,
        model_path=folder,
        candidate=candidate,
        baseline=baseline,
        baseline_name=baseline_name,
        n_train=len(train_set),
        n_val=len(val_set),
        n_test=len(test_set),
        skipped=export.skipped,
        samples_per_s=trained.samples_per_s,
    )
