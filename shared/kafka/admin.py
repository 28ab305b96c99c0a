"""Topics on the brokers: ``ensure_topics`` creates the project's topics at start-up (idempotent);
``broker_reachable`` tells cheaply whether any broker accepts connections (before a slower admin call)."""

from __future__ import annotations

import contextlib
import logging
import socket
import time
from collections.abc import Iterable

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from shared.errors import BrokerError
from shared.settings import KafkaSettings

log = logging.getLogger(__name__)


def ensure_topics(kafka: KafkaSettings, topics: Iterable[str] | None = None, timeout_s: float = 30.0) -> None:
    """Create ``topics`` (default: all of the project's) if they do not exist yet."""
    wanted = list(topics or kafka.all_topics())
    deadline = time.monotonic() + timeout_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            admin = KafkaAdminClient(
                bootstrap_servers=kafka.servers,
                client_id="ecominsight-admin",
                request_timeout_ms=kafka.request_timeout_ms,
                bootstrap_timeout_ms=kafka.bootstrap_timeout_ms,
            )
        except KafkaError as exc:
            last = exc
            time.sleep(0.5)
            continue
        try:
            existing = set(admin.list_topics())
            missing = [t for t in wanted if t not in existing]
            if missing:
                new = [NewTopic(t, kafka.partitions, kafka.replication_factor) for t in missing]
                with contextlib.suppress(TopicAlreadyExistsError):
                    admin.create_topics(new)
                log.info("created topics %s", ", ".join(missing))
            return
        except KafkaError as exc:
            last = exc
            time.sleep(0.5)
        finally:
            admin.close()
    raise BrokerError(f"could not create topics on {kafka.bootstrap_servers}: {last}")


def broker_reachable(kafka: KafkaSettings, timeout_s: float = 0.5) -> bool:
    """Whether one of ``kafka``'s brokers accepts a TCP connection within ``timeout_s``."""
    for server in kafka.servers:
        host, _, port = server.rpartition(":")
        try:
            with socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout_s):
                return True
        except (OSError, ValueError):
            continue
    return False
