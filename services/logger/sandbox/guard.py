"""The first line of defence of ``POST /sql``: parse the statement with sqlglot and refuse
anything but one read-only SELECT over the log tables.

Refused: more than one statement, anything that is not a query (INSERT, UPDATE, DELETE, CREATE,
DROP, ATTACH, COPY, PRAGMA, SET, ...), tables other than the log tables (a WITH name counts only
inside the query that declares it), table functions (``read_csv(...)``, ``LATERAL f(...)``), and
functions that read files, settings or run SQL from a string. Text that sqlglot cannot tokenize
or parse, or that nests too deeply, is refused with a message too.

This is not the sandbox: the statement then runs in a DuckDB instance of its own that cannot
touch files and only holds copies of the readable tables (``runner.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from services.logger.errors import SqlRefused
from services.logger.sink.schema import READABLE_TABLES

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
_BAD_PREFIXES = (
    "read_", "glob", "parquet_", "sniff_", "query", "getenv", "duckdb_", "json_execute", "enable_", "disable_",
    "pragma_", "which_secret", "iceberg_", "delta_", "sqlite_", "postgres_", "mysql_", "load_", "install_",
    "checkpoint", "force_checkpoint", "current_setting", "set_", "icu_", "test_", "system",
)
_BAD_SUFFIXES = ("_scan", "_settings", "_metadata", "_schema", "_logs")
_PLAIN_WORD = re.compile(r"[a-z_][a-z0-9_]*")
MAX_SQL_CHARS = 20_000


@dataclass(frozen=True)
class CheckedQuery:
    """A statement the guard let through, and what it reads."""

    text: str  # the statement without a trailing ``;``
    tables: frozenset[str]  # the log tables it reads
    identifiers: frozenset[str]  # every identifier it names (lower case): the columns it may need
    needs_all_columns: bool  # ``*``, a table read as a row, NATURAL JOIN, COLUMNS(...)


def _parse(text: str) -> exp.Expr:
    try:
        statements = [s for s in sqlglot.parse(text, read="duckdb") if s is not None]
    except sqlglot.errors.SqlglotError as exc:  # ParseError, TokenError ('SELECT 1 /*', "SELECT '")
        first = (str(exc).splitlines() or ["invalid SQL"])[0]
        raise SqlRefused(f"cannot parse the statement: {first[:300]}") from exc
    except RecursionError as exc:
        raise SqlRefused("the statement nests too deeply") from exc
    if len(statements) != 1:
        raise SqlRefused("exactly one statement is allowed")
    return statements[0]


def _visible_ctes(node: exp.Expression) -> set[str]:
    """The WITH names in scope at ``node``: those declared by the queries around it."""
    names: set[str] = set()
    parent = node.parent
    while parent is not None:
        with_ = parent.args.get("with_") or parent.args.get("with")
        if isinstance(with_, exp.With):
            names.update(cte.alias_or_name.lower() for cte in with_.expressions)
        parent = parent.parent
    return names


def _function_name(func: exp.Func) -> str:
    return (str(func.this) if isinstance(func, exp.Anonymous) else func.sql_name()).lower()


def _check_tree(tree: exp.Expr) -> CheckedQuery:
    if not isinstance(tree, exp.Query):
        raise SqlRefused(f"only SELECT queries are allowed, not {tree.key.upper()}")
    for node in tree.walk():
        if isinstance(node, _FORBIDDEN):
            raise SqlRefused(f"only read-only SELECT queries are allowed ({node.key.upper()} found)")
    for cte in tree.find_all(exp.CTE):
        name = cte.alias_or_name.lower()
        if not _PLAIN_WORD.fullmatch(name):
            raise SqlRefused(f"a WITH name must be a plain word (letters, digits, _), not {name!r}")
    tables: set[str] = set()
    aliases: set[str] = set()
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):  # a table function such as read_csv('...')
            raise SqlRefused(f"table functions are not allowed: {table.sql(dialect='duckdb')[:200]}")
        if table.args.get("db") or table.args.get("catalog"):
            raise SqlRefused(f"only the log tables can be read, not {table.sql(dialect='duckdb')[:200]}")
        name = table.name.lower()
        if name in _visible_ctes(table):
            continue
        if name not in READABLE_TABLES:
            raise SqlRefused(f"unknown table {table.name[:100]!r}; readable tables: {', '.join(READABLE_TABLES)}")
        tables.add(name)
        aliases.update({name, table.alias_or_name.lower()})
    for lateral in tree.find_all(exp.Lateral):
        if not isinstance(lateral.this, exp.Subquery | exp.Query):
            raise SqlRefused(f"LATERAL takes a subquery here, not {lateral.this.sql(dialect='duckdb')[:200]}")
    for func in tree.find_all(exp.Func):
        name = _function_name(func)
        if name.startswith(_BAD_PREFIXES) or name.endswith(_BAD_SUFFIXES):
            raise SqlRefused(f"function {name[:100]}() is not allowed")
    identifiers = frozenset(i.name.lower() for i in tree.find_all(exp.Identifier))
    stars = [s for s in tree.find_all(exp.Star) if not isinstance(s.parent, exp.AggFunc)]
    natural = any(str(j.args.get("method") or "").upper() == "NATURAL" for j in tree.find_all(exp.Join))
    columns_fn = any(_function_name(f) == "columns" for f in tree.find_all(exp.Func))
    row_as_value = any(c.name.lower() in aliases and not c.table for c in tree.find_all(exp.Column))
    needs_all = bool(stars) or natural or columns_fn or row_as_value
    return CheckedQuery("", frozenset(tables), identifiers, needs_all)


def check_select(sql: str) -> CheckedQuery:
    """The checked statement if it is one read-only query over the log tables, else ``SqlRefused``."""
    if len(sql) > MAX_SQL_CHARS:
        raise SqlRefused(f"the statement is longer than {MAX_SQL_CHARS} characters")
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise SqlRefused("empty statement")
    if "\x00" in text:
        raise SqlRefused("the statement holds a NUL character")
    try:
        text.encode()
    except UnicodeEncodeError as exc:  # a lone surrogate from JSON "\ud800"
        raise SqlRefused("the statement is not valid Unicode text") from exc
    tree = _parse(text)
    try:
        checked = _check_tree(tree)
    except RecursionError as exc:
        raise SqlRefused("the statement nests too deeply") from exc
    return CheckedQuery(text, checked.tables, checked.identifiers, checked.needs_all_columns)
