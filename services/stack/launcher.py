"""Start the broker and every service as child processes, wait until each is healthy, and stop
them all, in order, on Ctrl-C.

A service that dies is restarted with backoff (``supervisor.py``), the rest keep running.
Order of start: broker -> logger -> generator -> trainer -> ask. Order of stop is the reverse, so
the ask service flushes its outbox to a broker that is still there and the logger writes the last
events before the broker goes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

from services.ask.keys import KeySettings
from services.stack.child import Child
from services.stack.secrets import StackSecrets, load_or_create
from services.stack.settings import Settings
from shared.broker import LocalBroker
from shared.kafka import ensure_topics
from shared.model_names import TINY_BASE
from shared.settings import KafkaSettings, PathSettings


def _topic_overrides(env: dict[str, str]) -> dict[str, str]:
    """Topic names set in the children's environment (``KAFKA_TOPIC_*``), as settings fields."""
    return {k.removeprefix("KAFKA_").lower(): v for k, v in env.items() if k.startswith("KAFKA_TOPIC_")}


def _ask_key_settings(extra_env: dict[str, str]) -> KeySettings:
    """The ask service's key settings as its child reads them: this process's environment, with
    the ``ECOMINSIGHT_ASK_*`` variables of the children's extra environment over it."""
    prefix = str(KeySettings.model_config.get("env_prefix", ""))
    overrides: dict[str, Any] = {
        k.removeprefix(prefix).lower(): v for k, v in extra_env.items() if k.startswith(prefix)
    }
    return KeySettings(**overrides)


