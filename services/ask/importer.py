"""``import-data``: load a shop's own CSV or Parquet files into the warehouse tables.

Each file is named after its table (``shops.csv``, ``orders.parquet``, ``order_items.csv``, ...);
a folder is searched for such files. Everything is loaded in one transaction: a file with missing
columns, unknown statuses, values that do not fit the column types, times outside 1970-2100,
negative amounts, or orders of customers (items of orders) that do not exist loads nothing and
says why. ``replace=True`` replaces the rows of exactly the shops that appear in the files, in the
tables the files hold (the items of replaced orders go with them); other shops are kept.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

import duckdb

from services.ask.errors import ImportDataError
from services.ask.warehouse import STATUSES, TABLES, open_for_writing

# Columns a file may leave out (they get their default or NULL).
OPTIONAL = {
    "shops": {"currency", "created_at"},
    "customers": {"email", "country", "created_at"},
    "products": {"category"},
}
SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
# Times a shop's data may hold (UTC), and amounts that must not be negative.
EARLIEST, LATEST = "1970-01-01", "2100-01-01"
NON_NEGATIVE = {"products": ("price",), "orders": ("total_amount",), "order_items": ("quantity", "unit_price")}
# Rows whose parent must exist (checked inside the transaction, after the parents are loaded).
PARENTS = {
    "orders": ("customers", "customer_id", "SELECT 1 FROM customers c WHERE c.shop_id = i.shop_id "
               "AND c.customer_id = i.customer_id"),
    "order_items": ("orders", "order_id", "SELECT 1 FROM orders o WHERE o.order_id = i.order_id"),
}


def collect(paths: list[Path]) -> dict[str, list[Path]]:
    """table -> files, from files and folders; raises for anything that is not a table file."""
    found: dict[str, list[Path]] = {}
    for path in paths:
        if path.is_dir():
            files = sorted(
                p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and p.stem.lower() in TABLES
            )
            if not files:
                raise ImportDataError(
                    f"{path} holds no table files (expected names like {', '.join(t + '.csv' for t in TABLES)})"
                )
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                raise ImportDataError(f"{path}: only .csv and .parquet files can be imported")
            if path.stem.lower() not in TABLES:
                raise ImportDataError(f"{path}: the file name must be one of the tables: {', '.join(TABLES)}")
            files = [path]
        else:
            raise ImportDataError(f"{path}: no such file or folder")
        for f in files:
            found.setdefault(f.stem.lower(), []).append(f)
    return found


def _read(con: duckdb.DuckDBPyConnection, path: Path) -> duckdb.DuckDBPyRelation:
    try:
        if SUFFIXES[path.suffix.lower()] == "csv":
            return con.read_csv(str(path), header=True, all_varchar=True)
        return con.read_parquet(str(path))
    except duckdb.Error as exc:
        raise ImportDataError(f"{path}: cannot read it: {exc}") from exc


def _column_sql(column: str, present: bool) -> str:
    """The SELECT expression that loads ``column`` (constants and known column names only)."""
    if column == "created_at":
        return 'CAST(CAST("created_at" AS TIMESTAMPTZ) AS TIMESTAMP)' if present else "CAST(now() AS TIMESTAMP)"
    if column == "status":
        return 'lower("status")'
    return f'"{column}"'


def _check_values(con: duckdb.DuckDBPyConnection, table: str, path: Path, columns: list[str]) -> None:
    """Refuse times outside [EARLIEST, LATEST) and negative amounts (before anything is loaded)."""
    if "created_at" in columns:
        row = con.execute(
            f"SELECT CAST(created_at AS VARCHAR) FROM incoming WHERE {_column_sql('created_at', True)} "
            "NOT BETWEEN CAST(? AS TIMESTAMP) AND CAST(? AS TIMESTAMP) LIMIT 1",
            [EARLIEST, LATEST],
        ).fetchone()
        if row:
            raise ImportDataError(f"{path}: created_at {row[0]!r} is outside {EARLIEST} .. {LATEST}")
    for column in NON_NEGATIVE.get(table, ()):
        if column in columns:
            row = con.execute(
                f'SELECT CAST("{column}" AS VARCHAR) FROM incoming WHERE TRY_CAST("{column}" AS DOUBLE) < 0 LIMIT 1'
            ).fetchone()
            if row:
                raise ImportDataError(f"{path}: {column} {row[0]!r} is negative")


def _check_parents(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    if table not in PARENTS:
        return
    parent, column, exists = PARENTS[table]
    rows = con.execute(
        f'SELECT DISTINCT CAST(i."{column}" AS VARCHAR) FROM incoming i WHERE NOT EXISTS ({exists}) LIMIT 5'
    ).fetchall()
    if rows:
        raise ImportDataError(
            f"{path}: {column} {', '.join(repr(r[0]) for r in rows)} not found in {parent} "
            f"(import the {parent} first, or in the same run)"
        )


def shops_in(con: duckdb.DuckDBPyConnection, found: dict[str, list[Path]]) -> list[str]:
    """The shops the files hold rows of (an item counts for the shop of its order: one in the
    files, which names its shop, or one already in the warehouse)."""
    shops: set[str] = set()
    for table, files in found.items():
        for path in files:
            con.register("incoming", _read(con, path))
            try:
                sql = (
                    "SELECT DISTINCT shop_id FROM orders WHERE order_id IN (SELECT CAST(order_id AS VARCHAR) FROM incoming)"
                    if table == "order_items"
                    else "SELECT DISTINCT CAST(shop_id AS VARCHAR) FROM incoming"
                )
                shops.update(str(r[0]) for r in con.execute(sql).fetchall() if r[0] is not None)
            except duckdb.Error as exc:
                raise ImportDataError(f"{path}: {str(exc).splitlines()[0]}") from exc
            finally:
                con.unregister("incoming")
    return sorted(shops)


def _delete_shops(con: duckdb.DuckDBPyConnection, tables: list[str], shops: list[str]) -> None:
    """Delete the rows of ``shops`` in ``tables``, children first (items of replaced orders too)."""
    if "orders" in tables or "order_items" in tables:
        con.execute(
            "DELETE FROM order_items WHERE order_id IN (SELECT order_id FROM orders WHERE shop_id IN "
            "(SELECT unnest(?::VARCHAR[])))",
            [shops],
        )
    for table in reversed(list(TABLES)):
        if table in tables and table != "order_items":  # table names are constants, not user text
            con.execute(f"DELETE FROM {table} WHERE shop_id IN (SELECT unnest(?::VARCHAR[]))", [shops])


def import_files(
    warehouse: Path, paths: list[Path], replace: bool = False, announce: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Load the files into ``warehouse``; returns rows added per table. With ``replace``, the rows
    of the shops in the files are deleted first from the tables the files hold; ``announce`` is
    told which before anything changes."""
    found = collect(paths)
    con = open_for_writing(warehouse)
    counts: dict[str, int] = {}
    try:
        # Times are stored as UTC wall-clock: an offset in a CSV value or a time zone on a Parquet
        # column is converted, a naive value is taken as UTC, whatever the machine's zone.
        con.execute("SET TimeZone = 'UTC'")
        if replace:
            shops, tables = _replaced(con, found, announce)
        con.execute("BEGIN")
        if replace:
            _delete_shops(con, tables, shops)
        for table in TABLES:  # parents before children
            for path in found.get(table, []):
                counts[table] = counts.get(table, 0) + _load(con, table, path)
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()
    return counts


