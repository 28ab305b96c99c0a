"""docker-compose.yml matches the project: real entry points, health routes, and settings.

The static half (``test_stack.py`` runs the stack for real in containers): the file parses
(``docker-compose config``) and refuses to start without its secrets, every service runs a module
that exists, health checks hit routes the apps serve on the ports they listen on, ports are
published on the loopback interface only, and every environment variable is a real setting (and
every setting is listed)."""

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
from pydantic_settings import BaseSettings

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("ask", "generator", "logger", "trainer")
HTTP_SERVICES = {"ask": 8000, "generator": 8001, "logger": 8002}
# Read by libraries, not by our settings: where the model cache lives and whether the hub is asked.
LIBRARY_ENV = {"generator": {"HF_HOME", "HF_HUB_OFFLINE"}, "trainer": {"HF_HOME", "HF_HUB_OFFLINE"}}
SECRETS = {"ECOMINSIGHT_LOGGER_ADMIN_TOKEN": "a" * 32, "ECOMINSIGHT_LOGGER_READ_TOKEN": "r" * 32}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def env_names(settings_cls: type[BaseSettings]) -> set[str]:
    """Every variable a Settings class reads, its nested groups (Kafka, paths, keys, ...) included."""
    prefix = settings_cls.model_config.get("env_prefix", "")
    names: set[str] = set()
    for name, field in settings_cls.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseSettings):
            names |= env_names(kind)
        else:
            names.add(prefix + name.upper())
    return names


def compose_config(*files: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose is missing in CI: scripts/test.sh installs Debian's package")
        pytest.skip("docker-compose (Debian package) not installed")
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS and k != "COMPOSE_FILE"}
    args = [a for f in files for a in ("-f", f)]
    return subprocess.run([binary, *args, "config", "-q"], cwd=ROOT, capture_output=True, text=True,
                          env={**clean, **env})


def test_docker_compose_parses_the_files() -> None:
    for files in (("docker-compose.yml",), ("docker-compose.yml", "docker-compose.offline.yml")):
        done = compose_config(*files, env=SECRETS)
        assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("secret", sorted(SECRETS))
def test_compose_refuses_to_start_without_each_secret(secret: str) -> None:
    done = compose_config("docker-compose.yml", env={k: v for k, v in SECRETS.items() if k != secret})
    assert done.returncode != 0
    assert f"set {secret}" in done.stderr
    assert "change-me" not in (ROOT / "docker-compose.yml").read_text()


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
    assert service["logging"]["options"]["max-size"] and service["mem_limit"] and service["cpus"]


@pytest.mark.parametrize("name", SERVICES)
def test_environment_is_exactly_the_services_settings(compose: dict, name: str) -> None:
    settings_cls = importlib.import_module(f"services.{name}.settings").Settings
    env = set(compose["services"][name]["environment"])
    wanted = env_names(settings_cls) | LIBRARY_ENV.get(name, set())
    assert env - wanted == set(), "variables that no setting reads"
    assert wanted - env == set(), "settings the compose file does not list"


@pytest.mark.parametrize(("name", "port"), sorted(HTTP_SERVICES.items()))
def test_health_checks_hit_a_served_route_on_the_listening_port(compose: dict, name: str, port: int) -> None:
    service = compose["services"][name]
    prefix = importlib.import_module(f"services.{name}.settings").Settings.model_config["env_prefix"]
    assert service["environment"][f"{prefix}PORT"] == str(port)
    assert service["environment"][f"{prefix}HOST"] == "0.0.0.0"
    check = service["healthcheck"]["test"]
    assert check[:3] == ["CMD", "python", "/app/deploy/healthcheck.py"]
    assert f"http://localhost:{port}/health" in check
    assert not any(" " in arg for arg in check), "podman's Docker API splits arguments on spaces"
    sources = "\n".join(f.read_text() for f in (ROOT / "services" / name).glob("*.py"))
    assert re.search(r'\.get\(\s*"/health"', sources), f"{name} serves no /health"


def test_ask_and_logger_ports_are_published_and_state_is_on_named_volumes(compose: dict) -> None:
    services = compose["services"]
    assert services["ask"]["ports"] == ["127.0.0.1:8000:8000"]
    assert services["logger"]["ports"] == ["127.0.0.1:8002:8002"]
    assert services["kafka"]["ports"] == ["127.0.0.1:29092:29092"]
    assert all(p.startswith("127.0.0.1:") for s in services.values() for p in s.get("ports", []))
    named = set(compose["volumes"])
    mounts = {name: [v.split(":")[0] for v in services[name].get("volumes", [])] for name in SERVICES}
    assert "query-logs" in mounts["logger"] and "models" in mounts["generator"] and "models" in mounts["trainer"]
    assert "warehouse" in mounts["ask"]
    assert all(m in named for ms in mounts.values() for m in ms)
    assert services["ask"]["depends_on"]["seed"]["condition"] == "service_completed_successfully"
    assert services["ask"]["depends_on"]["generator"]["condition"] == "service_started"  # templates answer meanwhile
    assert "hf-cache" in mounts["generator"] and "hf-cache" in mounts["trainer"]
