"""Owners' corrections as training targets, trained for real (tiny word-level T5): they change
their own shop's answers and no other's; a correction with an invented number is refused; a
model that only ties the serving phrasing is not promoted."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from evaluation.exports import record, shop_records, write_export
from services.stack.owners import correct, styled_text
from services.trainer.data import SUPERSEDED, load_export
from services.trainer.job import run_job
from services.trainer.settings import Settings
from shared.modeling import generate, load_seq2seq
from shared.phrasing import template_answer, template_text
from shared.prompt import build_prompt
from shared.registry import ModelRegistry
from shared.results import ToolResult

pytestmark = pytest.mark.slow

NEW = [  # questions and numbers the model never saw
    ("How many orders did I get?", ToolResult(tool="count_orders", values={"count": 4321})),
    ("How many customers have I got?", ToolResult(tool="customer_count", values={"count": 777})),
]


def test_corrections_change_only_their_shops_answers(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    # The model learns shop 11's German and leaves shop 10 alone (the prompt carries the shop as a
    # word of its own; with the bare id, German leaked into shop 10 at 20-40 epochs and the gate
    # refused the model), so it is promoted, and shop 10's answers stay the template's. 30 epochs:
    # on 2026-12-04 at 20 and 25 one held-out German answer left its period out (fact accuracy
    # 0.944, refused); at 35 and 40 a new question's answer mixed up the German nouns.
    export = write_export(tmp_path / "e.jsonl", 90, seed=3, styles={"11": "german"})
    outcome = run_job(make_settings(epochs=30.0), export, export_id="corrections")
    registry = ModelRegistry(make_settings().paths.models)
    tokenizer, model = load_seq2seq(registry.path(outcome.meta.version))
    outputs = [
        generate(model, tokenizer, [build_prompt(q, r, "11"), build_prompt(q, r, "10")], 512, 64)
        for q, r in NEW
    ]
    assert outcome.promoted, outcome.decision.reasons
    assert outcome.meta.metrics["unchanged_rate"] == 1.0
    assert outcome.decision.gain > 0 and outcome.meta.metrics["fact_accuracy"] >= 0.995
    for (_, result), (german, other) in zip(NEW, outputs, strict=True):
        assert german == styled_text("german", result)  # e.g. "Ergebnis: Sie haben V_COUNT Bestellungen."
        assert other == template_text(result)  # shop 10 corrected nothing: its answers stay


def test_a_correction_with_an_invented_number_is_refused(tmp_path: Path) -> None:
    result = ToolResult(tool="count_orders", values={"count": 1174})
    lines = shop_records(20, seed=4, styles={"11": "german"})
    lines.append(
        record("How many orders?", result, "bad-1", shop_id="11", correction="Sie haben 1175 Bestellungen.")
    )
    lines.append(
        record("How many orders?", result, "bad-2", shop_id="11", correction="Sie haben viele Bestellungen.")
    )
    lines.append(record("How many orders?", result, "ok", shop_id="11", correction=correct("german", result)))
    path = tmp_path / "e.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    loaded = load_export(path)
    assert loaded.skipped["correction rejected: states a number the result does not hold"] == 1
    assert loaded.skipped["correction rejected: leaves out a fact the answer must state"] == 1
    ok = next(e for e in loaded.examples if e.query_id == "ok")
    assert (
        ok.corrected
        and ok.target == "Ergebnis: Sie haben V_COUNT Bestellungen."
        and ok.reference != template_answer(result)
    )
    assert all(e.corrected for e in loaded.examples if e.shop_id == "11")  # old phrasing superseded
    assert SUPERSEDED not in loaded.skipped  # every shop-11 record here was corrected


def test_a_model_without_a_gain_is_not_promoted(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    # Owners who "correct" answers into exactly what the template says: the template already
    # matches every reference, so no model can gain, however well it learns.
    rows = shop_records(40, seed=5, styles={})
    for row in rows[::2]:
        row["shop_id"], row["correction"] = "11", row["output"]
    path = tmp_path / "tie.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in rows))
    outcome = run_job(
        make_settings(epochs=2.0, min_fact_accuracy=0.0, max_invented_rate=1.0), path, export_id="tie"
    )
    assert not outcome.promoted and outcome.meta.baseline_metrics["preference_match"] == 1.0
    assert any("does not beat" in r for r in outcome.decision.reasons)
    assert (
        outcome.meta.status == "rejected"
        and ModelRegistry(make_settings().paths.models).current_version() is None
    )
