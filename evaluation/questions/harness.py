"""Run a question set through the ask API and score every answer against its truth SQL.

An answer is *correct* when it succeeds with the truth's value(s), *refused* when it says
``success: false``, and *confidently wrong* when it succeeds with another value, or succeeds on a
question that must be refused. Coverage is the share of answerable questions answered correctly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from evaluation.questions.truth import Q

Ask = Callable[[str], dict[str, Any]]
SQL = Callable[[str, dict[str, Any]], list[tuple[Any, ...]]]
TOLERANCE = 0.011  # values are rounded to cents or hundredths of a percent


@dataclass
class Score:
    correct: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # answerable, but refused (a coverage miss)
    wrong: list[str] = field(default_factory=list)  # confidently wrong
    refused_ok: list[str] = field(default_factory=list)  # must-refuse, refused

    @property
    def answerable(self) -> int:
        return (
            len(self.correct) + len(self.refused) + sum(1 for w in self.wrong if not w.startswith("[refuse]"))
        )

    @property
    def must_refuse(self) -> int:
        return len(self.refused_ok) + sum(1 for w in self.wrong if w.startswith("[refuse]"))

    @property
    def coverage(self) -> float:
        return len(self.correct) / self.answerable if self.answerable else 1.0

    @property
    def refusal_rate(self) -> float:
        return len(self.refused_ok) / self.must_refuse if self.must_refuse else 1.0


def entities(sql: SQL, shop_id: str) -> dict[str, str]:
    """Names from the shop's own data for the ``{customer}``-style placeholders."""
    params = {"shop": shop_id}
    (customer,) = sql(
        """SELECT c.name FROM customers c JOIN orders o ON o.customer_id = c.customer_id AND o.shop_id = c.shop_id
           WHERE c.shop_id = $shop AND c.name IN
               (SELECT name FROM customers WHERE shop_id = $shop GROUP BY name HAVING count(*) = 1)
           GROUP BY c.name ORDER BY count(*) DESC, c.name LIMIT 1""",
        params,
    )[0]
    (dup,) = sql(
        "SELECT name FROM customers WHERE shop_id = $shop GROUP BY name HAVING count(*) > 1 ORDER BY name LIMIT 1",
        params,
    )[0]
    (product,) = sql(
        """SELECT p.name FROM products p JOIN order_items i ON i.product_id = p.product_id
           WHERE p.shop_id = $shop GROUP BY p.name ORDER BY sum(i.quantity) DESC, p.name LIMIT 1""",
        params,
    )[0]
    return {"customer": customer, "dup_customer": dup, "product": product}


def _num(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, Decimal | int | float):
        return float(value)
    raise TypeError(f"not a number: {value!r}")


def _close(a: Any, b: Any) -> bool:
    try:
        return abs(_num(a) - _num(b)) <= TOLERANCE
    except TypeError:
        return False


def _key(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _row_key(row: dict[str, Any]) -> str:
    return str(row.get("start") or row.get("label"))


def check(q: Q, body: dict[str, Any], truth: list[tuple[Any, ...]] | None) -> str | None:
    """None when the answer matches its truth, else what is wrong with it."""
    data = body.get("data") or {}
    values, rows = data.get("values") or {}, data.get("rows") or []
    if q.kind == "value":
        expected = truth[0][0] if truth else None
        return None if _close(values.get("value"), expected) else f"value {values.get('value')} != {expected}"
    if q.kind == "compare":
        later, earlier = truth[0] if truth else (None, None)
        if _close(values.get("value"), later) and _close(values.get("previous"), earlier):
            return None
        return f"compare {values.get('value')}/{values.get('previous')} != {later}/{earlier}"
    groups = [(_key(k), v) for k, v in truth or []]
    got = [(_row_key(r), r.get("value")) for r in rows]
    if q.kind == "groups":
        want = dict(groups)
        if len(got) == len(want) and all(k in want and _close(v, want[k]) for k, v in got):
            return None
        return f"groups {got[:6]} != {groups[:6]} ({len(got)} vs {len(want)})"
    # top n: the first n values in rank order, each (label, value) one of the groups
    n = min(q.n, len(groups))
    ok = len(got) == n and all(_close(g[1], t[1]) for g, t in zip(got, groups, strict=False))
    ok = ok and all(any(k == tk and _close(v, tv) for tk, tv in groups) for k, v in got)
    return None if ok else f"top {got[:5]} != {groups[:n][:5]}"


def fill(text: str, names: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: names[m.group(1)], text)


def run(questions: Iterable[Q], ask: Ask, sql: SQL, shop_id: str = "10") -> Score:
    names = entities(sql, shop_id)
    params_all = {"shop": shop_id, "today": datetime.now(UTC).date(), **names}
    score = Score()
    for q in questions:
        question = fill(q.question, names)
        body = ask(question)
        if q.kind == "refuse":
            (score.refused_ok if not body.get("success") else score.wrong).append(
                question if not body.get("success") else f"[refuse] {question} -> {body.get('answer')}"
            )
            continue
        if not body.get("success"):
            score.refused.append(f"{question} -> {body.get('answer')}")
            continue
        assert q.sql is not None
        used = {k: v for k, v in params_all.items() if f"${k}" in q.sql}
        problem = check(q, body, sql(q.sql, used))
        if problem is None:
            score.correct.append(question)
        else:
            score.wrong.append(f"{question} -> {problem} | {body.get('answer')}")
    return score