class Stack:
    """The whole system on one machine, all state under ``settings.data_dir``."""

    def __init__(self, settings: Settings, extra_env: dict[str, str] | None = None):
        self.settings = settings
        self.data_dir = settings.data_dir.resolve()
        self.extra_env = extra_env or {}
        self.broker: LocalBroker | None = None
        self.children: list[Child] = []
        self._secrets: StackSecrets | None = None
        self.secrets_created = False  # made on this start: the banner shows them, once

    @property
    def keys_file(self) -> Path:
        """The ask service's key file (``KeySettings``: its API keys file, else in the data folder)."""
        return _ask_key_settings(self.extra_env).path(PathSettings(data_dir=self.data_dir))

    @property
    def secrets(self) -> StackSecrets:
        """The data folder's random tokens and admin key (``secrets.py``), made on first use;
        an ``admin_token`` in the settings replaces the generated logger admin token."""
        if self._secrets is None:
            found, self.secrets_created = load_or_create(self.data_dir, self.keys_file)
            if self.settings.admin_token:
                found = StackSecrets(self.settings.admin_token, found.logger_read_token, found.ask_admin_key)
            self._secrets = found
        return self._secrets

    @property
    def keys_required(self) -> bool:
        """Whether the ask API the children run requires shop keys."""
        value = self.environment().get("ECOMINSIGHT_ASK_REQUIRE_API_KEYS", "").strip().lower()
        return value in ("1", "true", "yes", "on")

    def url(self, service: str) -> str:
        port = {
            "ask": self.settings.ask_port,
            "generator": self.settings.generator_port,
            "logger": self.settings.logger_port,
        }[service]
        return f"http://{self.settings.host}:{port}"

    @property
    def bootstrap_servers(self) -> str:
        return self.settings.external_kafka or f"{self.settings.host}:{self.settings.kafka_port}"

    def environment(self) -> dict[str, str]:
        """The environment every child gets: where Kafka and the state are, and each port."""
        s = self.settings
        tokens = self.secrets
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "ECOMINSIGHT_DATA_DIR": str(self.data_dir),
            "ECOMINSIGHT_ASK_HOST": s.host,
            "ECOMINSIGHT_ASK_PORT": str(s.ask_port),
            "ECOMINSIGHT_ASK_GENERATOR_URL": self.url("generator"),
            "ECOMINSIGHT_ASK_LOGGER_URL": self.url("logger"),  # for the MCP tools shop_stats and run_sql
            "ECOMINSIGHT_ASK_CORS_ORIGINS": f'["{self.url("logger")}"]',  # the review page calls the ask API
            "ECOMINSIGHT_GENERATOR_HOST": s.host,
            "ECOMINSIGHT_GENERATOR_PORT": str(s.generator_port),
            "ECOMINSIGHT_LOGGER_HOST": s.host,
            "ECOMINSIGHT_LOGGER_PORT": str(s.logger_port),
            "ECOMINSIGHT_LOGGER_ASK_URL": self.url("ask"),  # for the review page (/dashboard/review)
            # random per data folder (secrets.py): the logger's reads and admin routes are closed
            "ECOMINSIGHT_LOGGER_ADMIN_TOKEN": tokens.logger_admin_token,
            "ECOMINSIGHT_LOGGER_READ_TOKEN": tokens.logger_read_token,
            "ECOMINSIGHT_ASK_LOGGER_READ_TOKEN": tokens.logger_read_token,  # shop_stats, /api/mcp/stats, labels
            "ECOMINSIGHT_ASK_LOGGER_ADMIN_TOKEN": tokens.logger_admin_token,  # run_sql, for admin keys only
            "ECOMINSIGHT_GENERATOR_LOGGER_READ_TOKEN": tokens.logger_read_token,
            # a loopback run: API keys are optional (`up --api-keys` requires them)
            "ECOMINSIGHT_LOCAL_DEV": "1",
            "ECOMINSIGHT_TRAINER_BASE_MODEL": s.trainer_base_model,
            "PYTHONUNBUFFERED": "1",
        }
        env.setdefault("HF_HUB_OFFLINE", "1")  # fail fast instead of retrying a hub we cannot reach
        if s.trainer_base_model == TINY_BASE:
            # A tiny model trained from scratch needs more steps and a higher rate than the guide's
            # FLAN-T5 fine-tuning defaults (5 epochs at 3e-4). The gate is the same as anywhere
            # (facts >= 0.995, no invented number, a gain in preference match); the environment
            # still wins.
            env.setdefault("ECOMINSIGHT_TRAINER_EPOCHS", "40")
            env.setdefault("ECOMINSIGHT_TRAINER_LEARNING_RATE", "1e-3")
            env.setdefault("ECOMINSIGHT_TRAINER_EARLY_STOPPING_PATIENCE", "0")
            # The tiny model's steps are too small for two threads to pay: beside the broker and
            # three services on a 2-core machine they only contend (the demo took 268 s with torch's
            # default of two threads, 121-146 s with one; issue 26).
            env.setdefault("ECOMINSIGHT_TRAINER_TORCH_THREADS", "1")
        if s.require_api_keys:
            env["ECOMINSIGHT_ASK_REQUIRE_API_KEYS"] = "1"
        env.update(self.extra_env)
        return env

    def _child(self, name: str, health: bool = True) -> Child:
        env = self.environment()
        health_url = f"{self.url(name)}/health" if health else None
        return Child(name, f"services.{name}", health_url, env, self.data_dir / "logs" / f"{name}.log")

    def seed_if_empty(self) -> None:
        warehouse = self.data_dir / "warehouse.duckdb"
        if warehouse.exists():
            return
        print(f"seeding sample shop data into {warehouse} ...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "services.cli", "seed-data", "--shops", str(self.settings.seed_shops)],
            env=self.environment(),
            check=True,
        )

    def start(self) -> Stack:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        _ = self.secrets  # made (or read) before any child needs them
        (self.data_dir / "logs").mkdir(parents=True, exist_ok=True)
        if self.settings.external_kafka is None:
            self.broker = LocalBroker(
                port=self.settings.kafka_port,
                host=self.settings.host,
                log_file=self.data_dir / "logs" / "broker.log",
            )
            self.broker.start()
        overrides = {"bootstrap_servers": self.bootstrap_servers, **_topic_overrides(self.environment())}
        ensure_topics(KafkaSettings.model_validate(overrides))
        kind = "external" if self.settings.external_kafka else "Tansu"
        print(f"  broker     Kafka protocol ({kind})  {self.bootstrap_servers}", flush=True)
        self.seed_if_empty()
        for name, health in (("logger", True), ("generator", True), ("trainer", False), ("ask", True)):
            child = self._child(name, health)
            child.start()
            self.children.append(child)
            child.wait_healthy(self.settings.health_timeout_s)
            where = self.url(name) if health else "(Kafka worker)"
            print(f"  {name:<10} {where}   log: {child.log_path}", flush=True)
        return self

    def unhealthy(self) -> list[str]:
        return [c.name for c in self.children if not c.alive()]

    def stop(self) -> None:
        for child in reversed(self.children):
            child.stop()
        self.children.clear()
        if self.broker is not None:
            self.broker.stop()
            self.broker = None

    def __enter__(self) -> Stack:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
