"""The SQL guard on its own: what one read-only SELECT over the log tables is, and the reason
given for everything else (the sandbox behind it is tested through ``POST /sql`` in test_api)."""

from __future__ import annotations

import pytest

from services.logger.errors import SqlRefused
from services.logger.sandbox.guard import MAX_SQL_CHARS, check_select


def test_a_select_over_the_log_tables_passes_with_what_it_reads() -> None:
    checked = check_select(
        "WITH r AS (SELECT query_id, rating FROM ratings) "
        "SELECT q.intent, count(*) FROM queries q JOIN r USING (query_id) GROUP BY 1;"
    )
    assert checked.tables == frozenset({"queries", "ratings"})
    assert {"intent", "query_id", "rating"} <= checked.identifiers
    assert not checked.needs_all_columns
    assert check_select("SELECT * FROM labels").needs_all_columns


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("DELETE FROM queries", "only"),
        ("SELECT 1; SELECT 2", "one"),
        ("SELECT * FROM read_csv('/etc/passwd')", "table functions are not allowed"),
        ("SELECT * FROM secrets", "unknown table"),
        ("SELECT getenv('HOME')", "getenv"),
        ("", "empty"),
        ("SELECT 'a\x00'", "NUL"),
        ("SELECT " + "1," * MAX_SQL_CHARS + "1", "longer than"),
    ],
)
def test_everything_else_is_refused_with_a_reason(sql: str, reason: str) -> None:
    with pytest.raises(SqlRefused, match=reason):
        check_select(sql)
