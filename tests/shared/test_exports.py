"""The export record is one contract: what the logger writes, the trainer reads back, and a line
that is not such a record is refused with the field that is wrong."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from services.logger.export.training_set import export_for_finetuning
from services.logger.settings import Settings
from services.logger.sink.schema import open_db
from services.trainer.data import load_export
from services.trainer.errors import ExportError
from shared.exports import ExportRecord
from shared.phrasing import template_answer
from shared.prompt import build_prompt
from shared.results import ToolResult
from shared.settings import PathSettings


def log_query(
    conn: duckdb.DuckDBPyConnection, query_id: str, result: ToolResult, shop_id: str
) -> tuple[str, str]:
    """One answered query in the log database, as the sink stores it; its prompt and answer."""
    question = "How many orders do I have?"
    prompt, answer = build_prompt(question, result, shop_id), template_answer(result)
    moment = datetime(2026, 10, 1, 12, 0)
    conn.execute(
        "INSERT INTO queries_hot VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # the recent rows
        [
            str(uuid.uuid4()),
            query_id,
            shop_id,
            moment,
            question,
            answer,
            "order_count",
            "count_orders",
            "{}",
            0.9,
            True,
            None,
            12.0,
            "template",
            "template",
            prompt,
            result.model_dump_json(),
            moment,
            None,
        ],
    )
    return prompt, answer


def test_what_the_logger_exports_the_trainer_reads(tmp_path: Path) -> None:
    settings = Settings(paths=PathSettings(data_dir=tmp_path), export_min_examples=1)
    conn = open_db(tmp_path / "logs.duckdb")
    result = ToolResult(tool="count_orders", values={"count": 1234})
    prompt, answer = log_query(conn, "q-1", result, shop_id="11")

    exported = export_for_finetuning(conn, settings)

    lines = Path(exported.output_file).read_text().splitlines()
    assert list(json.loads(lines[0])) == list(ExportRecord.model_fields)  # every field, in order
    manifest = json.loads(Path(exported.manifest).read_text())
    assert manifest["format"] == list(ExportRecord.model_fields)
    [example] = load_export(Path(exported.path)).examples
    assert (example.prompt, example.reference, example.result) == (prompt, answer, result)
    assert (example.query_id, example.shop_id, example.corrected) == ("q-1", "11", False)
    assert "V_COUNT" in example.target


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"shop_id": 11}, r"is not an export record \(shop_id: Input should be a valid string\)"),
        ({"output": None}, r"lacks the string fields 'input' and 'output' \(output: "),
        ({"input": None}, r"lacks the string fields 'input' and 'output' \(input: "),
    ],
)
def test_a_line_that_is_not_an_export_record_is_refused_naming_the_field(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    result = ToolResult(tool="count_orders", values={"count": 3})
    good = ExportRecord(
        input="prompt", output=template_answer(result), result=result.model_dump(), query_id="q-1"
    )
    path = tmp_path / "export.jsonl"
    path.write_text(good.model_dump_json() + "\n" + json.dumps(good.model_dump() | change) + "\n")
    with pytest.raises(ExportError, match="export.jsonl line 2 " + message):
        load_export(path)
