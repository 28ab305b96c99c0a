"""The ask service over the Model Context Protocol (the official SDK, ``mcp`` 2.x).

Five read-only tools, each with a typed input schema:

* ``ask(question)``: the answer and its ``interpretation`` (what was computed), logged like any
  other query with ``source: "mcp"``;
* ``metrics_catalog()``: every metric with its definition, group-bys, filters and examples;
* ``shop_stats()``: the logger's statistics of the caller's shop;
* ``shop_queries(limit, offset, only)``: the caller's shop's own logged queries, paged;
* ``run_sql(sql)``: the logger's sandboxed read-only SQL, for an admin key only
  (``ecominsight keys create --admin``); the service uses its own logger admin token.

Over HTTP, every request needs a valid key where keys are required (``initialize`` too), sessions
are per key, capped and expire, and every request is answered or refused (``mcp_gate.py``).
The shop comes from the caller's API key, as on ``POST /api/mcp/ask``: ``Authorization: Bearer``
or ``X-API-Key`` on the MCP HTTP request, or ``ECOMINSIGHT_MCP_API_KEY`` for stdio
(``ecominsight mcp``). Without keys (a local run) a ``shop_id`` argument names the shop. A bad
key, a bad question or an unknown shop comes back as a tool error with the message.

Served over streamable HTTP at ``/mcp/`` of the ask app (``McpEndpoint``, run in its lifespan)
and over stdio (``serve_stdio``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from services.ask import owner
from services.ask.access import shop_of
from services.ask.answering import Refused, answer_request
from services.ask.keys import AuthError, Caller, presented_key, resolve_caller
from services.ask.mcp_gate import McpGate
from services.ask.schemas import AskResponse
from services.ask.semantic.catalog import capabilities, catalogue
from services.ask.settings import Settings
from services.ask.state import Services
from shared.logger_client import LoggerApiError

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

    model_config = SettingsConfigDict(env_prefix="ECOMINSIGHT_MCP_", extra="ignore", use_attribute_docstrings=True)

    api_key: SecretStr | None = None
    """The API key of ``ecominsight mcp`` (MCP over stdio): the shop its tools answer for."""


@contextmanager
def tool_errors(*kinds: type[Exception]) -> Iterator[None]:
    """Errors of ``kinds`` become a ``ToolError`` with their message: what the MCP client shows."""
    try:
        yield
    except kinds as exc:
        raise ToolError(str(exc)) from exc


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

    def _caller(self, s: Services, ctx: Context) -> Caller | None:
        authorization, x_api_key = self._credentials(ctx)
        with tool_errors(AuthError):
            return resolve_caller(s.keys, presented_key(authorization, x_api_key), s.keys_required)

    def _shop(self, s: Services, ctx: Context, shop_id: str | None) -> str:
        authorization, x_api_key = self._credentials(ctx)
        with tool_errors(AuthError):
            return shop_of(s, authorization, x_api_key, shop_id)

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
        with tool_errors(Refused):
            return answer_request(s, shop, question, source="mcp", conversation_id=conversation_id).response

    def metrics_catalog(self) -> dict[str, Any]:
        """What can be asked: every metric with its definition, the statuses it counts, the
        dimensions it can be grouped by, the filters it takes and example questions."""
        return {"metrics": catalogue(), "capabilities": capabilities()}

    def shop_stats(self, ctx: Context, shop_id: ShopArg = None) -> dict[str, Any]:
        """The logged statistics of the shop's queries: totals, success rate, response times,
        intents, feedback and model versions."""
        s = self.services()
        shop = self._shop(s, ctx, shop_id)
        with tool_errors(owner.LoggerUnavailable):
            return owner.shop_stats(s, shop)

    def shop_queries(
        self,
        ctx: Context,
        limit: Annotated[int, Field(ge=1, le=500, description="at most this many queries")] = 20,
        offset: Annotated[int, Field(ge=0, description="skip this many (the last page's next_offset)")] = 0,
        only: Annotated[owner.Only, Field(description="failed: not answered; low_confidence: answered "
                                                      "with confidence below 0.7")] = "all",
        shop_id: ShopArg = None,
    ) -> dict[str, Any]:
        """The shop's own logged questions and answers, newest first, a page at a time."""
        s = self.services()
        shop = self._shop(s, ctx, shop_id)
        with tool_errors(owner.LoggerUnavailable):
            return owner.shop_queries(s, shop, limit, offset, only, 0.7)

    def run_sql(
        self,
        sql: Annotated[str, Field(description="one read-only SELECT over the logged `queries` and `feedback` tables",
                                  examples=["SELECT intent, count(*) FROM queries GROUP BY 1"])],
        ctx: Context,
        max_rows: Annotated[int | None, Field(ge=1, description="at most this many rows")] = None,
    ) -> dict[str, Any]:
        """Run one read-only SQL query in the logger's sandbox (columns, rows), over every shop's
        logs. For operators: only an admin key (`ecominsight keys create --admin`) may, never a
        shop's key; the service calls the logger with its own admin token."""
        s = self.services()
        caller = self._caller(s, ctx)
        if caller is None or not caller.admin:
            raise ToolError("run_sql needs an admin key (ecominsight keys create --admin); a shop's key cannot run SQL")
        token = s.settings.logger_admin_token
        if token is None:
            raise ToolError("run_sql is not set up here: the ask service has no ECOMINSIGHT_ASK_LOGGER_ADMIN_TOKEN")
        with tool_errors(LoggerApiError):
            return owner.logger_client(s).sql(sql, max_rows)


