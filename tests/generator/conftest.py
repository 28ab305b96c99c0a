"""Fixtures for the generator's tests: tiny T5 models built here (no download), trained once per
session where a test needs meaningful output, and a registry and settings under tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from evaluation.phrasers import train_tiny_phraser
from shared.modeling import build_tiny_t5
from shared.registry import ModelRegistry
from shared.settings import KafkaSettings

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny T5 trained to write ``You have V_COUNT orders.`` / ``... customers.``."""
    return train_tiny_phraser(tmp_path_factory.mktemp("trained") / "model")


@pytest.fixture(scope="session")
def random_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny T5 with random weights: loads and generates, but never a valid answer."""
    return build_tiny_t5(tmp_path_factory.mktemp("random") / "model")


@pytest.fixture
def registry(tmp_path: Path) -> ModelRegistry:
    return ModelRegistry(tmp_path / "models")


@pytest.fixture
def cli_env(tmp_path: Path, kafka_settings: KafkaSettings, monkeypatch: pytest.MonkeyPatch) -> ModelRegistry:
    """The ``ecominsight`` commands' environment: state under ``tmp_path``, the test broker."""
    monkeypatch.setenv("ECOMINSIGHT_DATA_DIR", str(tmp_path))
    for name, value in kafka_settings.model_dump().items():
        monkeypatch.setenv(f"KAFKA_{name.upper()}", str(value))
    return ModelRegistry(tmp_path / "models")
