"""One micro-batch of received events, as the sink writes it: the events that count (the last
offset of each partition, each event id once), their rows as Arrow tables with the tables'
columns, the JSONL lines DuckDB builds from them, and which events are new (``new_events``: an
event id logged inside the dedupe window is a redelivery)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

import duckdb
import pyarrow as pa

from services.logger.timefmt import to_json, utc_naive
from shared.events import FeedbackEvent, QueryEvent
from shared.kafka import Received

log = logging.getLogger(__name__)

HOT_TABLE = "queries_hot"  # the table the sink appends query rows to (``queries`` is a view over it and the history)

# fmt: off
FEEDBACK_COLUMNS = ("event_id", "query_id", "rating", "comment", "occurred_at", "logged_at", "shop_id", "correction",
                    "key_id")
# fmt: on


# One JSONL line per query, with the field names of the original review snippets, built by DuckDB
# from the batch's Arrow table (vectorised; much faster than json.dumps per event).
# ``response_time`` is in seconds, as the original printed it; the table keeps milliseconds.
JSONL_LINE = """
SELECT success, json_object(
    'question', question, 'answer', answer, 'intent', intent, 'tool_used', tool,
    'confidence', confidence, 'success', success, 'error', error, 'response_time', response_time_ms / 1000.0,
    'query_id', query_id, 'shop_id', shop_id,
    'timestamp', strftime(occurred_at, '%Y-%m-%dT%H:%M:%S.%f') || '+00:00',
    'model_version', model_version, 'generator', generator, 'event_id', event_id,
    'interpretation', interpretation::JSON
)::VARCHAR FROM batch_queries
"""


def query_table(queries: list[QueryEvent], logged_at: datetime, ids: dict[int, str]) -> pa.Table:
    """A batch of query events as an Arrow table with the ``queries`` columns."""
    return pa.table(
        {
            "event_id": pa.array([ids[id(e)] for e in queries], pa.string()),
            "query_id": pa.array([e.query_id for e in queries], pa.string()),
            "shop_id": pa.array([e.shop_id for e in queries], pa.string()),
            "occurred_at": pa.array([utc_naive(e.occurred_at) for e in queries], pa.timestamp("us")),
            "question": pa.array([e.question for e in queries], pa.string()),
            "answer": pa.array([e.answer for e in queries], pa.string()),
            "intent": pa.array([e.intent for e in queries], pa.string()),
            "tool": pa.array([e.tool for e in queries], pa.string()),
            "tool_params": pa.array([to_json(e.tool_params) for e in queries], pa.string()),
            "confidence": pa.array([e.confidence for e in queries], pa.float64()),
            "success": pa.array([e.success for e in queries], pa.bool_()),
            "error": pa.array([e.error for e in queries], pa.string()),
            "response_time_ms": pa.array([e.response_time_ms for e in queries], pa.float64()),
            "model_version": pa.array([e.model_version for e in queries], pa.string()),
            "generator": pa.array([e.generator for e in queries], pa.string()),
            "prompt": pa.array([e.prompt for e in queries], pa.string()),
            "result": pa.array(
                [None if e.result is None else to_json(e.result) for e in queries], pa.string()
            ),
            "logged_at": pa.array([logged_at] * len(queries), pa.timestamp("us")),
            "interpretation": pa.array(
                [None if e.interpretation is None else to_json(e.interpretation) for e in queries],
                pa.string(),
            ),
        }
    )


def feedback_table(feedback: list[FeedbackEvent], logged_at: datetime, ids: dict[int, str]) -> pa.Table:
    return pa.table(
        {
            "event_id": pa.array([ids[id(e)] for e in feedback], pa.string()),
            "query_id": pa.array([e.query_id for e in feedback], pa.string()),
            "rating": pa.array([e.rating for e in feedback], pa.string()),
            "comment": pa.array([e.comment for e in feedback], pa.string()),
            "occurred_at": pa.array([utc_naive(e.occurred_at) for e in feedback], pa.timestamp("us")),
            "logged_at": pa.array([logged_at] * len(feedback), pa.timestamp("us")),
            "shop_id": pa.array([e.shop_id for e in feedback], pa.string()),
            "correction": pa.array([e.correction for e in feedback], pa.string()),
            "key_id": pa.array([e.key_id for e in feedback], pa.string()),
        }
    )


def sort_out(
    batch: Sequence[Received],
) -> tuple[dict[tuple[str, int], int], dict[str, QueryEvent | FeedbackEvent]]:
    """The next offset of every partition in the batch, and its query and feedback events by
    event id (the first copy of each; other event types are logged and skipped)."""
    positions: dict[tuple[str, int], int] = {}
    unique: dict[str, QueryEvent | FeedbackEvent] = {}
    for received in batch:
        key = (received.topic, received.partition)
        positions[key] = max(positions.get(key, 0), received.offset + 1)
        event = received.event
        if isinstance(event, QueryEvent | FeedbackEvent):
            unique.setdefault(str(event.event_id), event)
        else:
            log.warning("ignoring a %s event on %s", event.type, received.topic)
    return positions, unique


def new_events(
    cur: duckdb.DuckDBPyConnection, unique: dict[str, QueryEvent | FeedbackEvent], since: datetime
) -> list[tuple[str, QueryEvent | FeedbackEvent]]:
    """The (event id, event) pairs whose id is in neither table among the rows logged since
    ``since`` (the dedupe window). A copy of an event has the event's own ``occurred_at``, so
    only rows whose ``occurred_at`` lies between the batch's earliest and latest are compared,
    and only rows logged inside the window. Rows are appended in about that order, so DuckDB's
    zone maps (min/max per row group) skip everything else without reading it: the cost of a
    batch depends on the batch and the window, not on how much was ever logged."""
    if not unique:
        return []
    moments = [utc_naive(e.occurred_at) for e in unique.values()]
    ids = pa.table({"event_id": pa.array(list(unique), pa.string())})
    cur.register("batch_ids", ids)
    try:
        cond = (
            "logged_at >= $since AND occurred_at >= $lo AND occurred_at <= $hi"
            " AND event_id IN (SELECT CAST(event_id AS UUID) FROM batch_ids)"
        )
        seen = cur.execute(
            f"SELECT CAST(event_id AS VARCHAR) FROM {HOT_TABLE} WHERE {cond}"
            f" UNION ALL SELECT CAST(event_id AS VARCHAR) FROM feedback WHERE {cond}",
            {"since": since, "lo": min(moments), "hi": max(moments)},
        ).fetchall()
    finally:
        cur.unregister("batch_ids")
    seen_ids = {row[0] for row in seen}
    return [(key, event) for key, event in unique.items() if key not in seen_ids]
