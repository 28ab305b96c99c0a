"""Do taught words answer the next question? New questions written apart from the labels.

The simulated owners ask in words of their own ("Umsatz last month", "new punters this year",
``owners.JARGON``), a reviewer labels those refused questions, and the ask service learns the
words. Reading the labelled questions back proves little: the label is the reading of the very
question it was learned from. What matters to an owner is the next question that uses a taught
word in another way: another metric, filter, period, grouping or ranking. ``TAUGHT_NEW`` holds
such questions, written apart from the labels (none of them is a filling of ``owners.JARGON``,
and the demo never asks them, so no label can hold them), each with the reviewer's plain
rephrasing: the truth is the ask service's reading of that rephrasing.

Each question is read with ``POST /api/mcp/understand`` (nothing is computed or logged, so they
never reach the review queue) and counted as correct (read as its rephrasing is), refused (not
understood) or wrong (understood as something else: the failure an owner cannot see).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from services.stack.questions import jargon_questions  # the fillings the demo's owners use

# shop -> (a new question with a word its owner's labels teach, the reviewer's plain rephrasing)
TAUGHT_NEW: dict[str, tuple[tuple[str, str], ...]] = {
    "11": (  # "Umsatz" and "Bestellungen" were labelled with periods only
        ("Umsatz by month", "revenue by month"),
        ("Umsatz by category this year", "revenue by category this year"),
        ("Umsatz from Germany last month", "revenue from Germany last month"),
        ("Umsatz last quarter", "revenue last quarter"),
        ("Umsatz by country", "revenue by country"),
        ("Umsatz per day last week", "revenue per day last week"),
        ("top 3 products by Umsatz", "top 3 products by revenue"),
        ("Bestellungen by status", "orders by status"),
        ("paid Bestellungen last week", "paid orders last week"),
        ("Bestellungen over $500", "orders over $500"),
        ("Bestellungen by month this year", "orders by month this year"),
        ("how many Bestellungen yesterday", "how many orders yesterday"),
        ("cancelled Bestellungen last month", "cancelled orders last month"),
    ),
    "12": (  # "punters" was labelled as new punters in a period and the top n by spending
        ("punters by country", "customers by country"),
        ("how many punters from Germany", "how many customers from Germany"),
        ("top 5 punters by orders", "top 5 customers by orders"),
        ("new punters last quarter", "new customers last quarter"),
        ("new punters by month", "new customers by month"),
        ("how many punters do I have", "how many customers do I have"),
        ("new punters in the last 90 days", "new customers in the last 90 days"),
        ("top 10 punters by revenue", "top 10 customers by revenue"),
        ("which punters spent the most last year", "which customers spent the most last year"),
    ),
}


def labelled_forms(shop_id: str) -> set[str]:
    """Every question the shop's owner asks in its own words (what the reviewer may label)."""
    return {q.lower() for q in jargon_questions(shop_id)}


@dataclass
class Reading:
    shop_id: str
    question: str
    meant: str
    outcome: str  # "correct", "refused", "wrong" or "no truth" (the rephrasing itself is not read)
    read_as: str | None = None  # the service's restatement of what it read


@dataclass
class TaughtScore:
    readings: list[Reading] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(r.outcome == outcome for r in self.readings)

    @property
    def scored(self) -> int:
        return sum(r.outcome != "no truth" for r in self.readings)

    @property
    def correct_share(self) -> float:
        return self.count("correct") / self.scored if self.scored else 0.0

    def line(self) -> str:
        return (
            f"{self.count('correct')} correct, {self.count('refused')} refused, {self.count('wrong')} wrong "
            f"of {self.scored} new questions"
        )


def _key(interpretation: dict[str, Any] | None) -> Any:
    if not interpretation:
        return None
    from services.ask.learning.labels import reading_key
    from shared.interpretation import Interpretation

    return reading_key(Interpretation.model_validate(interpretation))


def _summary(interpretation: dict[str, Any] | None) -> str | None:
    if not interpretation:
        return None
    parts = [str(interpretation.get("metric"))]
    if interpretation.get("group_by"):
        parts.append(f"by {interpretation['group_by']}")
    for f in interpretation.get("filters") or []:
        parts.append(f"{f.get('field')} {f.get('op')} {', '.join(map(str, f.get('values') or []))}")
    return " ".join(parts)


def read(
    http: httpx.Client, ask_url: str, shop_id: str, question: str, headers: dict[str, str]
) -> dict[str, Any]:
    resp = http.post(
        f"{ask_url}/api/mcp/understand", json={"shop_id": shop_id, "question": question}, headers=headers
    )
    resp.raise_for_status()
    return dict(resp.json())


def measure(
    http: httpx.Client,
    ask_url: str,
    shops: tuple[str, ...],
    headers: dict[str, str] | None = None,
    questions: dict[str, tuple[tuple[str, str], ...]] = TAUGHT_NEW,
) -> TaughtScore:
    """Read each new question of ``shops`` and its rephrasing; count correct / refused / wrong."""
    score = TaughtScore()
    for shop in shops:
        labelled = labelled_forms(shop)
        for question, meant in questions.get(shop, ()):
            if question.lower() in labelled:
                raise ValueError(f"{question!r} is a labelled form of shop {shop}: it cannot measure")
            truth = read(http, ask_url, shop, meant, headers or {})
            got = read(http, ask_url, shop, question, headers or {})
            if not truth.get("understood"):
                outcome = "no truth"
            elif not got.get("understood"):
                outcome = "refused"
            elif _key(got.get("interpretation")) == _key(truth.get("interpretation")):
                outcome = "correct"
            else:
                outcome = "wrong"
            score.readings.append(
                Reading(shop, question, meant, outcome, _summary(got.get("interpretation")))
            )
    return score
