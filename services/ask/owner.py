"""An owner's own statistics and history, read with their key: ``GET /api/mcp/stats`` and ``GET
/api/mcp/queries`` (and the MCP tools ``shop_stats`` and ``shop_queries``).

The shop comes from the key, never from the request: a ``shop_id`` parameter naming another shop
is a 403, like on ``/api/mcp/ask``. The ask service reads the logger with its own read token
(``ECOMINSIGHT_ASK_LOGGER_READ_TOKEN``), always for that one shop; the caller's key never
reaches the logger.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from services.ask.access import shop_of
from services.ask.errors import AskError
from services.ask.state import Services
from services.ask.throttle import client_address
from shared.logger_client import LoggerApiError, LoggerClient

Only = Literal["all", "failed", "low_confidence"]
router = APIRouter()


class LoggerUnavailable(AskError):
    """The logger did not answer, or refused the service's own token (a 503: worth a retry)."""


def logger_client(s: Services) -> LoggerClient:
    """The logger, as the ask service calls it: its own read and admin tokens, its timeout."""
    settings = s.settings
    return settings.logger_client(settings.logger_timeout_s, admin_token=settings.logger_admin_token)


def shop_stats(s: Services, shop: str, since: datetime | None = None, until: datetime | None = None) -> dict[str, Any]:
    """The logger's statistics of one shop."""
    try:
        return logger_client(s).stats(shop_id=shop, since=since.isoformat() if since else None,
                                      until=until.isoformat() if until else None)  # fmt: skip
    except LoggerApiError as exc:
        raise LoggerUnavailable(str(exc)) from exc


def shop_queries(s: Services, shop: str, limit: int, offset: int, only: Only, threshold: float) -> dict[str, Any]:
    """A page of one shop's logged queries, newest first."""
    try:
        return logger_client(s).queries(shop_id=shop, limit=limit, offset=offset, only=only, threshold=threshold)
    except LoggerApiError as exc:
        raise LoggerUnavailable(str(exc)) from exc


@router.get("/api/mcp/stats")
def stats(
    request: Request,
    shop_id: Annotated[str | None, Query(max_length=64, description="optional: must be the key's own shop")] = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """Your shop's query statistics (totals, success rate, response times, intents, feedback,
    corrections, model versions), from the logger, for the shop of your key only."""
    s: Services = request.app.state.services
    shop = shop_of(s, request.headers.get("authorization"), request.headers.get("x-api-key"), shop_id,
                   client_address(request.scope))  # fmt: skip
    return shop_stats(s, shop, since, until)


@router.get("/api/mcp/queries")
def queries(
    request: Request,
    shop_id: Annotated[str | None, Query(max_length=64, description="optional: must be the key's own shop")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    only: Annotated[Only, Query(description="failed: not answered; low_confidence: below threshold")] = "all",
    threshold: Annotated[float, Query(ge=0.0, le=1.0)] = 0.7,
) -> dict[str, Any]:
    """Your shop's questions and answers, newest first, a page at a time (``next_offset``)."""
    s: Services = request.app.state.services
    shop = shop_of(s, request.headers.get("authorization"), request.headers.get("x-api-key"), shop_id,
                   client_address(request.scope))  # fmt: skip
    return shop_queries(s, shop, limit, offset, only, threshold)
