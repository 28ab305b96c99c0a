"""``model rollback`` past the first version and ``model promote template`` always bring the
template phrasing back: in the registry, on a running generator, and after its restart."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from evaluation.phrasers import add_version, make_settings, serve_http
from services.cli import main
from services.generator.app import create_app
from services.generator.service import GeneratorService
from shared.registry import ModelRegistry
from shared.results import ToolResult
from shared.settings import KafkaSettings
from tests.helpers import wait_for

RESULT = ToolResult(tool="count_orders", values={"count": 1174})


def served(url: str) -> tuple[str, str]:
    body = httpx.post(
        f"{url}/generate", json={"question": "How many orders?", "result": RESULT.model_dump()}
    ).json()
    return body["model_version"], body["text"]


def test_rollback_and_promote_template_restore_the_template_on_a_running_generator(
    tmp_path: Path,
    cli_env: ModelRegistry,
    trained_model: Path,
    kafka_settings: KafkaSettings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    registry = cli_env
    v1 = add_version(registry, trained_model, promote=True)
    # A base model that loads: the template must win over it once it was chosen.
    settings = make_settings(tmp_path, kafka_settings, model=str(trained_model))
    app = create_app(settings)
    service: GeneratorService = app.state.service
    with serve_http(app) as url:
        assert service.reloader is not None
        wait_for(service.reloader.ready.is_set, 30, what="reloader assigned")
        assert served(url)[0] == v1

        assert main(["model", "rollback"]) == 0  # only one version was promoted: the template
        assert "rolled back to template" in capsys.readouterr().out
        wait_for(lambda: served(url)[0] == "template", 30, what="template answers after rollback")
        assert served(url)[1] == "You have 1,174 orders."
        assert registry.serves_template() and registry.current() is None

        assert main(["model", "rollback"]) == 2
        assert "nothing to roll back to" in capsys.readouterr().err

        assert main(["model", "promote", v1]) == 0
        wait_for(lambda: served(url)[0] == v1, 30, what=f"{v1} after promote")
        assert main(["model", "promote", "template"]) == 0
        wait_for(lambda: served(url)[0] == "template", 30, what="template after promote template")
        assert main(["model", "list"]) == 0
        assert "template phrasing is serving" in capsys.readouterr().out

    # A restart keeps the template, although a base model could be loaded.
    with GeneratorService(make_settings(tmp_path, None, model=str(trained_model))) as restarted:
        restarted.wait_for_base(60)
        assert restarted.version == "template"

    assert main(["model", "rollback"]) == 0  # undoes `promote template`: v1 serves again
    assert registry.current_version() == v1 and os.path.isfile(registry.root / "CURRENT")
