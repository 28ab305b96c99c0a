"""The ask service's settings, read from ``ECOMINSIGHT_ASK_*`` environment variables."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.ask.keys import KeySettings
from shared.settings import KafkaSettings, PathSettings, SecuritySettings, refuse_placeholder_secrets


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ECOMINSIGHT_ASK_", extra="ignore")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    paths: PathSettings = Field(default_factory=PathSettings)
    keys: KeySettings = Field(default_factory=KeySettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)

    host: str = "127.0.0.1"
    port: int = 8000

    # The generator service phrases answers; when it is down or slower than this, templates answer.
    generator_url: str = "http://127.0.0.1:8001"
    generator_timeout_s: float = Field(default=2.0, gt=0)
    # After a failed call, skip the generator for this long (so a dead generator costs nothing).
    generator_retry_after_s: float = Field(default=5.0, ge=0)
    use_generator: bool = True

    max_question_length: int = Field(default=500, ge=1)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)

    # Every /ask and /feedback request becomes an event; the outbox makes that survive outages.
    publish_events: bool = True
    # "always": fsync every event (survives power loss, costs a disk flush per request);
    # "interval": fsync in the background every outbox_fsync_interval_s (survives a crash of the
    # process, a power cut may lose the last interval); "never": leave it to the OS.
    outbox_fsync: Literal["always", "interval", "never"] = "interval"
    outbox_fsync_interval_s: float = Field(default=0.2, gt=0)
    outbox_segment_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    outbox_batch: int = Field(default=200, ge=1)
    outbox_retry_s: float = Field(default=0.5, gt=0)
    # "process": a child process sends the outbox to Kafka (no GIL contention with requests);
    # "thread": a thread of the service does.
    outbox_publisher: Literal["process", "thread"] = "process"
    # How often the publisher process looks for new events: events reach Kafka within about this
    # long, in batches (fewer, larger produce requests cost the broker and the CPU less).
    outbox_poll_s: float = Field(default=0.1, gt=0)

    # The logger: ``shop_stats``, ``GET /api/mcp/stats`` and ``/api/mcp/queries`` read it with the
    # read token, always for the caller's own shop; ``run_sql`` (MCP, admin keys only: ``ecominsight
    # keys create --admin``) calls its /sql with the admin token. The caller's key never reaches the logger.
    logger_url: str = "http://127.0.0.1:8002"
    logger_read_token: SecretStr | None = None
    logger_admin_token: SecretStr | None = None
    logger_timeout_s: float = Field(default=10.0, gt=0)
    # MCP over HTTP (``mcp_gate.py``): open sessions per key, how long an idle one lives, and how
    # long a request may take before it is answered with an error.
    mcp_sessions_per_key: int = Field(default=16, ge=1)
    mcp_session_idle_s: float = Field(default=900.0, gt=0)
    mcp_request_timeout_s: float = Field(default=60.0, gt=0)
    # Learning from reviewers' labels (``services.ask.learning``): how often the logger's
    # /review/labels is read (with the read token); 0 turns learning off.
    understanding_poll_s: float = Field(default=10.0, ge=0)
    # Origins whose pages may call this API from a browser (CORS), e.g. the logger's reviewers'
    # page (``ecominsight up`` sets the logger's); empty (the default): no CORS headers at all.
    cors_origins: list[str] = Field(default_factory=list)

    def check_secrets(self) -> None:
        """Refuse a known placeholder as a logger token (``ConfigError``), in a local run too."""

        def plain(secret: SecretStr | None) -> str | None:
            return secret.get_secret_value() if secret is not None else None

        refuse_placeholder_secrets(
            {
                "ECOMINSIGHT_ASK_LOGGER_READ_TOKEN": plain(self.logger_read_token),
                "ECOMINSIGHT_ASK_LOGGER_ADMIN_TOKEN": plain(self.logger_admin_token),
            },
            self.security,
        )
