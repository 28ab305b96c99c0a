"""The one client of the logger's HTTP API, for every service that reads or writes the logs.

    logger = LoggerClient("http://127.0.0.1:8002", read_token="...", timeout_s=10.0)
    logger.stats(shop_id="11")                    # GET /stats
    logger.sql("SELECT count(*) FROM queries")    # POST /sql, with the admin token

Reads send the read token, admin calls (``/sql``, ``/export``, labelling) the admin token; a
client without the token a call needs sends no ``Authorization`` header (a local logger with open
reads answers, any other refuses). Every failure is one of two errors, each a
``shared.errors.EcomInsightError``: ``LoggerUnreachable`` (no answer) and ``LoggerRefused`` (an
HTTP status of 400 or more, with the logger's ``detail`` message). Callers map them to their own
errors; the messages here are the ones users see.
"""

from __future__ import annotations

from typing import Any

import httpx

from shared.errors import EcomInsightError


class LoggerApiError(EcomInsightError):
    """A call to the logger's HTTP API failed."""


class LoggerUnreachable(LoggerApiError):
    """The logger did not answer (refused connection, timeout, broken response)."""


class LoggerRefused(LoggerApiError):
    """The logger answered with an error status; ``detail`` is its own message."""

    def __init__(self, status: int, detail: str):
        super().__init__(f"the logger refused ({status}): {detail}")
        self.status = status
        self.detail = detail


def _detail(response: httpx.Response) -> str:
    """The ``detail`` of an error answer, else its text."""
    try:
        return str(response.json().get("detail", response.text))
    except (ValueError, AttributeError):
        return response.text


class LoggerClient:
    """The logger's API at ``base_url``: one method per endpoint, each returning the decoded body."""

    def __init__(
        self,
        base_url: str,
        read_token: str | None = None,
        admin_token: str | None = None,
        timeout_s: float = 10.0,
        http: httpx.Client | None = None,
    ):
        """``http``: a client of the caller's to send through (a test's mock transport); none: a
        fresh connection a call."""
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.read_token = read_token
        self.admin_token = admin_token
        self.timeout_s = timeout_s

    # -- the call --------------------------------------------------------------------------------
    def request(self, method: str, path: str, admin: bool = False, **kwargs: Any) -> httpx.Response:
        """One call with the read token (or with ``admin`` the admin token); ``LoggerUnreachable``
        or ``LoggerRefused`` unless the logger answers below 400."""
        token = self.admin_token if admin else self.read_token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            send = self.http.request if self.http is not None else httpx.request
            response = send(method, f"{self.base_url}{path}", headers=headers, timeout=self.timeout_s, **kwargs)
        except httpx.HTTPError as exc:
            raise LoggerUnreachable(f"the logger at {self.base_url} did not answer: {exc}") from exc
        if response.status_code >= 400:
            raise LoggerRefused(response.status_code, _detail(response))
        return response

    def _json(self, method: str, path: str, admin: bool = False, **kwargs: Any) -> Any:
        response = self.request(method, path, admin, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise LoggerUnreachable(f"the logger at {self.base_url} answered {path} with no JSON: {exc}") from exc

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        return self._json("GET", path, params=query)

    # -- health ----------------------------------------------------------------------------------
    def answers(self, timeout_s: float = 1.0) -> bool:
        """Whether a logger (not some other service) answers ``GET /health`` within ``timeout_s``."""
        try:
            response = httpx.get(f"{self.base_url}/health", timeout=timeout_s)
            return response.status_code == 200 and response.json().get("service") == "logger"
        except (httpx.HTTPError, ValueError, AttributeError):
            return False

    # -- statistics and logged queries (read token) ----------------------------------------------
    def stats(self, **filters: Any) -> dict[str, Any]:
        """``GET /stats``: totals, rates, latencies, intents, feedback, per model version. Filters:
        ``shop_id``, ``since``, ``until``, ``model_version`` (None: not filtered)."""
        return dict(self._get("/stats", filters))

    def queries(self, **params: Any) -> dict[str, Any]:
        """``GET /queries``: a page of logged queries (``shop_id``, ``limit``, ``offset``, ``only``,
        ``threshold``), newest first, with ``next_offset``."""
        return dict(self._get("/queries", params))

    def failed_queries(self, limit: int = 10) -> list[dict[str, Any]]:
        """``GET /queries/failed``: the latest queries that were not answered."""
        return list(self._get("/queries/failed", {"limit": limit}))

    def low_confidence_queries(self, threshold: float = 0.7, limit: int = 10) -> list[dict[str, Any]]:
        """``GET /queries/low-confidence``: answered queries below ``threshold``."""
        return list(self._get("/queries/low-confidence", {"threshold": threshold, "limit": limit}))

    def query(self, query_id: str) -> dict[str, Any]:
        """``GET /queries/{id}``: one logged query with its feedback."""
        return dict(self._get(f"/queries/{query_id}"))

    # -- review --------------------------------------------------------------------------------
    def review_queue(self, shop_id: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """``GET /review/queue``: queries waiting for a reviewer's label."""
        return list(self._get("/review/queue", {"limit": limit, "shop_id": shop_id or None})["items"])

    def review_labels(self) -> list[dict[str, Any]]:
        """``GET /review/labels``: every reviewer's label, as the ask service learns from them."""
        return list(self._get("/review/labels")["labels"])

    def label(self, query_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /review/{id}`` (admin): label one query."""
        return dict(self._json("POST", f"/review/{query_id}", admin=True, json=body))

    # -- admin: SQL and exports ------------------------------------------------------------------
    def sql(self, sql: str, max_rows: int | None = None) -> dict[str, Any]:
        """``POST /sql`` (admin): one read-only SELECT in the sandbox: columns and rows."""
        return dict(self._json("POST", "/sql", admin=True, json={"sql": sql, "max_rows": max_rows}))

    def export(self) -> dict[str, Any]:
        """``POST /export`` (admin): write the fine-tuning set now; its id, path and counts."""
        return dict(self._json("POST", "/export", admin=True))

    def export_data(self, export_id: str) -> bytes:
        """``GET /exports/{id}/data`` (admin): the exported JSONL file's bytes."""
        return self.request("GET", f"/exports/{export_id}/data", admin=True).content