def build_server(services: Callable[[], Services], default_key: str | None = None) -> MCPServer:
    tools = McpTools(services, default_key)
    server: MCPServer = MCPServer("ecominsight", instructions=INSTRUCTIONS, version="2.0")
    server.add_tool(tools.ask, name="ask", title="Ask about the shop", annotations=READ_ONLY)
    server.add_tool(tools.metrics_catalog, name="metrics_catalog", title="What can be asked", annotations=READ_ONLY)
    server.add_tool(tools.shop_stats, name="shop_stats", title="The shop's query statistics", annotations=READ_ONLY)
    server.add_tool(tools.shop_queries, name="shop_queries", title="The shop's own query history",
                    annotations=READ_ONLY)
    server.add_tool(tools.run_sql, name="run_sql", title="Read-only SQL over the query logs (admin)",
                    annotations=READ_ONLY)
    return server


class McpEndpoint:
    """The streamable HTTP transport, mounted into the ask app. ``run()`` belongs in the app's
    lifespan (the SDK's session manager needs its task group); each run serves a fresh server, so
    an app can be started more than once (as tests do)."""

    def __init__(self, services: Callable[[], Services], host: str, settings: Settings | None = None):
        self.services = services
        self.host = host  # a loopback host turns on the SDK's DNS-rebinding protection
        self.settings = settings or Settings()
        self._app: ASGIApp | None = None
        # keys, sessions per key, duplicate ids and timeouts (mcp_gate.py), in front of the SDK
        self.gate = McpGate(
            services,
            self.settings.mcp_sessions_per_key,
            self.settings.mcp_session_idle_s,
            self.settings.mcp_request_timeout_s,
        )

    @asynccontextmanager
    async def run(self) -> AsyncIterator[None]:
        server = build_server(self.services)
        # JSON responses: a request is answered once, whole, so a timeout can still answer it
        app = server.streamable_http_app(
            streamable_http_path="/",
            host=self.host,
            json_response=True,
            session_idle_timeout=self.settings.mcp_session_idle_s,
        )
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
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        await self.gate(self._app, scope, receive, send)


def serve_stdio(services: Services, key: str | None) -> None:
    """Serve the tools over stdin/stdout until the client closes them."""
    anyio.run(build_server(lambda: services, default_key=key).run_stdio_async)
