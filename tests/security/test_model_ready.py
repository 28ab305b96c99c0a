"""A ModelReady event cannot make a generator serve a folder outside its registry (issue 13, §3)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from evaluation.phrasers import make_settings
from services.generator.reloader import ModelReloader
from services.generator.slots import ModelSlot
from shared.events import ModelReady
from shared.registry import ModelMeta, ModelRegistry


@pytest.fixture
def reloader(tmp_path: Path) -> ModelReloader:
    return ModelReloader(make_settings(tmp_path, report_refusals=False), ModelSlot())


@pytest.mark.parametrize(
    ("version", "path"),
    [
        ("v0001", "{outside}"),  # a valid name with a folder elsewhere
        ("../outside/evil", "{outside}"),
        ("v0001/../../outside/evil", "/nonexistent"),
        ("/abs/evil", "/nonexistent"),
    ],
)
def test_model_ready_outside_the_registry_is_refused_and_logged(
    reloader: ModelReloader, tmp_path: Path, caplog: pytest.LogCaptureFixture, version: str, path: str
) -> None:
    registry = ModelRegistry(tmp_path / "models")
    _, folder = registry.allocate()
    registry.save_metadata(ModelMeta(version=folder.name, base_model="tiny-t5"))
    outside = tmp_path / "outside" / "evil"
    outside.mkdir(parents=True)
    event = ModelReady(version=version, path=path.format(outside=outside), base_model="tiny-t5")
    with caplog.at_level(logging.ERROR):
        assert reloader.apply(event) is False
    assert reloader.slot.version == "template"
    reason = reloader.stats.refused[-1]["reason"]
    assert "outside the registry" in reason or "invalid model version" in reason
    assert any("refused model" in r.getMessage() for r in caplog.records)


def test_a_version_of_the_registry_gets_past_the_path_check(reloader: ModelReloader, tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path / "models")
    version, folder = registry.allocate()  # empty: it fails to load, for that reason only
    assert reloader.apply(ModelReady(version=version, path=str(folder), base_model="tiny-t5")) is False
    reason = reloader.stats.refused[-1]["reason"]
    assert "outside" not in reason and "invalid model version" not in reason
