"""Real training runs of a tiny T5 (word-level vocabulary: seconds on CPU)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from evaluation.exports import write_export
from services.trainer.data import load_export, three_way
from services.trainer.errors import ExportError, TooFewExamples
from services.trainer.job import run_job
from services.trainer.scores import score
from services.trainer.settings import Settings
from services.trainer.tiny import build_tiny
from shared.modeling import generate, load_seq2seq
from shared.registry import ModelMeta, ModelRegistry

pytestmark = pytest.mark.slow


def test_a_run_writes_a_registry_entry_with_metrics_and_lineage(
    make_settings: Callable[..., Settings], export_file: Path
) -> None:
    settings = make_settings(min_fact_accuracy=0.5, max_invented_rate=0.5, max_other_shops_drop=1.0)
    outcome = run_job(settings, export_file, export_id="export-001")

    registry = ModelRegistry(settings.paths.models)
    meta = registry.get(outcome.meta.version)
    assert meta.status == "promoted" and registry.current_version() == meta.version
    assert meta.export_id == "export-001"
    assert meta.data_sha256 == load_export(export_file).sha256
    assert meta.parent_version is None and meta.base_model == "tiny-t5-word"
    # 30 of shop 10 (3 in the test split) and 30 corrections of shop 11 (9 in the test split: the
    # preference set); of the other 48, 3 + 2 choose the checkpoint (validation) and 43 train
    assert meta.hyperparameters["learning_rate"] == 3e-3 and meta.hyperparameters["n_train"] == 43
    assert meta.hyperparameters["n_val"] == 5 and meta.hyperparameters["n_test"] == 12
    assert meta.hyperparameters["padding"] == "dynamic"
    # the gain's interval, in the lineage beside the gain
    assert meta.metrics["gain_ci_low"] <= meta.metrics["gain"] <= meta.metrics["gain_ci_high"]
    assert meta.metrics["gain_ci_level"] == 0.95 and meta.metrics["n_test"] == 12
    assert {"torch", "transformers", "tokenizers"} <= meta.library_versions.keys()
    assert meta.train_time_s and meta.train_time_s > 0
    for key in (
        "fact_accuracy",
        "invented_number_rate",
        "exact_match",
        "rouge_l",
        "repetition_rate",
        "mean_latency_ms",
        "quality",
        "preference_match",
        "n_corrected",
    ):
        assert key in meta.metrics and key in meta.baseline_metrics
    assert meta.metrics["baseline"] == "template" and meta.metrics["gate"] == "preference"
    assert meta.baseline_metrics["fact_accuracy"] == 1.0  # the template states every fact
    assert meta.baseline_metrics["preference_match"] == 0.0  # ... but never in the owner's words
    assert meta.metrics["gain"] == meta.metrics["preference_match"] > 0

    # The saved generation config does not clip answers at transformers' default of 20 tokens.
    saved = json.loads((registry.path(meta.version) / "generation_config.json").read_text())
    assert saved.get("max_length") != 20 and saved["max_new_tokens"] == settings.max_new_tokens

    # What was saved is what was measured: reloaded, it scores the same on the test split.
    tokenizer, model = load_seq2seq(registry.path(meta.version))
    val = three_way(
        load_export(export_file).examples,
        settings.validation_fraction,
        settings.seed,
        settings.corrected_fraction,
    ).test
    answers = generate(model, tokenizer, [e.prompt for e in val], max_new_tokens=settings.max_new_tokens)
    facts_ok = [score(answer, example).facts_ok for answer, example in zip(answers, val, strict=True)]
    assert sum(facts_ok) / len(val) == pytest.approx(meta.metrics["fact_accuracy"], abs=1e-3)
    assert not list(registry.path(meta.version).glob("checkpoint-*"))  # checkpoints stay in the temp folder


def _register_untrained(registry: ModelRegistry, export_file: Path) -> str:
    """An untrained tiny T5 as the serving model (what a bad first promotion would look like)."""
    examples = load_export(export_file).examples
    version, folder = registry.allocate()
    build_tiny(folder, "word", [e.prompt for e in examples] + [e.target for e in examples])
    registry.save_metadata(ModelMeta(version=version, base_model="tiny-t5-word"))
    registry.promote(version)
    return version


def test_trained_beats_untrained_and_untrained_never_replaces_trained(
    make_settings: Callable[..., Settings], export_file: Path
) -> None:
    registry = ModelRegistry(make_settings().paths.models)
    untrained = _register_untrained(registry, export_file)

    better = run_job(
        make_settings(
            finetune_current=False,
            gate_margin=0.05,
            min_fact_accuracy=0.5,
            max_invented_rate=0.5,
            max_other_shops_drop=1.0,
        ),
        export_file,
        export_id="e1",
    )
    assert better.promoted and better.decision.mode == "preference"
    assert better.baseline_name == untrained
    assert better.meta.metrics["preference_match"] > better.meta.baseline_metrics["preference_match"] + 0.05
    assert registry.current_version() == better.meta.version

    # learning rate 0: a candidate that is still the untrained base, judged against the trained one
    worse = run_job(
        make_settings(finetune_current=False, learning_rate=0.0, epochs=1.0), export_file, export_id="e2"
    )
    assert not worse.promoted
    meta = registry.get(worse.meta.version)
    assert meta.status == "rejected" and meta.reasons == worse.decision.reasons
    assert any("preference match" in r for r in meta.reasons)
    assert meta.metrics["baseline"] == better.meta.version
    assert meta.baseline_metrics["preference_match"] > meta.metrics["preference_match"]
    assert registry.current_version() == better.meta.version  # still serving the trained model


def test_the_next_run_fine_tunes_the_serving_model(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(min_fact_accuracy=0.0, max_invented_rate=1.0, max_other_shops_drop=1.0)
    first = run_job(
        settings, write_export(tmp_path / "a.jsonl", 40, seed=1, styles={"11": "german"}), export_id="a"
    )
    second = run_job(
        settings, write_export(tmp_path / "b.jsonl", 40, seed=2, styles={"12": "terse"}), export_id="b"
    )
    assert first.promoted
    assert second.meta.parent_version == first.meta.version
    assert second.baseline_name == first.meta.version and second.meta.metrics["gate"] == "preference"


def test_too_few_usable_examples_fail_the_run_and_write_nothing(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(min_examples=20)
    path = write_export(tmp_path / "small.jsonl", 12)
    with pytest.raises(TooFewExamples, match="12 usable examples"):
        run_job(settings, path)
    corrupt = tmp_path / "corrupt.jsonl"
    corrupt.write_text(json.dumps({"input": "x", "output": "y"}) + "\n{broken\n")
    with pytest.raises(ExportError, match="line 2"):
        run_job(settings, corrupt)
    assert ModelRegistry(settings.paths.models).versions() == []
