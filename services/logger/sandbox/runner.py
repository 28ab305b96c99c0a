"""Where ``POST /sql`` and ``ecominsight sql`` run a user's statement: DuckDB itself is the sandbox.

1. ``guard.check_select`` refuses anything but one SELECT over the log tables (first line);
2. the tables it reads are copied, in one transaction of the logger's connection and only the
   columns it names, into Arrow tables;
3. a worker process (``child.py``) runs the statement on a fresh in-memory DuckDB that
   holds only those copies, with external access off and the configuration locked, a memory and
   a thread limit, and caps the rows and the bytes of the result;
4. the time limit covers everything: the worker interrupts DuckDB at the deadline, and because
   DuckDB cannot interrupt one long scalar call (``SELECT range(20000000)`` runs ~15 s), the
   worker is killed shortly after the deadline and a new one is started for the next statement.

Why a copy and not the file: DuckDB refuses a second attach of a file that this process already
has open ("Unique file handle conflict"), and a cursor of the logger's connection shares its
configuration, which the sink needs unlocked.
"""

from __future__ import annotations

import json
import logging
import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import pyarrow as pa

from services.logger.errors import SqlRefused, SqlTimeout, SqlTooLarge
from services.logger.sandbox.child import HEADER
from services.logger.sandbox.guard import CheckedQuery, check_select

log = logging.getLogger(__name__)

WORKER = Path(__file__).with_name("child.py")
START_TIMEOUT_S = 60.0  # starting Python and importing DuckDB on a busy machine
KILL_GRACE_S = 0.3  # after the deadline: time for DuckDB's own interrupt before the kill


@dataclass(frozen=True)
class SqlLimits:
    max_rows: int = 1000
    max_bytes: int = 8 * 1024 * 1024
    timeout_s: float = 5.0
    memory_limit: str = "256MB"
    threads: int = 1


@dataclass(frozen=True)
class SqlResult:
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    truncated_by: str | None
    elapsed_ms: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "columns": self.columns,
            "rows": self.rows,
            "row_count": len(self.rows),
            "truncated": self.truncated,
            "truncated_by": self.truncated_by,
            "elapsed_ms": round(self.elapsed_ms, 2),
        }


_NARROW = ("BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "DOUBLE", "TIMESTAMP")


class _Deadline(Exception):
    pass


def snapshot(conn: duckdb.DuckDBPyConnection, query: CheckedQuery, timeout_s: float) -> dict[str, pa.Table]:
    """The tables ``query`` reads, as Arrow tables: only the columns it names (all of them for
    ``*``), read in one transaction so they agree with each other."""
    timer = threading.Timer(timeout_s, conn.interrupt)
    timer.start()
    conn.begin()
    try:
        out: dict[str, pa.Table] = {}
        for table in sorted(query.tables):  # names from schema.READABLE_TABLES only
            shape = conn.sql(f"SELECT * FROM {table} LIMIT 0")
            columns = list(shape.columns)
            wanted = columns if query.needs_all_columns else [c for c in columns if c.lower() in query.identifiers]
            if not wanted:  # count(*) and the like: the narrowest column carries the row count
                small = [c for c, t in zip(columns, shape.types, strict=True) if str(t) in _NARROW]
                wanted = (small or columns)[:1]
            select_list = ", ".join(f'"{c}"' for c in wanted)
            out[table] = conn.sql(f"SELECT {select_list} FROM {table}").to_arrow_table()
        return out
    except duckdb.InterruptException as exc:
        raise SqlTimeout(f"the query ran longer than {timeout_s:g}s and was stopped") from exc
    finally:
        timer.cancel()
        conn.rollback()


def _ipc(table: pa.Table) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()  # written to the pipe as it is: no copy to bytes


class SqlSandbox:
    """One sandbox worker process, started on first use, killed and replaced after a timeout.
    Statements run one at a time. A context manager: leaving it stops the worker."""

    def __init__(self, limits: SqlLimits | None = None):
        self.limits = limits or SqlLimits()
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self.kills = 0

    # -- the worker ----------------------------------------------------------------------------
    def _start(self) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, "-I", str(WORKER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd="/"
        )
        try:
            self._read(proc, time.monotonic() + START_TIMEOUT_S)
        except (_Deadline, EOFError) as exc:
            self._kill(proc)
            raise SqlRefused("the SQL sandbox did not start") from exc
        return proc

    @staticmethod
    def _kill(proc: subprocess.Popen[bytes]) -> None:
        proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()

    @staticmethod
    def _read_exact(proc: subprocess.Popen[bytes], n: int, deadline: float) -> bytes:
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        chunks: list[bytes] = []
        while n > 0:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise _Deadline()
            chunk = os.read(fd, min(n, 1 << 20))
            if not chunk:
                raise EOFError("the sandbox worker exited")
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def _read(self, proc: subprocess.Popen[bytes], deadline: float) -> dict[str, Any]:
        (size,) = HEADER.unpack(self._read_exact(proc, HEADER.size, deadline))
        return dict(json.loads(self._read_exact(proc, size, deadline)))

    def close(self) -> None:
        with self._lock:
            if self._proc is not None:
                self._kill(self._proc)
                self._proc = None

    def __enter__(self) -> SqlSandbox:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- use -----------------------------------------------------------------------------------
    def run(self, conn: duckdb.DuckDBPyConnection, sql: str, max_rows: int | None = None) -> SqlResult:
        """Check ``sql``, copy what it reads from ``conn`` and run it in the sandbox."""
        query = check_select(sql)
        limits = self.limits
        rows = min(max_rows or limits.max_rows, limits.max_rows)
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._proc = self._start()
            proc = self._proc
            started = time.monotonic()
            deadline = started + limits.timeout_s
            tables = snapshot(conn, query, limits.timeout_s)
            header = {
                "sql": query.text,
                "tables": list(tables),
                "limits": {**asdict(limits), "max_rows": rows, "timeout_s": max(0.01, deadline - time.monotonic())},
            }
            try:
                assert proc.stdin is not None
                head = json.dumps(header).encode()
                proc.stdin.write(HEADER.pack(len(head)) + head)
                for name in list(tables):
                    data = _ipc(tables.pop(name))
                    proc.stdin.write(HEADER.pack(data.size))
                    proc.stdin.write(memoryview(data))
                    del data
                proc.stdin.flush()
                answer = self._read(proc, deadline + KILL_GRACE_S)
            except (_Deadline, EOFError, BrokenPipeError) as exc:
                self._kill(proc)
                self._proc = None
                self.kills += 1
                if isinstance(exc, _Deadline):
                    raise SqlTimeout(f"the query ran longer than {limits.timeout_s:g}s and was stopped") from exc
                raise SqlRefused("the query stopped the SQL sandbox (out of memory?)") from exc
        elapsed_ms = (time.monotonic() - started) * 1000
        if not answer.get("ok"):
            kind, message = answer.get("kind"), str(answer.get("message"))
            if kind == "timeout":
                raise SqlTimeout(f"the query ran longer than {limits.timeout_s:g}s and was stopped")
            if kind == "too_large":
                raise SqlTooLarge(message)
            raise SqlRefused(message)
        return SqlResult(answer["columns"], answer["rows"], answer["truncated"], answer["truncated_by"], elapsed_ms)
