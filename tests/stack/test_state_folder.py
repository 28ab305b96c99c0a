"""One state folder: run from the checkout with nothing set, every command uses ./data (the folder
`ecominsight up` and scripts/up.sh use) and says so; ECOMINSIGHT_DATA_DIR moves them all."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.cli import main
from services.stack.settings import Settings as StackSettings
from shared.registry import ModelRegistry
from shared.settings import PathSettings


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("ECOMINSIGHT_DATA_DIR", "ECOMINSIGHT_STACK_DATA_DIR", "ECOMINSIGHT_MODELS_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_up_and_every_command_share_data_and_say_so(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert StackSettings().data_dir.resolve() == PathSettings().data_dir.resolve() == checkout / "data"
    ModelRegistry(checkout / "data" / "models").root.mkdir(parents=True)  # what `up` leaves behind
    assert main(["model", "list"]) == 0
    out, err = capsys.readouterr()
    assert f"state in {checkout / 'data'}" in err
    assert "data/models" in out  # not "no model versions in models"


def test_data_dir_from_the_environment_moves_up_and_the_commands(
    checkout: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ECOMINSIGHT_DATA_DIR", str(checkout / "elsewhere"))
    assert StackSettings().data_dir == PathSettings().data_dir == checkout / "elsewhere"
    assert main(["model", "list"]) == 0
    assert f"state in {checkout / 'elsewhere'}" in capsys.readouterr().err


def test_train_finds_the_readme_path_under_the_data_folder(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = checkout / "data" / "query_logs" / "finetuning_data.jsonl"
    export.parent.mkdir(parents=True)
    export.write_text("")
    assert PathSettings().resolve("query_logs/finetuning_data.jsonl") == Path("data/query_logs/finetuning_data.jsonl")
    # train, with the README's path and with none, reads that export (it is empty: a one-line refusal naming it)
    for argv in (["train", "--data", "query_logs/finetuning_data.jsonl"], ["train"]):
        assert main([*argv, "--base-model", "tiny-t5"]) == 2
        err = capsys.readouterr().err
        assert "finetuning_data.jsonl is empty" in err, err  # found (else: "does not exist")
