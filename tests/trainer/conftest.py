"""Fixtures for the trainer's tests: fast settings for a tiny word-level T5 and export files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from evaluation.exports import write_export
from services.trainer.settings import Settings
from shared.settings import KafkaSettings, PathSettings

torch.set_num_threads(1)


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings that train the tiny word-level T5 in seconds; keyword arguments override."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "paths": PathSettings(data_dir=tmp_path),
            "kafka": KafkaSettings(),
            "base_model": "tiny-t5",
            "tiny_tokenizer": "word",
            "epochs": 10.0,
            "learning_rate": 3e-3,
            "early_stopping_patience": 0,
            "min_examples": 10,
            "max_new_tokens": 64,
            "device": "cpu",
            "torch_threads": 1,
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def export_file(tmp_path: Path) -> Path:
    """Shop 10 as logged, shop 11's owner corrects every answer into German."""
    return write_export(
        tmp_path / "exports" / "finetuning_data_001.jsonl", 60, seed=1, styles={"11": "german"}
    )
