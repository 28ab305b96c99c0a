"""What the demo's simulated owners ask: the traffic's phrasings and their fillings, the owners'
own words (jargon, which a reviewer labels), and the new questions asked before and after
training. ``varied_questions`` and ``jargon_questions`` turn them into questions."""

from __future__ import annotations

import random

from services.stack.owners import JARGON

PHRASINGS = (
    "How many orders do I have?",
    "How many {status} orders do I have?",
    "Number of orders {period}",
    "How many orders did I get {period}?",
    "Count my {status} orders {period}",
    "What is my total revenue?",
    "Total revenue {period}",
    "How much did I make {period}?",
    "What were my sales {period}?",
    "Average order value?",
    "What's my average order value {period}?",
    "AOV {period}",
    "Top {n} customers by spending",
    "Who are my best {n} customers?",
    "Which customers spent the most?",
    "Orders above ${amount}",
    "How many orders over {amount} dollars?",
    "Show orders below ${amount}",
    "Top {n} products by revenue",
    "Best selling {n} products by units",
    "Which products sell the most units?",
    "How many customers do I have?",
    "How many new customers {period}?",
    "New customers {period}",
    "Revenue by month",
    "Show me monthly revenue",
    "Order status breakdown",
    "How are my orders split by status?",
    "What was my best month by revenue?",
    "Which day had the highest revenue?",
    "How many {status} orders {period}?",
    "Total revenue from {status} orders {period}",
    "Top {n} products by revenue {period}",
    "Top {n} customers by spending {period}",
    "Orders above ${amount} {period}",
    # grouped answers (a list by month, status, country ...): with only the four unfilled ones
    # above, a test split of 89 held-out corrections took 2 of them and training kept 1
    "Revenue by month {period}",
    "Orders by month {period}",
    "Orders by status {period}",
    "Revenue by country {period}",
    "Revenue by category {period}",
    "New customers by month {period}",
    "What's the weather in Paris?",
    "Write me a poem about shoes",
)
# The house style each simulated owner corrects answers into.
STYLES = {"11": "german", "12": "terse"}
# Asked before and after training; none of them is among the traffic's phrasings.
NEW_QUESTIONS = (
    "How many paid orders did I get this quarter?",
    "Total revenue in the last 14 days",
    "How many new customers did I get last week?",
)
NEW_JARGON = {  # in the owners' own words, with periods and forms their traffic never used
    "11": ("Umsatz this quarter", "How many Bestellungen last week?"),
    "12": ("new punters this quarter", "top 3 punters by revenue"),
}
# The owners' jargon is asked with these fillings (each one a question the reviewer labels).
JARGON_FILL = {
    "period": ("last month", "this month", "this year", "in the last 30 days", "last 7 days"),
    "n": ("3", "5", "10"),
}
# The traffic's fillings: varied enough that the export holds a few hundred distinct answers, so
# the gate measures the gain on 50 or more held-out corrections.
FILL = {
    "status": ("pending", "paid", "shipped", "delivered", "cancelled", "refunded"),
    "period": (
        *JARGON_FILL["period"],
        "last week",
        "this quarter",
        "last quarter",
        "in the last 90 days",
        "last year",
        "this week",
        "yesterday",
        "in the last 60 days",
    ),
    "n": ("3", "4", "5", "7", "10"),
    "amount": ("100", "250", "500", "750", "1000", "1500", "2000"),
}


def varied_questions(count: int, seed: int = 7) -> list[str]:
    """``count`` distinct questions (the export keeps one record per question and answer)."""
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    for _ in range(count * 20):
        if len(out) == count:
            break
        text = rng.choice(PHRASINGS)
        for key, choices in FILL.items():
            text = text.replace("{" + key + "}", rng.choice(choices))
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def jargon_questions(shop_id: str) -> list[str]:
    """Every filling of the shop's own phrasings (each one a question to label)."""
    out = []
    for pattern in JARGON.get(shop_id, ()):
        key = "n" if "{n}" in pattern else "period"
        out += [pattern.replace("{" + key + "}", value) for value in JARGON_FILL[key]]
    return out
