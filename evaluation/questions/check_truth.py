"""Run every truth SQL of a question set on a freshly seeded test warehouse; fail on an error.

    .venv/bin/python -m evaluation.questions.check_truth              # the blind set
    .venv/bin/python -m evaluation.questions.check_truth blind -v     # and print every truth

The warehouse is the one the ask tests seed (3 shops, seed 7, 2,000 orders per shop). Besides
errors it reports truths that cannot be scored: no row, a NULL value, or (kind ``row``) an
extreme shared by several rows.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from evaluation.questions.harness import entities, fill
from evaluation.questions.truth import Q


def problems(questions: list[Q], con: duckdb.DuckDBPyConnection, verbose: bool = False) -> list[str]:
    """What is wrong with each truth (empty when every truth runs and can be scored)."""

    def sql(query: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        return con.cursor().execute(query, params).fetchall()

    names = entities(sql, "10")
    params_all = {"shop": "10", "today": datetime.now(UTC).date(), **names}
    out = []
    for q in questions:
        if q.kind == "refuse" or q.sql is None:
            continue
        text = fill(q.question, names)
        used = {k: v for k, v in params_all.items() if f"${k}" in q.sql}
        try:
            rows = sql(q.sql, used)
        except duckdb.Error as e:
            out.append(f"{text}: {type(e).__name__}: {e}")
            continue
        if verbose:
            print(f"{q.kind:8} {text!r}: {rows[:4]}{' ...' if len(rows) > 4 else ''} ({len(rows)} rows)")
        if not rows:
            out.append(f"{text}: no row")
        elif any(v is None for v in rows[0]):
            out.append(f"{text}: NULL in {rows[0]}")
        elif q.kind == "row" and "LIMIT 1" in q.sql:
            tied = sql(q.sql.replace("LIMIT 1", "LIMIT 2"), used)
            if len(tied) == 2 and tied[0][1:] == tied[1][1:] and tied[0] != tied[1]:
                out.append(f"{text}: the extreme is shared: {tied}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("set", nargs="?", default="blind", help="a module of evaluation.questions")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    from services.ask.seed import seed_warehouse

    questions = importlib.import_module(f"evaluation.questions.{args.set}").QUESTIONS
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Path(tmp) / "warehouse.duckdb"
        seed_warehouse(warehouse, shops=3, seed=7, orders_per_shop=2000)
        con = duckdb.connect(str(warehouse), read_only=True)
        found = problems(questions, con, args.verbose)
        con.close()
    answerable = sum(1 for q in questions if q.kind != "refuse")
    print(f"{args.set}: {answerable} truths run, {len(found)} problems")
    for p in found:
        print("  " + p, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
