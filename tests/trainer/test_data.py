"""Reading exports: delexicalised targets, skipped records, corrupt files, the split."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from evaluation.exports import make_result, record, write_export
from services.trainer.data import load_export, split, three_way, tokenise
from services.trainer.errors import ExportError
from services.trainer.tiny import train_word_tokenizer
from shared.phrasing import fill, template_text
from shared.results import ToolResult, slots
from shared.rows import expand


def test_targets_are_placeholder_answers_that_fill_back_to_what_the_user_saw(tmp_path: Path) -> None:
    export = load_export(write_export(tmp_path / "e.jsonl", 30, seed=3))
    assert len(export.examples) == 30 and export.total == 30 and not export.skipped
    for ex in export.examples:
        assert "V_" in ex.target
        assert not re.search(r"\d", re.sub(r"\bV_[A-Z0-9_]+\b", "", ex.target))  # no raw numbers left
        assert fill(expand(ex.target, ex.result), slots(ex.result)) == ex.reference  # V_ROWS: the rows
    assert len(export.sha256) == 64


def test_records_without_result_or_with_unmatched_numbers_are_skipped_and_counted(tmp_path: Path) -> None:
    rng = random.Random(5)
    question, result = make_result(rng)
    no_result = record(question, result, "q-no-result") | {"result": None}
    invented = record(
        "How many orders do I have?",
        ToolResult(tool="count_orders", values={"count": 12}),
        "q-bad",
        answer="You have 13 orders.",
    )
    export = load_export(write_export(tmp_path / "e.jsonl", 12, extra=[no_result, invented, no_result]))
    assert len(export.examples) == 12
    assert export.total == 15
    assert export.skipped == {"no result": 2, "answer states values not in the result": 1}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("\n\n", "empty"),
        ('{"input": "x", "output": "y"}\nnot json\n', "line 2 is not JSON"),
        ('["a list"]\n', "lacks the string fields"),
    ],
)
def test_empty_or_corrupt_exports_are_refused_with_the_reason(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(ExportError, match=message):
        load_export(path)


def test_missing_export_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        load_export(tmp_path / "nope.jsonl")


def test_split_is_ninety_ten_and_reproducible(tmp_path: Path) -> None:
    examples = load_export(write_export(tmp_path / "e.jsonl", 50)).examples
    train, val = split(examples, 0.1, 42)
    again_train, again_val = split(examples, 0.1, 42)
    assert (len(train), len(val)) == (45, 5)
    assert [e.query_id for e in val] == [e.query_id for e in again_val]
    assert {e.query_id for e in train} | {e.query_id for e in val} == {e.query_id for e in examples}
    assert [e.query_id for e in split(examples, 0.1, 7)[1]] != [e.query_id for e in val]


def test_three_way_keeps_the_gates_test_split_apart_from_the_checkpoints_validation(tmp_path: Path) -> None:
    # every example a correction (the demo's shops): 30% of them go to the gate's test split
    examples = load_export(
        write_export(tmp_path / "e.jsonl", 100, seed=2, styles={"11": "german", "12": "terse"})
    )
    corrected = [e for e in examples.examples if e.corrected]
    splits = three_way(corrected, 0.1, 42, 0.3)
    ids = [{e.query_id for e in part} for part in (splits.train, splits.validation, splits.test)]
    assert len(splits.test) == round(0.3 * len(corrected)) and len(splits.validation) >= 1
    assert not (ids[0] & ids[1]) and not (ids[0] & ids[2]) and not (ids[1] & ids[2])
    assert ids[0] | ids[1] | ids[2] == {e.query_id for e in corrected}
    again = three_way(corrected, 0.1, 42, 0.3)
    assert [e.query_id for e in again.test] == [e.query_id for e in splits.test]
    assert [e.query_id for e in again.validation] == [e.query_id for e in splits.validation]
    with pytest.raises(ExportError, match="at least three"):
        three_way(corrected[:2], 0.1, 42)


def test_tokenise_truncates_at_the_explicit_length_and_pads_only_when_asked(tmp_path: Path) -> None:
    examples = load_export(write_export(tmp_path / "e.jsonl", 20)).examples
    tok = train_word_tokenizer([e.prompt for e in examples] + [e.target for e in examples])
    dynamic = tokenise(examples, tok, max_input_length=24, max_target_length=512)
    assert max(len(ids) for ids in dynamic["input_ids"]) == 24
    assert len({len(ids) for ids in dynamic["labels"]}) > 1  # unpadded: the collator pads per batch
    padded = tokenise(examples, tok, max_input_length=64, max_target_length=40, pad_to_max=True)
    assert {len(ids) for ids in padded["input_ids"]} == {64}
    assert {len(ids) for ids in padded["labels"]} == {40}
    assert all(-100 in row for row in padded["labels"])  # padding never counts in the loss


def test_word_tokenizer_decodes_targets_exactly(tmp_path: Path) -> None:
    path = write_export(tmp_path / "e.jsonl", 40)
    examples = load_export(path).examples
    tok = train_word_tokenizer([e.prompt for e in examples] + [e.target for e in examples])
    for ex in examples:
        ids = tok(text_target=ex.target)["input_ids"]
        assert tok.unk_token_id not in ids
        assert tok.decode(ids, skip_special_tokens=True) == ex.target
    # one JSON line per record, as the logger writes them
    assert all(json.loads(line)["query_id"] for line in path.read_text().splitlines())


def test_word_vocabulary_knows_every_tool_and_long_lists_beyond_the_export() -> None:
    only_counts = ToolResult(tool="count_orders", values={"count": 3})
    tok = train_word_tokenizer([template_text(only_counts)])
    rows = [{"name": f"Product {i}", "units": i} for i in range(1, 13)]
    later = ToolResult(tool="top_products", values={"n": 12, "metric": "units sold"}, rows=rows)
    best = ToolResult(
        tool="best_period",
        values={"grain": "month", "best": "March 2026", "revenue": 10.0},
        money=["revenue"],
    )
    for result in (later, best):
        ids = tok(text_target=template_text(result))["input_ids"]
        assert tok.unk_token_id not in ids
        assert tok.decode(ids, skip_special_tokens=True) == template_text(result)
