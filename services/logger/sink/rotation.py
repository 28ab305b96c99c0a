"""JSONL files that do not grow forever: the sink rotates each of the three files by day and by
size into dated, gzip-compressed files next to it, and deletes those older than the retention.

    all_queries.jsonl                          <- the current lines (the name users know)
    all_queries.2026-12-06.0003.jsonl.gz       <- a rotated segment: its lines began on that day

A rotation happens between batches, when a file's size is the one the database recorded, in
three durable steps, each of which a crash may interrupt:

1. record the rotation as pending (``jsonl_rotations``: its name and byte count), commit;
2. compress that many bytes of the file into ``<name>.tmp``, fsync, rename to ``<name>``;
3. in one transaction: the file's recorded size becomes 0, its segment starts now, the rotation
   is done; commit; then cut the file to 0 bytes.

``Sink.recover`` finishes a pending rotation (redoing step 2, which writes the same bytes under
the same name) and then cuts every file back to its recorded size, as for any crash: after step 3's
commit that is 0, because the lines are in the compressed file. So every committed line is in
exactly one file, rotated or current, across any crash.
"""

from __future__ import annotations

import gzip
import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from services.logger.sink.files import fsync_dir

log = logging.getLogger(__name__)

DDL = """
CREATE TABLE IF NOT EXISTS jsonl_segments (
    file VARCHAR PRIMARY KEY,
    started_at TIMESTAMP NOT NULL,
    seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS jsonl_rotations (
    name VARCHAR PRIMARY KEY,
    file VARCHAR NOT NULL,
    bytes BIGINT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    rotated_at TIMESTAMP NOT NULL,
    done BOOLEAN NOT NULL
);
"""


def rotated_name(file: str, started_at: datetime, seq: int) -> str:
    stem = file.removesuffix(".jsonl")
    return f"{stem}.{started_at:%Y-%m-%d}.{seq:04d}.jsonl.gz"


def rotated_files(log_dir: Path, file: str) -> list[Path]:
    """The rotated segments of ``file``, oldest first."""
    stem = file.removesuffix(".jsonl")
    return sorted(log_dir.glob(f"{stem}.*.jsonl.gz"), key=lambda p: (p.name.split(".")[1:3]))


def read_lines(log_dir: Path, file: str) -> list[str]:
    """Every line of ``file``: its rotated segments (still kept), then the current file."""
    lines: list[str] = []
    for path in rotated_files(log_dir, file):
        lines.extend(gzip.decompress(path.read_bytes()).decode().splitlines())
    current = log_dir / file
    if current.exists():
        lines.extend(current.read_text().splitlines())
    return lines


def segment(conn: duckdb.DuckDBPyConnection, file: str, now: datetime) -> tuple[datetime, int]:
    """When the current segment of ``file`` started and the number its rotation will get."""
    row = conn.execute("SELECT started_at, seq FROM jsonl_segments WHERE file = ?", [file]).fetchone()
    if row is None:
        conn.execute("INSERT INTO jsonl_segments VALUES (?, ?, 0)", [file, now])
        return now, 0
    return row[0], int(row[1])


def compress(log_dir: Path, file: str, name: str, size: int) -> None:
    """Step 2: the first ``size`` bytes of ``file``, gzipped, written atomically as ``name``."""
    target = log_dir / name
    tmp = target.with_name(name + ".tmp")
    with (log_dir / file).open("rb") as src, tmp.open("wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as gz:
            remaining = size
            while remaining > 0:
                chunk = src.read(min(remaining, 1 << 20))
                if not chunk:
                    raise OSError(f"{file} has fewer than {size} bytes: cannot rotate it")
                gz.write(chunk)
                remaining -= len(chunk)
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(tmp, target)
    fsync_dir(log_dir)


def begin(conn: duckdb.DuckDBPyConnection, file: str, size: int, now: datetime) -> str:
    """Step 1: record the rotation of ``size`` bytes of ``file`` as pending; returns its name."""
    started, seq = segment(conn, file, now)
    name = rotated_name(file, started, seq)
    conn.execute(
        "INSERT OR REPLACE INTO jsonl_rotations VALUES (?, ?, ?, ?, ?, false)", [name, file, size, started, now]
    )
    return name


def finish(conn: duckdb.DuckDBPyConnection, file: str, name: str, now: datetime) -> None:
    """Step 3's transaction (the caller commits): size 0, a new segment, the rotation done."""
    conn.execute("INSERT OR REPLACE INTO jsonl_sizes VALUES (?, 0)", [file])
    conn.execute("UPDATE jsonl_segments SET started_at = ?, seq = seq + 1 WHERE file = ?", [now, file])
    conn.execute("UPDATE jsonl_rotations SET done = true WHERE name = ?", [name])


def pending(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    return [
        (name, file, int(size))
        for name, file, size in conn.execute(
            "SELECT name, file, bytes FROM jsonl_rotations WHERE NOT done ORDER BY rotated_at"
        ).fetchall()
    ]


def expire(conn: duckdb.DuckDBPyConnection, log_dir: Path, now: datetime, retention_days: float) -> int:
    """Delete rotated files rotated more than ``retention_days`` ago (0: keep them all)."""
    if retention_days <= 0:
        return 0
    old = conn.execute(
        "SELECT name FROM jsonl_rotations WHERE done AND rotated_at < ?", [now - timedelta(days=retention_days)]
    ).fetchall()
    for (name,) in old:
        (log_dir / name).unlink(missing_ok=True)
        conn.execute("DELETE FROM jsonl_rotations WHERE name = ?", [name])
    return len(old)
