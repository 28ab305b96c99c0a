"""The ask tools over the Model Context Protocol, with the SDK's own client: over streamable HTTP
(the ask app and a logger under real uvicorn servers, events through the real broker) and over
stdio (``ecominsight mcp`` as a subprocess)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult

from evaluation.phrasers import serve_http
from services.ask.app import create_app
from services.ask.keys import KeySettings, KeyStore
from services.ask.settings import Settings
from services.logger.app import create_app as create_logger_app
from shared.events import QueryEvent
from shared.settings import KafkaSettings
from tests.helpers import Collector, wait_for
from tests.logger.conftest import make_settings as logger_settings

TOOLS = {"ask", "metrics_catalog", "shop_stats", "shop_queries", "run_sql"}
ADMIN_TOKEN = "test-token"  # the logger's admin token in its test settings: the ask service's, never a caller's


@dataclass
class Stack:
    url: str  # the ask app's MCP endpoint
    key: str  # an API key of shop 10
    orphan_key: str  # a valid key of a shop the warehouse does not have
    admin_key: str  # an admin key (ecominsight keys create --admin)
    kafka: KafkaSettings


@pytest.fixture
def stack(
    tmp_path: Path, kafka_settings: KafkaSettings, make_settings: Callable[..., Settings]
) -> Iterator[Stack]:
    keys = KeyStore(tmp_path / "api_keys.json")
    key, orphan, admin = keys.create("10"), keys.create("999"), keys.create(None, admin=True)
    logger = logger_settings(tmp_path / "logger", kafka_settings)
    with serve_http(create_logger_app(logger)) as logger_url:
        settings = make_settings(
            kafka_settings,
            keys=KeySettings(
                require_api_keys=True,
                api_keys_file=keys.path,
                rate_limit_per_s=1e6,
                rate_limit_burst=1_000_000,
            ),
            logger_url=logger_url,
            logger_read_token="test-read-token",
            logger_admin_token=ADMIN_TOKEN,
        )
        with serve_http(create_app(settings)) as url:
            yield Stack(f"{url}/mcp/", key, orphan, admin, kafka_settings)


def call(url: str, key: str | None, tool: str, arguments: dict[str, Any] | None = None) -> CallToolResult:
    """One tool call in a fresh MCP session over streamable HTTP, with ``key`` as Bearer token."""

    async def run() -> CallToolResult:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=30) as http,
            Client(streamable_http_client(url, http_client=http)) as client,
        ):
            return await client.call_tool(tool, arguments or {})

    return anyio.run(run)


def error_text(result: CallToolResult) -> str:
    assert result.is_error, result
    return " ".join(getattr(c, "text", "") for c in result.content)


def test_tools_are_listed_read_only_with_typed_inputs(stack: Stack) -> None:
    async def run() -> list[Any]:
        async with (
            httpx2.AsyncClient(headers={"Authorization": f"Bearer {stack.key}"}, timeout=30) as http,
            Client(streamable_http_client(stack.url.rstrip("/"), http_client=http)) as client,  # /mcp -> /mcp/
        ):
            return list((await client.list_tools()).tools)

    tools = {t.name: t for t in anyio.run(run)}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.annotations is not None and tool.annotations.read_only_hint is True
        assert tool.description
    ask = tools["ask"].input_schema
    assert ask["required"] == ["question"] and ask["properties"]["question"]["type"] == "string"
    assert tools["run_sql"].input_schema["required"] == ["sql"]
    assert "interpretation" in (tools["ask"].output_schema or {}).get("properties", {})


def test_ask_answers_with_its_interpretation_and_is_logged_as_mcp(stack: Stack) -> None:
    with Collector(stack.kafka, stack.kafka.topic_queries) as events:
        assert "unknown shop" in error_text(
            call(stack.url, stack.orphan_key, "ask", {"question": "How many orders?"})
        )
        result = call(stack.url, stack.key, "ask", {"question": "How many paid orders did I get last month?"})
        assert not result.is_error
        body = result.structured_content
        assert body is not None and body["success"] is True
        assert body["interpretation"]["metric"] == "orders"
        assert body["interpretation"]["filters"]
        assert "order" in body["answer"] and body["answer"] in " ".join(c.text for c in result.content)  # type: ignore[union-attr]
        received = wait_for(
            lambda: [
                e for e in events.events if isinstance(e, QueryEvent) and e.query_id == body["query_id"]
            ],
            what="the MCP query's event",
        )
    assert received[0].source == "mcp" and received[0].shop_id == "10"

    # the logger consumed both: the shop's statistics count its query, not the other shop's
    def counted() -> dict[str, Any]:
        stats = call(stack.url, stack.key, "shop_stats").structured_content or {}
        return stats if stats.get("total_queries") else {}

    stats = wait_for(counted, what="shop_stats to count the query")
    assert stats["total_queries"] == 1 and stats["success_rate"] == 1.0

    # the operator reads the same row with SQL (an admin key), a shop key cannot
    sql = "SELECT shop_id, intent, success FROM queries ORDER BY shop_id"
    rows = call(stack.url, stack.admin_key, "run_sql", {"sql": sql})
    assert not rows.is_error and rows.structured_content
    assert rows.structured_content["rows"] == [["10", body["intent"], True], ["999", "invalid", False]]
    assert "admin key" in error_text(call(stack.url, stack.key, "run_sql", {"sql": "SELECT 1"}))


def test_a_question_that_is_not_understood_comes_back_with_a_clarification(stack: Stack) -> None:
    result = call(stack.url, stack.key, "ask", {"question": "What's the weather in Paris?"})
    assert not result.is_error and result.structured_content
    assert result.structured_content["success"] is False
    assert result.structured_content["clarification"]["suggestions"]


def test_metrics_catalog_lists_what_can_be_asked(stack: Stack) -> None:
    result = call(stack.url, stack.key, "metrics_catalog")
    assert not result.is_error and result.structured_content
    metrics = {m["metric"]: m for m in result.structured_content["metrics"]}
    assert {"orders", "revenue", "refund_rate"} <= set(metrics)
    assert metrics["revenue"]["definition"] == "the sum of order totals"


@pytest.mark.parametrize(
    ("key", "tool", "arguments", "message"),
    [
        ("KEY", "ask", {"question": "   "}, "question must not be empty"),
        ("KEY", "ask", {"question": "orders " * 200}, "longer than 500 characters"),
        ("KEY", "ask", {"question": "How many orders?", "shop_id": "11"}, "this API key is for shop '10'"),
        ("ORPHAN", "ask", {"question": "How many orders?"}, "unknown shop '999'"),
        ("ORPHAN", "ask", {}, "question"),  # the input schema: a required argument is missing
        ("ADMIN", "ask", {"question": "How many orders?"}, "an admin key reads no shop's data"),
    ],
)
def test_errors_come_back_as_tool_errors_with_the_message(
    stack: Stack, key: str | None, tool: str, arguments: dict[str, Any], message: str
) -> None:
    key = {"KEY": stack.key, "ORPHAN": stack.orphan_key, "ADMIN": stack.admin_key}.get(key or "", key)
    assert message in error_text(call(stack.url, key, tool, arguments))


@pytest.mark.parametrize(
    ("key", "message"),
    [(None, "an API key is required"), ("eik_000000000000_" + "x" * 40, "unknown or revoked API key")],
)
def test_without_a_valid_key_no_session_opens(stack: Stack, key: str | None, message: str) -> None:
    headers = {"Accept": "application/json, text/event-stream", **({"Authorization": f"Bearer {key}"} if key else {})}
    body = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
    response = httpx2.post(stack.url, json=body, headers=headers, timeout=30)
    assert response.status_code == 401 and message in response.json()["error"]["message"]


def test_the_stdio_server_answers_with_the_configured_key(tmp_path: Path, warehouse_path: Path) -> None:
    keys = KeyStore(tmp_path / "api_keys.json")
    env = {
        **os.environ,
        "ECOMINSIGHT_DATA_DIR": str(tmp_path),
        "ECOMINSIGHT_WAREHOUSE_PATH": str(warehouse_path),
        "ECOMINSIGHT_ASK_REQUIRE_API_KEYS": "1",
        "ECOMINSIGHT_ASK_PUBLISH_EVENTS": "0",
        "ECOMINSIGHT_ASK_USE_GENERATOR": "0",
    }

    def session(key: str) -> tuple[set[str], CallToolResult, CallToolResult]:
        params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "services.cli", "mcp"],
            env={**env, "ECOMINSIGHT_MCP_API_KEY": key},
        )

        async def run() -> tuple[set[str], CallToolResult, CallToolResult]:
            async with Client(params) as client:
                names = {t.name for t in (await client.list_tools()).tools}
                answered = await client.call_tool("ask", {"question": "revenue by category this year"})
                catalog = await client.call_tool("metrics_catalog", {})
                return names, answered, catalog

        return anyio.run(run)

    names, answered, catalog = session(keys.create("11"))
    assert names == TOOLS
    assert not answered.is_error and answered.structured_content
    assert answered.structured_content["interpretation"]["group_by"] == "category"
    assert not catalog.is_error and catalog.structured_content and catalog.structured_content["metrics"]

    _, refused, catalog = session("eik_000000000000_" + "x" * 40)
    assert "unknown or revoked API key" in error_text(refused)
    assert not catalog.is_error  # the catalogue needs no shop
