"""The console commands: train by hand, evaluate side by side, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.cli import main
from shared.registry import ModelRegistry
from tests.trainer.exports import write_export


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("ECOMINSIGHT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ECOMINSIGHT_TRAINER_TORCH_THREADS", "1")
    monkeypatch.setenv("ECOMINSIGHT_TRAINER_MAX_NEW_TOKENS", "64")
    return tmp_path


@pytest.mark.slow
def test_train_then_evaluate_against_the_template(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_export(env / "export.jsonl", 50, seed=9)
    args = [
        "train",
        "--data",
        str(data),
        "--base-model",
        "tiny-t5",
        "--tokenizer",
        "word",
        "--epochs",
        "10",
        "--learning-rate",
        "3e-3",
        "--early-stopping",
        "0",
        "--min-examples",
        "10",
        "--export-id",
        "by-hand",
    ]
    code = main(args)
    out = capsys.readouterr().out
    meta = ModelRegistry(env / "models").get("v0001")
    assert meta.export_id == "by-hand" and meta.hyperparameters["epochs"] == 10.0
    assert "candidate v0001" in out and "serving (template)" in out and "fact accuracy" in out
    assert code == (0 if meta.status == "promoted" else 1)
    assert ("promoted v0001" in out) == (meta.status == "promoted")

    assert main(["evaluate", "--model", "template", "--model", "v0001", "--data", str(data), "--json"]) == 0
    side_by_side = json.loads(capsys.readouterr().out)
    assert side_by_side["template"]["fact_accuracy"] == 1.0
    assert side_by_side["v0001"]["fact_accuracy"] == meta.metrics["fact_accuracy"]


def test_user_errors_are_one_line_messages(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--data", str(env / "missing.jsonl"), "--base-model", "tiny-t5"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["evaluate"]) == 2
    assert "--model" in capsys.readouterr().err
    assert main(["evaluate", "--api", "http://127.0.0.1:9"]) == 2
    assert "cannot reach" in capsys.readouterr().err


def test_evaluate_api_asks_the_running_ask_service_the_seed_questions(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import threading

    import uvicorn

    from services.ask.app import create_app
    from services.ask.seed import seed_warehouse
    from services.ask.settings import Settings as AskSettings
    from services.trainer.cli import SEED_QUESTIONS
    from shared.broker import free_port, wait_for_port
    from shared.settings import PathSettings

    warehouse = env / "warehouse.duckdb"
    seed_warehouse(warehouse, shops=1, orders_per_shop=300)
    settings = AskSettings(
        paths=PathSettings(data_dir=env, warehouse_path=warehouse),
        use_embedding=False,
        use_generator=False,
        publish_events=False,
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_for_port("127.0.0.1", port, timeout=30)
        assert main(["evaluate", "--api", f"http://127.0.0.1:{port}", "--shop-id", "10"]) == 0
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    out = capsys.readouterr().out
    for question in SEED_QUESTIONS:
        assert question in out
    assert "orders" in out and "$" in out  # real answers with the shop's numbers
