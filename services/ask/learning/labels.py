"""A reviewer's label, as the logger's ``GET /review/labels`` returns it, and when two readings
of a question are the same query."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from shared.interpretation import Interpretation, Window


class Label(BaseModel):
    query_id: str
    shop_id: str
    question: str
    asked_at: datetime = Field(description="when the question was asked: 'last week' is read from that day")
    interpretation: Interpretation | None = None
    out_of_scope: bool = False
    reason: str | None = None
    reviewer: str | None = None
    labelled_at: datetime | None = Field(
        default=None,
        description="when the reviewer gave it: a label given after a word was revoked may teach it again",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Label:
        if self.out_of_scope == (self.interpretation is not None):
            raise ValueError("a label is either an interpretation or out of scope")
        return self

    @property
    def asked_on(self) -> date:
        return self.asked_at.date()


def _window(w: Window | None) -> tuple[str, str] | None:
    return None if w is None else (w.start.isoformat(), w.end.isoformat())


def reading_key(q: Interpretation) -> tuple[Any, ...]:
    """What makes two readings the same query: the labels owners see ("last month", "Germany")
    and typo notes do not count; the metric, filters, statuses, dates and ranking do."""
    filters = sorted((f.field, f.op, tuple(sorted(map(str, f.values)))) for f in q.filters)
    return (
        q.metric,
        q.group_by,
        tuple(filters),
        _window(q.period),
        _window(q.compare_to),
        q.rank,
        q.limit,
        _window(q.inactive_days),
        tuple(sorted(q.statuses)),
    )
