"""Atomic file replacement, written once for every service.

A reader of ``path``, or the disk after a crash or power cut, sees either the old content or the
new, never part of it: the new content goes to a temporary file in the same folder (a rename is
atomic only within one file system), is flushed to disk, renamed over ``path``, and the folder
itself is flushed so the rename survives a power cut too. ``fsync=False`` skips both flushes, for
files whose loss in a power cut costs nothing (counters); the replacement is still atomic.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def atomic_write(path: Path, data: str | bytes, *, mode: int = 0o666, fsync: bool = True) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8).

    The temporary file has a name of its own (so concurrent writers never share one) and is
    removed when anything fails, leaving ``path`` as it was. ``mode`` is the new file's permission
    before the umask, as for ``open()``: ``0o600`` for secrets.
    """
    raw = data.encode() if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
        _rename(tmp, path, fsync)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_replace(tmp: Path, path: Path) -> None:
    """Make ``tmp``, a complete file written by someone else (a database, a copy), the new
    ``path``: flush it to disk, rename it over ``path`` and flush the folder. ``tmp`` must be in
    ``path``'s folder."""
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    _rename(tmp, path, fsync=True)


def _rename(tmp: Path, path: Path, fsync: bool) -> None:
    os.replace(tmp, path)
    if fsync:
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
