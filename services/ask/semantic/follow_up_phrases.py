"""The phrases of comparisons and follow-ups: "vs", "compared with", "the month before", and how
a follow-up in a conversation starts ("and last month?", "what about France?", "only the shipped
ones")."""

from __future__ import annotations

import re

COMPARE = re.compile(
    r"\b(?:vs\.?|versus|compared\s+(?:to|with)|compare[ds]?|comparison|against|relative\s+to|growth|grow(?:n)?|grew"
    r"|change[ds]?|increase[ds]?|decrease[ds]?|difference|up\s+or\s+down|trend(?:ing)?\s+versus)\b"
)
THE_ONE_BEFORE = re.compile(
    r"\b(?:the\s+|that\s+)?(?P<unit>one|period|day|week|month|quarter|year)\s+(?:before|prior|earlier)(?:\s+(?:it|that))?\b"
    r"|\b(?:the\s+)?(?:previous|prior|preceding)\s+(?P<unit2>one|period)\b"
)
# How a follow-up starts: "and last month?", "what about France?", "same for Germany", "only the shipped ones".
FOLLOW_UP = re.compile(
    r"^\s*(?P<lead>(?:(?:ok(?:ay)?|so|right)\s+)*(?:(?:and|but|now|then)\s+)+(?:(?:what|how)\s+about\s+)?"
    r"|(?:(?:ok(?:ay)?|so|right)\s+)*(?:what|how)\s+about\s+"
    r"|what\s+of\s+|(?:the\s+)?same\s+(?:thing\s+|again\s+)?(?:but\s+)?(?:for\s+|in\s+|with\s+)?)"
)
FOLLOW_UP_NARROWING = re.compile(r"^\s*(?:only|just)\s+")
FOLLOW_UP_WORDS = re.compile(
    r"\b(?:break|split)\s+(?:that|it|this|those|these|them)\s+(?:down|out|up)\b|\b(?:the\s+)?ones\b|\b(?:that|it|this|those|them)\b"
)
