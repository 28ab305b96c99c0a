"""The ask service's settings, read from ``ECOMINSIGHT_ASK_*`` environment variables."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from services.ask.keys import KeySettings
from shared.settings import (
    COMMON_CONFIG,
    KafkaSettings,
    LoggerEndpoint,
    PathSettings,
    SecuritySettings,
    ServerSettings,
    body_cap_field,
    plain_secret,
    refuse_placeholder_secrets,
)


class Settings(LoggerEndpoint, ServerSettings):
    """The ask service: its HTTP API, the generator it calls, the outbox, the logger it reads."""

    model_config = SettingsConfigDict(env_prefix="ECOMINSIGHT_ASK_", **COMMON_CONFIG)

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    """The broker (``KAFKA_*``)."""
    paths: PathSettings = Field(default_factory=PathSettings)
    """Where state lives (``ECOMINSIGHT_*``)."""
    keys: KeySettings = Field(default_factory=KeySettings)
    """API keys and rate limits (``ECOMINSIGHT_ASK_*``)."""
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    """Local run or deployment (``ECOMINSIGHT_LOCAL_DEV``)."""

    max_body_bytes: int = body_cap_field(64 * 1024)

    generator_url: str = "http://127.0.0.1:8001"
    """The generator service, which phrases answers; when it is down or slower than generator_timeout_s, templates answer."""
    generator_timeout_s: float = Field(default=2.0, gt=0)
    """How long an answer waits for the generator before the template phrases it."""
    generator_retry_after_s: float = Field(default=5.0, ge=0)
    """After a failed call, skip the generator for this long (so a dead generator costs nothing)."""
    use_generator: bool = True
    """Phrase answers with the generator (off: templates only)."""

    max_question_length: int = Field(default=500, ge=1)
    """Longest question accepted, in characters."""

    publish_events: bool = True
    """Every /ask and /feedback request becomes an event; the outbox makes that survive outages."""
    outbox_fsync: Literal["always", "interval", "never"] = "interval"
    """"always": fsync every event (survives power loss, a disk flush per request); "interval": fsync in the
    background every outbox_fsync_interval_s (survives a crash, a power cut may lose the last interval);
    "never": leave it to the OS."""
    outbox_fsync_interval_s: float = Field(default=0.2, gt=0)
    """Seconds between background fsyncs of the outbox (outbox_fsync "interval")."""
    outbox_segment_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    """Size at which the outbox starts a new segment file."""
    outbox_batch: int = Field(default=200, ge=1)
    """Events sent to Kafka in one batch, at most."""
    outbox_retry_s: float = Field(default=0.5, gt=0)
    """Pause before the publisher tries again after Kafka refused or was down."""
    outbox_publisher: Literal["process", "thread"] = "process"
    """"process": a child process sends the outbox to Kafka (no GIL contention with requests); "thread": a thread does."""
    outbox_poll_s: float = Field(default=0.1, gt=0)
    """How often the publisher process looks for new events: events reach Kafka within about this long, in batches."""

    logger_admin_token: SecretStr | None = None
    """The logger's admin token, for ``run_sql`` (MCP, admin keys only: ``ecominsight keys create --admin``).
    The caller's key never reaches the logger."""
    logger_timeout_s: float = Field(default=10.0, gt=0)
    """How long a call to the logger (statistics, queries, SQL) may take."""
    mcp_sessions_per_key: int = Field(default=16, ge=1)
    """MCP over HTTP (``mcp_gate.py``): open sessions per key."""
    mcp_session_idle_s: float = Field(default=900.0, gt=0)
    """MCP over HTTP: how long an idle session lives."""
    mcp_request_timeout_s: float = Field(default=60.0, gt=0)
    """MCP over HTTP: how long a request may take before it is answered with an error."""
    understanding_poll_s: float = Field(default=10.0, ge=0)
    """How often the reviewers' labels are read from the logger's /review/labels (read token) to learn words; 0: off."""
    cors_origins: list[str] = Field(default_factory=list)
    """Origins whose pages may call this API from a browser (CORS), e.g. the logger's reviewers' page (``ecominsight
    up`` sets it); empty: no CORS headers at all."""

    def check_secrets(self) -> None:
        """Refuse a known placeholder as a logger token (``ConfigError``), in a local run too."""
        refuse_placeholder_secrets(
            {
                "ECOMINSIGHT_ASK_LOGGER_READ_TOKEN": plain_secret(self.logger_read_token),
                "ECOMINSIGHT_ASK_LOGGER_ADMIN_TOKEN": plain_secret(self.logger_admin_token),
            },
            self.security,
        )
