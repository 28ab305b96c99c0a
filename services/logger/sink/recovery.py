"""Start-up of the sink: the JSONL files brought back to what the database recorded.

A rotation a crash interrupted is finished (or dropped when its file lost bytes); a file longer
than its recorded size holds an uncommitted batch and is cut back; a shorter one (bytes lost
outside the logger) is appended after. The sizes are recorded again.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from services.logger.sink import rotation
from services.logger.sink.files import JSONL_FILES, cut
from services.logger.timefmt import utc_naive

log = logging.getLogger(__name__)


def finish_rotations(conn: duckdb.DuckDBPyConnection, log_dir: Path) -> None:
    """Finish every rotation a crash interrupted, or drop it when its file lost bytes."""
    for name, file, size in rotation.pending(conn):
        path = log_dir / file
        if (path.stat().st_size if path.exists() else 0) >= size:
            log.info("recovery: finishing the rotation of %s into %s", file, name)
            rotation.compress(log_dir, file, name, size)
            conn.begin()
            rotation.finish(conn, file, name, utc_naive(datetime.now(UTC)))
            conn.commit()
        else:
            log.error("recovery: %s lost bytes of the rotation into %s; dropping it", file, name)
            conn.execute("DELETE FROM jsonl_rotations WHERE name = ?", [name])


def _size(path: Path, recorded: int | None) -> int:
    """The size to go on from: the recorded one, after cutting off what it does not know."""
    actual = path.stat().st_size if path.exists() else 0
    if recorded is None:  # a new database: whatever is in the file stays, we append after it
        return actual
    if actual > recorded:
        log.info(
            "recovery: cutting %s from %d to %d bytes (an uncommitted batch)", path.name, actual, recorded
        )
        with path.open("r+b") as fh:
            cut(fh, recorded)
        return recorded
    if actual < recorded:
        log.error(
            "recovery: %s has %d bytes but %d were committed; appending after it", path.name, actual, recorded
        )
    return actual


def recover(conn: duckdb.DuckDBPyConnection, log_dir: Path) -> dict[str, int]:
    """Bring every JSONL file back to its recorded size; returns the sizes, recorded again (the
    caller opens the files and fsyncs the folder)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    finish_rotations(conn, log_dir)
    recorded = {
        file: int(size) for file, size in conn.execute("SELECT file, size FROM jsonl_sizes").fetchall()
    }
    sizes = {name: _size(log_dir / name, recorded.get(name)) for name in JSONL_FILES}
    conn.executemany("INSERT OR REPLACE INTO jsonl_sizes VALUES (?, ?)", [[n, s] for n, s in sizes.items()])
    return sizes
