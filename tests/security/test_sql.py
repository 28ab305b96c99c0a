"""``POST /sql`` with the admin token still cannot read or write files, see settings, run SQL
hidden in strings, outlast its time limit or return more bytes than its cap; broken SQL gets a
400 with a message (issue 13, §1 and §4). Every form must leave no trace of the secret file in
the answer and nothing in the folder that must stay empty."""

from __future__ import annotations

import pytest

from tests.security.conftest import SENTINEL, Target

# {f}: the secret file, {d}: the folder that must stay empty, {db}: the log database
FILE_READERS = [
    "read_text('{f}')", "read_blob('{f}')", "read_csv('{f}')", "read_csv_auto('{f}')", "read_json('{f}')",
    "read_json_auto('{f}')", "read_parquet('{f}')", "parquet_scan('{f}')", "parquet_metadata('{f}')",
    "glob('{f}')", "sniff_csv('{f}')", "read_blob('{db}')", "duckdb_settings()", "duckdb_databases()",
    "duckdb_extensions()", "pragma_database_list()", "sqlite_scan('{db}', 'queries')",
    "json_execute_serialized_sql(json_serialize_sql('SELECT content FROM read_text(''{f}'')'))",
    "enable_logging(storage='file', storage_path='{d}')",
    "query_table('queries')", "query('SELECT * FROM read_text(''{f}'')')",
]
FORMS = [
    "SELECT * FROM {r}",
    "SELECT t.* FROM (SELECT 1) s, LATERAL {r} t",
    "SELECT t.* FROM queries q, LATERAL {r} t",
    "SELECT * FROM queries q JOIN {r} t ON true",
    "WITH x AS (SELECT * FROM {r}) SELECT * FROM x",
    "SELECT (SELECT count(*) FROM {r})",
    "SELECT question FROM queries UNION ALL SELECT * FROM {r}",
    "SELECT * FROM queries WHERE EXISTS (SELECT * FROM {r})",
]
SCALARS = [
    "SELECT {r}",
    "SELECT content FROM (SELECT {r} AS content)",
    "SELECT json_execute_serialized_sql(json_serialize_sql('SELECT content FROM read_text(''{f}'')'))",
    "SELECT getenv('HOME')",
    "SELECT current_setting('home_directory')",
    "SELECT current_setting('temp_directory')",
]
STATEMENTS = [
    "ATTACH '{d}/x.duckdb' AS x",
    "ATTACH '{db}' AS again (READ_ONLY)",
    "COPY queries TO '{d}/leak.csv'",
    "COPY (SELECT 1) TO '{d}/leak.parquet' (FORMAT parquet)",
    "EXPORT DATABASE '{d}/dump'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "PRAGMA enable_profiling",
    "SET enable_external_access = true",
    "SET lock_configuration = false",
    "RESET memory_limit",
    "CALL enable_logging(storage='file', storage_path='{d}')",
    "CREATE MACRO m() AS TABLE SELECT * FROM read_text('{f}')",
    "CREATE SECRET s (TYPE s3, KEY_ID 'x', SECRET 'y')",
    "CHECKPOINT",
    "DETACH memory",
    "USE system",
    "VACUUM",
    "DELETE FROM queries",
    "SELECT 1; COPY queries TO '{d}/leak.csv'",
    "SELECT * FROM '{f}'",
    'SELECT * FROM "{f}"',
    "SELECT * FROM queries, '{f}'",
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM system.main.duckdb_settings",
    "SELECT * FROM (WITH duckdb_databases AS (SELECT 1) SELECT 1) t, duckdb_databases s",
    "SELECT * FROM (WITH duckdb_settings AS (SELECT 1) SELECT 1) t, LATERAL (SELECT * FROM duckdb_settings) s",
    'SELECT * FROM (WITH "{f}" AS (SELECT 1) SELECT 1) t, "{f}" s',
]
CASE_TRICKS = [
    "SELECT * FROM ReAd_TeXt('{f}')",
    'SELECT * FROM "read_text"(\'{f}\')',
    "SELECT * FROM READ_CSV('{f}')",
    "SELECT * FROM read/**/_text('{f}')",
    "SELECT * FROM ｒｅａｄ_text('{f}')",
    "SELECT * FROM read\u200b_text('{f}')",
    "SELECT * FROM main.read_text('{f}')",
    "SELECT * FROM system.main.read_text('{f}')",
    "select * from read_text(lower('{F}'))",
    "SELECT * FROM read_text(['{f}'])",
    "SELECT * FROM read_text('{f}'::VARCHAR)",
    "SELECT * FROM read_text(chr(47) || '{f_rest}')",
]


