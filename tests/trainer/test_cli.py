"""The console commands: train by hand, evaluate side by side, clear errors."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from evaluation.exports import record
from services.cli import main
from services.stack.owners import correct
from shared.registry import ModelRegistry
from shared.results import ToolResult


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("ECOMINSIGHT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ECOMINSIGHT_TRAINER_TORCH_THREADS", "1")
    monkeypatch.setenv("ECOMINSIGHT_TRAINER_MAX_NEW_TOKENS", "64")
    monkeypatch.setenv("ECOMINSIGHT_TRAINER_MAX_OTHER_SHOPS_DROP", "1.0")
    return tmp_path


def _easy_export(path: Path, n: int = 40) -> Path:
    """Counts of orders and customers only, all from shop 11, whose owner corrects them into
    German: one short sentence per tool, which the tiny model learns exactly in a few epochs, so
    a trained candidate gains over the template and is promoted."""
    rng = random.Random(3)
    lines = []
    for i in range(n):
        if i % 2:
            result = ToolResult(tool="count_orders", values={"count": rng.randint(0, 5000)})
            question = "How many orders do I have?"
        else:
            result = ToolResult(tool="customer_count", values={"count": rng.randint(1, 9000)})
            question = "How many customers do I have?"
        lines.append(record(question, result, f"q{i}", shop_id="11", correction=correct("german", result)))
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def _train(data: Path, epochs: str, learning_rate: str, export_id: str) -> int:
    return main([
        "train", "--data", str(data), "--base-model", "tiny-t5", "--tokenizer", "word",
        "--epochs", epochs, "--learning-rate", learning_rate, "--early-stopping", "0",
        "--min-examples", "10", "--export-id", export_id,
    ])  # fmt: skip


@pytest.mark.slow
def test_train_then_evaluate_against_the_template(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _easy_export(env / "export.jsonl")
    registry = ModelRegistry(env / "models")

    # Learning rate 0: the candidate is the untrained model, which states no fact; it is
    # rejected, the command says why and exits 1, and the template keeps serving.
    assert _train(data, "1", "0", "untrained") == 1
    out = capsys.readouterr().out
    assert registry.get("v0001").status == "rejected" and registry.current_version() is None
    assert "rejected v0001: fact accuracy" in out and "promoted" not in out

    # Trained: it learns both sentences exactly, passes the absolute gate and is promoted.
    assert _train(data, "5", "3e-3", "by-hand") == 0
    out = capsys.readouterr().out
    meta = registry.get("v0002")
    assert meta.status == "promoted" and registry.current_version() == "v0002"
    assert meta.export_id == "by-hand" and meta.hyperparameters["epochs"] == 5.0
    assert meta.metrics["fact_accuracy"] == 1.0 and meta.metrics["gate"] == "preference"
    assert "candidate v0002" in out and "serving (template)" in out
    # the gain with its interval on the test split's 12 held-out corrections (30% of 40)
    assert (
        "promoted v0002 (gain in preference match +1.000, 95% interval [+1.000, +1.000] on 12 held-out "
        "corrections over template)" in " ".join(out.split())  # as one line (rich wraps it)
    )
    assert meta.metrics["gain_ci_low"] == meta.metrics["gain_ci_high"] == 1.0
    assert main(["model", "list"]) == 0  # the lineage shows the interval beside the gain
    listed = capsys.readouterr().out
    assert "gain=1, gain_ci_low=1, gain_ci_high=1, gain_ci_level=0.95" in listed

    models = ["--model", "template", "--model", "v0001", "--model", "v0002"]
    assert main(["evaluate", *models, "--data", str(data), "--json"]) == 0
    side_by_side = json.loads(capsys.readouterr().out)
    assert side_by_side["template"]["fact_accuracy"] == 1.0
    assert side_by_side["v0001"]["fact_accuracy"] == registry.get("v0001").metrics["fact_accuracy"] < 0.5
    assert side_by_side["v0002"]["fact_accuracy"] == 1.0


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
    from services.ask.keys import KeySettings
    from services.ask.seed import seed_warehouse
    from services.ask.settings import Settings as AskSettings
    from services.trainer.comparison import SEED_QUESTIONS
    from shared.broker import free_port, wait_for_port
    from shared.settings import PathSettings

    warehouse = env / "warehouse.duckdb"
    seed_warehouse(warehouse, shops=1, orders_per_shop=300)
    settings = AskSettings(
        paths=PathSettings(data_dir=env, warehouse_path=warehouse),
        keys=KeySettings(require_api_keys=False),
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
