"""Issue 24, finding 1: no shared or well-known secret anywhere.

``ecominsight up`` makes random tokens per data folder (mode 0600, shown once, reused), no
Settings class has a default secret and none starts with a placeholder, the logger's reads are
closed under ``up``, MCP ``run_sql`` takes an admin key of its own kind and never forwards the
caller's bearer string, and the start banner tells the truth about keys."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from fastapi.testclient import TestClient
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult
from pydantic import SecretStr
from pydantic_settings import BaseSettings

from services.ask.keys import KeyStore
from services.ask.settings import Settings as AskSettings
from services.logger.app import create_app
from services.logger.settings import Settings as LoggerSettings
from services.stack.banner import banner
from services.stack.launcher import Stack
from services.stack.secrets import SECRETS_FILE
from services.stack.settings import Settings as StackSettings
from shared.errors import ConfigError
from shared.settings import PLACEHOLDER_SECRETS, PathSettings, SecuritySettings
from tests.security.conftest import INITIALIZE, LOGGER_ADMIN, MCP_HEADERS, Tenants

ENV_SECRETS = ("ECOMINSIGHT_LOGGER_ADMIN_TOKEN", "ECOMINSIGHT_LOGGER_READ_TOKEN", "ECOMINSIGHT_ASK_LOGGER_READ_TOKEN",
               "ECOMINSIGHT_ASK_LOGGER_ADMIN_TOKEN", "ECOMINSIGHT_STACK_ADMIN_TOKEN", "ECOMINSIGHT_ASK_REQUIRE_API_KEYS",
               "ECOMINSIGHT_ASK_API_KEYS_FILE", "ECOMINSIGHT_LOCAL_DEV")


@pytest.fixture(autouse=True)
def _no_secrets_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_SECRETS:
        monkeypatch.delenv(name, raising=False)


def stack(data_dir: Path, **overrides: Any) -> Stack:
    return Stack(StackSettings(data_dir=data_dir, **overrides))


def test_up_makes_random_tokens_per_data_folder_stored_0600_and_reuses_them(tmp_path: Path) -> None:
    first = stack(tmp_path / "a")
    env = first.environment()
    admin, read = env["ECOMINSIGHT_LOGGER_ADMIN_TOKEN"], env["ECOMINSIGHT_LOGGER_READ_TOKEN"]
    assert first.secrets_created
    for token in (admin, read):
        assert len(token) >= 32 and token.lower() not in PLACEHOLDER_SECRETS
    assert admin != read
    assert env["ECOMINSIGHT_ASK_LOGGER_READ_TOKEN"] == read  # the ask service reads the logger with it
    stored = tmp_path / "a" / SECRETS_FILE
    assert stored.stat().st_mode & 0o077 == 0  # not readable by anyone else on the machine
    assert json.loads(stored.read_text())["logger_admin_token"] == admin

    again = stack(tmp_path / "a")  # a restart of the same folder
    assert again.environment()["ECOMINSIGHT_LOGGER_ADMIN_TOKEN"] == admin and not again.secrets_created
    other = stack(tmp_path / "b").environment()  # another data folder: other secrets
    assert other["ECOMINSIGHT_LOGGER_ADMIN_TOKEN"] != admin and other["ECOMINSIGHT_LOGGER_READ_TOKEN"] != read

    # the ask admin key made with them is a real admin key of that folder's keys file
    caller = KeyStore(tmp_path / "a" / "api_keys.json").identify(again.secrets.ask_admin_key)
    assert caller is not None and caller.admin


def test_no_settings_class_has_a_default_secret() -> None:
    for cls in (LoggerSettings, AskSettings, StackSettings):
        settings: BaseSettings = cls()
        for name, value in settings.model_dump().items():
            if "token" in name or "secret" in name or "password" in name:
                assert value is None, f"{cls.__module__}.{name} has a default: {value!r}"
        for name, field in cls.model_fields.items():
            assert not isinstance(field.default, SecretStr), f"{cls.__module__}.{name}"


@pytest.mark.parametrize("token", ["dev-admin-token", "change-me", "secret"])
def test_a_placeholder_secret_is_refused_in_a_local_run_too(tmp_path: Path, token: str) -> None:
    local = SecuritySettings(local_dev=True)
    paths = PathSettings(data_dir=tmp_path)
    with pytest.raises(ConfigError, match="ECOMINSIGHT_LOGGER_ADMIN_TOKEN"):
        create_app(LoggerSettings(paths=paths, admin_token=token, security=local), start_worker=False)
    with pytest.raises(ConfigError, match="ECOMINSIGHT_ASK_LOGGER_READ_TOKEN"):
        AskSettings(paths=paths, logger_read_token=token, security=local).check_secrets()


def test_a_deployed_logger_needs_an_admin_token(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ECOMINSIGHT_LOGGER_ADMIN_TOKEN is not set"):
        create_app(LoggerSettings(paths=PathSettings(data_dir=tmp_path)), start_worker=False)


def test_the_loggers_reads_are_closed_under_up(tmp_path: Path) -> None:
    env = stack(tmp_path / "data").environment()
    settings = LoggerSettings(
        paths=PathSettings(data_dir=tmp_path / "data"),
        admin_token=env["ECOMINSIGHT_LOGGER_ADMIN_TOKEN"],
        read_token=env["ECOMINSIGHT_LOGGER_READ_TOKEN"],
        security=SecuritySettings(local_dev=env["ECOMINSIGHT_LOCAL_DEV"] == "1"),
    )
    with TestClient(create_app(settings, start_worker=False)) as c:
        for path in ("/stats", "/queries/failed", "/review/labels", "/dashboard/data"):
            assert c.get(path).status_code == 401, path
            assert c.get(path, headers={"Authorization": "Bearer dev-admin-token"}).status_code == 403, path
        read = {"Authorization": f"Bearer {env['ECOMINSIGHT_LOGGER_READ_TOKEN']}"}
        assert c.get("/stats", headers=read).status_code == 200
        assert c.post("/sql", json={"sql": "SELECT 1"}, headers=read).status_code == 403


def run_sql(url: str, key: str | None) -> CallToolResult:
    async def run() -> CallToolResult:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=30) as http,
            Client(streamable_http_client(f"{url}/mcp/", http_client=http)) as client,
        ):
            return await client.call_tool("run_sql", {"sql": "SELECT shop_id, question FROM queries"})

    return anyio.run(run)


def test_run_sql_needs_an_admin_key_never_a_forwarded_bearer(tenants: Tenants) -> None:
    # the attack of the issue: an anonymous MCP caller sends the logger's admin token as its key
    opened = httpx.post(f"{tenants.url}/mcp/", json=INITIALIZE, headers={**MCP_HEADERS,
                        "Authorization": f"Bearer {LOGGER_ADMIN}"}, timeout=30)
    assert opened.status_code == 401 and "unknown or revoked API key" in opened.text
    shop = run_sql(tenants.url, tenants.keys["10"])
    assert shop.is_error and "admin key" in " ".join(getattr(c, "text", "") for c in shop.content)
    admin = run_sql(tenants.url, tenants.keys["admin"])
    assert not admin.is_error and admin.structured_content is not None
    assert {row[0] for row in admin.structured_content["rows"]} == {"10", "11"}  # operators see every shop


def test_keys_create_admin_makes_an_admin_key(tmp_path: Path) -> None:
    file = tmp_path / "keys.json"
    out = subprocess.run([sys.executable, "-m", "services.cli", "keys", "--file", str(file), "create", "--admin"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    key = next(word for word in out.stdout.split() if word.startswith("eik_"))
    caller = KeyStore(file).identify(key)
    assert caller is not None and caller.admin and KeyStore(file).shop_for(key) is None
    listed = subprocess.run([sys.executable, "-m", "services.cli", "keys", "--file", str(file), "list"],
                            capture_output=True, text=True, timeout=120).stdout
    assert "admin" in listed and key not in listed


def test_the_banner_tells_the_truth_about_keys_and_lists_the_endpoints(tmp_path: Path) -> None:
    keyed = stack(tmp_path / "data", require_api_keys=True)
    text = banner(keyed, review=True)
    assert "no API keys" not in text and "API keys: required" in text
    assert keyed.url("logger") + "/dashboard" in text and keyed.url("logger") + "/dashboard/review" in text
    assert keyed.url("ask") + "/mcp/" in text
    assert keyed.secrets.logger_admin_token in text and keyed.secrets.ask_admin_key in text  # shown once ...
    again = banner(stack(tmp_path / "data", require_api_keys=True), review=False)
    assert keyed.secrets.logger_admin_token not in again and keyed.secrets.ask_admin_key not in again  # ... only
    assert "/dashboard/review" not in again  # not listed where the logger has no review page
    assert "API keys: not required" in banner(stack(tmp_path / "other"), review=False)
