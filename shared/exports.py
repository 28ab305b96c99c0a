"""The export record: one JSON line of ``finetuning_data.jsonl``, written by the logger
(``services/logger/export/training_set.py``) and read by the trainer (``services/trainer/data.py``).

It lives here, once, so that the writer and the reader cannot drift apart. The original design
guide's record is ``{"input", "output", "intent", "tool"}``; we add what the trainer needs to turn
each answer into placeholder targets and to learn the owners' wording:

* ``input`` is exactly the prompt the generator was given (not only the question), so a model
  trained on it sees the data it phrases;
* ``result`` is the tool result (a ``shared.results.ToolResult`` as a dict). It stays a plain dict
  here: the trainer skips a record whose result is missing or not a valid ``ToolResult`` (and
  counts why) instead of refusing the whole file, and the logger writes it as it was logged;
* ``query_id``; ``interpretation``, the semantic layer's structured query (None for other tools
  and older events); ``shop_id`` (None in exports written before it existed: the trainer then
  reads the shop from the prompt); ``correction``, the owner's wording of the answer, the
  training target when it fits the result.

Field order is the order written (and the manifest's ``format``), so exports keep the shape they
have always had.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ExportRecord(BaseModel):
    """One fine-tuning example as exported. Unknown keys are ignored, so a newer writer's extra
    fields do not break an older reader."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    input: str
    output: str
    intent: str | None = None
    tool: str | None = None
    result: dict[str, Any] | None = None
    query_id: str | None = None
    interpretation: dict[str, Any] | None = None
    shop_id: str | None = None
    correction: str | None = None
