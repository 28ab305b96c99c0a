"""How the logger stores times and JSON values: the conversions the sink applies when it writes
a row, which every reader of the tables (export, stats, timeline) must apply to its parameters too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pydantic_core


def to_json(value: Any) -> str:
    """Compact JSON text (pydantic's Rust serializer: several times faster than json.dumps)."""
    return "{}" if value == {} else pydantic_core.to_json(value, fallback=str).decode()


def utc_naive(moment: datetime) -> datetime:
    """The UTC wall time without a zone, as stored in the database."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
