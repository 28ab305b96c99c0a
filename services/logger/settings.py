"""The logger's settings (env prefix ``ECOMINSIGHT_LOGGER_``).

``admin_token`` guards ``POST /sql`` and ``POST /export``. Its default, ``dev-admin-token``, is
for local use only: set ``ECOMINSIGHT_LOGGER_ADMIN_TOKEN`` anywhere else.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import KafkaSettings, PathSettings, service_url

DEV_ADMIN_TOKEN = "dev-admin-token"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ECOMINSIGHT_LOGGER_", extra="ignore")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    paths: PathSettings = Field(default_factory=PathSettings)

    host: str = "127.0.0.1"
    port: int = 8002
    # Where the CLI and the Python API look for a running logger before falling back to the file.
    url: str | None = None
    group_id: str = "ecominsight-logger"

    # Micro-batches: a batch is what one poll returns, at most this many events, waiting at most this long.
    batch_max_events: int = Field(default=5000, ge=1)
    batch_max_ms: int = Field(default=200, ge=1)

    admin_token: SecretStr = SecretStr(DEV_ADMIN_TOKEN)

    # Export for fine-tuning.
    export_min_confidence: float = Field(default=0.7, ge=0.0, le=1.0)
    export_min_examples: int = Field(default=20, ge=1)
    # Continuous learning: export every N new qualifying examples and/or every interval. 0 = off.
    export_every_n: int = Field(default=0, ge=0)
    export_every_seconds: float = Field(default=0.0, ge=0.0)

    # POST /sql limits.
    sql_max_rows: int = Field(default=1000, ge=1)
    sql_timeout_s: float = Field(default=5.0, gt=0.0)

    @property
    def base_url(self) -> str:
        return service_url(self.url, self.host, self.port)
