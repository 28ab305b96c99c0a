"""The ask service's errors, and the HTTP status each kind answers with (``http_status``)."""

from __future__ import annotations

from shared.errors import BrokerError, ConfigError, EcomInsightError


class AskError(EcomInsightError):
    """Root of the ask service's errors."""


class Refused(AskError):
    """A question refused before it was read: empty, too long, or for an unknown shop.
    ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


class AuthError(AskError):
    """A request without a valid key for its shop. ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 401, retry_after_s: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after_s = retry_after_s


class WarehouseError(AskError):
    """The warehouse file is missing, locked or not a warehouse."""


class ImportDataError(AskError):
    """A file that cannot be imported (unknown table, missing columns, bad values)."""


def http_status(exc: EcomInsightError) -> int:
    """The status for an error that reached a route: the request's own fault is a 4xx, a part
    that is down (warehouse, broker) a 503, a misconfigured service a 500."""
    if isinstance(exc, Refused | AuthError):
        return exc.status
    if isinstance(exc, ImportDataError):
        return 422
    if isinstance(exc, WarehouseError | BrokerError):
        return 503
    if isinstance(exc, ConfigError):
        return 500
    return 503  # another part of the system failed: worth a retry
