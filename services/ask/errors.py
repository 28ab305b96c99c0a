"""The ask service's errors. Each carries what its HTTP answer needs (``status``)."""

from __future__ import annotations

from shared.errors import EcomInsightError


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
