"""Every registered version gets a CTranslate2 copy beside its transformers weights, with
PyTorch's answers (word-level vocabulary; the byte-level case is in tests/generator/test_ct2.py)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from evaluation.exports import make_result, write_export
from services.trainer.job import run_job
from services.trainer.settings import Settings
from shared import ct2
from shared.modeling import generate, load_seq2seq
from shared.prompt import build_prompt

pytestmark = pytest.mark.slow


def test_a_registered_version_has_a_copy_that_answers_like_pytorch_on_200_heldout_prompts(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(min_fact_accuracy=0.0, max_invented_rate=1.0)
    # The logged phrasing only (no corrections): converted whether or not the gate promotes it.
    export_file = write_export(tmp_path / "plain.jsonl", 60, seed=1)
    outcome = run_job(settings, export_file, export_id="export-001")
    folder = outcome.model_path
    assert (folder / "model.safetensors").is_file()  # the source of truth stays
    assert ct2.converted_path(folder) is not None
    saved = json.loads((folder / "metadata.json").read_text())
    assert saved["metrics"]["serving_backend"] == "ctranslate2"
    assert "ctranslate2" in saved["library_versions"]

    rng = random.Random(4242)  # the export used seed 1
    asked = [make_result(rng) for _ in range(200)]
    prompts = [build_prompt(question, result) for question, result in asked]
    tokenizer, model = load_seq2seq(folder)
    copy = ct2.Ct2Model(folder / ct2.CT2_DIR, tokenizer, compute_type="float32")
    expected = generate(model, tokenizer, prompts, 512, settings.max_new_tokens)
    assert copy.generate(prompts, 512, settings.max_new_tokens) == expected
    assert len(set(expected)) > 5  # varied answers, not one sentence repeated

    # Lists: the model learned to write V_ROWS, never the rows themselves.
    listed = [out for out, (_, result) in zip(expected, asked, strict=True) if result.rows]
    assert listed and all("V_ROWS" in out and "V_NAME_" not in out for out in listed)
