"""The ask service over the Model Context Protocol (the official SDK, ``mcp`` 2.x).

Four read-only tools, each with a typed input schema:

* ``ask(question)``: the answer and its ``interpretation`` (what was computed), logged like any
  other query with ``source: "mcp"``;
* ``metrics_catalog()``: every metric with its definition, group-bys, filters and examples;
* ``shop_stats()``: the logger's statistics of the caller's shop;
* ``run_sql(sql)``: the logger's sandboxed read-only SQL, for the logger's admin token only.

The shop comes from the caller's API key, as on ``POST /api/mcp/ask``: ``Authorization: Bearer``
or ``X-API-Key`` on the MCP HTTP request, or ``ECOMINSIGHT_MCP_API_KEY`` for stdio
(``ecominsight mcp``). Without keys (a local run) a ``shop_id`` argument names the shop. A bad
key, a bad question or an unknown shop comes back as a tool error with the message.

Served over streamable HTTP at ``/mcp/`` of the ask app (``McpEndpoint``, run in its lifespan)
and over stdio (``serve_stdio``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio
import httpx
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from services.ask.answering import Refused, answer_request
from services.ask.keys import KEY_RE, AuthError, presented_key
from services.ask.models import AskResponse
from services.ask.routes import shop_of
from services.ask.semantic.catalog import catalogue
from services.ask.state import Services

INSTRUCTIONS = (
    "Answers plain-English questions about one shop's orders, revenue, customers and products "
    "from its warehouse. Every answer states what was computed (metric, statuses, filters, period "
    "with dates) and carries it as `interpretation`. A question that is not fully understood is "
    "refused (success false) with what was understood and questions that can be answered instead; "
    "call metrics_catalog to see what can be asked."
)
READ_ONLY = ToolAnnotations(readOnlyHint=True, destructiveHint=False, openWorldHint=False)

ShopArg = Annotated[
    str | None,
    Field(description="the shop asked about; leave it out when the API key decides (it always does when keys are on)"),
]


class StdioSettings(BaseSettings):
    """``ecominsight mcp`` has no HTTP headers: the key its MCP client configures (``ECOMINSIGHT_MCP_API_KEY``)."""

    model_config = SettingsConfigDict(env_prefix="ECOMINSIGHT_MCP_", extra="ignore")

    api_key: SecretStr | None = None


class McpTools:
    """The tools, over the ask service's ``Services`` (looked up per call: the app opens them in
    its lifespan). ``default_key`` is the key of a stdio client, which sends no headers."""

    def __init__(self, services: Callable[[], Services], default_key: str | None = None):
        self.services = services
        self.default_key = default_key

    # -- who is calling ------------------------------------------------------------------------
    def _credentials(self, ctx: Context) -> tuple[str | None, str | None]:
        headers: Mapping[str, str] | None = ctx.headers
        if headers is None:  # stdio
            return None, self.default_key
        return headers.get("authorization"), headers.get("x-api-key")

    def _shop(self, s: Services, ctx: Context, shop_id: str | None) -> str:
        authorization, x_api_key = self._credentials(ctx)
        try:
            return shop_of(s, authorization, x_api_key, shop_id)
        except AuthError as exc:
            raise ToolError(str(exc)) from exc

    # -- the logger ----------------------------------------------------------------------------
    def _logger(self, s: Services, method: str, path: str, token: str | None, **kwargs: Any) -> Any:
        url = s.settings.logger_url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            r = httpx.request(method, f"{url}{path}", headers=headers, timeout=s.settings.logger_timeout_s, **kwargs)
        except httpx.HTTPError as exc:
            raise ToolError(f"the logger at {url} did not answer: {exc}") from exc
        if r.status_code >= 400:
            try:
                detail = r.json().get("detail", r.text)
            except ValueError:
                detail = r.text
            raise ToolError(f"the logger refused ({r.status_code}): {detail}")
        return r.json()

    # -- the tools -----------------------------------------------------------------------------
    def ask(
        self,
        question: Annotated[str, Field(description="a plain-English question about the shop",
                                       examples=["How many orders did I get last month?"])],
        ctx: Context,
        shop_id: ShopArg = None,
        conversation_id: Annotated[
            str | None,
            Field(
                description="the conversation_id of a previous answer: the question is read as its follow-up "
                "('and last month?', 'what about France?')"
            ),
        ] = None,
    ) -> AskResponse:
        """Answer a question about the shop's orders, revenue, customers or products. The answer
        states the metric, the statuses counted, every filter and the period with its dates;
        `interpretation` is the structured query that was computed. When the question is not fully
        understood, `success` is false and `clarification` says what was understood and how to ask."""
        s = self.services()
        shop = self._shop(s, ctx, shop_id)
        try:
            return answer_request(s, shop, question, source="mcp", conversation_id=conversation_id).response
        except Refused as exc:
            raise ToolError(str(exc)) from exc

    def metrics_catalog(self) -> dict[str, Any]:
        """What can be asked: every metric with its definition, the statuses it counts, the
        dimensions it can be grouped by, the filters it takes and example questions."""
        return {"metrics": catalogue()}

    def shop_stats(self, ctx: Context, shop_id: ShopArg = None) -> dict[str, Any]:
        """The logged statistics of the shop's queries: totals, success rate, response times,
        intents, feedback and model versions."""
        s = self.services()
        shop = self._shop(s, ctx, shop_id)
        token = s.settings.logger_read_token.get_secret_value() if s.settings.logger_read_token else None
        return dict(self._logger(s, "GET", "/stats", token, params={"shop_id": shop}))

    def run_sql(
        self,
        sql: Annotated[str, Field(description="one read-only SELECT over the logged `queries` and `feedback` tables",
                                  examples=["SELECT intent, count(*) FROM queries GROUP BY 1"])],
        ctx: Context,
        max_rows: Annotated[int | None, Field(ge=1, description="at most this many rows")] = None,
    ) -> dict[str, Any]:
        """Run one read-only SQL query in the logger's sandbox (columns, rows). For operators:
        only the logger's admin token is accepted as the key, never a shop's API key."""
        s = self.services()
        authorization, x_api_key = self._credentials(ctx)
        key = presented_key(authorization, x_api_key)
        if key is None or KEY_RE.fullmatch(key):
            raise ToolError("run_sql needs the logger's admin token as the key; a shop's API key cannot run SQL")
        return dict(self._logger(s, "POST", "/sql", key, json={"sql": sql, "max_rows": max_rows}))


def build_server(services: Callable[[], Services], default_key: str | None = None) -> MCPServer:
    tools = McpTools(services, default_key)
    server: MCPServer = MCPServer("ecominsight", instructions=INSTRUCTIONS, version="2.0")
    server.add_tool(tools.ask, name="ask", title="Ask about the shop", annotations=READ_ONLY)
    server.add_tool(tools.metrics_catalog, name="metrics_catalog", title="What can be asked", annotations=READ_ONLY)
    server.add_tool(tools.shop_stats, name="shop_stats", title="The shop's query statistics", annotations=READ_ONLY)
    server.add_tool(tools.run_sql, name="run_sql", title="Read-only SQL over the query logs (admin)",
                    annotations=READ_ONLY)
    return server


class McpEndpoint:
    """The streamable HTTP transport, mounted into the ask app. ``run()`` belongs in the app's
    lifespan (the SDK's session manager needs its task group); each run serves a fresh server, so
    an app can be started more than once (as tests do)."""

    def __init__(self, services: Callable[[], Services], host: str):
        self.services = services
        self.host = host  # a loopback host turns on the SDK's DNS-rebinding protection
        self._app: ASGIApp | None = None

    @asynccontextmanager
    async def run(self) -> AsyncIterator[None]:
        server = build_server(self.services)
        app = server.streamable_http_app(streamable_http_path="/", host=self.host)
        async with server.session_manager.run():
            self._app = app
            try:
                yield
            finally:
                self._app = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is None:
            await JSONResponse({"detail": "the MCP endpoint is not running"}, status_code=503)(scope, receive, send)
            return
        await self._app(scope, receive, send)


def serve_stdio(services: Services, key: str | None) -> None:
    """Serve the tools over stdin/stdout until the client closes them."""
    anyio.run(build_server(lambda: services, default_key=key).run_stdio_async)
