"""HTTP pieces every service uses: a request-body cap, 422s that do not echo the input, and the
one mapping from the project's errors to HTTP answers.

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)  # 413 above the cap
    install_error_handlers(app, {BadRequest: 422, ModelRefused: 503})  # 422s and EcomInsightErrors

``install_error_handlers`` answers a body that does not fit the route's model with a 422 naming
what is wrong and where (never the value itself), and every ``EcomInsightError`` that reaches a
route with ``{"detail": message}`` and the status of its class (plus ``Retry-After`` when the
error carries ``retry_after_s``).

``BodyLimit`` is plain ASGI: a ``Content-Length`` over the cap is answered 413 before the body is
read; a body sent without one (chunked) is counted while the app reads it, and the app is told
the client went away as soon as it passes the cap (the 413 is sent instead of the app's answer).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import EcomInsightError

MAX_ERRORS = 5
MAX_MESSAGE_CHARS = 300


async def _send_413(send: Send, max_bytes: int) -> None:
    body = f'{{"detail": "request body larger than {max_bytes} bytes"}}'.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware: 413 for request bodies over ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int = 1024 * 1024):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > self.max_bytes:
                    await _send_413(send, self.max_bytes)
                    return
        received = 0
        started = False  # the app began its response
        cut = False  # we answered 413 ourselves

        async def counting_receive() -> Message:
            nonlocal received, cut
            if cut:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    if not started:
                        await _send_413(send, self.max_bytes)
                    cut = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if cut:
                return  # the app's answer to a body it never fully got
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS] + "..."


def validation_details(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    """A one-line message and the first errors, each without the input that caused it."""
    errors = []
    for err in exc.errors()[:MAX_ERRORS]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        errors.append({"loc": [str(p) for p in err.get("loc", ())], "msg": _short(err.get("msg")),
                       "type": str(err.get("type"))})
        errors[-1]["where"] = where
    message = "invalid request: " + "; ".join(f"{e.pop('where')}: {e['msg']}" for e in errors)
    return message, errors


async def validation_error(_: Request, exc: Exception) -> JSONResponse:
    """422 with what is wrong and where, never the (possibly huge) value itself."""
    assert isinstance(exc, RequestValidationError)
    message, errors = validation_details(exc)
    return JSONResponse(status_code=422, content={"detail": message, "errors": errors})


ErrorStatuses = Mapping[type[EcomInsightError], int]  # an error class -> its HTTP status


def status_for(exc: EcomInsightError, statuses: ErrorStatuses, default: int = 503) -> int:
    """The status of the nearest class of ``exc`` (itself, then its parents) in ``statuses``;
    ``default`` when none is there (another part of the system failed: worth a retry)."""
    for cls in type(exc).__mro__:
        if cls in statuses:
            return statuses[cls]
    return default


def retry_after_header(seconds: float | None) -> dict[str, str] | None:
    """``{"Retry-After": whole seconds, at least 1}``; None without a wait (None or 0)."""
    return {"Retry-After": str(max(1, round(seconds)))} if seconds else None


def install_error_handlers(
    app: FastAPI, statuses: ErrorStatuses | Callable[[EcomInsightError], int], default: int = 503
) -> None:
    """422 without the input for an invalid body (``validation_error``), and ``{"detail": message}``
    for every ``EcomInsightError`` a route lets out. ``statuses`` gives each error's status: a
    mapping from error class (see ``status_for``) or, for errors that carry their own status, a
    function. An error with a ``retry_after_s`` also gets a ``Retry-After`` header."""

    async def error_answer(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, EcomInsightError)
        status = statuses(exc) if callable(statuses) else status_for(exc, statuses, default)
        headers = retry_after_header(getattr(exc, "retry_after_s", None))
        return JSONResponse(status_code=status, content={"detail": str(exc)}, headers=headers)

    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(EcomInsightError, error_answer)
