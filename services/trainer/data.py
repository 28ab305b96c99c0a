"""From an export file to training examples and tokenised datasets.

An export line is a ``shared.exports.ExportRecord`` (``input``: the prompt, ``output``: the
answer shown to the user, ``result``: the ToolResult, ...); a line that is not JSON or not such a
record refuses the whole file, naming the line and the field. The training target is the answer
delexicalised back into placeholders (``V_COUNT`` ...), so the model learns phrasing and never
numbers. Records without a valid result, or whose answer states a number the result does not
hold, are skipped and counted.

A record with a ``correction`` (the answer as the shop owner wants it worded) trains on the
correction instead, checked against the record's own result (``shared.corrections``); a rejected
one is skipped with its reason. Once a shop has corrections, its uncorrected answers (the old
phrasing the owner is correcting away from) are left out as "superseded".

Three splits (``three_way``): the test split, which only the gate scores, takes corrected
examples apart (``corrected_fraction`` of them), so the gate always measures the owners'
preference; the validation split, cut from what is left, is where the trainer picks its
checkpoint (validation loss, early stopping); the rest trains. The gate never scores an example
that chose the checkpoint.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from datasets import Dataset
from pydantic import ValidationError
from transformers import DataCollatorForSeq2Seq

from services.trainer.errors import ExportError
from shared.corrections import check_correction
from shared.exports import ExportRecord
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
    shop_id: str | None = None
    corrected: bool = False  # the target is an owner's correction


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
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ExportError(f"{path.name} line {lineno} is not JSON: {exc.msg}") from exc
            try:
                record = ExportRecord.model_validate(raw)
            except ValidationError as exc:
                raise _refusal(f"{path.name} line {lineno}", exc) from exc
            reason, example = _to_example(record)
            if example is None:
                skipped[reason] = skipped.get(reason, 0) + 1
            else:
                examples.append(example)
    if total == 0:
        raise ExportError(f"export file {path.name} is empty")
    corrected_shops = {e.shop_id for e in examples if e.corrected}
    kept = [e for e in examples if e.corrected or e.shop_id not in corrected_shops]
    if len(kept) < len(examples):
        skipped[SUPERSEDED] = len(examples) - len(kept)
    examples = kept
    return LoadedExport(examples=examples, sha256=file_sha256(path), total=total, skipped=skipped)


SUPERSEDED = "superseded by the shop's corrections"


def _refusal(where: str, exc: ValidationError) -> ExportError:
    """The file's refusal for a line that is not an ``ExportRecord``, naming each bad field."""
    errors = exc.errors()
    detail = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'the line'}: {e['msg']}" for e in errors)
    if any(not e["loc"] or e["loc"][0] in ("input", "output") for e in errors):
        return ExportError(f"{where} lacks the string fields 'input' and 'output' ({detail})")
    return ExportError(f"{where} is not an export record ({detail})")


def _shop_of(record: ExportRecord) -> str | None:
    if record.shop_id:
        return record.shop_id
    found = re.search(r"\| shop: ([A-Za-z0-9_-]+) \|", record.input)  # exports before shop_id
    return found.group(1) if found else None


def _to_example(record: ExportRecord) -> tuple[str, Example | None]:
    if not record.result:
        return "no result", None
    try:
        result = ToolResult.model_validate(record.result)
    except ValidationError:
        return "invalid result", None
    shop, correction = _shop_of(record), record.correction
    if correction and correction.strip():
        checked = check_correction(correction, result)
        if checked.target is None:
            return f"correction rejected: {checked.reason}", None
        example = Example(record.input, checked.target, correction.strip(), result, record.query_id)
        return "", replace(example, shop_id=shop, corrected=True)
    target = delexicalise(record.output, result)
    if target is None:
        return "answer states values not in the result", None
    target = collapse(target, result)  # the model writes V_ROWS; the rows render from the data
    return "", Example(record.input, target, record.output, result, record.query_id, shop)


def _cut(
    examples: list[Example], fraction: float, rng: random.Random, at_least: int
) -> tuple[list[Example], list[Example]]:
    order = list(range(len(examples)))
    rng.shuffle(order)
    n_val = min(len(examples) - 1, max(at_least, round(len(examples) * fraction))) if len(examples) > 1 else 0
    return [examples[i] for i in order[n_val:]], [examples[i] for i in order[:n_val]]


def split(
    examples: list[Example], validation_fraction: float, seed: int, corrected_fraction: float | None = None
) -> tuple[list[Example], list[Example]]:
    """A reproducible train/held-out split (at least one example on each side). Corrected
    examples are split apart, ``corrected_fraction`` of them (at least one) held out, also when
    every example is a correction; a kind with a single example trains."""
    if len(examples) < 2:
        raise ExportError("need at least two examples to split into train and validation")
    rng = random.Random(seed)
    corrected = [e for e in examples if e.corrected]
    plain = [e for e in examples if not e.corrected]
    if len(corrected) < 2 and len(plain) < 2:
        return _cut(examples, validation_fraction, rng, 1)
    train_c, val_c = (
        _cut(corrected, corrected_fraction or validation_fraction, rng, 1)
        if len(corrected) >= 2
        else (corrected, [])
    )
    train_p, val_p = _cut(plain, validation_fraction, rng, 1) if len(plain) >= 2 else (plain, [])
    return train_p + train_c, val_p + val_c


@dataclass(frozen=True)
class Splits:
    train: list[Example]
    validation: list[Example]  # picks the checkpoint; never scored by the gate
    test: list[Example]  # scored by the gate, and by nothing else


def three_way(
    examples: list[Example], validation_fraction: float, seed: int, corrected_fraction: float | None = None
) -> Splits:
    """The test split (``split``'s held-out side: ``corrected_fraction`` of the corrections and
    ``validation_fraction`` of the rest), then a validation split cut from what is left the same
    way (``validation_fraction`` of each kind). Reproducible; at least one example in each."""
    if len(examples) < 3:
        raise ExportError("need at least three examples to split into train, validation and test")
    rest, test = split(examples, validation_fraction, seed, corrected_fraction)
    train, validation = split(rest, validation_fraction, seed + 1)
    return Splits(train, validation, test)


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
