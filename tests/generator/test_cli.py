"""``ecominsight model list|promote|rollback``: the registry round trip, announced on Kafka."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.phrasers import add_version
from services.cli import main
from shared.events import ModelReady
from shared.registry import ModelRegistry
from shared.settings import KafkaSettings
from tests.helpers import Collector


def test_promote_and_rollback_announce_model_ready(
    cli_env: ModelRegistry,
    random_model: Path,
    kafka_settings: KafkaSettings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    registry = cli_env
    assert main(["model", "list"]) == 0
    assert "no model versions" in capsys.readouterr().out
    v1 = add_version(registry, random_model, metrics={"fact_accuracy": 0.91}, export_id="exp-1")
    v2 = add_version(registry, random_model, parent_version=v1, metrics={"fact_accuracy": 0.96})

    with Collector(kafka_settings, kafka_settings.topic_models) as models:
        assert main(["model", "promote", v1]) == 0
        assert main(["model", "promote", v2]) == 0
        capsys.readouterr()
        assert main(["model", "list"]) == 0
        listing = capsys.readouterr().out
        assert main(["model", "rollback"]) == 0
        assert f"rolled back to {v1}" in capsys.readouterr().out
        events = models.wait_count(3)

    assert [e.version for e in events] == [v1, v2, v1]
    assert all(isinstance(e, ModelReady) for e in events)
    assert events[0].path == str(registry.path(v1).resolve()) and events[0].export_id == "exp-1"
    assert events[1].parent_version == v1 and events[1].metrics == {"fact_accuracy": 0.96}
    assert registry.current_version() == v1
    lines = {v: next(line for line in listing.splitlines() if v in line.split()[:2]) for v in (v1, v2)}
    assert lines[v2].startswith("* ") and "fact_accuracy=0.96" in lines[v2]
    assert not lines[v1].startswith("*") and "promoted" in lines[v1]

    assert main(["model", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(m["version"], m["current"]) for m in listed] == [(v1, True), (v2, False)]


def test_user_errors_exit_2_with_a_message(
    cli_env: ModelRegistry, random_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["model", "promote", "v0042"]) == 2
    assert "no model version 'v0042'" in capsys.readouterr().err
    add_version(cli_env, random_model, promote=True)
    assert main(["model", "rollback"]) == 0  # to the template
    assert main(["model", "rollback"]) == 2
    assert "nothing to roll back to" in capsys.readouterr().err
