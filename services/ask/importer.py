"""``import-data``: load a shop's own CSV or Parquet files into the warehouse tables.

Each file is named after its table (``shops.csv``, ``orders.parquet``, ``order_items.csv``, ...);
a folder is searched for such files. Everything is loaded in one transaction: a file with missing
columns, unknown statuses or values that do not fit the column types loads nothing and says why.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import duckdb

from services.ask.warehouse import STATUSES, TABLES, open_for_writing
from shared.errors import EcomInsightError

# Columns a file may leave out (they get their default or NULL).
OPTIONAL = {
    "shops": {"currency", "created_at"},
    "customers": {"email", "country", "created_at"},
    "products": {"category"},
}
SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


class ImportDataError(EcomInsightError):
    """A file that cannot be imported (unknown table, missing columns, bad values)."""


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


def import_files(warehouse: Path, paths: list[Path], replace: bool = False) -> dict[str, int]:
    """Load the files into ``warehouse``; returns rows added per table."""
    found = collect(paths)
    con = open_for_writing(warehouse)
    counts: dict[str, int] = {}
    try:
        # Times are stored as UTC wall-clock: an offset in a CSV value or a time zone on a Parquet
        # column is converted, a naive value is taken as UTC, whatever the machine's zone.
        con.execute("SET TimeZone = 'UTC'")
        con.execute("BEGIN")
        for table in TABLES:  # parents before children
            files = found.get(table, [])
            if files and replace:
                con.execute(f"DELETE FROM {table}")  # table names are constants, not user text
            for path in files:
                rel = _read(con, path)
                columns = [c.lower() for c in rel.columns]
                missing = [
                    c for c in TABLES[table] if c not in columns and c not in OPTIONAL.get(table, set())
                ]
                if missing:
                    raise ImportDataError(
                        f"{path}: missing column(s) {', '.join(missing)} (the {table} table needs "
                        f"{', '.join(TABLES[table])})"
                    )
                wanted = [c for c in TABLES[table] if c in columns]
                con.register("incoming", rel)
                try:
                    if table == "orders":
                        bad = con.execute(
                            "SELECT DISTINCT lower(status) FROM incoming WHERE lower(status) NOT IN "
                            "(SELECT unnest(?::VARCHAR[]))",
                            [list(STATUSES)],
                        ).fetchall()
                        if bad:
                            raise ImportDataError(
                                f"{path}: unknown status value(s) {', '.join(repr(b[0]) for b in bad)}; "
                                f"allowed: {', '.join(STATUSES)}"
                            )
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
                counts[table] = counts.get(table, 0) + int(after) - int(before)
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()
    return counts
