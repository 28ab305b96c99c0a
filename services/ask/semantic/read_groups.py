"""The reading of groupings and rankings: "by country", "monthly", "top 5 products", "which
customer", "the most", a second grouping ("by country and month") and the cut said last ("top 8")."""

from __future__ import annotations

import re
from typing import Literal

from services.ask.semantic.calendar_words import to_number
from services.ask.semantic.catalog import METRICS
from services.ask.semantic.dimension_phrases import ADVERB_GRAIN, DIMENSION_WORDS, RANK_BOTTOM, RANK_HINTS
from services.ask.semantic.reading import Reading, Refuse


def dimension_of(m: re.Match[str]) -> tuple[str, bool]:
    for name in DIMENSION_WORDS:
        word = m.group(name) if name in m.groupdict() else None
        if word:
            plural = bool(re.search(r"(?:s|ies)$", word)) and name != "status" or word.endswith("statuses")
            return name, plural
    raise AssertionError("a dimension pattern matched without a dimension")


def set_group(r: Reading, dim: str, words: str) -> None:
    if r.group_by and r.group_by != dim:
        if r.then_by is not None and r.then_by != dim:
            raise Refuse("unclear", "The question groups by three things; I can group by two at most.")
        r.then_by = dim
        r.understood.append(f"then by {dim} ({words.strip()})")
        return
    r.group_by = dim
    r.understood.append(f"by {dim} ({words.strip()})")


def read_ranked(r: Reading, m: re.Match[str]) -> None:
    dim, plural = dimension_of(m)
    words = m.group(0)
    rank_word = m.group("rank") or m.group("rank2") or ""
    r.rank = "bottom" if re.fullmatch(RANK_BOTTOM, rank_word) else "top"
    n = next(
        (
            to_number(g)
            for g in re.findall(
                r"\b(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty)\b",
                words,
            )
        ),
        None,
    )
    r.limit = n or (5 if plural else 1)
    for word, metric in RANK_HINTS.items():
        if word in words:
            r.hint = metric
    if m.group("between"):
        r.understood.append(f"metric {METRICS[r.hint or 'revenue'].label.lower()} ({m.group('between')})")
    set_group(r, dim, words)


def read_which(r: Reading, m: re.Match[str]) -> None:
    dim, plural = dimension_of(m)
    r.limit = r.limit or (int(m.group("n")) if m.group("n") else 5 if plural else 1)
    set_group(r, dim, m.group(0))


def read_who(r: Reading) -> bool | None:
    if r.group_by not in (None, "customer"):
        return False
    if r.group_by is None:
        r.limit = r.limit or 5
        set_group(r, "customer", "who")
    return None


def read_group(r: Reading, m: re.Match[str]) -> None:
    g = m.groupdict()
    if g.get("adverb"):
        dim = ADVERB_GRAIN[g["adverb"]]
    elif g.get("repeat"):
        dim = g["repeat"]
    elif g.get("noun"):
        dim = g["noun"]
    elif g.get("plural") or g.get("statuses"):
        dim = {"statuses": "status", "countries": "country", "categories": "category"}[
            g.get("plural") or "statuses"
        ]
    else:
        dim, _ = dimension_of(m)
        if dim == "customer" and re.match(r"\s*per\b", m.group(0)):
            raise Refuse(
                "unclear",
                "'Per customer' can mean an average per customer or a list of customers.",
                ("Top 10 customers by number of orders", "average spend per customer"),
            )
    set_group(r, dim, m.group(0))


def read_superlative(r: Reading, rank: Literal["top", "bottom"]) -> None:
    r.rank = rank
    r.limit = r.limit or 1


def read_cut(r: Reading, m: re.Match[str]) -> None:
    stated = re.search(r"\d", " ".join(r.understood))  # "top 5 ... top 8": two cuts
    if r.rank is not None and r.limit not in (None, int(m.group("n"))) and stated:
        raise Refuse("unclear", "The question names two different cuts (top N); name one.")
    r.rank = "bottom" if m.group("r") == "bottom" else "top"
    r.limit = int(m.group("n"))
    r.understood.append(f"{r.rank} {r.limit}")
