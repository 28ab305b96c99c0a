"""What the logger's routes depend on: the running service, its settings, the query filters and
the tokens (``require_reader``, ``require_admin``).

A token goes in ``Authorization: Bearer <token>`` (or ``X-Admin-Token: <token>``). Reads take the
read token or the admin token (none in a local run that set no read token); admin routes take
the admin token.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from services.logger.service import LoggerService
from services.logger.settings import Settings
from services.logger.stats.summary import Filters


def get_service(request: Request) -> LoggerService:
    service: LoggerService = request.app.state.service
    return service


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def query_filters(
    shop_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    model_version: str | None = None,
) -> Filters:
    """Query parameters that select queries: one shop, a time window [since, until), a model
    version (a window that cannot select anything is a ``BadFilter``: 422)."""
    return Filters(shop_id, since, until, model_version)


def presented_token(
    authorization: Annotated[str | None, Header()] = None,
    x_admin_token: Annotated[str | None, Header()] = None,
) -> str | None:
    """The token the caller sent, as ``Authorization: Bearer <token>`` or ``X-Admin-Token: <token>``."""
    if x_admin_token:
        return x_admin_token
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip() or None
    return None


def _matches(given: str, *tokens: str) -> bool:
    ok = False
    for token in tokens:  # compare with every token: the time does not say which one matched
        ok |= secrets.compare_digest(given.encode(), token.encode())
    return ok


Presented = Annotated[str | None, Depends(presented_token)]


def require_admin(request: Request, given: Presented) -> None:
    """The admin token."""
    settings = get_settings(request)
    if not given:
        raise HTTPException(
            401, "admin token required: send 'Authorization: Bearer <token>' or 'X-Admin-Token'"
        )
    if settings.admin_token is None:
        raise HTTPException(403, "this logger has no admin token (ECOMINSIGHT_LOGGER_ADMIN_TOKEN)")
    if not _matches(given, settings.admin_token.get_secret_value()):
        raise HTTPException(403, "wrong admin token")


def require_reader(request: Request, given: Presented) -> None:
    """The read token or the admin token; nothing in a local run that set no read token."""
    settings = get_settings(request)
    if settings.open_reads:
        return
    if not given:
        raise HTTPException(401, "read token required: send 'Authorization: Bearer <read or admin token>'")
    tokens = [settings.admin_token.get_secret_value()] if settings.admin_token is not None else []
    if settings.read_token is not None:
        tokens.append(settings.read_token.get_secret_value())
    if not _matches(given, *tokens):
        raise HTTPException(403, "wrong token")


Service = Annotated[LoggerService, Depends(get_service)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
QueryFilters = Annotated[Filters, Depends(query_filters)]
READER = [Depends(require_reader)]
ADMIN = [Depends(require_admin)]
