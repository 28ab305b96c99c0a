"""The sandbox process of ``POST /sql`` (run as a script: it imports nothing of the project).

It reads jobs from stdin and answers on stdout, one frame each (8-byte big-endian length, then
the payload). A job is a JSON header ``{"sql", "tables": [...], "limits": {...}}`` followed by
one Arrow IPC stream per table. For each job it opens a fresh in-memory DuckDB with external
access off (no files, no extensions, no ATTACH, no COPY), a memory and a thread limit, registers
the tables, locks the configuration and only then runs the statement, capping rows and bytes.
The answer is JSON: ``{"ok": true, "columns", "rows", "truncated", "truncated_by"}`` or
``{"ok": false, "kind": "refused" | "timeout", "message"}``.

DuckDB checks for an interrupt between chunks only, so a single huge scalar (``range(20000000)``)
runs on regardless; the parent kills this process at the deadline and starts another.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import struct
import sys
import threading
import uuid
from typing import IO, Any

import duckdb
import pyarrow as pa

HEADER = struct.Struct(">Q")


def read_frame(stream: IO[bytes]) -> bytes | None:
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        return None
    return data


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


def plain(value: Any) -> Any:
    """A JSON value for what DuckDB returned (non-finite floats as strings, bytes as hex)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() and abs(value) < decimal.Decimal("1e300") else str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return str(value)


def sandbox(limits: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(
        ":memory:",
        config={
            "enable_external_access": False,
            "autoload_known_extensions": False,
            "autoinstall_known_extensions": False,
            "memory_limit": str(limits["memory_limit"]),
            "threads": int(limits["threads"]),
            "temp_directory": "",  # nothing spills to disk
        },
    )


def run(header: dict[str, Any], tables: dict[str, pa.Table]) -> dict[str, Any]:
    limits = header["limits"]
    max_rows, max_bytes = int(limits["max_rows"]), int(limits["max_bytes"])
    con = sandbox(limits)
    try:
        for name, table in tables.items():
            con.register(name, table)
        con.execute("SET lock_configuration = true")
        timer = threading.Timer(float(limits["timeout_s"]), con.interrupt)
        timer.start()
        try:
            # the newline ends a trailing '-- comment' before the closing parenthesis
            rel = con.sql(f"SELECT * FROM (\n{header['sql']}\n) AS user_query LIMIT {max_rows + 1}")
            columns = list(rel.columns)
            rows: list[list[Any]] = []
            used, truncated_by = 0, None
            for batch in rel.to_arrow_reader(256):
                take = batch.num_rows
                if used + batch.nbytes > max_bytes:  # keep the rows that fit
                    take = 0
                    while take < batch.num_rows and used + batch.slice(take, 1).nbytes <= max_bytes:
                        used += batch.slice(take, 1).nbytes
                        take += 1
                    truncated_by = "bytes"
                else:
                    used += batch.nbytes
                cols = [plain(c.to_pylist()) for c in batch.slice(0, take).columns]
                rows.extend([list(r) for r in zip(*cols, strict=True)] if cols else [[] for _ in range(take)])
                if truncated_by or len(rows) > max_rows:
                    break
        finally:
            timer.cancel()
        if len(rows) > max_rows:
            rows, truncated_by = rows[:max_rows], truncated_by or "rows"
        if truncated_by == "bytes" and not rows:
            return {"ok": False, "kind": "too_large",
                    "message": f"the first row alone is larger than the {max_bytes:,}-byte result limit"}
        return {"ok": True, "columns": columns, "rows": rows, "truncated": truncated_by is not None,
                "truncated_by": truncated_by}
    except duckdb.InterruptException:
        return {"ok": False, "kind": "timeout", "message": "interrupted"}
    except duckdb.Error as exc:
        first = (str(exc).splitlines() or ["error"])[0]
        return {"ok": False, "kind": "refused", "message": f"the query failed: {first[:500]}"}
    except RecursionError:
        return {"ok": False, "kind": "refused", "message": "the result nests too deeply"}
    except Exception as exc:  # anything else: an answer, not a dead worker
        return {"ok": False, "kind": "refused", "message": f"the query failed: {type(exc).__name__}"}
    finally:
        con.close()


def main() -> int:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    write_frame(stdout, b'{"ready": true}')
    while True:
        raw = read_frame(stdin)
        if raw is None:
            return 0
        header = json.loads(raw)
        tables: dict[str, pa.Table] = {}
        for name in header["tables"]:
            data = read_frame(stdin)
            if data is None:
                return 0
            tables[name] = pa.ipc.open_stream(data).read_all()
        answer = run(header, tables)
        del tables
        write_frame(stdout, json.dumps(answer, allow_nan=False).encode())


if __name__ == "__main__":
    sys.exit(main())
