"""The logger's settings (env prefix ``ECOMINSIGHT_LOGGER_``).

``admin_token`` guards ``POST /sql`` and ``POST /export``; ``read_token`` (or the admin token)
guards the reads that show questions and answers (``/stats``, ``/queries/*``). Neither has a
default: outside a local run (``ECOMINSIGHT_LOCAL_DEV=1``) the logger refuses to start without an
admin token, and it never starts with a known placeholder (``change-me``, ``dev-admin-token``, ...).
``ecominsight up`` sets both to random tokens of its data folder (``services/stack/secrets.py``);
only a hand-started local logger without a read token has open reads (and no admin routes).
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from services.logger.sandbox.runner import SqlLimits
from services.logger.sink.writer import DEDUPE_WINDOW_S
from shared.errors import ConfigError
from shared.settings import (
    COMMON_CONFIG,
    KafkaSettings,
    PathSettings,
    ReachableServer,
    SecuritySettings,
    plain_secret,
    port_field,
    refuse_placeholder_secrets,
)


class Settings(ReachableServer):
    """The logger: its HTTP API and tokens, the sink's batches and files, exports, the SQL sandbox."""

    model_config = SettingsConfigDict(env_prefix="ECOMINSIGHT_LOGGER_", populate_by_name=True, **COMMON_CONFIG)

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    """The broker (``KAFKA_*``)."""
    paths: PathSettings = Field(default_factory=PathSettings)
    """Where state lives (``ECOMINSIGHT_*``)."""
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    """Local run or deployment (``ECOMINSIGHT_LOCAL_DEV``)."""

    port: int = port_field(8002)
    group_id: str = "ecominsight-logger"
    """Kafka consumer group of the sink."""

    batch_max_events: int = Field(default=5000, ge=1)
    """Micro-batches: a batch is what one poll returns, at most this many events ..."""
    batch_max_ms: int = Field(default=200, ge=1)
    """... waiting at most this many milliseconds."""
    dedupe_window_s: float = Field(default=DEDUPE_WINDOW_S, gt=0)
    """A redelivered event (same event_id) is dropped when the first copy was logged at most this long ago (7
    days: the outbox's resend after a crash and Kafka's redelivery, which cannot go back past its retention)."""
    archive_every_s: float = Field(default=3600.0, ge=0)
    """How often the sink moves closed days (older than the dedupe window) from the hot table to Parquet files; 0: never."""
    jsonl_rotate_bytes: int = Field(default=256 * 1024 * 1024, ge=0)
    """The JSONL log rotates into a dated .jsonl.gz file when it reaches this size (0: never by size)."""
    jsonl_rotate_daily: bool = True
    """The JSONL log also rotates at the first batch of a new UTC day."""
    jsonl_retention_days: float = Field(default=90.0, ge=0)
    """Rotated JSONL files are deleted after this many days (0: kept forever)."""

    admin_token: SecretStr | None = None
    """Guards POST /sql, POST /export and labelling; required outside a local run."""
    read_token: SecretStr | None = None
    """Guards the reads that show questions and answers (/stats, /queries/*); the admin token reads too."""
    ask_url: str = Field(
        default="http://127.0.0.1:8000", validation_alias=AliasChoices("ECOMINSIGHT_LOGGER_ASK_URL", "ECOMINSIGHT_ASK_URL")
    )
    """The ask service as the reviewers' page reaches it from the browser (rephrasing previews, learned words),
    and as ``ecominsight review`` reaches it (also read from ``ECOMINSIGHT_ASK_URL``)."""
    ask_admin_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ECOMINSIGHT_LOGGER_ASK_ADMIN_KEY", "ECOMINSIGHT_ASK_ADMIN_KEY")
    )
    """``ecominsight review``: the ask API's admin key (also read from ``ECOMINSIGHT_ASK_ADMIN_KEY``; for the
    local ``up``, the one it made)."""
    reviewer: str | None = Field(default=None, validation_alias=AliasChoices("ECOMINSIGHT_LOGGER_REVIEWER", "USER"))
    """``ecominsight review label``: who labels (also read from ``USER``)."""

    export_min_confidence: float = Field(default=0.7, ge=0.0, le=1.0)
    """Export for fine-tuning: only successful answers with a confidence above this are exported."""
    export_min_examples: int = Field(default=20, ge=1)
    """Export for fine-tuning: fewer qualifying examples than this is refused (409)."""
    export_every_n: int = Field(default=0, ge=0)
    """Continuous learning: export every N new qualifying examples (0: off)."""
    export_every_seconds: float = Field(default=0.0, ge=0.0)
    """Continuous learning: export every this many seconds (0: off)."""

    sql_max_rows: int = Field(default=1000, ge=1)
    """POST /sql: rows returned at most."""
    sql_timeout_s: float = Field(default=5.0, gt=0.0)
    """POST /sql: a statement running longer is interrupted (408)."""
    sql_max_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    """POST /sql: largest result, as Arrow data."""
    sql_memory_limit: str = "256MB"
    """POST /sql: DuckDB memory_limit of the sandbox."""
    sql_threads: int = Field(default=1, ge=1)
    """POST /sql: DuckDB threads of the sandbox."""

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
                "ECOMINSIGHT_LOGGER_ADMIN_TOKEN": plain_secret(self.admin_token),
                "ECOMINSIGHT_LOGGER_READ_TOKEN": plain_secret(self.read_token),
            },
            self.security,
        )

    def sql_limits(self) -> SqlLimits:
        return SqlLimits(self.sql_max_rows, self.sql_max_bytes, self.sql_timeout_s, self.sql_memory_limit, self.sql_threads)
