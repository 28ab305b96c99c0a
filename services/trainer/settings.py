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

from shared.settings import KafkaSettings, PathSettings


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ECOMINSIGHT_TRAINER_", extra="ignore")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    paths: PathSettings = Field(default_factory=PathSettings)

    group_id: str = "ecominsight-trainer"
    # GET /metrics (Prometheus: runs, gate results, durations) on this port; None: not served.
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = Field(default=None, ge=1, le=65535)

    # -- the model to start from -----------------------------------------------------------------
    # A hub id or folder, or "tiny-t5" (a small T5 built from scratch: offline and for tests).
    base_model: str = "google/flan-t5-base"
    # Continue from the registry's serving version when there is one (else start from base_model).
    finetune_current: bool = True
    # Tokenizer of a freshly built tiny-t5: "word" (a vocabulary trained on the export: reaches
    # 95%+ fact accuracy in about a minute on 2 CPU cores) or "byte" (ByT5: ~10 minutes).
    tiny_tokenizer: Literal["byte", "word"] = "word"
    tiny_d_model: int = Field(default=128, ge=8)
    tiny_layers: int = Field(default=2, ge=1)

    # -- data ------------------------------------------------------------------------------------
    validation_fraction: float = Field(default=0.1, gt=0.0, lt=1.0)
    # Share of the owners' corrections held out for the gate's preference match (at least one).
    corrected_fraction: float = Field(default=0.3, gt=0.0, lt=1.0)
    seed: int = 42
    min_examples: int = Field(default=20, ge=2)
    max_input_length: int = Field(default=512, ge=8)
    max_target_length: int = Field(default=256, ge=8)
    # "dynamic": pad each batch to its longest example; "max_length": pad everything (the seed's way).
    padding: Literal["dynamic", "max_length"] = "dynamic"
    group_by_length: bool = True

    # -- optimisation ----------------------------------------------------------------------------
    learning_rate: float = Field(default=3e-4, ge=0.0)
    batch_size: int = Field(default=4, ge=1)
    epochs: float = Field(default=5.0, gt=0.0)
    weight_decay: float = Field(default=0.01, ge=0.0)
    gradient_accumulation_steps: int = Field(default=1, ge=1)
    save_total_limit: int = Field(default=3, ge=1)
    # Stop after this many epochs without a better validation loss; 0 turns early stopping off.
    early_stopping_patience: int = Field(default=2, ge=0)
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"
    device: Literal["auto", "cpu", "cuda"] = "auto"
    logging_steps: int = Field(default=10, ge=1)
    torch_threads: int | None = Field(default=None, ge=1)

    # -- evaluation and the gate -----------------------------------------------------------------
    eval_batch_size: int = Field(default=8, ge=1)
    max_new_tokens: int = Field(default=192, ge=1)
    # The gate (gate.py): preference match with the owners' corrections must beat the serving
    # model's (or the template's) by more than this (0: any gain; a tie is never enough) ...
    gate_margin: float = Field(default=0.0, ge=0.0)
    # ... and so must the lower bound of the gain's bootstrap confidence interval (this level,
    # this many resamples of the held-out corrections), so a gain that chance explains is refused.
    confidence_level: float = Field(default=0.95, gt=0.0, lt=1.0)
    bootstrap_resamples: int = Field(default=2000, ge=100)
    # ... while facts stay right: these hold for every candidate, the first one included.
    min_fact_accuracy: float = Field(default=0.995, ge=0.0, le=1.0)
    max_invented_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    # How much the unchanged rate of shops without corrections may drop (0: not at all).
    max_other_shops_drop: float = Field(default=0.0, ge=0.0, le=1.0)

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
