"""Realistic export files for the trainer's tests and bench.

Every record is what the logger writes for an answered question: the prompt from
``build_prompt``, the answer from ``template_answer`` (what the ask service shows while only the
template serves), the ``ToolResult`` and a query id. Numbers, names and periods vary.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from services.stack.owners import correct
from shared.phrasing import template_answer
from shared.prompt import build_prompt
from shared.results import ToolResult

NAMES = [
    "Ada Lovelace",
    "Grace Hopper",
    "Alan Turing",
    "Edsger Dijkstra",
    "Barbara Liskov",
    "Donald Knuth",
    "Frances Allen",
    "Ken Thompson",
    "Margaret Hamilton",
    "John Backus",
]
PERIODS = [None, "last month (October 2026)", "this year (2026)", "last week", "in September 2026"]


def _money(rng: random.Random, lo: float, hi: float) -> float:
    return round(rng.uniform(lo, hi), 2)


def make_result(rng: random.Random) -> tuple[str, ToolResult]:
    kind = rng.choice(["count", "revenue", "aov", "top", "above", "customers"])
    period = rng.choice(PERIODS)
    values: dict[str, Any] = {"period": period} if period else {}
    if kind == "count":
        values["count"] = rng.randint(0, 5000)
        return "How many orders do I have?", ToolResult(tool="count_orders", values=values)
    if kind == "revenue":
        values.update(revenue=_money(rng, 100, 900000), orders=rng.randint(1, 5000))
        return "What is my total revenue?", ToolResult(tool="total_revenue", values=values, money=["revenue"])
    if kind == "aov":
        values.update(aov=_money(rng, 10, 900), orders=rng.randint(1, 5000))
        return "Average order value?", ToolResult(tool="average_order_value", values=values, money=["aov"])
    if kind == "top":
        n = rng.randint(2, 4)
        names = rng.sample(NAMES, n)
        rows: list[dict[str, Any]] = [
            {"name": name, "spending": _money(rng, 50, 20000), "orders": rng.randint(1, 90)} for name in names
        ]
        values["n"] = n
        return f"Top {n} customers by spending", ToolResult(
            tool="top_customers", values=values, rows=rows, money=["spending"]
        )
    if kind == "above":
        threshold = rng.choice([100, 250, 500, 1000])
        values.update(count=rng.randint(0, 400), direction="above", threshold=threshold)
        return f"Orders above ${threshold}", ToolResult(
            tool="orders_by_amount", values=values, money=["threshold"]
        )
    return "How many customers do I have?", ToolResult(
        tool="customer_count", values={"count": rng.randint(1, 9000)}
    )


def record(
    question: str,
    result: ToolResult,
    query_id: str,
    answer: str | None = None,
    shop_id: str | None = None,
    correction: str | None = None,
) -> dict[str, Any]:
    return {
        "input": build_prompt(question, result, shop_id),
        "output": answer if answer is not None else template_answer(result),
        "intent": result.tool,
        "tool": result.tool,
        "result": result.model_dump(),
        "query_id": query_id,
        "shop_id": shop_id,
        "correction": correction,
    }


def shop_records(n: int, seed: int, styles: dict[str, str]) -> list[dict[str, Any]]:
    """``n`` records over shop "10" (no corrections) and the shops of ``styles``, whose owners
    correct every answer into their house style (services/stack/owners.py)."""
    rng = random.Random(seed)
    shops = ["10", *styles]
    out = []
    for i in range(n):
        question, result = make_result(rng)
        shop = shops[i % len(shops)]
        fix = correct(styles[shop], result) if shop in styles else None
        out.append(record(question, result, f"q{seed}-{i}", shop_id=shop, correction=fix))
    return out


def write_export(
    path: Path,
    n: int,
    seed: int = 0,
    extra: list[dict[str, Any]] | None = None,
    styles: dict[str, str] | None = None,
) -> Path:
    rng = random.Random(seed)
    if styles:
        lines = shop_records(n, seed, styles)
    else:
        lines = [record(*make_result(rng), query_id=f"q{seed}-{i}") for i in range(n)]
    lines.extend(extra or [])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path
