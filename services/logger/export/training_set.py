"""Export for fine-tuning: one versioned export of the qualifying examples (``examples.py``).

The file goes to ``query_logs/finetuning_data.jsonl`` (or ``output_file``) and a versioned copy
with a ``manifest.json`` to ``exports/<export_id>/``; the export is noted in the ``exports`` table,
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
from services.logger.export.examples import export_filters, select_examples, to_record
from services.logger.settings import Settings
from services.logger.timefmt import utc_naive
from shared.errors import BrokerError
from shared.events import ExportComplete
from shared.exports import ExportRecord
from shared.fs import atomic_write
from shared.kafka import EventProducer

log = logging.getLogger(__name__)

EXPORT_FILE = "finetuning_data.jsonl"


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


def _write_version(version_dir: Path, data: bytes, manifest: dict[str, Any]) -> Path:
    """The versioned copy and its manifest, each written atomically; returns the manifest's path."""
    version_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(version_dir / EXPORT_FILE, data)
    manifest_path = version_dir / "manifest.json"
    atomic_write(manifest_path, json.dumps(manifest, indent=2).encode() + b"\n")
    return manifest_path


def _publish(producer: EventProducer, settings: Settings, event: ExportComplete) -> str | None:
    """Announce the export; returns why it could not be announced (None when it was)."""
    try:
        producer.publish_sync(settings.kafka.topic_exports, event, key=event.export_id)
    except BrokerError as exc:
        log.error("export %s written but ExportComplete not published: %s", event.export_id, exc)
        return str(exc)
    return None


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
    version_dir = settings.paths.exports / export_id
    versioned = version_dir / EXPORT_FILE
    path = str(versioned.resolve())
    manifest = {"export_id": export_id, "created_at": created.isoformat(), "count": len(rows), "sha256": digest,
                "path": path, "filters": filters, "time_range": time_range,
                "format": list(ExportRecord.model_fields)}  # fmt: skip
    manifest_path = _write_version(version_dir, data, manifest)
    out = Path(output_file) if output_file else settings.paths.query_logs / EXPORT_FILE
    if out.resolve() != versioned.resolve():
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(out, data)
    if record:
        conn.execute("INSERT INTO exports VALUES (?, ?, ?, ?, ?)", [export_id, utc_naive(created), len(rows), digest, path])
    error = None
    if producer is not None:
        event = ExportComplete(export_id=export_id, path=path, n_examples=len(rows), sha256=digest, filters=filters,
                               source="logger")  # fmt: skip
        error = _publish(producer, settings, event)
    log.info("export %s: %d examples, sha256 %s", export_id, len(rows), digest[:12])
    return ExportResult(
        export_id=export_id, n_examples=len(rows), sha256=digest, path=path, output_file=str(out.resolve()),
        manifest=str(manifest_path.resolve()), filters=filters, time_range=time_range,
        published=producer is not None and error is None, publish_error=error,
    )  # fmt: skip
