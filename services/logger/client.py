"""The Python API for notebooks, with the original names::

    from services.logger.client import get_statistics, get_failed_queries
    get_statistics()
    get_failed_queries(limit=5)
    get_low_confidence_queries(threshold=0.7, limit=10)
    export_for_finetuning("finetuning_data.jsonl")

It asks the running logger over HTTP (``Settings.base_url``) and, when no logger answers, opens
the database file read-only (DuckDB allows one writer: the logger).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import httpx

from services.logger import stats
from services.logger.errors import LoggerError, LogsUnavailable, SqlRefused, SqlTimeout, TooFewExamples
from services.logger.export import export_for_finetuning as export_from_db
from services.logger.sandbox import SqlSandbox
from services.logger.schema import open_db
from services.logger.settings import Settings
from shared.kafka import EventProducer
from shared.local_secrets import local_secret


class LogClient:
    """Reads the logs through the running logger, or from the file when it is stopped."""

    def __init__(self, settings: Settings | None = None, timeout_s: float = 30.0):
        self.settings = settings or Settings()
        self.timeout_s = timeout_s
        self._online: bool | None = None

    # -- where to read from --------------------------------------------------------------------
    @property
    def online(self) -> bool:
        """Whether a logger answers on ``base_url`` (checked once per client)."""
        if self._online is None:
            try:
                r = httpx.get(f"{self.settings.base_url}/health", timeout=1.0)
                self._online = r.status_code == 200 and r.json().get("service") == "logger"
            except (httpx.HTTPError, ValueError):
                self._online = False
        return self._online

    @property
    def source(self) -> str:
        return self.settings.base_url if self.online else str(self.settings.paths.logs_db)

    @contextmanager
    def _db(self) -> Iterator[duckdb.DuckDBPyConnection]:
        path = self.settings.paths.logs_db
        if not path.exists():
            raise LogsUnavailable(
                f"no logger answers at {self.settings.base_url} and there is no log database at {path}"
            )
        try:
            conn = open_db(path, read_only=True)
        except duckdb.IOException as exc:
            raise LogsUnavailable(
                f"cannot open {path} read-only (a logger holds it but does not answer?): {exc}"
            ) from exc
        try:
            yield conn
        finally:
            conn.close()

    def _request(self, method: str, path: str, admin: bool = False, **kwargs: Any) -> Any:
        """A call to the running logger: with the admin token, or for reads the read token when
        one is set (else the admin token, which reads too)."""
        token = self.settings.admin_token
        if not admin and self.settings.read_token is not None:
            token = self.settings.read_token
        # none in the environment: the one `ecominsight up` made for this data folder, if any
        plain = token.get_secret_value() if token is not None else local_secret(self.settings.paths.data_dir,
                                                                                  "logger_admin_token")
        headers = {"Authorization": f"Bearer {plain}"} if plain else {}
        try:
            r = httpx.request(
                method, f"{self.settings.base_url}{path}", headers=headers, timeout=self.timeout_s, **kwargs
            )
        except httpx.HTTPError as exc:
            raise LoggerError(f"the logger at {self.settings.base_url} did not answer: {exc}") from exc
        if r.status_code >= 400:
            try:
                detail = r.json().get("detail", r.text)
            except ValueError:
                detail = r.text
            error = {400: SqlRefused, 408: SqlTimeout, 409: TooFewExamples}.get(r.status_code, LoggerError)
            raise error(f"{detail}" if error is not LoggerError else f"HTTP {r.status_code}: {detail}")
        if r.headers.get("content-type", "").startswith("application/json"):
            return r.json()
        return r.content

    # -- the API -------------------------------------------------------------------------------
    def get_statistics(
        self,
        shop_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        model_version: str | None = None,
    ) -> dict[str, Any]:
        f = stats.Filters(shop_id, since, until, model_version)
        if self.online:
            params = {k: v for k, v in f.as_dict().items() if v is not None}
            return dict(self._request("GET", "/stats", params=params))
        with self._db() as conn:
            return stats.get_statistics(conn, f)

    def get_failed_queries(self, limit: int = 10) -> list[dict[str, Any]]:
        if self.online:
            return list(self._request("GET", "/queries/failed", params={"limit": limit}))
        with self._db() as conn:
            return stats.get_failed_queries(conn, limit)

    def get_low_confidence_queries(self, threshold: float = 0.7, limit: int = 10) -> list[dict[str, Any]]:
        if self.online:
            return list(
                self._request(
                    "GET", "/queries/low-confidence", params={"threshold": threshold, "limit": limit}
                )
            )
        with self._db() as conn:
            return stats.get_low_confidence_queries(conn, threshold, limit)

    def sql(self, query: str, max_rows: int | None = None) -> dict[str, Any]:
        if self.online:
            return dict(self._request("POST", "/sql", admin=True, json={"sql": query, "max_rows": max_rows}))
        with self._db() as conn, SqlSandbox(self.settings.sql_limits()) as box:
            return box.run(conn, query, max_rows).as_dict()

    # -- the review queue (the running logger only: labelling writes) ----------------------------
    def review_queue(self, shop_id: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"limit": limit, **({"shop_id": shop_id} if shop_id else {})}
        return list(self._request("GET", "/review/queue", params=params)["items"])

    def query(self, query_id: str) -> dict[str, Any]:
        return dict(self._request("GET", f"/queries/{query_id}"))

    def label(self, query_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self._request("POST", f"/review/{query_id}", admin=True, json=body))

    def export_for_finetuning(self, output_file: str | Path | None = None) -> dict[str, Any]:
        """Export the fine-tuning set; with ``output_file``, a copy is written there too."""
        out = Path(output_file) if output_file else None
        if self.online:
            result = dict(self._request("POST", "/export", admin=True))
            if out is not None:
                data = self._request("GET", f"/exports/{result['export_id']}/data", admin=True)
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(data if isinstance(data, bytes) else str(data).encode())
                result["output_file"] = str(out.resolve())
            return result
        with (
            self._db() as conn,
            EventProducer(self.settings.kafka, client_id="ecominsight-logger-cli") as producer,
        ):
            result = export_from_db(conn, self.settings, None, producer=producer, record=False).as_dict()
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(result["path"], out)
            result["output_file"] = str(out.resolve())
        return result


def get_statistics(**filters: Any) -> dict[str, Any]:
    return LogClient().get_statistics(**filters)


def get_failed_queries(limit: int = 10) -> list[dict[str, Any]]:
    return LogClient().get_failed_queries(limit)


def get_low_confidence_queries(threshold: float = 0.7, limit: int = 10) -> list[dict[str, Any]]:
    return LogClient().get_low_confidence_queries(threshold, limit)


def export_for_finetuning(output_file: str | Path = "finetuning_data.jsonl") -> dict[str, Any]:
    return LogClient().export_for_finetuning(output_file)
