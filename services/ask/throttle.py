"""Failed authentication, throttled per client address.

Each failed attempt (no key where one is required, an unknown or revoked key, another shop's
id, an admin key where a shop key is needed) takes a token from the address's bucket
(``auth_fail_burst`` at once, refilled at ``auth_fail_per_s``). Once it is empty, every request
from that address gets a 429 with ``Retry-After`` before its key is even looked at, so guessing
keys costs the guesser time, not the service. A request with a valid key costs one dictionary
look-up here.

The address is the TCP peer (``scope["client"]``); behind a reverse proxy every client shares
the proxy's address, so run the proxy's own limits there as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from starlette.types import Scope

from services.ask.errors import AuthError
from services.ask.state import Services

FAILED = (401, 403)


def client_address(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


@contextmanager
def failures_watched(s: Services, client: str | None) -> Iterator[None]:
    """Refuse an address that failed too often (429); count an ``AuthError`` 401/403 raised
    inside against it (the error itself goes on, or a 429 once the bucket is empty)."""
    limiter = s.auth_failures
    if limiter is None or client is None:
        yield
        return
    wait = limiter.blocked(client)
    if wait is not None:
        raise AuthError(f"too many failed authentications from {client}: retry in {wait:.0f}s", 429, wait)
    try:
        yield
    except AuthError as exc:
        if exc.status in FAILED:
            try:
                limiter.check(client)
            except AuthError as limited:
                raise AuthError(
                    f"too many failed authentications from {client}: retry in {limited.retry_after_s or 1:.0f}s",
                    429,
                    limited.retry_after_s,
                ) from exc
        raise
