"""Export for fine-tuning: the best logged answers as training records.

Selected: successful queries with confidence > ``export_min_confidence``, a prompt, and no
negative rating (the last rating of the query's own shop counts, see ``ratings.py``); one per
(question, answer) pair (the most recent). Each line is a ``shared.exports.ExportRecord`` (the
contract the trainer reads back): ``input`` is exactly the prompt the generator was given
(``QueryEvent.prompt``) and ``result`` is the tool result, so the trainer can delexicalise the
answer. The file goes to ``query_logs/finetuning_data.jsonl`` (or
``output_file``) and a versioned copy with a ``manifest.json`` to ``exports/<export_id>/``;
then ``ExportComplete`` is published with the versioned path.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from services.logger.errors import TooFewExamples
from services.logger.review.corrections import LATEST as LATEST_CORRECTIONS
from services.logger.settings import Settings
from services.logger.timefmt import utc_naive
from shared.errors import BrokerError
from shared.events import ExportComplete
from shared.exports import ExportRecord
from shared.fs import atomic_write
from shared.kafka import EventProducer

log = logging.getLogger(__name__)

EXPORT_FILE = "finetuning_data.jsonl"

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


@dataclass(frozen=True)
class ExportResult:
    export_id: str
    n_examples: int
    sha256: str
    path: str  # the versioned copy (what ExportComplete carries)
    output_file: str
    manifest: str
    filters: dict[str, Any]
    time_range: dict[str, str | None]
    published: bool
    publish_error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def export_filters(settings: Settings) -> dict[str, Any]:
    return {
        "success": True,
        "min_confidence_exclusive": settings.export_min_confidence,
        "exclude_negative_feedback": True,
        "require_prompt": True,
        "dedupe": "question (case-insensitive) + answer, most recent kept",
    }


def select_examples(
    conn: duckdb.DuckDBPyConnection, min_confidence: float, logged_after: datetime | None = None
) -> list[tuple[Any, ...]]:
    """The qualifying rows; ``logged_after`` keeps those logged after that moment only."""
    extra = ""
    params: list[Any] = [min_confidence]
    if logged_after is not None:
        extra = "AND q.logged_at > ?"
        params.append(utc_naive(logged_after))
    return conn.execute(SELECT_EXAMPLES.format(extra=extra), params).fetchall()


def count_examples(
    conn: duckdb.DuckDBPyConnection, min_confidence: float, logged_after: datetime | None = None
) -> int:
    """How many rows ``select_examples`` would return, counted in the database."""
    extra = ""
    params: list[Any] = [min_confidence]
    if logged_after is not None:
        extra = "AND q.logged_at > ?"
        params.append(utc_naive(logged_after))
    row = conn.execute(f"SELECT count(*) FROM ({SELECT_EXAMPLES.format(extra=extra)})", params).fetchone()
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


def export_for_finetuning(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    output_file: Path | None = None,
    producer: EventProducer | None = None,
    record: bool = True,
) -> ExportResult:
    """Write the fine-tuning set, its versioned copy and manifest; publish ``ExportComplete``.

    Raises ``TooFewExamples`` (nothing written, nothing published) below ``export_min_examples``.
    ``record=False`` for a read-only connection: the export is then not noted in ``exports``.
    """
    rows = select_examples(conn, settings.export_min_confidence)
    filters = export_filters(settings)
    if len(rows) < settings.export_min_examples:
        raise TooFewExamples(
            f"only {len(rows)} qualifying examples (successful, confidence > {settings.export_min_confidence:g}, "
            f"no negative feedback, duplicates dropped); at least {settings.export_min_examples} are needed. "
            "Nothing was exported and no event was published."
        )
    data = b"".join(to_record(r).model_dump_json().encode() + b"\n" for r in rows)
    digest = hashlib.sha256(data).hexdigest()
    created = datetime.now(UTC)
    export_id = f"exp-{created:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    times = [r[6] for r in rows]
    time_range = {
        "first_query_at": min(times).isoformat() + "+00:00",
        "last_query_at": max(times).isoformat() + "+00:00",
    }

    out = Path(output_file) if output_file else settings.paths.query_logs / EXPORT_FILE
    version_dir = settings.paths.exports / export_id
    versioned = version_dir / EXPORT_FILE
    version_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(versioned, data)
    manifest_path = version_dir / "manifest.json"
    manifest = {
        "export_id": export_id,
        "created_at": created.isoformat(),
        "count": len(rows),
        "sha256": digest,
        "path": str(versioned.resolve()),
        "filters": filters,
        "time_range": time_range,
        "format": list(ExportRecord.model_fields),
    }
    atomic_write(manifest_path, json.dumps(manifest, indent=2).encode() + b"\n")
    if out.resolve() != versioned.resolve():
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(out, data)
    if record:
        conn.execute(
            "INSERT INTO exports VALUES (?, ?, ?, ?, ?)",
            [export_id, utc_naive(created), len(rows), digest, str(versioned.resolve())],
        )

    published, error = False, None
    if producer is not None:
        event = ExportComplete(
            export_id=export_id,
            path=str(versioned.resolve()),
            n_examples=len(rows),
            sha256=digest,
            filters=filters,
            source="logger",
        )
        try:
            producer.publish_sync(settings.kafka.topic_exports, event, key=export_id)
            published = True
        except BrokerError as exc:
            error = str(exc)
            log.error("export %s written but ExportComplete not published: %s", export_id, exc)
    log.info("export %s: %d examples, sha256 %s", export_id, len(rows), digest[:12])
    return ExportResult(
        export_id=export_id,
        n_examples=len(rows),
        sha256=digest,
        path=str(versioned.resolve()),
        output_file=str(out.resolve()),
        manifest=str(manifest_path.resolve()),
        filters=filters,
        time_range=time_range,
        published=published,
        publish_error=error,
    )
