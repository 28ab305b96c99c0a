"""Run a question set through the ask API and score every answer against its truth SQL.

An answer is *correct* when it succeeds with the truth's value(s), *refused* when it says
``success: false``, and *confidently wrong* when it succeeds with another value, or succeeds on a
question that must be refused. Coverage is the share of answerable questions answered correctly.

A follow-up (``Q.after``) is asked right after its previous question: the harness asks the previous
one without a conversation, then the follow-up with the ``conversation_id`` of that answer. ``ask``
takes the question and, for follow-ups, the conversation id as a second argument; :func:`api_ask`
builds one over an HTTP client and counts a 422 (an API that does not know ``conversation_id``) as
a refusal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from evaluation.questions.truth import Q

Ask = Callable[..., dict[str, Any]]  # ask(question) or ask(question, conversation_id)
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


def _same_field(expected: Any, got: Any) -> bool:
    """One truth column against one answer field: numbers within the tolerance, a date or a
    timestamp by its day (``YYYY-MM-DD``), strings equal."""
    if isinstance(expected, datetime | date):
        return isinstance(got, str) and got[:10] == _key(expected)
    if isinstance(expected, Decimal | int | float) and not isinstance(expected, bool):
        return not isinstance(got, bool) and _close(got, expected)
    return isinstance(got, str) and got == str(expected)


def _check_row(truth: list[tuple[Any, ...]] | None, rows: list[dict[str, Any]]) -> str | None:
    want = truth[0] if truth else ()
    first = rows[0] if rows else {}
    fields = list(first.values()) if isinstance(first, dict) else []
    missing = [w for w in want if not any(_same_field(w, f) for f in fields)]
    return None if want and not missing else f"row {first} lacks {missing or 'a truth row'}"


def _check_multi(truth: list[tuple[Any, ...]] | None, measures: list[Any]) -> str | None:
    want = list(truth[0]) if truth else []
    got = [m.get("value") if isinstance(m, dict) else None for m in measures]
    if len(got) == len(want) and all(_close(g, w) for g, w in zip(got, want, strict=True)):
        return None
    return f"measures {got} != {want}"


def _check_groups2(truth: list[tuple[Any, ...]] | None, rows: list[dict[str, Any]]) -> str | None:
    want = {(_key(a), _key(b)): v for a, b, v in truth or []}
    got = [(tuple(str(k) for k in r.get("keys") or []), r.get("value")) for r in rows]
    if len(got) == len(want) and all(k in want and _close(v, want[k]) for k, v in got):
        return None
    return f"groups2 {got[:4]} != {list(want.items())[:4]} ({len(got)} vs {len(want)})"


def check(q: Q, body: dict[str, Any], truth: list[tuple[Any, ...]] | None) -> str | None:
    """None when the answer matches its truth, else what is wrong with it."""
    data = body.get("data") or {}
    values, rows = data.get("values") or {}, data.get("rows") or []
    if q.kind == "row":
        return _check_row(truth, rows)
    if q.kind == "multi":
        return _check_multi(truth, data.get("measures") or [])
    if q.kind == "groups2":
        return _check_groups2(truth, rows)
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


def api_ask(post: Callable[[dict[str, Any]], Any], shop_id: str = "10") -> Ask:
    """``ask`` over an HTTP client's ``post(json)`` (returning a response with ``status_code`` and
    ``json()``). A 422 to a request that carries a ``conversation_id`` (an API without
    conversations) reads as a refusal; any other status than 200 is an error."""

    def ask(question: str, conversation_id: str | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {"shop_id": shop_id, "question": question}
        if conversation_id is not None:
            payload["conversation_id"] = conversation_id
        response = post(payload)
        if response.status_code == 422 and conversation_id is not None:
            return {"success": False, "answer": f"HTTP 422: {response.text[:200]}"}
        if response.status_code != 200:
            raise AssertionError(f"{question!r}: HTTP {response.status_code} {response.text[:300]}")
        body: dict[str, Any] = response.json()
        return body

    return ask


def ask_in_turn(q: Q, ask: Ask, names: dict[str, str]) -> dict[str, Any]:
    """The answer to ``q``; a follow-up is asked after its previous question, in its conversation
    (without one when the previous answer gave no ``conversation_id``)."""
    question = fill(q.question, names)
    if q.after is None:
        return ask(question)
    previous = ask(fill(q.after, names))
    conversation = previous.get("conversation_id")
    return ask(question, str(conversation)) if conversation else ask(question)


def run(questions: Iterable[Q], ask: Ask, sql: SQL, shop_id: str = "10") -> Score:
    names = entities(sql, shop_id)
    params_all = {"shop": shop_id, "today": datetime.now(UTC).date(), **names}
    score = Score()
    for q in questions:
        question = fill(q.question, names)
        if q.after is not None:
            question = f"[after: {fill(q.after, names)}] {question}"
        body = ask_in_turn(q, ask, names)
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
