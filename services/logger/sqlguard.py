"""Run one read-only SELECT for a user: parse it with sqlglot, refuse anything else, cap the rows
and interrupt it after a time limit.

Refused: more than one statement, anything that is not a query (INSERT, UPDATE, DELETE, CREATE,
DROP, ATTACH, COPY, PRAGMA, SET, ...), tables other than the log tables, and table functions
that read files (``read_csv``, ``read_parquet``, ``glob``, ...). The statement also runs inside a
transaction that is rolled back, and with ``LIMIT max_rows + 1`` around it to see truncation.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import re
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from services.logger.errors import SqlRefused, SqlTimeout
from services.logger.schema import READABLE_TABLES

# Node types that write, attach or otherwise do more than read.
_FORBIDDEN: tuple[type[exp.Expression], ...] = tuple(
    getattr(exp, name)
    for name in (
        "Insert", "Update", "Delete", "Merge", "Create", "Drop", "Alter", "AlterTable", "Command", "Copy",
        "Pragma", "Set", "Attach", "Detach", "Use", "Transaction", "Commit", "Rollback", "Into", "LoadData",
        "Install", "Export", "TruncateTable", "Describe", "Summarize",
    )
    if hasattr(exp, name)
)


@dataclass(frozen=True)
class SqlResult:
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    elapsed_ms: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "columns": self.columns,
            "rows": self.rows,
            "row_count": len(self.rows),
            "truncated": self.truncated,
            "elapsed_ms": round(self.elapsed_ms, 2),
        }


def check_select(sql: str) -> str:
    """Return the statement (without a trailing ``;``) if it is one read-only query, else raise."""
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise SqlRefused("empty statement")
    try:
        statements = [s for s in sqlglot.parse(text, read="duckdb") if s is not None]
    except sqlglot.errors.ParseError as exc:
        raise SqlRefused(f"cannot parse the statement: {str(exc).splitlines()[0]}") from exc
    if len(statements) != 1:
        raise SqlRefused("exactly one statement is allowed")
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        raise SqlRefused(f"only SELECT queries are allowed, not {tree.key.upper()}")
    for node in tree.walk():
        if isinstance(node, _FORBIDDEN):
            raise SqlRefused(f"only read-only SELECT queries are allowed ({node.key.upper()} found)")
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    # CTE names are checked without their scope: keep them plain words, so a name that DuckDB
    # would read as a file ("/etc/x.csv" declared in one subquery, used in another) is refused.
    for cte_name in ctes:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", cte_name):
            raise SqlRefused(f"a WITH name must be a plain word (letters, digits, _), not {cte_name!r}")
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):  # a table function such as read_csv('...')
            raise SqlRefused(f"table functions are not allowed: {table.sql(dialect='duckdb')}")
        name = table.name.lower()
        if table.args.get("db") or table.args.get("catalog"):
            raise SqlRefused(f"only the log tables can be read, not {table.sql(dialect='duckdb')}")
        if name not in READABLE_TABLES and name not in ctes:
            raise SqlRefused(f"unknown table {table.name!r}; readable tables: {', '.join(READABLE_TABLES)}")
    for func in tree.find_all(exp.Func):
        name = (func.sql_name() if not isinstance(func, exp.Anonymous) else str(func.this)).lower()
        if name.startswith(("read_", "glob", "parquet_", "sniff_", "query", "getenv", "duckdb_")) or name.endswith(
            "_scan"
        ):
            raise SqlRefused(f"function {name}() is not allowed")
    return text


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


def run_select(conn: duckdb.DuckDBPyConnection, sql: str, max_rows: int = 1000, timeout_s: float = 5.0) -> SqlResult:
    """Run a checked SELECT on ``conn`` (a cursor of its own) with a row cap and a time limit."""
    text = check_select(sql)
    timer = threading.Timer(timeout_s, conn.interrupt)
    started = time.perf_counter()
    conn.begin()
    timer.start()
    try:
        cur = conn.execute(f"SELECT * FROM ({text}) AS user_query LIMIT {int(max_rows) + 1}")
        columns = [d[0] for d in cur.description or []]
        rows = cur.fetchall()
    except duckdb.InterruptException as exc:
        raise SqlTimeout(f"the query ran longer than {timeout_s:g}s and was stopped") from exc
    except duckdb.Error as exc:
        raise SqlRefused(f"the query failed: {str(exc).splitlines()[0]}") from exc
    finally:
        timer.cancel()
        with contextlib.suppress(duckdb.Error):
            conn.rollback()
    elapsed_ms = (time.perf_counter() - started) * 1000
    truncated = len(rows) > max_rows
    out = [[_json_value(v) for v in row] for row in rows[:max_rows]]
    return SqlResult(columns, out, truncated, elapsed_ms)
