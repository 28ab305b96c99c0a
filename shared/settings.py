"""Settings shared by every service, read from the environment.

Two kinds of group:

* nested groups with their own prefix, the same variables for every service: ``KafkaSettings``
  (``KAFKA_BOOTSTRAP_SERVERS``, ...), ``PathSettings`` (``ECOMINSIGHT_DATA_DIR``, ...),
  ``SecuritySettings`` (``ECOMINSIGHT_LOCAL_DEV``);
* base classes a service's ``Settings`` derives from, whose fields take that service's prefix:
  ``ServerSettings`` (``ECOMINSIGHT_<SERVICE>_HOST``, ``_PORT``, ``_MAX_BODY_BYTES``),
  ``ReachableServer`` (and ``_URL``), ``LoggerEndpoint`` (``_LOGGER_URL``, ``_LOGGER_READ_TOKEN``).

Every field has a docstring: ``ecominsight settings`` prints them (``services/stack/settings_doc.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.errors import ConfigError
from shared.logger_client import LoggerClient

# Every Settings class: unknown variables are ignored, each field's docstring is its description.
COMMON_CONFIG = SettingsConfigDict(extra="ignore", use_attribute_docstrings=True)


class KafkaSettings(BaseSettings):
    """Where the broker is and what the project's topics are called."""

    model_config = SettingsConfigDict(env_prefix="KAFKA_", frozen=True, **COMMON_CONFIG)

    bootstrap_servers: str = "127.0.0.1:9092"
    """The broker's addresses, ``host:port`` separated by commas."""
    topic_queries: str = "ecominsight.queries"
    """Topic of the asked questions and their answers (``QueryLogged``)."""
    topic_feedback: str = "ecominsight.feedback"
    """Topic of the owners' ratings and corrections."""
    topic_exports: str = "ecominsight.exports"
    """Topic that announces a new fine-tuning set (the trainer reads it)."""
    topic_models: str = "ecominsight.models"
    """Topic that announces a model version to serve (``ModelReady``: every generator reloads)."""
    topic_training: str = "ecominsight.training"
    """Topic of training runs' outcomes (started, refused by the gate, failed)."""
    topic_dlq: str = "ecominsight.dlq"
    """Dead-letter topic: events a consumer could not decode or store."""
    partitions: int = Field(default=3, ge=1)
    """Partitions of each topic the project creates."""
    replication_factor: int = Field(default=1, ge=1)
    """Replicas of each topic the project creates."""
    session_timeout_ms: int = Field(default=6000, ge=1000)
    """Consumer group session timeout. Tansu delivers a group's first message after about half of it: keep it short."""
    heartbeat_interval_ms: int = Field(default=1000, ge=100)
    """How often a consumer tells the group it is alive."""
    request_timeout_ms: int = Field(default=15000, ge=1000)
    """How long a client waits for the broker's answer to one request."""
    max_block_ms: int = Field(default=2000, ge=0)
    """How long ``producer.send()`` may block the caller waiting for metadata."""
    bootstrap_timeout_ms: int = Field(default=5000, ge=100)
    """How long a client waits for a first connection before it gives up (kafka-python: 30 s)."""

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

    model_config = SettingsConfigDict(env_prefix="ECOMINSIGHT_", frozen=True, **COMMON_CONFIG)

    data_dir: Path = DEFAULT_DATA_DIR
    """The folder all state lives under (the one `ecominsight up` uses)."""
    query_logs_dir: Path | None = None
    """The logger's folder: JSONL logs, the log database, exports (unset: ``<data_dir>/query_logs``)."""
    warehouse_path: Path | None = None
    """The shop warehouse, a DuckDB file (unset: ``<data_dir>/warehouse.duckdb``)."""
    logs_db_path: Path | None = None
    """The query-log database, DuckDB (unset: ``<query_logs_dir>/queries.duckdb``)."""
    models_dir: Path | None = None
    """The model registry, one folder per version (unset: ``<data_dir>/models``)."""
    exports_dir: Path | None = None
    """Where fine-tuning sets are written (unset: ``<query_logs_dir>/exports``)."""
    outbox_dir: Path | None = None
    """The ask service's outbox of events not yet in Kafka (unset: ``<data_dir>/outbox``)."""
    understanding_dir: Path | None = None
    """The ask service's learned lexicon and its history (unset: ``<data_dir>/understanding``)."""

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

    model_config = SettingsConfigDict(env_prefix="ECOMINSIGHT_", frozen=True, **COMMON_CONFIG)

    local_dev: bool = False
    """A single-machine run on loopback: API keys optional, secrets may be unset. Never in a deployment."""


def plain_secret(secret: SecretStr | None) -> str | None:
    """The secret's value, None when it is not set."""
    return secret.get_secret_value() if secret is not None else None


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


def port_field(default: int) -> Any:
    """The ``port`` field of ``ServerSettings`` with a service's own default port."""
    return Field(default=default, description="TCP port the HTTP API listens on.")


def body_cap_field(default: int) -> Any:
    """The ``max_body_bytes`` field of ``ServerSettings`` with a service's own default cap."""
    return Field(default=default, ge=1024, description="Request bodies larger than this get a 413 before "
                 "they are read (``shared.http.BodyLimit``).")  # fmt: skip


class ServerSettings(BaseSettings):
    """Base class of a service with an HTTP API: where it listens and how large a body it reads.
    A service sets its own defaults with ``port_field`` and ``body_cap_field``."""

    model_config = COMMON_CONFIG

    host: str = "127.0.0.1"
    """Address the HTTP API listens on (``0.0.0.0``: every interface, as in a container)."""
    port: int = port_field(8000)
    max_body_bytes: int = body_cap_field(1024 * 1024)


class ReachableServer(ServerSettings):
    """A server that other programs (the CLI, other services, the benches) look for."""

    url: str | None = None
    """Where clients reach the service (unset: ``http://<host>:<port>``, loopback for a wildcard host)."""

    @property
    def base_url(self) -> str:
        return service_url(self.url, self.host, self.port)


class LoggerEndpoint(BaseSettings):
    """Base class of a service that reads the logger's HTTP API (``shared.logger_client``)."""

    model_config = COMMON_CONFIG

    logger_url: str = "http://127.0.0.1:8002"
    """Where the logger's HTTP API is."""
    logger_read_token: SecretStr | None = None
    """The logger's read token (``ECOMINSIGHT_LOGGER_READ_TOKEN``), sent on reads; a local logger without one reads openly."""

    def logger_client(self, timeout_s: float, admin_token: SecretStr | None = None) -> LoggerClient:
        """The logger's client with this service's tokens (the admin token only where it has one)."""
        return LoggerClient(self.logger_url, read_token=plain_secret(self.logger_read_token),
                            admin_token=plain_secret(admin_token), timeout_s=timeout_s)  # fmt: skip
