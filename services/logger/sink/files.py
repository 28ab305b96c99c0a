"""The sink's JSONL files and the durable file operations they need.

Every query is one line in ``all_queries.jsonl`` and in ``success_queries.jsonl`` or
``failed_queries.jsonl``. A file is only ever appended to, cut back to a recorded size, or emptied
after a rotation; each of these is flushed and fsynced before the database records it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

ALL_FILE = "all_queries.jsonl"
SUCCESS_FILE = "success_queries.jsonl"
FAILED_FILE = "failed_queries.jsonl"
JSONL_FILES = (ALL_FILE, SUCCESS_FILE, FAILED_FILE)


def fsync_dir(path: Path) -> None:
    """Make a folder's entries (a new, renamed or removed file) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def cut(fh: IO[bytes], size: int) -> None:
    """Cut an open file back to ``size`` bytes, durably, and go on appending after them."""
    fh.flush()
    fh.truncate(size)
    fh.seek(size)
    os.fsync(fh.fileno())


def append(fh: IO[bytes], lines: list[str]) -> int:
    """Append lines, durably; returns the file's new size."""
    fh.write(("\n".join(lines) + "\n").encode())
    fh.flush()
    os.fsync(fh.fileno())
    return fh.tell()
