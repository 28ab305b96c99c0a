"""Metamorphic tests of the parser (issue 22; CheckList, Ribeiro et al. 2020).

For every answerable question of the tuning sets, meaning-preserving edits (filler before and
after, shorthand, case, punctuation, word order, a typo in a name) must give the same reading,
and meaning-changing edits (inserting "median", "per customer", "first", "not", "%", "more than 3",
another country) must change the reading or refuse, never be ignored. Both rates are printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from evaluation.questions import tuning, tuning_owners
from evaluation.questions.harness import entities, fill
from services.ask.semantic import SemanticLayer
from services.ask.warehouse import Warehouse

TODAY = date(2026, 12, 3)

Edit = Callable[[str], str | None]  # None: the edit does not apply to this question

SHORTHAND = [
    (r"\baverage order value\b", "AOV"),
    (r"\brevenue\b", "rev"),
    (r"\bthe last 7 days\b", "L7D"),
    (r"\blast 7 days\b", "L7D"),
    (r"\bthe last 30 days\b", "L30D"),
    (r"\blast 30 days\b", "L30D"),
    (r"\byesterday\b", "yday"),
    (r"\bnumber of\b", "#"),
    (r"\bthis month\b", "MTD"),
    (r"\bthis quarter\b", "QTD"),
    (r"(?<!of )\bthis year\b", "YTD"),
]
COUNTRIES = {"germany": "France", "france": "Germany", "spain": "Italy", "italy": "Spain", "german": "French",
             "spanish": "Italian", "de": "FR", "uk": "Germany", "canadian": "Mexican"}  # fmt: skip
NAME_TYPOS = {"germany": "germny", "france": "frnace", "spain": "spian", "italy": "itlay", "kitchen": "kitchn",
              "electronics": "electroncs", "german": "germna"}  # fmt: skip


def _shorthand(q: str) -> str | None:
    for pattern, short in SHORTHAND:
        if re.search(pattern, q, flags=re.I):
            return re.sub(pattern, short, q, count=1, flags=re.I)
    return None


def _word_order(q: str) -> str | None:
    m = re.fullmatch(r"(?i)\s*top (\d+) (customers|products|categories|countries) (by .+?)\??\s*", q)
    return f"{m.group(2)} {m.group(3)}, top {m.group(1)}" if m else None


def _typo(q: str) -> str | None:
    for word, typo in NAME_TYPOS.items():
        if re.search(rf"\b{word}\b", q, flags=re.I):
            return re.sub(rf"\b{word}\b", typo, q, count=1, flags=re.I)
    return None


def _punctuation(q: str) -> str:
    return q.rstrip("?.! ") + " ?!" if q.rstrip().endswith("?") else q + "?"


PRESERVING: dict[str, Edit] = {
    "filler before": lambda q: "hi, quick one: " + q,
    "filler after": lambda q: q.rstrip("?") + ", thanks!",
    "polite": lambda q: "could you please tell me " + q[0].lower() + q[1:],
    "lower case": lambda q: q.lower() if q.lower() != q else None,
    "punctuation": _punctuation,
    "shorthand": _shorthand,
    "word order": _word_order,
    "typo in a name": _typo,
}


def _other_country(q: str) -> str:
    for word, other in COUNTRIES.items():
        if re.search(rf"\b{word}\b", q, flags=re.I):
            return re.sub(rf"\b{word}\b", other, q, count=1, flags=re.I)
    return q.rstrip("?") + " from France"


CHANGING: dict[str, Edit] = {
    "median": lambda q: "median " + q,
    "per customer": lambda q: q.rstrip("?") + " per customer",
    "first": lambda q: "first " + q,
    "not": lambda q: "not " + q,
    "%": lambda q: "% of " + q,
    "more than 3": lambda q: q.rstrip("?") + " more than 3",
    "another country": _other_country,
}


def reading(layer: SemanticLayer, question: str) -> dict[str, Any] | None:
    u = layer.understand(question, "10", TODAY)
    return (
        None
        if u.interpretation is None
        else u.interpretation.model_dump(mode="json", exclude={"corrections"})
    )


@pytest.fixture(scope="module")
def cases(warehouse_path: Path) -> tuple[SemanticLayer, list[tuple[str, dict[str, Any]]]]:
    layer = SemanticLayer(Warehouse(warehouse_path))
    con = duckdb.connect(str(warehouse_path), read_only=True)
    names = entities(lambda q, p: con.cursor().execute(q, p).fetchall(), "10")
    con.close()
    found = []
    for q in [*tuning.QUESTIONS, *tuning_owners.QUESTIONS]:
        if q.kind == "refuse" or q.after is not None:
            continue
        question = fill(q.question, names)
        base = reading(layer, question)
        if base is not None:  # what the parser answers today is what must stay stable
            found.append((question, base))
    return layer, found


def test_meaning_preserving_edits_keep_the_reading(cases: Any) -> None:
    layer, found = cases
    total, failures = 0, []
    for question, base in found:
        for name, edit in PRESERVING.items():
            variant = edit(question)
            if variant is None or variant == question:
                continue
            total += 1
            if reading(layer, variant) != base:
                failures.append(f"{name}: {variant!r}")
    rate = 1 - len(failures) / total
    print(f"\nmeaning-preserving: {total - len(failures)}/{total} read the same ({rate:.1%})")
    assert total >= 300
    print("\n".join(failures))
    assert rate >= 0.98, "\n".join(failures)


def test_meaning_changing_edits_change_the_reading_or_refuse(cases: Any) -> None:
    layer, found = cases
    total, failures = 0, []
    for question, base in found:
        for name, edit in CHANGING.items():
            variant = edit(question)
            if variant is None or variant == question:
                continue
            total += 1
            if reading(layer, variant) == base:
                failures.append(f"{name}: {variant!r}")
    print(f"\nmeaning-changing: {total - len(failures)}/{total} changed the reading or refused")
    assert total >= 300
    assert failures == [], "\n".join(failures)
