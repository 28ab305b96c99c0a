"""docker-compose.yml matches the project: real entry points, health routes, and settings.

No Docker engine runs here, so this checks what can be checked without one: the file parses
(``docker-compose config``), every service runs a module that exists, health checks hit routes the
apps serve on the ports they listen on, and every environment variable is a real setting (and every
setting is listed)."""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from shared.settings import KafkaSettings, PathSettings

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("ask", "generator", "logger", "trainer")
HTTP_SERVICES = {"ask": 8000, "generator": 8001, "logger": 8002}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def env_names(settings_cls: type[BaseModel], prefix: str) -> set[str]:
    return {prefix + name.upper() for name in settings_cls.model_fields if name not in ("kafka", "paths")}


def test_docker_compose_parses_the_file() -> None:
    binary = shutil.which("docker-compose")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose is missing in CI: scripts/test.sh installs Debian's package")
        pytest.skip("docker-compose (Debian package) not installed")
    done = subprocess.run([binary, "config", "-q"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_kafka_runs_in_kraft_mode_with_a_volume(compose: dict) -> None:
    kafka = compose["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka")
    assert "controller" in kafka["environment"]["KAFKA_PROCESS_ROLES"]
    assert any(v.endswith(":/var/lib/kafka/data") for v in kafka["volumes"])
    assert "healthcheck" in kafka


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_its_real_entry_point(compose: dict, name: str) -> None:
    service = compose["services"][name]
    assert service["command"] == ["python", "-m", f"services.{name}"]
    assert importlib.util.find_spec(f"services.{name}.__main__") is not None
    assert service["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert service["restart"] == "unless-stopped"
    assert service["build"] == "."


@pytest.mark.parametrize("name", SERVICES)
def test_environment_is_exactly_the_services_settings(compose: dict, name: str) -> None:
    settings_cls = importlib.import_module(f"services.{name}.settings").Settings
    prefix = settings_cls.model_config["env_prefix"]
    env = set(compose["services"][name]["environment"])
    wanted = env_names(settings_cls, prefix) | env_names(KafkaSettings, "KAFKA_") | env_names(PathSettings, "ECOMINSIGHT_")
    assert env - wanted == set(), "variables that no setting reads"
    assert wanted - env == set(), "settings the compose file does not list"


@pytest.mark.parametrize(("name", "port"), sorted(HTTP_SERVICES.items()))
def test_health_checks_hit_a_served_route_on_the_listening_port(compose: dict, name: str, port: int) -> None:
    service = compose["services"][name]
    prefix = importlib.import_module(f"services.{name}.settings").Settings.model_config["env_prefix"]
    assert service["environment"][f"{prefix}PORT"] == str(port)
    assert service["environment"][f"{prefix}HOST"] == "0.0.0.0"
    check = " ".join(service["healthcheck"]["test"])
    assert f"http://localhost:{port}/health" in check
    app_source = (ROOT / "services" / name / "app.py").read_text()
    assert re.search(r'\.get\(\s*"/health"', app_source), f"{name} serves no /health"


def test_ask_and_logger_ports_are_published_and_state_is_on_named_volumes(compose: dict) -> None:
    services = compose["services"]
    assert "8000:8000" in services["ask"]["ports"]
    assert "8002:8002" in services["logger"]["ports"]
    named = set(compose["volumes"])
    mounts = {name: [v.split(":")[0] for v in services[name].get("volumes", [])] for name in SERVICES}
    assert "query-logs" in mounts["logger"] and "models" in mounts["generator"] and "models" in mounts["trainer"]
    assert "warehouse" in mounts["ask"]
    assert all(m in named for ms in mounts.values() for m in ms)
    assert services["ask"]["depends_on"]["seed"]["condition"] == "service_completed_successfully"