def _replaced(
    con: duckdb.DuckDBPyConnection, found: dict[str, list[Path]], announce: Callable[[str], None] | None
) -> tuple[list[str], list[str]]:
    """The shops and tables a replacing import replaces, told to ``announce``."""
    shops = shops_in(con, found)
    tables = [t for t in TABLES if t in found]
    if announce is not None:
        items = " (and the items of their orders)" if "orders" in tables else ""
        announce(
            f"replacing shop(s) {', '.join(shops) or '(none)'} in {', '.join(tables)}{items}; "
            "other shops are kept"
        )
    return shops, tables


def _load(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> int:
    """Check one file and insert its rows into ``table`` (inside the import's transaction);
    returns how many rows it added."""
    rel = _read(con, path)
    columns = [c.lower() for c in rel.columns]
    missing = [c for c in TABLES[table] if c not in columns and c not in OPTIONAL.get(table, set())]
    if missing:
        raise ImportDataError(
            f"{path}: missing column(s) {', '.join(missing)} (the {table} table needs "
            f"{', '.join(TABLES[table])})"
        )
    wanted = [c for c in TABLES[table] if c in columns]
    con.register("incoming", rel)
    try:
        if table == "orders":
            _check_statuses(con, path)
        _check_values(con, table, path, columns)
        _check_parents(con, table, path)
        if "created_at" in TABLES[table] and "created_at" not in wanted:
            wanted.append("created_at")  # optional: the time of the import, UTC
        select = ", ".join(_column_sql(c, present=c in columns) for c in wanted)
        before = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        con.execute(f"INSERT INTO {table} ({', '.join(wanted)}) SELECT {select} FROM incoming")
        after = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    except duckdb.Error as exc:
        raise ImportDataError(f"{path}: {str(exc).splitlines()[0]}") from exc
    finally:
        with contextlib.suppress(duckdb.Error):  # fails inside an aborted transaction
            con.unregister("incoming")
    return int(after) - int(before)


def _check_statuses(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Refuse order statuses the warehouse does not know."""
    bad = con.execute(
        "SELECT DISTINCT lower(status) FROM incoming WHERE lower(status) NOT IN (SELECT unnest(?::VARCHAR[]))",
        [list(STATUSES)],
    ).fetchall()
    if bad:
        raise ImportDataError(
            f"{path}: unknown status value(s) {', '.join(repr(b[0]) for b in bad)}; "
            f"allowed: {', '.join(STATUSES)}"
        )
