"""Settings of the local stack (``ecominsight up``): ports and where state lives."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import COMMON_CONFIG, PathSettings


class Settings(BaseSettings):
    """``ecominsight up`` and ``ecominsight demo``: the ports of the local stack and where its state lives."""

    model_config = SettingsConfigDict(env_prefix="ECOMINSIGHT_STACK_", **COMMON_CONFIG)

    data_dir: Path = Field(default_factory=lambda: PathSettings().data_dir)
    """Where all state lives; unset: ECOMINSIGHT_DATA_DIR (what every other command reads), else ./data."""
    host: str = "127.0.0.1"
    """Address every service of the stack listens on."""
    kafka_port: int = 9092
    """Port of the local broker (Tansu) the stack starts."""
    external_kafka: str | None = None
    """Use a broker that is already running (host:port[,...]) instead of starting Tansu."""
    ask_port: int = 8000
    """Port of the ask API."""
    generator_port: int = 8001
    """Port of the generator."""
    logger_port: int = 8002
    """Port of the logger."""
    admin_token: str | None = None
    """The logger's admin token; unset: a random one per data folder (``secrets.py``)."""
    require_api_keys: bool = False
    """Require shop API keys on the ask API (``up --api-keys``); a local run does not by default."""
    trainer_base_model: str = "tiny-t5"
    """Model the trainer fine-tunes: "tiny-t5" (built locally, offline) or google/flan-t5-base (or a local folder)
    when the hub or a local copy is available."""
    health_timeout_s: float = Field(default=180.0, gt=0)
    """How long ``up`` waits for every service to answer its health check."""
    seed_shops: int = 4
    """Shops with sample data ``up`` creates in a new warehouse."""
