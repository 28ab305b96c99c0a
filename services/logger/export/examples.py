"""Which logged answers make the fine-tuning set, and each one as a training record.

Selected: successful queries with confidence > ``export_min_confidence``, a prompt, and no
negative rating (the last rating of the query's own shop counts, see ``stats/ratings.py``); one
per (question, answer) pair (the most recent). Each line is a ``shared.exports.ExportRecord``
(the contract the trainer reads back): ``input`` is exactly the prompt the generator was given
(``QueryEvent.prompt``) and ``result`` is the tool result, so the trainer can delexicalise the
answer.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import duckdb

from services.logger.review.corrections import LATEST as LATEST_CORRECTIONS
from services.logger.settings import Settings
from services.logger.timefmt import utc_naive
from shared.exports import ExportRecord

# A query with an owner's correction is exported with it (even when rated negative: the
# correction is the answer wanted); the trainer checks it against the result (corrections.py).
SELECT_EXAMPLES = f"""
WITH fixes AS ({LATEST_CORRECTIONS}),
candidates AS (
    SELECT q.*, fx.correction, row_number() OVER (
        PARTITION BY lower(trim(q.question)), q.answer, fx.correction ORDER BY q.occurred_at DESC, q.query_id
    ) AS copy_no
    FROM queries q LEFT JOIN fixes fx ON fx.query_id = q.query_id
    WHERE q.success AND q.confidence > ? AND q.prompt IS NOT NULL
      AND (fx.correction IS NOT NULL OR q.query_id NOT IN (SELECT query_id FROM ratings WHERE rating = 'negative'))
      {{extra}}
)
SELECT prompt, answer, intent, tool, result, query_id, occurred_at, tool_params, shop_id, correction
FROM candidates WHERE copy_no = 1
ORDER BY occurred_at, query_id
"""



def export_filters(settings: Settings) -> dict[str, Any]:
    return {
        "success": True,
        "min_confidence_exclusive": settings.export_min_confidence,
        "exclude_negative_feedback": True,
        "require_prompt": True,
        "dedupe": "question (case-insensitive) + answer, most recent kept",
    }


def _selection(min_confidence: float, logged_after: datetime | None) -> tuple[str, list[Any]]:
    """``SELECT_EXAMPLES`` and its parameters; ``logged_after`` keeps the rows logged after it."""
    if logged_after is None:
        return SELECT_EXAMPLES.format(extra=""), [min_confidence]
    return SELECT_EXAMPLES.format(extra="AND q.logged_at > ?"), [min_confidence, utc_naive(logged_after)]


def select_examples(
    conn: duckdb.DuckDBPyConnection, min_confidence: float, logged_after: datetime | None = None
) -> list[tuple[Any, ...]]:
    """The qualifying rows; ``logged_after`` keeps those logged after that moment only."""
    sql, params = _selection(min_confidence, logged_after)
    return conn.execute(sql, params).fetchall()


def count_examples(
    conn: duckdb.DuckDBPyConnection, min_confidence: float, logged_after: datetime | None = None
) -> int:
    """How many rows ``select_examples`` would return, counted in the database."""
    sql, params = _selection(min_confidence, logged_after)
    row = conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()
    return int(row[0]) if row else 0


def to_record(row: tuple[Any, ...]) -> ExportRecord:
    prompt, answer, intent, tool, result, query_id, _, tool_params, shop_id, correction = row
    return ExportRecord(
        input=prompt,
        output=answer,
        intent=intent,
        tool=tool,
        result=json.loads(result) if result is not None else None,
        query_id=query_id,
        # What was computed (the semantic layer's structured query); None for older events.
        interpretation=json.loads(tool_params) if tool == "semantic_query" and tool_params else None,
        shop_id=shop_id,
        # The owner's wording of this answer: the trainer's target when it fits the result.
        correction=correction,
    )
