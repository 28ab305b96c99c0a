"""Event contracts: one frozen envelope and one small class per event.

On the wire an event is its JSON; its ``type`` also travels in the ``event-type`` Kafka header so
a consumer can route without parsing. ``decode`` raises ``EventDecodeError`` for anything that is
not a valid event of a known type, which consumers send to the dead-letter topic.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from shared.errors import EventDecodeError
from shared.registry import TEMPLATE, ModelMeta

if TYPE_CHECKING:
    from pathlib import Path

TYPE_HEADER = "event-type"
SCHEMA_VERSION = 1


def utcnow() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """The envelope every event carries."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    schema_version: int = SCHEMA_VERSION
    occurred_at: datetime = Field(default_factory=utcnow)
    source: str = "ecominsight"

    def encode(self) -> bytes:
        return self.model_dump_json().encode()

    def headers(self) -> list[tuple[str, bytes]]:
        return [(TYPE_HEADER, self.type.encode())]


class QueryEvent(Event):
    """One request to the ask API, answered or not."""

    type: Literal["query"] = "query"
    query_id: str
    shop_id: str
    question: str
    answer: str
    intent: str
    tool: str | None = None
    tool_params: dict[str, Any] = Field(default_factory=dict)
    confidence: float = Field(ge=0.0, le=1.0)
    success: bool
    error: str | None = None
    response_time_ms: float = Field(ge=0.0)
    model_version: str = "template"
    generator: str = "template"
    prompt: str | None = None
    result: dict[str, Any] | None = None
    # The structured query that was computed (``shared.interpretation.Interpretation`` as JSON):
    # metric, filters, period with its dates. None for requests that were never parsed.
    interpretation: dict[str, Any] | None = None


class FeedbackEvent(Event):
    type: Literal["feedback"] = "feedback"
    query_id: str
    rating: Literal["positive", "negative"]
    comment: str | None = None
    # The shop the feedback comes from (decided by the caller's key), so a consumer can refuse
    # feedback on another shop's query.
    shop_id: str | None = None
    # The answer as the shop owner wants it worded (a learning signal the template cannot give).
    correction: str | None = None
    # The id of the API key that rated or corrected (``ecominsight keys list``); None without keys.
    key_id: str | None = None


class ExportComplete(Event):
    type: Literal["export-complete"] = "export-complete"
    export_id: str
    path: str
    n_examples: int = Field(ge=0)
    sha256: str
    filters: dict[str, Any] = Field(default_factory=dict)


class ModelReady(Event):
    type: Literal["model-ready"] = "model-ready"
    version: str
    path: str
    base_model: str
    parent_version: str | None = None
    export_id: str | None = None
    metrics: dict[str, Any] = Field(default_factory=dict)
    # None: a promotion (serve ``version``, ending any canary). A number: ``version`` is the
    # canary and phrases that fraction of each shop's requests; 0 ends the canary.
    canary_fraction: float | None = Field(default=None, ge=0.0, le=1.0)

    @classmethod
    def from_metadata(cls, meta: ModelMeta, path: Path, source: str) -> ModelReady:
        """The one way to announce a registered version: its numeric metrics, its folder's path."""
        return cls(
            version=meta.version,
            path=str(path.resolve()),
            base_model=meta.base_model,
            parent_version=meta.parent_version,
            export_id=meta.export_id,
            metrics={
                k: v
                for k, v in meta.metrics.items()
                if isinstance(v, int | float) and not isinstance(v, bool)
            },
            source=source,
        )

    @classmethod
    def template(cls, source: str) -> ModelReady:
        """Go back to the template phrasing (what ``model promote template`` and rollback send)."""
        return cls(version=TEMPLATE, path="", base_model=TEMPLATE, source=source)


class TrainingFailed(Event):
    type: Literal["training-failed"] = "training-failed"
    export_id: str | None = None
    reason: str


AnyEvent = Annotated[
    QueryEvent | FeedbackEvent | ExportComplete | ModelReady | TrainingFailed,
    Field(discriminator="type"),
]
_ADAPTER: TypeAdapter[Any] = TypeAdapter(AnyEvent)
EVENT_TYPES = {cls.model_fields["type"].default: cls for cls in Event.__subclasses__()}


def decode(payload: bytes | str | None, headers: list[tuple[str, bytes]] | None = None) -> Event:
    """Turn wire bytes into the event they hold, or raise ``EventDecodeError`` saying why."""
    if payload is None:
        raise EventDecodeError("empty message (no value)")
    header_type = None
    for name, value in headers or []:
        if name == TYPE_HEADER:
            header_type = value.decode(errors="replace")
    if header_type is not None and header_type not in EVENT_TYPES:
        raise EventDecodeError(f"unknown event type {header_type!r} in header")
    try:
        event: Event = _ADAPTER.validate_json(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "payload"
        raise EventDecodeError(f"invalid event at {where}: {first.get('msg')}") from exc
    if header_type is not None and header_type != event.type:
        raise EventDecodeError(f"header type {header_type!r} does not match payload type {event.type!r}")
    return event
