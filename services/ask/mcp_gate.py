"""What stands in front of the MCP endpoint (``/mcp/``): keys, sessions, duplicate request ids.

Every HTTP request to the endpoint passes ``McpGate`` before the SDK sees it:

* **a key**: where keys are required, a request without a valid key (shop or admin) is a 401,
  ``initialize`` included; failed attempts count against the client address like everywhere
  else on the ask API (``throttle.py``: 429 with ``Retry-After`` once they pile up);
* **sessions per key**: a session belongs to the key that opened it (another key, or none,
  gets a 404 for it, as if it did not exist); a key holds at most ``sessions_per_key`` open
  sessions (another ``initialize`` is a 429 with ``Retry-After``); a session idle for
  ``session_idle_s`` expires (404: the client opens a new one), the SDK reaps it too;
* **every request is answered**: a JSON-RPC id already in flight on the session is refused at
  once with a JSON-RPC error (HTTP 409) instead of shadowing the first request, and a request
  not answered within ``request_timeout_s`` gets a JSON-RPC error (HTTP 504).

ASGI only (no framework): the SDK's Starlette app is the ``inner`` app.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.ask.errors import AuthError
from services.ask.keys import presented_key, resolve_caller
from services.ask.state import Services
from services.ask.throttle import client_address, failures_watched
from shared.http import retry_after_header

SESSION_HEADER = b"mcp-session-id"
INVALID_REQUEST, INTERNAL_ERROR = -32600, -32603


@dataclass
class Session:
    owner: str  # the key id that opened it ("local" without keys)
    last_used: float
    in_flight: set[str] = field(default_factory=set)  # JSON-RPC ids being answered


def _error(status: int, message: str, request_id: Any = None, headers: dict[str, str] | None = None) -> ASGIApp:
    body = json.dumps(
        {"jsonrpc": "2.0", "id": request_id, "error": {"code": INVALID_REQUEST if status < 500 else INTERNAL_ERROR,
                                                        "message": message}}
    ).encode()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    return app


def _request_ids(body: bytes) -> list[str]:
    """The ids of the JSON-RPC requests in a POST body (notifications and responses have none)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return []
    messages = parsed if isinstance(parsed, list) else [parsed]
    return [
        json.dumps(m["id"]) for m in messages if isinstance(m, dict) and "method" in m and m.get("id") is not None
    ]


class McpGate:
    def __init__(
        self,
        services: Callable[[], Services],
        sessions_per_key: int,
        session_idle_s: float,
        request_timeout_s: float,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.services = services
        self.sessions_per_key = sessions_per_key
        self.session_idle_s = session_idle_s
        self.request_timeout_s = request_timeout_s
        self.clock = clock
        self.sessions: dict[str, Session] = {}

    def _expired(self, session: Session, now: float) -> bool:
        return now - session.last_used > self.session_idle_s and not session.in_flight

    def _open_sessions(self, owner: str, now: float) -> list[Session]:
        for sid in [sid for sid, s in self.sessions.items() if self._expired(s, now)]:
            del self.sessions[sid]
        return [s for s in self.sessions.values() if s.owner == owner]

    async def __call__(self, inner: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        s = self.services()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        try:
            with failures_watched(s, client_address(scope)):
                key = presented_key(headers.get("authorization"), headers.get("x-api-key"))
                caller = resolve_caller(s.keys, key, s.keys_required)
        except AuthError as exc:
            await _error(exc.status, str(exc), headers=retry_after_header(exc.retry_after_s))(scope, receive, send)
            return
        owner = caller.key_id if caller is not None else "local"
        now = self.clock()
        sid = headers.get("mcp-session-id")
        method = scope.get("method", "GET")
        if sid is None:
            if method != "POST":
                await inner(scope, receive, send)  # the SDK answers (a 400: no session)
                return
            await self._open(inner, owner, now, scope, receive, send)
            return
        session = self.sessions.get(sid)
        if session is None or session.owner != owner or self._expired(session, now):
            if session is not None and session.owner == owner:
                del self.sessions[sid]  # expired: the SDK reaps it after the same idle time
            await _error(404, "Session not found (expired, closed, or opened with another key)")(scope, receive, send)
            return
        session.last_used = now
        if method != "POST":
            marker = f"{method}:{id(scope)}"  # an open stream keeps the session from expiring
            session.in_flight.add(marker)
            try:
                await inner(scope, receive, send)  # GET (the server's stream) or DELETE (close)
            finally:
                session.in_flight.discard(marker)
                session.last_used = self.clock()
                if method == "DELETE":
                    self.sessions.pop(sid, None)
            return
        body, replay = await _buffered(receive)
        ids = _request_ids(body)
        if busy := [i for i in ids if i in session.in_flight]:
            await _error(409, f"request id {busy[0]} is already in flight on this session; use a new id",
                         json.loads(busy[0]))(scope, receive, send)
            return
        session.in_flight.update(ids)
        try:
            await self._answer(inner, scope, replay, send, ids)
        finally:
            session.in_flight.difference_update(ids)
            session.last_used = self.clock()

    async def _open(self, inner: ASGIApp, owner: str, now: float, scope: Scope, receive: Receive, send: Send) -> None:
        """An ``initialize``: refused over the key's cap, else served and its session recorded."""
        open_now = self._open_sessions(owner, now)
        if len(open_now) >= self.sessions_per_key:
            wait = min(s.last_used for s in open_now) + self.session_idle_s - now
            await _error(
                429,
                f"this key has {len(open_now)} open MCP sessions (the most allowed): close one (DELETE) "
                f"or wait until one expires",
                headers={"Retry-After": str(max(1, round(wait)))},
            )(scope, receive, send)
            return

        async def recording(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                for k, v in message.get("headers", []):
                    if k.lower() == SESSION_HEADER:
                        self.sessions[v.decode("latin-1")] = Session(owner, self.clock())
            await send(message)

        body, replay = await _buffered(receive)
        await self._answer(inner, scope, replay, recording, _request_ids(body))

    async def _answer(self, inner: ASGIApp, scope: Scope, receive: Receive, send: Send, ids: list[str]) -> None:
        """``inner`` within the request timeout; a JSON-RPC error when it ran out before answering."""
        started = False

        async def watching(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        with anyio.move_on_after(self.request_timeout_s) as timer:
            await inner(scope, receive, watching)
        if timer.cancelled_caught and not started:
            request_id = json.loads(ids[0]) if ids else None
            await _error(504, f"no answer within {self.request_timeout_s:g}s", request_id)(scope, receive, send)


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body (the app's body limit bounds it), and a ``receive`` that replays it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = b"".join(chunks)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay
