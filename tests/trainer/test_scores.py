"""Judging answers: facts, invented numbers, exact match, ROUGE-L, repetition."""

from __future__ import annotations

from pathlib import Path

from evaluation.exports import write_export
from services.trainer.data import Example, load_export
from services.trainer.scores import evaluate_outputs, evaluate_template, has_repetition, rouge_l, score
from shared.phrasing import template_answer, template_text
from shared.prompt import build_prompt
from shared.results import ToolResult


def _example(result: ToolResult, question: str = "Top customers") -> Example:
    return Example(build_prompt(question, result), template_text(result), template_answer(result), result)


TOP = ToolResult(
    tool="top_customers",
    values={"n": 2},
    rows=[{"name": "Ada", "spending": 1234.5, "orders": 7}, {"name": "Alan", "spending": 99.0, "orders": 2}],
    money=["spending"],
)


def test_the_reference_phrasing_scores_perfectly() -> None:
    s = score(template_text(TOP), _example(TOP))
    assert s.valid and s.facts_ok and s.exact and not s.invented and not s.repeated
    assert s.rouge == 1.0
    assert s.shown == "Your top 2 customers by spending are: Ada ($1,234.50), Alan ($99.00)."


def test_a_raw_number_is_an_invented_number_and_not_a_correct_fact() -> None:
    s = score(
        "Your top 3 customers by spending are: V_NAME_1 (V_SPENDING_1), V_NAME_2 (V_SPENDING_2).",
        _example(TOP),
    )
    assert s.invented and not s.valid and not s.facts_ok and not s.exact
    assert 0.5 < s.rouge < 1.0  # reads almost the same


def test_unknown_placeholders_count_as_invented_and_missing_ones_lose_the_facts() -> None:
    assert score("Your top V_N customers are V_NAME_3.", _example(TOP)).invented
    missing = score("Your top V_N customers by spending are: V_NAME_1 (V_SPENDING_1).", _example(TOP))
    assert not missing.invented and not missing.facts_ok


def test_a_different_wording_with_every_fact_is_accurate_but_not_an_exact_match() -> None:
    text = "Best spenders: V_NAME_1 with V_SPENDING_1 and V_NAME_2 with V_SPENDING_2 (top V_N)."
    s = score(text, _example(TOP))
    assert s.facts_ok and not s.exact and not s.invented


def test_rouge_l_and_repetition() -> None:
    assert rouge_l("you have 5 orders", "you have 5 orders") == 1.0
    assert rouge_l("nothing alike", "you have 5 orders") == 0.0
    partial = rouge_l("you have orders", "you have 5 orders")
    assert 0.0 < partial < 1.0
    assert has_repetition("You have V_COUNT orders orders orders orders.")
    assert not has_repetition("You have V_COUNT orders.")


def test_the_template_baseline_and_a_broken_model_on_the_same_examples(tmp_path: Path) -> None:
    examples = load_export(write_export(tmp_path / "e.jsonl", 25)).examples
    template = evaluate_template(examples).metrics
    assert template["fact_accuracy"] == 1.0 and template["exact_match"] == 1.0
    assert template["invented_number_rate"] == 0.0 and template["repetition_rate"] == 0.0
    broken = evaluate_outputs(
        examples, lambda batch: ["You have 5 orders orders orders orders."] * len(batch), 8
    )
    assert broken.metrics["fact_accuracy"] == 0.0
    assert broken.metrics["invented_number_rate"] == 1.0
    assert broken.metrics["repetition_rate"] == 1.0
    assert broken.metrics["quality"] < template["quality"]
    assert broken.metrics["n"] == len(examples) == len(broken.scored)
