"""Settings of the local stack (``ecominsight up``): ports and where state lives."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import PathSettings


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ECOMINSIGHT_STACK_", extra="ignore")

    # ECOMINSIGHT_STACK_DATA_DIR, else ECOMINSIGHT_DATA_DIR (what every other command reads), else ./data
    data_dir: Path = Field(default_factory=lambda: PathSettings().data_dir)
    host: str = "127.0.0.1"
    kafka_port: int = 9092
    # Use a broker that is already running (host:port[,...]) instead of starting Tansu.
    external_kafka: str | None = None
    ask_port: int = 8000
    generator_port: int = 8001
    logger_port: int = 8002
    # The logger's admin token; unset: a random one per data folder (``secrets.py``).
    admin_token: str | None = None
    # Require shop API keys on the ask API (``up --api-keys``); a local run does not by default.
    require_api_keys: bool = False
    # Offline default: the trainer fine-tunes a tiny T5 built locally (word-level vocabulary
    # trained on the export; ECOMINSIGHT_TRAINER_TINY_TOKENIZER=byte for ByT5's bytes). Set to
    # google/flan-t5-base (or a local folder) when the hub or a local copy is available.
    trainer_base_model: str = "tiny-t5"
    health_timeout_s: float = Field(default=180.0, gt=0)
    seed_shops: int = 4
