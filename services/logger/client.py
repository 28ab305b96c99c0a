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

from services.logger.errors import LoggerError, LogsUnavailable, SqlRefused, SqlTimeout, TooFewExamples
from services.logger.export.training_set import export_for_finetuning as export_from_db
from services.logger.sandbox.runner import SqlSandbox
from services.logger.settings import Settings
from services.logger.sink.schema import open_db
from services.logger.stats import summary as stats
from shared.kafka import EventProducer
from shared.local_secrets import local_secret
from shared.logger_client import LoggerApiError, LoggerClient, LoggerRefused
from shared.settings import plain_secret


class LogClient:
    """Reads the logs through the running logger, or from the file when it is stopped."""

    def __init__(self, settings: Settings | None = None, timeout_s: float = 30.0):
        self.settings = settings or Settings()
        self.timeout_s = timeout_s
        self._online: bool | None = None
        self.api = self._api_client()

    def _api_client(self) -> LoggerClient:
        """The HTTP client: reads with the read token when one is set, else with the admin token
        (which reads too); none in the environment: the one `ecominsight up` made for this data
        folder, if any."""
        s = self.settings
        admin = plain_secret(s.admin_token) or local_secret(s.paths.data_dir, "logger_admin_token")
        read = plain_secret(s.read_token) or admin
        return LoggerClient(s.base_url, read_token=read, admin_token=admin, timeout_s=self.timeout_s)

    # -- where to read from --------------------------------------------------------------------
    @property
    def online(self) -> bool:
        """Whether a logger answers on ``base_url`` (checked once per client)."""
        if self._online is None:
            self._online = self.api.answers(timeout_s=1.0)
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

    @contextmanager
    def _calling(self) -> Iterator[None]:
        """The logger's errors as the CLI's: a refused SQL statement, a timeout, too few examples
        by their own class with the logger's message; anything else a ``LoggerError``."""
        try:
            yield
        except LoggerRefused as exc:
            error = {400: SqlRefused, 408: SqlTimeout, 409: TooFewExamples}.get(exc.status)
            raise (error(exc.detail) if error else LoggerError(f"HTTP {exc.status}: {exc.detail}")) from exc
        except LoggerApiError as exc:
            raise LoggerError(str(exc)) from exc

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
            with self._calling():
                return self.api.stats(**f.as_dict())
        with self._db() as conn:
            return stats.get_statistics(conn, f)

    def get_failed_queries(self, limit: int = 10) -> list[dict[str, Any]]:
        if self.online:
            with self._calling():
                return self.api.failed_queries(limit)
        with self._db() as conn:
            return stats.get_failed_queries(conn, limit)

    def get_low_confidence_queries(self, threshold: float = 0.7, limit: int = 10) -> list[dict[str, Any]]:
        if self.online:
            with self._calling():
                return self.api.low_confidence_queries(threshold, limit)
        with self._db() as conn:
            return stats.get_low_confidence_queries(conn, threshold, limit)

    def sql(self, query: str, max_rows: int | None = None) -> dict[str, Any]:
        if self.online:
            with self._calling():
                return self.api.sql(query, max_rows)
        with self._db() as conn, SqlSandbox(self.settings.sql_limits()) as box:
            return box.run(conn, query, max_rows).as_dict()

    # -- the review queue (the running logger only: labelling writes) ----------------------------
    def review_queue(self, shop_id: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        with self._calling():
            return self.api.review_queue(shop_id, limit)

    def query(self, query_id: str) -> dict[str, Any]:
        with self._calling():
            return self.api.query(query_id)

    def label(self, query_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._calling():
            return self.api.label(query_id, body)

    def export_for_finetuning(self, output_file: str | Path | None = None) -> dict[str, Any]:
        """Export the fine-tuning set; with ``output_file``, a copy is written there too."""
        out = Path(output_file) if output_file else None
        if self.online:
            with self._calling():
                result = self.api.export()
                if out is not None:
                    data = self.api.export_data(result["export_id"])
            if out is not None:
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(data)
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
