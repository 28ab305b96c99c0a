"""Where the sink lets a test watch or interrupt its work: a hooks object passed to ``Sink``.

In production the sink gets ``SinkHooks()``, which does nothing. The crash tests run the logger
with hooks that write progress lines and exit at a chosen point (``services/logger/faults.py``,
built from environment variables by the command that starts the logger).

The points of a batch, in order: ``start``, ``mid_jsonl`` (one JSONL file written, the others
not), ``after_jsonl`` (all lines in the files; ``detail``: how many bytes), ``after_insert`` (rows
and offsets in the transaction, the commit about to start), ``after_commit``; ``count`` is the
batch's number. The points of a rotation (``rotation.py``), with ``count`` the rotation's number:
``rotate_begun``, ``rotate_compressed``, ``rotate_finished``.
"""

from __future__ import annotations

BATCH_POINTS = ("start", "mid_jsonl", "after_jsonl", "after_insert", "after_commit")
ROTATION_POINTS = ("rotate_begun", "rotate_compressed", "rotate_finished")
POINTS = BATCH_POINTS + ROTATION_POINTS


class SinkHooks:
    """The hooks of a production sink: nothing happens at any point."""

    def reached(self, point: str, count: int, detail: int | None = None) -> None:
        """The sink reached ``point`` of its ``count``-th batch (or rotation)."""
