"""Request and response bodies of the ask API (what ``/docs`` shows)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from shared.interpretation import Interpretation


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    shop_id: str | None = Field(
        default=None, min_length=1, max_length=64, examples=["10"],
        description="the shop asked about; with an API key it may be left out (the key decides)",
    )  # fmt: skip
    question: str = Field(examples=["How many orders did I get last month?"])
    conversation_id: str | None = Field(
        default=None, min_length=1, max_length=64,
        description="the conversation_id of a previous answer: the question is read as its follow-up",
    )  # fmt: skip


class UnderstandRequest(BaseModel):
    """A dry run: how a question would be read, computing nothing and logging nothing."""

    model_config = ConfigDict(extra="forbid")

    shop_id: StrictStr | None = Field(default=None, min_length=1, max_length=64, examples=["10"])
    question: StrictStr = Field(examples=["umsatz last month"])
    asked_on: date | None = Field(
        default=None,
        description="read 'last week' as on this day (a reviewer labelling an old question); default today",
    )


class UnderstandResponse(BaseModel):
    understood: bool
    interpretation: Interpretation | None
    clarification: Clarification | None
    lexicon_version: str = Field(
        description="the learned lexicon it was read with ('base': the vocabulary alone)"
    )


class Clarification(BaseModel):
    """Why a question was not answered, what was understood, and how to ask instead."""

    reason: Literal["out_of_scope", "unclear"]
    understood: list[str]
    unused: list[str] = Field(description="words of the question that could not be used")
    suggestions: list[str]


class AskResponse(BaseModel):
    query_id: str
    answer: str
    intent: str
    tool: str | None
    confidence: float
    success: bool
    interpretation: Interpretation | None = Field(description="what was computed: metric, filters, period")
    clarification: Clarification | None = Field(default=None, description="set when success is false")
    data: dict[str, Any] | None = Field(description="the result the answer was built from")
    model_version: str
    generator: Literal["model", "template"]
    response_time_ms: float
    conversation_id: str | None = Field(default=None, description="send it with a follow-up question")
    skipped: list[str] = Field(default_factory=list, description="harmless words left unread")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    query_id: str = Field(min_length=1, max_length=128)
    feedback: Literal["positive", "negative"]
    comment: str | None = Field(default=None, max_length=2000)
    correction: str | None = Field(
        default=None, min_length=1, max_length=2000,
        description="the answer as you want it worded (it may only state the numbers of the answer)",
    )  # fmt: skip
    shop_id: str | None = Field(default=None, min_length=1, max_length=64)


# A reviewer's choice on a learned word (admin key): POST /understanding/promote and /revoke.
class PromoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phrase: str = Field(min_length=1, max_length=200, examples=["umsatz"])
    reviewer: str | None = Field(default=None, max_length=200)


class RevokeRequest(PromoteRequest):
    shop_id: str = Field(min_length=1, max_length=64, examples=["11"], description="'*': the promotion")
    reason: str | None = Field(default=None, max_length=500, examples=["we mean turnover with VAT"])