def attacks() -> list[str]:
    out = [form.format(r=r) for form in FORMS for r in FILE_READERS]
    out += [s.format(r=r) for s in SCALARS for r in FILE_READERS if "{r}" in s] + [s for s in SCALARS if "{r}" not in s]
    return out + STATEMENTS + CASE_TRICKS


def fill(attack: str, target: Target) -> str:
    f = str(target.secret)
    return (attack.replace("{f}", f).replace("{F}", f.upper()).replace("{f_rest}", f[1:])
            .replace("{d}", str(target.empty)).replace("{db}", str(target.settings.paths.logs_db)))


@pytest.mark.parametrize("attack", attacks())
def test_no_attack_reads_or_writes_files(target: Target, attack: str) -> None:
    status, text = target.sql(fill(attack, target))
    assert status in (400, 408), text
    assert SENTINEL not in text and "name,value" not in text
    assert list(target.empty.iterdir()) == []


@pytest.mark.parametrize(
    "attack",
    [
        # as written in the issue
        "SELECT t.* FROM (SELECT 1) s, LATERAL json_execute_serialized_sql(json_serialize_sql("
        "'SELECT content FROM read_text(''/etc/hostname'')')) t",
        "SELECT t.* FROM (SELECT 1) s, LATERAL enable_logging(storage='file', storage_path='{d}') t",
        "SELECT * FROM (WITH duckdb_databases AS (SELECT 1) SELECT 1) t, duckdb_databases s",
    ],
)
def test_the_attacks_of_the_issue_are_refused(target: Target, attack: str) -> None:
    status, text = target.sql(fill(attack, target))
    assert status == 400 and "detail" in text
    assert list(target.empty.iterdir()) == []


@pytest.mark.parametrize(
    "statement",
    ["SELECT '", "SELECT 1 /*", "SELECT " + "(" * 3000 + "1" + ")" * 3000, "SELECT " + "NOT " * 4000 + "true",
     ";;;", "   ", "SELECT 1\x00", "SELECT '\ud800'", "SELECT * FROM queries WHERE", "SELECT 1 FROM",
     "SELECT " + "[" * 3000 + "1" + "]" * 3000, "SELECT " + "+".join(["1"] * 5000)],
)
def test_broken_sql_is_a_4xx_with_a_message(target: Target, statement: str) -> None:
    status, text = target.sql(statement)
    assert status in (400, 422) and '"detail"' in text, text  # 422: pydantic refuses a lone surrogate
    assert target.sql("SELECT count(*) AS n FROM queries")[0] == 200


def test_a_trailing_line_comment_is_fine(target: Target) -> None:
    r = target.client.post("/sql", json={"sql": "SELECT count(*) AS n FROM queries -- how many?"}, headers={
        "Authorization": "Bearer test-token"})
    assert r.status_code == 200 and r.json()["rows"] == [[60]]


def test_the_sandbox_sees_only_the_log_tables(target: Target) -> None:
    status, text = target.sql("SELECT intent, count(*) AS n FROM queries GROUP BY 1 ORDER BY 2 DESC")
    assert status == 200, text
    status, text = target.sql("SELECT q.shop_id, count(f.rating) FROM queries q LEFT JOIN feedback f USING (query_id) GROUP BY 1")
    assert status == 200, text


def test_a_long_scalar_is_stopped_at_the_time_limit(target: Target) -> None:
    """DuckDB does not interrupt one long scalar call: the sandbox process is killed instead."""
    status, text = target.sql("SELECT range(20000000)")
    assert status == 408 and "1s" in text
    assert target.sql("SELECT count(*) FROM queries")[0] == 200  # a new sandbox answers


def test_a_long_join_is_interrupted(target: Target) -> None:
    status, text = target.sql("SELECT count(*) FROM queries a, queries b, queries c, queries d, queries e "
                              "WHERE a.confidence + e.confidence > b.confidence + c.confidence * d.confidence")
    assert status == 408, text


def test_result_bytes_are_capped(target: Target) -> None:
    status, text = target.sql("SELECT repeat('x', 5000000)")  # 5 MB, the cap here is 64 KB
    assert status == 400 and "larger than" in text and len(text) < 1000
    r = target.client.post("/sql", json={"sql": "SELECT repeat('x', 10000) AS x FROM queries"},
                           headers={"Authorization": "Bearer test-token"}).json()
    assert r["truncated"] is True and r["truncated_by"] == "bytes" and 0 < r["row_count"] < 60


def test_values_json_cannot_carry_are_answered(target: Target) -> None:
    status, text = target.sql("SELECT 'nan'::DOUBLE AS a, 'inf'::DOUBLE AS b, 1e308 * 10 AS c, INTERVAL 3 DAY AS d")
    assert status == 200 and "nan" in text and "inf" in text
