"""The trainer's settings (env prefix ``ECOMINSIGHT_TRAINER_``).

Training defaults are the seed guide's (90/10 split with seed 42, learning rate 3e-4, batch size
4, 5 epochs, weight decay 0.01, evaluate and save each epoch, keep 3 checkpoints, load the best at
the end), plus early stopping, gradient accumulation, explicit length limits and mixed precision
on a GPU. The gate settings decide when a candidate may replace the serving model.
"""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import COMMON_CONFIG, KafkaSettings, PathSettings


class Settings(BaseSettings):
    """The trainer: what it starts from, the data split, optimisation, evaluation and the gate."""

    model_config = SettingsConfigDict(env_prefix="ECOMINSIGHT_TRAINER_", **COMMON_CONFIG)

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    """The broker (``KAFKA_*``)."""
    paths: PathSettings = Field(default_factory=PathSettings)
    """Where state lives (``ECOMINSIGHT_*``)."""

    group_id: str = "ecominsight-trainer"
    """Kafka consumer group of the trainer's worker."""
    metrics_host: str = "127.0.0.1"
    """Address of GET /metrics (Prometheus: runs, gate results, durations)."""
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    """Port of GET /metrics; unset: not served."""

    # -- the model to start from -----------------------------------------------------------------
    base_model: str = "google/flan-t5-base"
    """A hub id or folder, or "tiny-t5" (a small T5 built from scratch: offline and for tests)."""
    finetune_current: bool = True
    """Continue from the registry's serving version when there is one (else start from base_model)."""
    tiny_tokenizer: Literal["byte", "word"] = "word"
    """Tokenizer of a freshly built tiny-t5: "word" (a vocabulary trained on the export: 95%+ fact accuracy in
    about a minute on 2 CPU cores) or "byte" (ByT5: ~10 minutes)."""
    tiny_d_model: int = Field(default=128, ge=8)
    """Width (d_model) of a freshly built tiny-t5."""
    tiny_layers: int = Field(default=2, ge=1)
    """Encoder and decoder layers of a freshly built tiny-t5."""

    # -- data ------------------------------------------------------------------------------------
    validation_fraction: float = Field(default=0.1, gt=0.0, lt=1.0)
    """Share of the examples held out for validation."""
    corrected_fraction: float = Field(default=0.3, gt=0.0, lt=1.0)
    """Share of the owners' corrections held out for the gate's preference match (at least one)."""
    seed: int = 42
    """Random seed of the split and of training."""
    min_examples: int = Field(default=20, ge=2)
    """Fewer usable examples than this: the run is refused."""
    max_input_length: int = Field(default=512, ge=8)
    """Longest prompt, in tokens."""
    max_target_length: int = Field(default=256, ge=8)
    """Longest target answer, in tokens."""
    padding: Literal["dynamic", "max_length"] = "dynamic"
    """"dynamic": pad each batch to its longest example; "max_length": pad everything (the seed's way)."""
    group_by_length: bool = True
    """Batch examples of similar length together (less padding)."""

    # -- optimisation ----------------------------------------------------------------------------
    learning_rate: float = Field(default=3e-4, ge=0.0)
    """Learning rate."""
    batch_size: int = Field(default=4, ge=1)
    """Training batch size per device."""
    epochs: float = Field(default=5.0, gt=0.0)
    """Training epochs (at most: early stopping may end sooner)."""
    weight_decay: float = Field(default=0.01, ge=0.0)
    """Weight decay."""
    gradient_accumulation_steps: int = Field(default=1, ge=1)
    """Batches whose gradients are added up before each optimiser step."""
    save_total_limit: int = Field(default=3, ge=1)
    """Checkpoints kept during a run."""
    early_stopping_patience: int = Field(default=2, ge=0)
    """Stop after this many epochs without a better validation loss; 0 turns early stopping off."""
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"
    """"auto": bf16 or fp16 on a GPU, fp32 on CPU."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """"auto": CUDA when available, else CPU."""
    logging_steps: int = Field(default=10, ge=1)
    """Log the training loss every this many steps."""
    torch_threads: int | None = Field(default=None, ge=1)
    """torch intra-op threads; unset: torch's default."""

    # -- evaluation and the gate -----------------------------------------------------------------
    eval_batch_size: int = Field(default=8, ge=1)
    """Batch size of evaluation."""
    max_new_tokens: int = Field(default=192, ge=1)
    """Longest generated answer during evaluation, in tokens."""
    gate_margin: float = Field(default=0.0, ge=0.0)
    """The gate: preference match with the owners' corrections must beat the serving model's (or the
    template's) by more than this (0: any gain; a tie is never enough) ..."""
    confidence_level: float = Field(default=0.95, gt=0.0, lt=1.0)
    """... and so must the lower bound of the gain's bootstrap confidence interval at this level ..."""
    bootstrap_resamples: int = Field(default=2000, ge=100)
    """... over this many resamples of the held-out corrections, so a gain that chance explains is refused."""
    min_fact_accuracy: float = Field(default=0.995, ge=0.0, le=1.0)
    """The gate: share of answers whose facts are right, at least (every candidate, the first one included)."""
    max_invented_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    """The gate: share of answers stating a number the data does not hold, at most."""
    max_other_shops_drop: float = Field(default=0.0, ge=0.0, le=1.0)
    """The gate: how much the unchanged rate of shops without corrections may drop (0: not at all)."""

    def resolved_device(self) -> str:
        if self.device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        return self.device

    def resolved_precision(self) -> str:
        if self.precision != "auto":
            return self.precision
        if self.resolved_device() != "cuda":
            return "fp32"
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"

    def hyperparameters(self) -> dict[str, object]:
        """What the lineage records about how a model was trained."""
        keys = (
            "base_model",
            "finetune_current",
            "tiny_tokenizer",
            "validation_fraction",
            "corrected_fraction",
            "seed",
            "max_input_length",
            "max_target_length",
            "padding",
            "group_by_length",
            "learning_rate",
            "batch_size",
            "epochs",
            "weight_decay",
            "gradient_accumulation_steps",
            "save_total_limit",
            "early_stopping_patience",
            "confidence_level",
            "bootstrap_resamples",
        )
        out: dict[str, object] = {k: getattr(self, k) for k in keys}
        out["precision"] = self.resolved_precision()
        out["device"] = self.resolved_device()
        return out
