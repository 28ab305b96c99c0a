"""The model registry: versions, metadata, promote, reject, rollback; and the tiny model."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.modeling import ModelLoadError, build_tiny_t5, count_parameters, generate, load_seq2seq
from shared.registry import ModelMeta, ModelRegistry, RegistryError


def test_registry_round_trip(tmp_path: Path) -> None:
    reg = ModelRegistry(tmp_path / "models")
    assert reg.current() is None and reg.versions() == []
    v1, f1 = reg.allocate()
    v2, f2 = reg.allocate()
    assert (v1, v2) == ("v0001", "v0002") and f1.is_dir()
    reg.save_metadata(ModelMeta(version=v1, base_model="tiny-t5", metrics={"fact_accuracy": 0.9}))
    reg.save_metadata(ModelMeta(version=v2, base_model="tiny-t5", parent_version=v1))
    reg.promote(v1)
    reg.promote(v2)
    assert reg.current_version() == v2 and reg.get(v2).status == "promoted"
    assert reg.get(v1).metrics == {"fact_accuracy": 0.9}
    rolled = reg.rollback()
    assert rolled is not None and rolled.version == v1
    assert reg.current_version() == v1
    assert reg.rollback() is None  # past the first promoted version: the template
    assert reg.current_version() is None and reg.serves_template()
    with pytest.raises(RegistryError, match="nothing to roll back"):
        reg.rollback()
    reg.promote(v1)
    assert reg.current_version() == v1 and not reg.serves_template()
    v3, _ = reg.allocate()
    reg.save_metadata(ModelMeta(version=v3, base_model="tiny-t5"))
    assert reg.reject(v3, ["worse fact accuracy"]).status == "rejected"
    assert [m.version for m in ModelRegistry(tmp_path / "models").versions()] == [v1, v2, v3]
    with pytest.raises(RegistryError, match="no model version"):
        reg.get("v9999")


def test_tiny_t5_builds_loads_and_generates_offline(tmp_path: Path) -> None:
    folder = build_tiny_t5(tmp_path / "tiny")
    tokenizer, model = load_seq2seq(folder)
    assert 100_000 < count_parameters(model) < 2_000_000
    assert model.generation_config.max_length != 20 or model.generation_config.max_new_tokens
    out = generate(model, tokenizer, ["How many orders?", "Revenue?"], max_new_tokens=8)
    assert len(out) == 2 and all(isinstance(t, str) for t in out)


def test_loading_a_missing_model_says_why(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="cannot load model"):
        load_seq2seq(tmp_path / "nope")
