"""File-system helpers used by more than one service."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def atomic_write(path: Path, data: str | bytes, *, mode: int = 0o644, fsync: bool = True) -> None:
    """Replace ``path`` with ``data`` so that a reader, or the file after a crash, has either the
    old content or the new, never part of it.

    The data goes to a temporary file next to ``path`` (a name of its own, so concurrent writers
    never share one), is flushed to disk unless ``fsync=False``, and is renamed over ``path``.
    ``mode`` is the new file's permission (before the umask): ``0o600`` for secrets.
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
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
