"""The generator's HTTP bodies: what ``POST /generate`` takes and answers."""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.results import ToolResult


class GenerateRequest(BaseModel):
    question: str = Field(min_length=1)
    result: ToolResult
    tool: str | None = Field(default=None, description="optional; must match result.tool when given")
    shop_id: str | None = Field(
        default=None, max_length=64, pattern=r"^[A-Za-z0-9_-]*$", description="the shop: phrasing is per shop"
    )


class GenerateResponse(BaseModel):
    text: str
    model_version: str
    generator: str
    latency_ms: float
    prompt: str
    fallback_reason: str | None = None
