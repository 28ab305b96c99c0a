"""From an export file to training examples and tokenised datasets.

An export line is ``{"input": prompt, "output": answer shown to the user, "intent", "tool",
"result": ToolResult dict, "query_id"}``. The training target is the answer delexicalised back
into placeholders (``V_COUNT`` ...), so the model learns phrasing and never numbers. Records
without a result, or whose answer states a number the result does not hold, are skipped and
counted.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datasets import Dataset
from pydantic import ValidationError
from transformers import DataCollatorForSeq2Seq

from services.trainer.errors import ExportError
from shared.phrasing import delexicalise
from shared.results import ToolResult
from shared.rows import collapse


@dataclass(frozen=True)
class Example:
    prompt: str  # the model's input (shared.prompt.build_prompt at ask time)
    target: str  # the answer with placeholders: what the model learns to write
    reference: str  # the answer as the user saw it, numbers filled
    result: ToolResult
    query_id: str | None = None


@dataclass
class LoadedExport:
    examples: list[Example]
    sha256: str
    total: int
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def n_skipped(self) -> int:
        return sum(self.skipped.values())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_export(path: Path) -> LoadedExport:
    """Read and delexicalise an export; raises ``ExportError`` for a missing, empty or corrupt file."""
    path = Path(path)
    if not path.is_file():
        raise ExportError(f"export file {str(path)!r} does not exist")
    examples: list[Example] = []
    skipped: dict[str, int] = {}
    total = 0
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            total += 1
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ExportError(f"{path.name} line {lineno} is not JSON: {exc.msg}") from exc
            if (
                not isinstance(record, dict)
                or not isinstance(record.get("input"), str)
                or not isinstance(record.get("output"), str)
            ):
                raise ExportError(f"{path.name} line {lineno} lacks the string fields 'input' and 'output'")
            reason, example = _to_example(record)
            if example is None:
                skipped[reason] = skipped.get(reason, 0) + 1
            else:
                examples.append(example)
    if total == 0:
        raise ExportError(f"export file {path.name} is empty")
    return LoadedExport(examples=examples, sha256=file_sha256(path), total=total, skipped=skipped)


def _to_example(record: dict[str, Any]) -> tuple[str, Example | None]:
    raw = record.get("result")
    if not raw:
        return "no result", None
    try:
        result = ToolResult.model_validate(raw)
    except ValidationError:
        return "invalid result", None
    target = delexicalise(record["output"], result)
    if target is None:
        return "answer states values not in the result", None
    target = collapse(target, result)  # the model writes V_ROWS; the rows render from the data
    return "", Example(record["input"], target, record["output"], result, record.get("query_id"))


def split(
    examples: list[Example], validation_fraction: float, seed: int
) -> tuple[list[Example], list[Example]]:
    """A reproducible train/validation split (at least one example on each side)."""
    if len(examples) < 2:
        raise ExportError("need at least two examples to split into train and validation")
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    n_val = min(len(examples) - 1, max(1, round(len(examples) * validation_fraction)))
    val = [examples[i] for i in order[:n_val]]
    train = [examples[i] for i in order[n_val:]]
    return train, val


def tokenise(
    examples: list[Example],
    tokenizer: Any,
    max_input_length: int,
    max_target_length: int,
    pad_to_max: bool = False,
) -> Dataset:
    """Token ids for inputs and labels, truncated at explicit lengths (a ByT5 tokenizer's own
    ``model_max_length`` is ~1e30, so it would never truncate)."""
    padding = "max_length" if pad_to_max else False
    enc = tokenizer(
        [e.prompt for e in examples], max_length=max_input_length, truncation=True, padding=padding
    )
    labels = tokenizer(
        text_target=[e.target for e in examples],
        max_length=max_target_length,
        truncation=True,
        padding=padding,
    )
    label_ids = labels["input_ids"]
    if pad_to_max:  # padded label positions must not count in the loss
        pad = tokenizer.pad_token_id
        label_ids = [[t if t != pad else -100 for t in row] for row in label_ids]
    return Dataset.from_dict(
        {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "labels": label_ids}
    )


def collator(tokenizer: Any, model: Any) -> Any:
    """Pads each batch to its longest example (examples tokenised with ``pad_to_max`` already are)."""
    return DataCollatorForSeq2Seq(tokenizer, model=model, padding=True, label_pad_token_id=-100)
