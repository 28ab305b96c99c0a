"""The phrases of groupings and rankings: the dimensions' words ("customers", "countries"),
ranked dimensions ("top 5 products"), "which customer", "by country", "monthly", a second grouping
("and by month"), the weekend split, superlatives and the cut ("top 8")."""

from __future__ import annotations

import re

from services.ask.semantic.calendar_words import NUM

DIMENSION_WORDS: dict[str, str] = {
    "customer": r"customers?|clients?|buyers?|shoppers?|spenders?",
    "category": r"(?:product\s+)?categor(?:y|ies)",
    "product": r"products?|items?|sellers?|skus?|articles?",
    "country": r"countr(?:y|ies)|markets?|nations?",
    "status": r"(?:order\s+)?status(?:es)?",
    "weekday": r"week\s*days?|days?\s+of\s+(?:the\s+)?week|weekdays?",
    "hour": r"hours?(?:\s+of\s+(?:the\s+)?day)?|times?\s+of\s+(?:the\s+)?day",
    "month": r"months?",
    "week": r"weeks?",
    "day": r"days?|dates?",
    "quarter": r"quarters?",
    "year": r"years?",
}
DIM_RE = "|".join(f"(?P<{name}>{words})" for name, words in DIMENSION_WORDS.items())
RANK_TOP = (
    r"top|best|biggest|largest|highest|greatest|most\s+valuable|most\s+popular|most\s+loyal"
    r"|best-selling|best\s+selling|bestselling|highest[\s-]grossing|top[\s-]selling|busiest|strongest|leading"
    r"|highest[\s-]spending|biggest[\s-]spending|top[\s-]spending|peak|number\s+one"
)
RANK_BOTTOM = (
    r"bottom|worst|least\s+popular|lowest|weakest|slowest|worst[\s-]selling|quietest|least\s+selling"
)
RANK_HINTS = {"spending": "revenue", "revenue": "revenue", "sales": "revenue", "order": "orders", "selling": "units_sold", "popular": "units_sold", "sellers": "units_sold", "grossing": "revenue",
              "spenders": "revenue", "valuable": "revenue", "busiest": "orders", "quietest": "orders",
              "loyal": "orders"}  # fmt: skip
RANKED_DIMENSION = re.compile(
    rf"\b(?:the\s+)?(?:(?P<rank>{RANK_TOP}|{RANK_BOTTOM})(?:\s+{NUM})?|{NUM}\s+(?P<rank2>{RANK_TOP}|{RANK_BOTTOM}))"
    rf"(?:\s+(?P<between>revenue|sales|orders?|units))?\s+(?:{DIM_RE})\b"
)
WHICH_DIMENSION = re.compile(
    rf"\b(?:which|what|on\s+what|on\s+which)\s+(?:(?:is|are|was|were)\s+(?:my|the)\s+)?(?:(?P<n>\d{{1,3}})\s+)?(?:{DIM_RE})\b"
)
GROUP_BY = re.compile(
    rf"\b(?:(?:broken\s+down|grouped|split|break\s*down|breakdown|broke\s+down)\s+)?(?:by|per|each|every|for\s+each|for\s+every|across|in\s+each|by\s+each)\s+(?:{DIM_RE})\b"
    r"|\b(?P<adverb>daily|weekly|monthly|quarterly|yearly|annual|annually|hourly)\b"
    r"|\b(?P<repeat>month|week|day|year|quarter)[\s-]+(?:by|over|on)[\s-]+(?P=repeat)\b"
    r"|\b(?P<noun>status|country|category)\s+(?:breakdown|split|distribution|mix)\b"
    r"|\b(?:between|into|over)\s+(?:the\s+)?(?P<plural>statuses|countries|categories)\b"
    r"|\b(?:order\s+)?(?P<statuses>statuses)\b"
)
AND_GROUP = re.compile(rf"\b(?:and|&)\s+(?:by\s+|per\s+)?(?:{DIM_RE})\b")
ADVERB_GRAIN = {"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter", "yearly": "year",
                "annual": "year", "annually": "year", "hourly": "hour"}  # fmt: skip
# "weekend vs weekday", "weekends or weekdays": one breakdown, read before comparison words.
WEEKEND_SPLIT = re.compile(
    r"\b(?:(?:on\s+)?weekends?\s+(?:vs\.?|versus|compared\s+(?:to|with)|against|or|and)\s+(?:on\s+)?(?:weekdays?|week\s*days?)"
    r"|(?:on\s+)?(?:weekdays?|week\s*days?)\s+(?:vs\.?|versus|compared\s+(?:to|with)|against|or|and)\s+(?:on\s+)?weekends?"
    r"|(?:by|per)\s+weekend(?:\s+(?:or|vs\.?)\s+weekday)?)\b"
)
TOP = re.compile(r"\b(?:the\s+)?(?:most|highest|best|largest|biggest|greatest|top|max(?:imum)?)\b")
BOTTOM = re.compile(r"\b(?:the\s+)?(?:least|lowest|worst|fewest|smallest|bottom|min(?:imum)?)\b")
BREAK_DOWN = re.compile(
    r"\b(?:break(?:ing)?\s+(?:down|out|up)|split(?:\s+(?:up|out))?|(?:a\s+)?breakdown\s+of)\b"
)
TOP_N = re.compile(r"\b(?P<r>top|bottom)\s+(?P<n>\d{1,3})\b")
DIM_PLURALS = r"customers|clients|buyers|products|items|sellers|categories|countries"
