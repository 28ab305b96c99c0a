"""Who is asking: the key a request presents, the shop it may ask about and the caller (a shop or
an admin). ``shop_of`` and ``caller_of`` serve HTTP and MCP alike; the routes take a request's
``Credentials`` as a FastAPI dependency (``CredentialsDep``). Failed attempts are throttled per
client address (``throttle.py``); anything refused raises ``AuthError``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from services.ask.answering import clean
from services.ask.keys import Caller, presented_key, resolve_caller, resolve_shop
from services.ask.state import Services
from services.ask.throttle import client_address, failures_watched

AuthorizationHeader = Annotated[str | None, Header(include_in_schema=False)]
ApiKeyHeader = Annotated[str | None, Header(alias="X-API-Key", description="the shop's API key")]


def shop_of(
    s: Services,
    authorization: str | None,
    x_api_key: str | None,
    body_shop_id: str | None,
    client: str | None = None,
) -> str:
    """The caller's shop (the key decides), rate-limited per shop where keys are required (a
    local ``up`` without keys is not limited: its demo asks hundreds of questions at once);
    failed attempts are throttled per ``client`` address (``throttle.py``); raises ``AuthError``."""
    key = presented_key(authorization, x_api_key)
    with failures_watched(s, client):
        shop_id = resolve_shop(s.keys, key, clean(body_shop_id) if body_shop_id else None, s.keys_required)
    if s.keys_required:
        s.limiter.check(shop_id)
    return shop_id


def caller_of(s: Services, authorization: str | None, x_api_key: str | None, client: str | None) -> Caller | None:
    """Who sent the key (a shop or an admin), None without a key where none is required; throttled
    like ``shop_of``."""
    with failures_watched(s, client):
        return resolve_caller(s.keys, presented_key(authorization, x_api_key), s.keys_required)


@dataclass(frozen=True)
class Credentials:
    """What one HTTP request presents: its ``Authorization`` and ``X-API-Key`` headers and the
    client address its failed attempts are counted against."""

    authorization: str | None
    x_api_key: str | None
    client: str | None

    @property
    def key(self) -> str | None:
        """The presented key, from either header; None without one."""
        return presented_key(self.authorization, self.x_api_key)

    def shop(self, s: Services, body_shop_id: str | None) -> str:
        """The shop this request may ask about (``shop_of``)."""
        return shop_of(s, self.authorization, self.x_api_key, body_shop_id, self.client)

    def caller(self, s: Services) -> Caller | None:
        """Who sent the key (``caller_of``)."""
        return caller_of(s, self.authorization, self.x_api_key, self.client)


def credentials(
    request: Request, authorization: AuthorizationHeader = None, x_api_key: ApiKeyHeader = None
) -> Credentials:
    """The request's ``Credentials`` (a FastAPI dependency: the headers show in ``/docs``)."""
    return Credentials(authorization, x_api_key, client_address(request.scope))


CredentialsDep = Annotated[Credentials, Depends(credentials)]
