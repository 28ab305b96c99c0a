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

import httpx
from fastapi import APIRouter, Query, Request

from services.ask.errors import AskError
from services.ask.routes import shop_of
from services.ask.state import Services
from services.ask.throttle import client_address

Only = Literal["all", "failed", "low_confidence"]
router = APIRouter()


class LoggerUnavailable(AskError):
    """The logger did not answer, or refused the service's own token (a 503: worth a retry)."""


def from_logger(s: Services, path: str, params: dict[str, Any]) -> Any:
    """GET ``path`` from the logger with the service's read token; ``LoggerUnavailable`` else."""
    url = s.settings.logger_url.rstrip("/")
    token = s.settings.logger_read_token
    headers = {"Authorization": f"Bearer {token.get_secret_value()}"} if token is not None else {}
    query = {k: v for k, v in params.items() if v is not None}
    try:
        r = httpx.get(f"{url}{path}", params=query, headers=headers, timeout=s.settings.logger_timeout_s)
    except httpx.HTTPError as exc:
        raise LoggerUnavailable(f"the logger at {url} did not answer: {exc}") from exc
    if r.status_code >= 400:
        try:
            detail = r.json().get("detail", r.text)
        except ValueError:
            detail = r.text
        raise LoggerUnavailable(f"the logger refused ({r.status_code}): {detail}")
    return r.json()


def shop_stats(s: Services, shop: str, since: datetime | None = None, until: datetime | None = None) -> dict[str, Any]:
    """The logger's statistics of one shop."""
    params = {"shop_id": shop, "since": since.isoformat() if since else None, "until": until.isoformat() if until else None}
    return dict(from_logger(s, "/stats", params))


def shop_queries(s: Services, shop: str, limit: int, offset: int, only: Only, threshold: float) -> dict[str, Any]:
    """A page of one shop's logged queries, newest first."""
    params = {"shop_id": shop, "limit": limit, "offset": offset, "only": only, "threshold": threshold}
    return dict(from_logger(s, "/queries", params))


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
