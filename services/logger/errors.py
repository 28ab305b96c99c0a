"""The logger's user-facing errors."""

from __future__ import annotations

from shared.errors import EcomInsightError
from shared.errors import TooFewExamples as TooFewExamples  # one class for logger and trainer
from shared.http import ErrorStatuses


class LoggerError(EcomInsightError):
    """Root of the logger's errors."""


class SqlRefused(LoggerError):
    """The statement given to the SQL endpoint is not one read-only SELECT."""


class SqlTimeout(LoggerError):
    """The statement ran past the time limit and was interrupted."""


class LogsUnavailable(LoggerError):
    """Neither a running logger nor a log database could be found."""


class SqlTooLarge(SqlRefused):
    """The statement's result is larger than the byte limit even for one row."""


class AuthError(LoggerError):
    """A read or admin endpoint was called without the right token."""


class BadFilter(LoggerError):
    """A filter value that cannot select anything (a time outside the representable range)."""


class ReviewError(LoggerError):
    """``ecominsight review`` could not do what was asked (a service is down, a query is unknown,
    a rephrasing is not understood either)."""


# The HTTP status of each error a route lets out (``shared.http.install_error_handlers``).
HTTP_STATUSES: ErrorStatuses = {BadFilter: 422, SqlRefused: 400, SqlTimeout: 408, TooFewExamples: 409}
