"""What a question was understood to ask: the structured query the semantic layer computed.

It travels with the answer (``AskResponse.interpretation``), in the query event, into the logs
and the fine-tuning export, so a reader, a reviewer and the trainer all see exactly what was
computed: the metric, every filter, the statuses counted and the period with its dates. A
reviewer labels a question by writing one of these.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FilterField = Literal[
    "status", "country", "category", "product", "customer", "amount", "purchases", "items", "weekday"
]
FilterOp = Literal["in", "not_in", "gt", "gte", "lt", "lte", "between", "all"]  # all: every one (a basket)


def day_text(d: date) -> str:
    return f"{d.day} {d.strftime('%B')} {d.year}"


class Window(BaseModel):
    """A half-open date interval ``[start, end)`` with the words the question used for it."""

    model_config = ConfigDict(frozen=True)

    label: str = Field(examples=["last month"])
    start: date
    end: date = Field(description="first day not included")

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def dates(self) -> str:
        if self.end <= self.start:
            return "no days"
        if self.last_day == self.start:
            return day_text(self.start)
        return f"{day_text(self.start)} to {day_text(self.last_day)}"

    def describe(self) -> str:
        """``last month (1 November 2026 to 30 November 2026)``; a range named by its dates: the dates."""
        return f"{self.label} ({self.dates()})" if self.label else self.dates()


class Filter(BaseModel):
    model_config = ConfigDict(frozen=True)

    field: FilterField
    op: FilterOp = "in"
    values: list[str | float] = Field(description="ids, codes, statuses or amounts, as compared")
    labels: list[str] = Field(default_factory=list, description="what the owner calls them")


class Interpretation(BaseModel):
    """One semantic query: ``metric`` [by ``group_by``] [filters] [period] [compared to] [top N]."""

    model_config = ConfigDict(frozen=True)

    metric: str = Field(examples=["revenue"])
    group_by: str | None = Field(default=None, examples=["month", "category", "customer"])
    then_by: str | None = Field(
        default=None, description="a second group-by ('revenue by country and month')"
    )
    filters: list[Filter] = Field(default_factory=list)
    period: Window | None = Field(default=None, description="None: all time")
    compare_to: Window | None = None
    rank: Literal["top", "bottom"] | None = None
    limit: int | None = Field(default=None, ge=1, le=100)
    inactive_days: Window | None = Field(default=None, description="inactive customers: the quiet window")
    statuses: list[str] = Field(default_factory=list, description="the order statuses counted")
    corrections: dict[str, str] = Field(default_factory=dict, description="typos read as")
    per: str | None = Field(
        default=None, description="a ratio: the metric divided by this one over the same period and filters"
    )
    share_of_total: bool = Field(
        default=False, description="the filtered value as a % of the same metric without the filters"
    )
    measures: list[str] = Field(
        default_factory=list,
        description="further metrics over the same filters and period ('orders and revenue')",
    )
