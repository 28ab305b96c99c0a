"""The phrases of filters: order statuses, weekdays, thresholds on a customer's purchases or an
order's items ("at least 3 orders"), order totals ("over $200", "between 50 and 100") and the
words that make "<country> customers" a population."""

from __future__ import annotations

import re

STATUS_WORDS = {
    "pending": "pending",
    "paid": "paid",
    "shipped": "shipped",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "refunded": "refunded",
}
STATUS = r"(?:pending|paid|shipped|delivered|cancelled|canceled|refunded)"
DAY_NAMES = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
WEEKDAY_FILTER = re.compile(
    rf"\b(?:(?:on|during|at|over|from|in)\s+(?:the\s+|a\s+)?(?P<d>(?:{DAY_NAMES})s?|weekends?|weekdays?|week\s*days)"
    rf"|(?P<a>weekend|weekday|(?:{DAY_NAMES}))(?=\s+(?:orders?|revenue|sales|purchases|units))"
    rf")(?:\s+only)?\b"
)
# A threshold on a customer's number of purchases or an order's number of items.
_THRESHOLD = (
    r"(?:(?P<cmp>at\s+least|no\s+fewer\s+than|no\s+less\s+than|more\s+than|over|greater\s+than|above|fewer\s+than|less\s+than"
    r"|under|below|at\s+most|no\s+more\s+than|up\s+to)\s+(?P<n>\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten)"
    r"|(?P<n3>\d{1,4}|two|three|four|five|six|seven|eight|nine|ten)\s*(?P<cmp3>or\s+more|or\s+fewer|or\s+less|\+))"
)
CUSTOMER_THRESHOLD = re.compile(
    r"\b(?:(?:number\s+of\s+)?(?:customers?|clients?|buyers?|shoppers?|people))\s+(?:(?:who|that)\s+)?"
    r"(?:with|having|(?:have|has|had)(?:\s+(?:placed|made))?|(?:placed|made)|(?:ordered|bought|purchased))\s+"
    + _THRESHOLD
    + r"(?:\s+(?:orders?|purchases?|times))?\b"
    r"|\b(?:customers?|clients?|buyers?)\s+with\s+(?P<n2>\d{1,4})\s+or\s+more\s+(?:orders|purchases)\b"
    r"|\b(?:customers?|clients?|buyers?)\s+(?:who|that)\s+(?:ordered|bought|purchased)\s+(?P<n4>\d{1,4}|two|three|four|five|six|seven|eight|nine|ten)"
    r"\s+times\s+(?P<cmp4>or\s+more|or\s+fewer|or\s+less)\b"
)
ORDER_THRESHOLD = re.compile(
    r"\b(?:orders?|purchases|baskets?)\s+(?:(?:that|which)\s+)?(?:with|having|containing|(?:have|has|had|contain|contained)(?:\s+got)?)\s+"
    + _THRESHOLD
    + r"\s+(?:items?|units?|pieces?|products?)\b"
)
_CMP = (
    r"(?P<cmp>over|above|more\s+than|greater\s+than|exceeding|exceeded|exceed|bigger\s+than|larger\s+than|higher\s+than"
    r"|at\s+least|no\s+less\s+than|minimum\s+of|under|below|less\s+than|smaller\s+than|lower\s+than|cheaper\s+than"
    r"|at\s+most|no\s+more\s+than|up\s+to|maximum\s+of)"
)
_MONEY = r"[$€£¥]?\s?(?P<{n}>\d[\d,]*(?:\.\d+)?)\s*(?P<{n}k>k|thousand)?(?:\s*(?:dollars?|usd|euros?|eur|pounds?|gbp|bucks))?"
_NOT_MONEY = r"(?![\d.,]*\d)(?!\s*(?:orders?|items?|units?|customers?|times|days?|weeks?|months?|years?|%|percent|products?))"
AMOUNT = re.compile(
    r"\b(?:(?:with\s+)?(?:a\s+)?(?:order\s+)?(?:totals?|values?|amounts?)\s+(?:of\s+)?)?(?:worth\s+)?"
    + _CMP
    + r"\s+"
    + _MONEY.format(n="a")
    + _NOT_MONEY
)
AMOUNT_BETWEEN = re.compile(
    r"\b(?:(?:with\s+)?(?:a\s+)?(?:total|value|amount)\s+)?between\s+"
    + _MONEY.format(n="a")
    + r"\s+(?:and|to|-)\s+"
    + _MONEY.format(n="b")
    + _NOT_MONEY
)
DIRECTIONS = {"gt": ("over", "above", "more", "greater", "exceed", "bigger", "larger", "higher"),
              "gte": ("at least", "no less", "minimum"),
              "lte": ("at most", "no more", "up to", "maximum"),
              "lt": ("under", "below", "less", "smaller", "lower", "cheaper")}  # fmt: skip
# Words after "<country> customers" that make the customers a population ("spanish customers revenue").
POPULATION_OF = (
    r"(?:aov|average|avg|mean|median|revenue|sales|spend|spending|orders|units|quantity|items|refunds?|"
    r"number\s+of\s+orders|order\s+count)\b"
)
