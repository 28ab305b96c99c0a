"""The sandbox alone, without the guard in front: what the guard might miss, DuckDB refuses."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from services.logger.sandbox.child import run

LIMITS = {"max_rows": 100, "max_bytes": 1 << 20, "timeout_s": 5.0, "memory_limit": "64MB", "threads": 1}


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_text('{f}')",
        "SELECT * FROM read_csv('{f}')",
        "SELECT * FROM glob('{d}/*')",
        "SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT * FROM read_text(''{f}'')'))",
        "SELECT * FROM '{f}'",
        "COPY (SELECT 1) TO '{d}/leak.csv'",
        "ATTACH '{d}/x.duckdb' AS x",
        "INSTALL httpfs",
        "SET enable_external_access = true",
        "SET memory_limit = '10GB'",
        "CALL enable_logging(storage='file', storage_path='{d}')",
    ],
)
def test_duckdb_itself_refuses_files_and_settings(tmp_path: Path, sql: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SENTINEL")
    folder = tmp_path / "empty"
    folder.mkdir()
    answer = run({"sql": sql.format(f=secret, d=folder), "limits": LIMITS}, {"queries": pa.table({"a": [1]})})
    assert answer["ok"] is False and "SENTINEL" not in str(answer)
    assert list(folder.iterdir()) == []


def test_only_the_given_tables_exist(tmp_path: Path) -> None:
    answer = run({"sql": "SELECT sum(a) AS s FROM queries", "limits": LIMITS}, {"queries": pa.table({"a": [1, 2]})})
    assert answer["ok"] and answer["rows"] == [[3]]
    answer = run({"sql": "SELECT * FROM exports", "limits": LIMITS}, {"queries": pa.table({"a": [1]})})
    assert answer["ok"] is False


def test_the_configuration_cannot_be_changed_once_locked(tmp_path: Path) -> None:
    import duckdb

    from services.logger.sandbox.child import sandbox

    con = sandbox(LIMITS)
    con.execute("SET lock_configuration = true")
    for statement in ("SET enable_external_access = true", "SET memory_limit = '10GB'", "SET threads = 8",
                      "SET lock_configuration = false", "RESET lock_configuration"):
        with pytest.raises(duckdb.Error, match="locked"):
            con.execute(statement)
    with pytest.raises(duckdb.Error, match="disabled by configuration"):
        con.execute(f"SELECT * FROM read_text('{tmp_path}')")
    con.close()
