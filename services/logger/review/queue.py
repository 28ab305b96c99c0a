"""The review queue: questions a reviewer should look at, and the labels reviewers give.

Like an annotation queue (Langfuse, Argilla): the queue holds failed, low-confidence and
negatively rated queries that nobody has labelled yet, one item per question of a shop (the
newest asking, with how often it was asked). A reviewer labels an item with the query it meant
(an ``Interpretation``, the semantic layer's structured query) or marks it out of scope. Labels
live in ``labels``, one per query; a later label of the same query replaces it. The ask service
reads them (``GET /review/labels``) and learns from them (``services.ask.learning``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import duckdb
from pydantic import BaseModel, Field, model_validator

from shared.interpretation import Interpretation

DDL = """
CREATE TABLE IF NOT EXISTS labels (
    query_id VARCHAR PRIMARY KEY,
    shop_id VARCHAR NOT NULL,
    question VARCHAR NOT NULL,
    asked_at TIMESTAMP NOT NULL,
    interpretation VARCHAR,
    out_of_scope BOOLEAN NOT NULL,
    reason VARCHAR,
    reviewer VARCHAR,
    labelled_at TIMESTAMP NOT NULL
);
"""
REASONS = ("failed", "low_confidence", "negative")


class LabelRequest(BaseModel):
    """Either the query the question meant, or ``out_of_scope`` with a reason."""

    interpretation: Interpretation | None = None
    out_of_scope: bool = False
    reason: str | None = Field(default=None, max_length=500)
    reviewer: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _one_kind(self) -> LabelRequest:
        if self.out_of_scope == (self.interpretation is not None):
            raise ValueError("give either an interpretation or out_of_scope: true (with a reason), not both")
        return self


def queue(
    conn: duckdb.DuckDBPyConnection,
    shop_id: str | None = None,
    limit: int = 50,
    threshold: float = 0.7,
    reasons: tuple[str, ...] = REASONS,
) -> list[dict[str, Any]]:
    """Unlabelled questions to review, the most often asked first."""
    cur = conn.execute(
        """
        WITH candidates AS (
            SELECT q.*, r.rating,
                   CASE WHEN NOT q.success THEN 'failed'
                        WHEN r.rating = 'negative' THEN 'negative'
                        ELSE 'low_confidence' END AS why
            FROM queries q LEFT JOIN ratings r ON r.query_id = q.query_id
            WHERE q.intent != 'invalid' AND (NOT q.success OR q.confidence < ? OR r.rating = 'negative')
              AND (? IS NULL OR q.shop_id = ?)
              AND NOT EXISTS (
                  SELECT 1 FROM labels l
                  WHERE l.query_id = q.query_id
                     OR (l.shop_id = q.shop_id AND lower(trim(l.question)) = lower(trim(q.question))))
        )
        SELECT arg_max(query_id, occurred_at) AS query_id, shop_id, arg_max(question, occurred_at) AS question,
               arg_max(answer, occurred_at) AS answer, arg_max(why, occurred_at) AS why,
               arg_max(interpretation, occurred_at) AS interpretation, count(*) AS times,
               strftime(max(occurred_at), '%Y-%m-%dT%H:%M:%S') || '+00:00' AS last_asked
        FROM candidates WHERE list_contains(?, why)
        GROUP BY shop_id, lower(trim(question))
        ORDER BY times DESC, max(occurred_at) DESC
        LIMIT ?
        """,
        [threshold, shop_id, shop_id, list(reasons), limit],
    )
    names = [d[0] for d in cur.description or []]
    items = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    for item in items:
        item["interpretation"] = json.loads(item["interpretation"]) if item["interpretation"] else None
    return items


def label(conn: duckdb.DuckDBPyConnection, query_id: str, given: LabelRequest) -> dict[str, Any] | None:
    """Store the label of a logged query (replacing an earlier one); None if no such query."""
    row = conn.execute(
        "SELECT shop_id, question, occurred_at FROM queries WHERE query_id = ? ORDER BY occurred_at LIMIT 1",
        [query_id],
    ).fetchone()
    if row is None:
        return None
    interpretation = given.interpretation.model_dump_json() if given.interpretation else None
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.execute("DELETE FROM labels WHERE query_id = ?", [query_id])
        conn.execute(
            "INSERT INTO labels VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [query_id, row[0], row[1], row[2], interpretation, given.out_of_scope, given.reason, given.reviewer,
             datetime.now(UTC).replace(tzinfo=None)],
        )  # fmt: skip
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return {"query_id": query_id, "shop_id": row[0], "question": row[1], "stored": True}


def labels(conn: duckdb.DuckDBPyConnection, shop_id: str | None = None) -> list[dict[str, Any]]:
    """Every label, oldest first: what the ask service learns from."""
    cur = conn.execute(
        """
        SELECT query_id, shop_id, question, strftime(asked_at, '%Y-%m-%dT%H:%M:%S') || '+00:00' AS asked_at,
               interpretation, out_of_scope, reason, reviewer,
               strftime(labelled_at, '%Y-%m-%dT%H:%M:%S') || '+00:00' AS labelled_at
        FROM labels WHERE ? IS NULL OR shop_id = ? ORDER BY labelled_at, query_id
        """,
        [shop_id, shop_id],
    )
    names = [d[0] for d in cur.description or []]
    out = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    for item in out:
        item["interpretation"] = json.loads(item["interpretation"]) if item["interpretation"] else None
    return out


def query(conn: duckdb.DuckDBPyConnection, query_id: str) -> dict[str, Any] | None:
    """One logged query with what it was read as and its label, if any (what a reviewer looks at)."""
    cur = conn.execute(
        """
        SELECT q.query_id, q.shop_id, q.question, q.answer, q.success, q.confidence, q.interpretation,
               strftime(q.occurred_at, '%Y-%m-%dT%H:%M:%S') || '+00:00' AS asked_at, r.rating,
               l.interpretation AS label, l.out_of_scope AS labelled_out_of_scope
        FROM queries q LEFT JOIN ratings r ON r.query_id = q.query_id LEFT JOIN labels l ON l.query_id = q.query_id
        WHERE q.query_id = ? ORDER BY q.occurred_at LIMIT 1
        """,
        [query_id],
    )
    names = [d[0] for d in cur.description or []]
    row = cur.fetchone()
    if row is None:
        return None
    item = dict(zip(names, row, strict=True))
    for key in ("interpretation", "label"):
        item[key] = json.loads(item[key]) if item[key] else None
    return item


def counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    row = conn.execute("SELECT count(*), count(*) FILTER (WHERE out_of_scope) FROM labels").fetchone() or (
        0,
        0,
    )
    return {"labelled": int(row[0]), "out_of_scope": int(row[1]), "queued": len(queue(conn, limit=100_000))}
