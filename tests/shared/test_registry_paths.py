"""The registry refuses every version name or path that would lead outside it (issue 13, §3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.registry import ModelMeta, ModelRegistry, RegistryError


@pytest.fixture
def reg(tmp_path: Path) -> ModelRegistry:
    reg = ModelRegistry(tmp_path / "models")
    for _ in range(2):
        version, _ = reg.allocate()
        reg.save_metadata(ModelMeta(version=version, base_model="tiny-t5"))
    reg.promote("v0001")
    reg.promote("v0002")
    outside = tmp_path / "outside" / "evil"
    outside.mkdir(parents=True)
    (outside / "metadata.json").write_text(ModelMeta(version="v0003", base_model="evil").model_dump_json())
    return reg


@pytest.mark.parametrize(
    "name",
    ["../outside/evil", "/etc", "v0001/../../x", "v0001/..", "..", "", "v1", "V0001", "v0001 ", "v٠٠٠١", "template/../v0001"],
)
def test_promote_refuses_names_that_are_not_versions(reg: ModelRegistry, tmp_path: Path, name: str) -> None:
    with pytest.raises(RegistryError, match="invalid model version"):
        reg.promote(name)
    assert reg.current_version() == "v0002"
    assert (reg.root / "CURRENT").read_text() == "v0002"


def test_absolute_path_of_the_outside_folder_is_refused(reg: ModelRegistry, tmp_path: Path) -> None:
    with pytest.raises(RegistryError):
        reg.promote(str(tmp_path / "outside" / "evil"))
    assert reg.current_version() == "v0002"


def test_a_tampered_history_is_refused_by_rollback(reg: ModelRegistry) -> None:
    (reg.root / "history.json").write_text(json.dumps(["../outside/evil", "v0002"]))
    with pytest.raises(RegistryError, match="history.json"):
        reg.rollback()
    assert reg.current_version() == "v0002"


def test_a_tampered_current_pointer_is_refused(reg: ModelRegistry) -> None:
    (reg.root / "CURRENT").write_text("../outside/evil")
    with pytest.raises(RegistryError, match="CURRENT"):
        reg.current()


def test_the_metadata_version_field_does_not_decide_where_it_is_written(reg: ModelRegistry, tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="invalid model metadata version"):
        reg.save_metadata(ModelMeta(version="../outside/evil", base_model="evil"))
    assert ModelMeta.model_validate_json((tmp_path / "outside/evil/metadata.json").read_text()).base_model == "evil"
    # a metadata file that names another version is not served as this one
    meta = reg.root / "v0001" / "metadata.json"
    meta.write_text(ModelMeta(version="v0002", base_model="tiny-t5").model_dump_json())
    with pytest.raises(RegistryError, match="says it is version 'v0002'"):
        reg.get("v0001")


def test_a_version_folder_that_is_a_symlink_out_of_the_registry_is_refused(reg: ModelRegistry, tmp_path: Path) -> None:
    (reg.root / "v0009").symlink_to(tmp_path / "outside" / "evil")
    with pytest.raises(RegistryError, match="outside the registry"):
        reg.promote("v0009")
    assert not reg.contains(reg.root / "v0009") and reg.contains(reg.root / "v0001")
    assert reg.current_version() == "v0002"
