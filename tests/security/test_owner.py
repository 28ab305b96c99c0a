"""Issue 24, finding 6: an owner reads their own statistics and history with their key
(``GET /api/mcp/stats``, ``GET /api/mcp/queries``, the MCP tools ``shop_stats`` and
``shop_queries``); the shop comes from the key, never from the request."""

from __future__ import annotations

from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult

from tests.security.conftest import Tenants


def tool(t: Tenants, who: str, name: str, arguments: dict[str, Any] | None = None) -> CallToolResult:
    async def run() -> CallToolResult:
        async with (
            httpx2.AsyncClient(headers=t.headers(who), timeout=30) as http,
            Client(streamable_http_client(f"{t.url}/mcp/", http_client=http)) as client,
        ):
            return await client.call_tool(name, arguments or {})

    return anyio.run(run)


@pytest.mark.parametrize("path", ["/api/mcp/stats", "/api/mcp/queries"])
def test_no_key_no_data_and_the_key_decides_the_shop(tenants: Tenants, path: str) -> None:
    c = tenants.client
    assert c.get(path).status_code == 401
    assert c.get(path, params={"shop_id": "10"}).status_code == 401
    assert c.get(path, headers={"X-API-Key": "eik_000000000000_" + "x" * 40}).status_code == 401
    for other in ("11", "12", "10' OR 1=1", "*"):
        assert c.get(path, params={"shop_id": other}, headers=tenants.headers("10")).status_code == 403, other
    assert c.get(path, headers=tenants.headers("admin")).status_code == 403  # an admin key reads no shop
    assert c.get(path, params={"shop_id": "10"}, headers=tenants.headers("10")).status_code == 200


def test_stats_are_the_shops_own(tenants: Tenants) -> None:
    mine = tenants.client.get("/api/mcp/stats", headers=tenants.headers("10")).json()
    other = tenants.client.get("/api/mcp/stats", headers=tenants.headers("11")).json()
    assert mine["total_queries"] == 20 and other["total_queries"] == 20  # 40 logged, every other one each
    assert mine["filters"]["shop_id"] == "10" and other["filters"]["shop_id"] == "11"


def test_history_is_the_shops_own_paged_and_filtered(tenants: Tenants) -> None:
    seen: list[dict[str, Any]] = []
    offset: int | None = 0
    while offset is not None:
        page = tenants.client.get("/api/mcp/queries", params={"limit": 7, "offset": offset},
                                  headers=tenants.headers("10")).json()  # fmt: skip
        assert page["total"] == 20 and len(page["items"]) <= 7
        seen += page["items"]
        offset = page["next_offset"]
    assert len({q["query_id"] for q in seen}) == 20
    assert all("of shop 10" in q["question"] for q in seen)  # nothing of shop 11
    asked = [q["asked_at"] for q in seen]
    assert asked == sorted(asked, reverse=True)  # newest first
    failed = tenants.client.get("/api/mcp/queries", params={"only": "failed"}, headers=tenants.headers("10")).json()
    assert failed["items"] and all(q["success"] is False for q in failed["items"])
    low = tenants.client.get("/api/mcp/queries", params={"only": "low_confidence", "threshold": 0.8},
                             headers=tenants.headers("10")).json()  # fmt: skip
    assert all(q["success"] and q["confidence"] < 0.8 for q in low["items"])
    assert failed["total"] + low["total"] <= 20
    bad = tenants.client.get("/api/mcp/queries", params={"limit": 100000}, headers=tenants.headers("10"))
    assert bad.status_code == 422


def test_the_mcp_tools_read_the_keys_shop_only(tenants: Tenants) -> None:
    stats = tool(tenants, "11", "shop_stats")
    assert not stats.is_error and stats.structured_content is not None
    assert stats.structured_content["total_queries"] == 20
    history = tool(tenants, "11", "shop_queries", {"limit": 50})
    assert not history.is_error and history.structured_content is not None
    items = history.structured_content["items"]
    assert len(items) == 20 and all("of shop 11" in q["question"] for q in items)
    walked = tool(tenants, "11", "shop_queries", {"shop_id": "10"})
    assert walked.is_error and "this API key is for shop '11'" in " ".join(getattr(c, "text", "") for c in walked.content)
