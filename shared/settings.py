"""Settings shared by every service, read from the environment.

Kafka settings use the conventional ``KAFKA_`` prefix (``KAFKA_BOOTSTRAP_SERVERS``), paths use
``ECOMINSIGHT_`` (``ECOMINSIGHT_DATA_DIR``). Each service has its own ``Settings`` class in
``services/<name>/settings.py`` that embeds these two groups.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.errors import ConfigError


class KafkaSettings(BaseSettings):
    """Where the broker is and what the project's topics are called."""

    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="ignore", frozen=True)

    bootstrap_servers: str = "127.0.0.1:9092"
    topic_queries: str = "ecominsight.queries"
    topic_feedback: str = "ecominsight.feedback"
    topic_exports: str = "ecominsight.exports"
    topic_models: str = "ecominsight.models"
    topic_training: str = "ecominsight.training"
    topic_dlq: str = "ecominsight.dlq"
    partitions: int = Field(default=3, ge=1)
    replication_factor: int = Field(default=1, ge=1)
    # Tansu delivers a group's first message after about half the session timeout: keep it short.
    session_timeout_ms: int = Field(default=6000, ge=1000)
    heartbeat_interval_ms: int = Field(default=1000, ge=100)
    request_timeout_ms: int = Field(default=15000, ge=1000)
    # How long producer.send() may block the caller waiting for metadata.
    max_block_ms: int = Field(default=2000, ge=0)
    # How long a client waits for a first connection before it gives up (kafka-python: 30 s).
    bootstrap_timeout_ms: int = Field(default=5000, ge=100)

    @property
    def servers(self) -> list[str]:
        return [s.strip() for s in self.bootstrap_servers.split(",") if s.strip()]

    def all_topics(self) -> list[str]:
        return [
            self.topic_queries,
            self.topic_feedback,
            self.topic_exports,
            self.topic_models,
            self.topic_training,
            self.topic_dlq,
        ]


# Where state lives unless ECOMINSIGHT_DATA_DIR says otherwise: the folder `ecominsight up` (and
# scripts/up.sh) uses, so every command run from the checkout sees the same state.
DEFAULT_DATA_DIR = Path("data")


class PathSettings(BaseSettings):
    """Where state lives on disk. Everything defaults to a folder under ``data_dir``."""

    model_config = SettingsConfigDict(env_prefix="ECOMINSIGHT_", extra="ignore", frozen=True)

    data_dir: Path = DEFAULT_DATA_DIR
    query_logs_dir: Path | None = None
    warehouse_path: Path | None = None
    logs_db_path: Path | None = None
    models_dir: Path | None = None
    exports_dir: Path | None = None
    outbox_dir: Path | None = None
    understanding_dir: Path | None = None

    @property
    def query_logs(self) -> Path:
        return self.query_logs_dir or self.data_dir / "query_logs"

    @property
    def understanding(self) -> Path:
        """The ask service's learned lexicon and its history (``services.ask.learning``)."""
        return self.understanding_dir or self.data_dir / "understanding"

    @property
    def warehouse(self) -> Path:
        """The shop warehouse (DuckDB): shops, customers, products, orders."""
        return self.warehouse_path or self.data_dir / "warehouse.duckdb"

    @property
    def logs_db(self) -> Path:
        """The query-log database (DuckDB) the logger owns."""
        return self.logs_db_path or self.query_logs / "queries.duckdb"

    @property
    def models(self) -> Path:
        """The model registry: one folder per version."""
        return self.models_dir or self.data_dir / "models"

    @property
    def exports(self) -> Path:
        return self.exports_dir or self.query_logs / "exports"

    @property
    def outbox(self) -> Path:
        return self.outbox_dir or self.data_dir / "outbox"

    def resolve(self, path: Path | str) -> Path:
        """A path a user typed: as given when it exists or is absolute, else under ``data_dir``
        when it exists there (``query_logs/finetuning_data.jsonl`` run from the checkout)."""
        given = Path(path)
        if given.is_absolute() or given.exists() or not (self.data_dir / given).exists():
            return given
        return self.data_dir / given


def state_line(data_dir: Path | None = None) -> str:
    """The line every ``ecominsight`` command prints (on stderr): where its state is."""
    return f"ecominsight: state in {(data_dir or PathSettings().data_dir).resolve()}"


def service_url(url: str | None, host: str, port: int) -> str:
    """Where clients reach a service: its explicit ``url``, else its host and port (a wildcard
    bind address such as ``0.0.0.0`` is reached on loopback)."""
    if url:
        return url.rstrip("/")
    reachable = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"http://{reachable}:{port}"


# Secrets that are public (defaults, examples): a service refuses them, in a local run too.
PLACEHOLDER_SECRETS = frozenset(
    {"change-me", "changeme", "change_me", "changethis", "secret", "password", "admin", "token", "test",
     "dev-admin-token", "dev-read-token", "example", "xxx", ""}
)


class SecuritySettings(BaseSettings):
    """``ECOMINSIGHT_LOCAL_DEV=1`` (``ecominsight up`` sets it): a single-machine run on loopback
    where API keys are optional and a secret may be left unset. Never set it in a deployment."""

    model_config = SettingsConfigDict(env_prefix="ECOMINSIGHT_", extra="ignore", frozen=True)

    local_dev: bool = False


def refuse_placeholder_secrets(secrets: dict[str, str | None], security: SecuritySettings) -> None:
    """Raise ``ConfigError`` naming every secret (setting name -> value) that is a known
    placeholder, in a local run too (a well-known string is no secret anywhere); ``None`` (not
    configured) is fine here: each service decides whether it may run without one."""
    bad = [name for name, value in secrets.items() if value is not None and value.strip().lower() in PLACEHOLDER_SECRETS]
    if bad:
        raise ConfigError(
            f"refusing to start: {', '.join(bad)} {'is' if len(bad) == 1 else 'are'} set to a known placeholder; "
            "set a random secret (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`; "
            "`ecominsight up` makes random ones per data folder)"
        )
