"""The one prompt function: what the generator is given at inference, and what the export
writes as a training ``input``. Training input == inference input, by construction.

Unlike the original guide's ``"Answer this e-commerce analytics question: <question>"``, the
prompt carries the tool and the result's slots, so a model has the data the answer is built
from instead of having to guess numbers.
"""

from __future__ import annotations

from shared.results import ToolResult, slots

PREFIX = "Answer this e-commerce analytics question:"


def build_prompt(question: str, result: ToolResult) -> str:
    facts = "; ".join(f"{name} = {text}" for name, text in slots(result).items())
    return f"{PREFIX} {question.strip()} | tool: {result.tool} | facts: {facts or 'none'}"
