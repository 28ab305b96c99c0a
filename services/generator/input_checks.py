"""What a ``POST /generate`` request must satisfy before a model is asked: a tool that matches
its result, a question neither empty nor too long, numbers that can be shown, and a result the
template phrasing can answer (the fallback must exist first). Each failure is a ``BadRequest``
saying why (a 422), never a 500."""

from __future__ import annotations

import math

from services.generator.errors import BadRequest
from services.generator.schemas import GenerateRequest
from shared.errors import PlaceholderError
from shared.phrasing import template_answer
from shared.results import ToolResult

MAX_ABS_VALUE = 1e15  # beyond any shop's count or amount; Decimal formatting fails far above it


def unshowable(result: ToolResult) -> str | None:
    """The first number that is not finite or too large to show (JSON ``1e400`` arrives as inf)."""
    cells = [*result.values.items(), *(item for row in result.rows for item in row.items())]
    for key, value in cells:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if number and (not math.isfinite(value) or abs(value) >= MAX_ABS_VALUE):  # type: ignore[arg-type]
            return key
    return None


def checked_question(req: GenerateRequest, max_question_chars: int) -> str:
    """The request's question, stripped, once the request passes every check; ``BadRequest``
    for the first it fails."""
    if req.tool is not None and req.tool != req.result.tool:
        raise BadRequest(f"tool {req.tool!r} does not match result.tool {req.result.tool!r}")
    question = req.question.strip()
    if not question:
        raise BadRequest("question is empty")
    if len(question) > max_question_chars:
        raise BadRequest(f"question is longer than {max_question_chars} characters")
    bad = unshowable(req.result)
    if bad is not None:
        raise BadRequest(f"result value {bad!r} is not a finite number below {MAX_ABS_VALUE:g}")
    try:
        template_answer(req.result)  # the fallback must exist before a model is asked
    except PlaceholderError as exc:
        raise BadRequest(f"result does not fit tool {req.result.tool!r}: {exc}") from exc
    except ArithmeticError as exc:  # 1e400 is inf; decimal.InvalidOperation for inf, nan, 1e300
        raise BadRequest(
            f"result holds a number that cannot be shown (too large or not finite): {exc!r}"
        ) from exc
    return question
