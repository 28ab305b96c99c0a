"""Event contracts: frozen, typed, and decoding refuses anything it cannot trust."""

from __future__ import annotations

import pydantic
import pytest

from shared.errors import EventDecodeError
from shared.events import TYPE_HEADER, FeedbackEvent, QueryEvent, decode
from shared.settings import KafkaSettings, PathSettings


def test_events_are_frozen_and_carry_an_envelope() -> None:
    event = FeedbackEvent(query_id="q", rating="positive")
    assert event.type == "feedback" and event.schema_version == 1
    assert event.occurred_at.tzinfo is not None
    with pytest.raises(pydantic.ValidationError):
        event.rating = "negative"  # type: ignore[misc]
    assert event.headers() == [(TYPE_HEADER, b"feedback")]


@pytest.mark.parametrize(
    ("payload", "headers", "message"),
    [
        (None, [], "empty message"),
        (b"\xff\xfe", [], "Invalid JSON"),
        (b'{"type": "query", "query_id": "q"}', [], "shop_id"),
        (FeedbackEvent(query_id="q", rating="positive").encode(), [(TYPE_HEADER, b"query")], "does not match"),
        (b"{}", [(TYPE_HEADER, b"bogus")], "unknown event type"),
        (b'{"type": "feedback", "query_id": "q", "rating": "meh"}', [], "rating"),
    ],
)
def test_decode_raises_one_clear_error(payload: bytes | None, headers: list, message: str) -> None:
    with pytest.raises(EventDecodeError, match=message):
        decode(payload, headers)


def test_confidence_must_be_a_probability() -> None:
    with pytest.raises(pydantic.ValidationError):
        QueryEvent(query_id="q", shop_id="1", question="x", answer="y", intent="i", confidence=1.5,
                   success=True, response_time_ms=1)


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "a:1, b:2")
    monkeypatch.setenv("KAFKA_PARTITIONS", "6")
    monkeypatch.setenv("ECOMINSIGHT_DATA_DIR", str(tmp_path))
    kafka, paths = KafkaSettings(), PathSettings()
    assert kafka.servers == ["a:1", "b:2"] and kafka.partitions == 6
    assert paths.query_logs == tmp_path / "query_logs"
    assert paths.models == tmp_path / "models"
    monkeypatch.setenv("KAFKA_PARTITIONS", "zero")
    with pytest.raises(pydantic.ValidationError):
        KafkaSettings()
