"""Fine-tuning one model: where it starts (the serving version, the base model, or a tiny one
built fresh on the export's words), the ``Seq2SeqTrainer`` arguments from the settings, a
progress log with ETA, and the best checkpoint on the validation split."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transformers import (
    EarlyStoppingCallback,
    PrinterCallback,
    Seq2SeqTrainer,
    Seq2SeqTrainingArguments,
    TrainerCallback,
)

from services.trainer import data as data_mod
from services.trainer.settings import Settings
from services.trainer.tiny import build_tiny
from shared.modeling import TINY_BASE, TinyT5Spec, load_seq2seq, set_generation_defaults
from shared.registry import ModelRegistry

log = logging.getLogger(__name__)

Progress = Callable[[int, int, float | None, float | None], None]  # step, max_steps, loss, eta_s


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
