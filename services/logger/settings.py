"""The logger's settings (env prefix ``ECOMINSIGHT_LOGGER_``).

``admin_token`` guards ``POST /sql`` and ``POST /export``; ``read_token`` (or the admin token)
guards the reads that show questions and answers (``/stats``, ``/queries/*``). Neither has a
default: outside a local run (``ECOMINSIGHT_LOCAL_DEV=1``) the logger refuses to start without an
admin token, and it never starts with a known placeholder (``change-me``, ``dev-admin-token``, ...).
``ecominsight up`` sets both to random tokens of its data folder (``services/stack/secrets.py``);
only a hand-started local logger without a read token has open reads (and no admin routes).
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.logger.sandbox import SqlLimits
from services.logger.sink import DEDUPE_WINDOW_S
from shared.errors import ConfigError
from shared.settings import (
    KafkaSettings,
    PathSettings,
    SecuritySettings,
    refuse_placeholder_secrets,
    service_url,
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ECOMINSIGHT_LOGGER_", extra="ignore")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    paths: PathSettings = Field(default_factory=PathSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)

    host: str = "127.0.0.1"
    port: int = 8002
    # Where the CLI and the Python API look for a running logger before falling back to the file.
    url: str | None = None
    group_id: str = "ecominsight-logger"

    # Micro-batches: a batch is what one poll returns, at most this many events, waiting at most this long.
    batch_max_events: int = Field(default=5000, ge=1)
    batch_max_ms: int = Field(default=200, ge=1)
    # A redelivered event (same event_id) is dropped when the first copy was logged at most this
    # long ago; older rows are not looked at, so a batch costs the same at any table size.
    # The default (7 days) covers the outbox's resend after a crash and Kafka's redelivery, which
    # cannot go back past the broker's retention (7 days by default).
    dedupe_window_s: float = Field(default=DEDUPE_WINDOW_S, gt=0)
    # How often the sink moves closed days (logged before the dedupe window) from the hot table to
    # Parquet files (history.py). 0 = never.
    archive_every_s: float = Field(default=3600.0, ge=0)
    # The JSONL files rotate into dated .jsonl.gz files at the first batch of a new UTC day and when
    # one reaches jsonl_rotate_bytes (0: never by size); rotated files are deleted after
    # jsonl_retention_days (0: kept forever). See rotation.py.
    jsonl_rotate_bytes: int = Field(default=256 * 1024 * 1024, ge=0)
    jsonl_rotate_daily: bool = True
    jsonl_retention_days: float = Field(default=90.0, ge=0)

    admin_token: SecretStr | None = None
    read_token: SecretStr | None = None
    # The ask service, as the reviewers' page (/dashboard/review) reaches it from the browser:
    # it previews rephrasings (/api/mcp/understand) and shows learned words (/understanding).
    ask_url: str = "http://127.0.0.1:8000"
    # Request bodies larger than this get a 413 before they are read into memory.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)

    # Export for fine-tuning.
    export_min_confidence: float = Field(default=0.7, ge=0.0, le=1.0)
    export_min_examples: int = Field(default=20, ge=1)
    # Continuous learning: export every N new qualifying examples and/or every interval. 0 = off.
    export_every_n: int = Field(default=0, ge=0)
    export_every_seconds: float = Field(default=0.0, ge=0.0)

    # POST /sql limits.
    sql_max_rows: int = Field(default=1000, ge=1)
    sql_timeout_s: float = Field(default=5.0, gt=0.0)
    sql_max_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)  # of the result, as Arrow data
    sql_memory_limit: str = "256MB"  # DuckDB memory_limit of the sandbox
    sql_threads: int = Field(default=1, ge=1)

    @property
    def open_reads(self) -> bool:
        """Reads without a token: only in a local run without a read token."""
        return self.security.local_dev and self.read_token is None

    def check_secrets(self) -> None:
        """Refuse placeholder tokens, and a missing admin token outside a local run (``ConfigError``)."""
        if self.admin_token is None and not self.security.local_dev:
            raise ConfigError(
                "refusing to start: ECOMINSIGHT_LOGGER_ADMIN_TOKEN is not set; set a random secret "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
        refuse_placeholder_secrets(
            {
                "ECOMINSIGHT_LOGGER_ADMIN_TOKEN": self.admin_token.get_secret_value() if self.admin_token else None,
                "ECOMINSIGHT_LOGGER_READ_TOKEN": self.read_token.get_secret_value() if self.read_token else None,
            },
            self.security,
        )

    def sql_limits(self) -> SqlLimits:
        return SqlLimits(self.sql_max_rows, self.sql_max_bytes, self.sql_timeout_s, self.sql_memory_limit, self.sql_threads)

    @property
    def base_url(self) -> str:
        return service_url(self.url, self.host, self.port)
