"""The words the parser knows: phrases for metrics and dimensions, filler, and what it refuses.

Every pattern here is matched against the lower-cased question; whatever a pattern matches is
*used*. A question is answered only when every word left over is filler, words that change
nothing about what is computed ("how", "many", "my", "please").
"""

from __future__ import annotations

import difflib
import re

from services.ask.semantic.periods import MONTHS, NUM, RULES
from services.ask.semantic.words import skippable

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

# Out of scope: what the warehouse does not hold, actions, other shops, the future, causes.
OUT_OF_SCOPE: list[tuple[str, str]] = [
    (r"\b(?:profits?|profitab\w*|margins?|costs\b|cost\b(?!\s+(?:more|less|over|under|above|below|at|between))|expenses?|cogs|spend\s+on\s+ads|overheads?|net\s+income|ebitda)\b",
     "profit, costs and margins (the warehouse holds prices and order totals, not costs)"),
    (r"\b(?:stock|inventory|in\s+stock|out\s+of\s+stock|restock|warehouse\s+levels?)\b", "stock and inventory"),
    (r"\b(?:visitors?|visits?|traffic|sessions?|page\s*views?|bounce|conversions?|conversion\s+rate|clicks?|impressions?)\b",
     "web traffic and conversion"),
    (r"\b(?:ads?|advert\w*|ad\s+spend|roas|campaigns?|marketing|channels?|utm|facebook|google\s+ads|instagram|seo|referrals?)\b",
     "marketing, ads and channels"),
    (r"\b(?:deliver(?:y|ies)\s+times?|shipping\s+times?|how\s+long|delivers?\s+fastest|fastest|transit|shipping\s+costs?|carriers?|suppliers?|fulfil+ment\s+time)\b",
     "delivery times, shipping and suppliers"),
    (r"\b(?:ratings?|reviews?|stars?|5-star|nps|net\s+promoter|satisfaction|complaints?)\b", "ratings and reviews"),
    (r"\b(?:shop|store)\s+\d+\b|\bother\s+(?:shops?|stores?)\b|\bcompetitors?\b|\ball\s+(?:shops|stores)\b|\bindustry\b",
     "other shops (each answer covers only your own shop)"),
    (r"\b(?:forecast\w*|predict\w*|projection|project(?:ed)?|will\s+(?:my|i|we|the|it|revenue|sales|orders)|expected\s+to)\b",
     "forecasts (I report what happened, not what will happen)"),
    (r"^\s*why\b|\bwhy\s+(?:did|do|does|is|are|was|were)\b|\breasons?\s+for\b", "causes (why something happened)"),
    (r"\b(?:lifetime\s+value|clv|ltv|churn\w*|retention\s+rate|cohorts?)\b", "lifetime value, churn and cohorts"),
    (r"\b(?:abandon\w*|carts?|checkouts?|wishlists?)\b", "carts and checkouts"),
    (r"\b(?:discounts?|coupons?|promo(?:tion)?s?|codes?|vouchers?|gift\s*\w*)\b", "discounts, coupons and gifts"),
    (r"\b(?:tax(?:es)?|vat|fees?|commissions?)\b", "taxes and fees"),
    (r"\b(?:employees?|staff|workers?|salar(?:y|ies)|payroll)\b", "staff"),
    (r"\b(?:paypal|credit\s+cards?|payment\s+methods?|paid\s+(?:with|by|via|using)|apple\s+pay|klarna|stripe)\b",
     "payment methods"),
    (r"\b(?:mobile|desktop|devices?|browsers?|apps?)\b", "devices and apps"),
    (r"\b(?:genders?|male|female|ages?|old|age\s+groups?|birthdays?|newsletters?|subscribe\w*|subscriptions?)\b",
     "customer demographics and subscriptions"),
    (r"\b(?:cit(?:y|ies)|towns?|zip|postcodes?|postal|(?<!united\s)states?|regions?|provinces?|address(?:es)?|emails?|e-mails?|phones?|phone\s+numbers?)\b",
     "addresses and contact details"),
    (r"\b(?:minutes?|holidays?|(?:last|past)\s+\d+\s+hours?)\b", "minutes, hour windows and holidays"),
    (r"\b(?:returns?|returned|exchanges?)\b", "returns and exchanges (I can report refunded orders and the refund rate)"),
    (r"\b(?:weather|jokes?|poems?|stories|story|songs?|recipes?|news)\b", "weather, jokes, poems, recipes or news"),
]  # fmt: skip
ACTION = re.compile(
    r"^\s*(?:please\s+|can\s+you\s+|could\s+you\s+)?(?:cancel|delete|remove|refund|update|change|set|edit|email|send|"
    r"create|add|mark|issue|ship|block|ban|reset|modify|notify)\b(?!\s+(?:rates?|amounts?|totals?|values?|percentage|ratio|share)\b)"
)

# Metrics whose phrases hold status words run before statuses are read.
SPECIAL_METRICS: list[tuple[str, str]] = [
    (r"(?:which|what)\s+customers?\s+(?:has\s+|have\s+)?(?:ordered|bought|purchased|placed\s+(?:the\s+)?(?:most\s+)?orders?)\s+(?:the\s+)?most(?:\s+(?:times|often|orders))?",
     "orders:customer"),
    (r"(?:refunds?|refunded)\s+(?:rate|ratio|percentage|share)|(?:percentage|share|percent|proportion|%)\s+of\s+(?:my\s+)?orders\s+(?:that\s+)?(?:get|got|are|were|being|is|was|have\s+been)?\s*refunded",
     "refund_rate"),
    (r"(?:cancell?ation|cancel|cancell?ed)\s+(?:rate|ratio|percentage|share)|(?:percentage|share|percent|proportion|%)\s+of\s+(?:my\s+)?orders\s+(?:that\s+)?(?:get|got|are|were|being|is|was|have\s+been)?\s*(?:cancell?ed)",
     "cancellation_rate"),
    (r"(?:revenue|money|sales|amount|value)\s+(?:that\s+)?(?:was|were|got|has\s+been|have\s+been)?\s*refunded|refunded\s+(?:revenue|amount|money|sales|value|totals?)|(?:money\s+)?(?:did|have|do)\s+(?:i|we)\s+refund(?:ed)?|total\s+refunds?|refund\s+(?:amounts?|totals?|values?)|refunds\s+(?:total|value|amount)",
     "revenue_refunded"),
    (r"(?:repeat|returning)\s+(?:customer|purchase|buyer|order|client)s?\s+(?:rate|ratio|percentage|share)|(?:percentage|share|percent|proportion|%)\s+of\s+(?:my\s+)?(?:repeat|returning)\s+(?:customers|buyers|clients)|(?:percentage|share|percent|proportion|%)\s+of\s+(?:my\s+)?(?:customers|clients|buyers)\s+(?:who\s+|that\s+)?(?:have\s+)?(?:ordered|bought|purchased|came\s+back|returned)\s+(?:more\s+than\s+once|again|twice\s+or\s+more|at\s+least\s+twice)",
     "repeat_rate"),
    (r"(?:repeat|returning)\s+(?:customers|buyers|clients|shoppers)|(?:customers|clients|buyers)\s+(?:who\s+|that\s+)?(?:have\s+)?(?:ordered|bought|purchased)\s+(?:more\s+than\s+once|again|twice\s+or\s+more|at\s+least\s+twice)",
     "repeat_customers"),
    (r"(?:inactive|lapsed|dormant)\s+(?:customers?|clients?)|(?:customers?|clients?)\s+(?:who\s+|that\s+)?(?:are\s+|have\s+been\s+|were\s+)?(?:inactive|lapsed|dormant)",
     "inactive"),
    (r"(?:customers?|clients?|buyers?)\s+(?:who\s+|that\s+)?(?:have\s+not|haven't|did\s+not|didn't|has\s+not|hasn't|do\s+not|don't|(?:have\s+|has\s+)?never)\s+(?:ever\s+)?(?:ordered|order|bought|buy|purchased|purchase|placed\s+an?\s+order|made\s+a\s+purchase)(?:\s+anything|\s+something|\s+again)?|(?:customers?|clients?)\s+(?:with\s+no|without(?:\s+any)?|with\s+zero)\s+(?:orders?|purchases?)",
     "not_bought"),
    (r"(?:products?|items?)\s+(?:that\s+|which\s+)?(?:had|have|has|with|got)\s+no\s+sales|(?:products?|items?)\s+(?:that\s+|which\s+)?(?:have\s+not|haven't|did\s+not|didn't|has\s+not|hasn't|do\s+not|don't|never)\s+(?:been\s+)?(?:sold|sell)|unsold\s+(?:products?|items?)|(?:products?|items?)\s+(?:without|with\s+zero)\s+(?:any\s+)?sales|(?:products?|items?)\s+(?:nobody|no\s+one)\s+bought",
     "products_no_sales"),
    (r"new\s+(?:customers?|clients?|buyers?|shoppers?|signups?|sign-ups?|accounts?|customer\s+signups?|registrations?)(?:\s+(?:joined|signed\s+up|registered|(?:did|have)\s+(?:i|we)\s+(?:gain|gained|get|got|acquire|acquired|win|won|add|added)|(?:were|have\s+been)\s+(?:acquired|added|gained)))?|(?:customers?|clients?)\s+(?:were|have\s+been)\s+(?:acquired|added|gained|won)|(?:customers?|clients?|people|users)\s+(?:who\s+|that\s+)?(?:signed\s+up|joined|registered|sign\s+up|created\s+an\s+account)|(?:customer\s+)?(?:signups|sign-ups|sign\s+ups|registrations)|first-time\s+buyers|customers\s+did\s+(?:i|we)\s+(?:acquire|gain|get|win|add)|(?:acquired?|gained)\s+customers",
     "new_customers"),
    (r"(?:customers|clients|buyers|shoppers)\s+(?:who\s+|that\s+)?(?:have\s+)?(?:ordered|bought|purchased|placed\s+(?:an\s+)?orders?|made\s+a\s+purchase|shopped)(?:\s+something|\s+anything)?|active\s+customers|buying\s+customers|paying\s+customers",
     "active_customers"),
    (r"(?:(?:total\s+)?(?:number|count|no\.?)\s+of\s+|how\s+many\s+)?refunds(?:\s+(?:count|number))?|refund\s+count",
     "refunds"),
]  # fmt: skip

# Compound metrics, read before dimensions so "per order" and "per customer" stay theirs.
COMPOUND_METRICS: list[tuple[str, str]] = [
    (r"(?:average|avg|mean)\s+(?:number\s+of\s+)?(?:items|units|products)\s+(?:per|in\s+an?|in\s+each)\s+(?:order|basket|purchase)|(?:items|units|products)\s+per\s+(?:order|basket|purchase)",
     "items_per_order"),
    (r"(?:average|avg|mean)\s+(?:spend|spending|revenue|sales|value)\s+per\s+(?:customer|client|buyer)|(?:spend|spending|revenue|sales|value)\s+per\s+(?:customer|client|buyer)|(?:the\s+|an\s+)?average\s+customer\s+(?:spends?|spent|spending|value)",
     "spending_per_customer"),
    (r"(?:average|avg|mean|typical)\s+(?:order|basket|cart|purchase|transaction)(?:\s+(?:value|size|amount|total|spend|val))?|aov|(?:average\s+|avg\s+)?(?:spend|value|revenue)\s+per\s+(?:order|purchase)|(?:customers?|people)\s+spend\s+per\s+order|(?:a\s+)?customer\s+spend\s+per\s+order|how\s+big\s+is\s+an\s+order|order\s+size",
     "average_order_value"),
    (r"(?:number\s+of\s+)?(?:different|distinct|unique)\s+(?:products|items|skus)(?:\s+(?:sold|have\s+been\s+sold|were\s+sold))?",
     "distinct_products"),
    (r"(?:largest|biggest|highest|max(?:imum)?|most\s+expensive|top)\s+(?:single\s+)?(?:order|purchase|sale|transaction)(?:\s+(?:value|amount|total))?(?!s)",
     "largest_order"),
    (r"(?:smallest|lowest|min(?:imum)?|cheapest|tiniest)\s+(?:single\s+)?(?:order|purchase|sale|transaction)(?:\s+(?:value|amount|total))?(?!s)",
     "smallest_order"),
    (r"what\s+(?:sells|sold|is\s+selling)\s+(?:the\s+)?(?:best|most)", "units_sold:products"),
    (r"(?:sold|sells|sell|selling)\s+the\s+most|most\s+sold", "units_sold:top"),
    (r"(?:how\s+(?:large|big)\s+is\s+)?(?:my\s+|the\s+)?customer\s+(?:base|list)(?:\s+size)?", "customers"),
    (r"(?:by\s+)?(?:(?:number|count)\s+of\s+|total\s+)?(?:units?|items?|pieces|quantity|quantities)\s+(?:sold|sell|ordered|purchased)|(?:by\s+)?units?|(?:by\s+)?quantity",
     "units_sold"),
]  # fmt: skip

# Simple metrics, read after dimensions so "top customers" is a ranking, not a count.
SIMPLE_METRICS: list[tuple[str, str]] = [
    (r"(?:did|do|have|has)\s+(?:my\s+|the\s+|all\s+)?(?:customers|clients|shoppers|buyers|people)\s+(?:spend|spent)", "revenue"),
    (r"how\s+many\s+sales", "orders"),
    (r"(?:the\s+)?(?:total\s+)?(?:value|amount|worth)\s+of\s+(?:my\s+|the\s+|all\s+)?(?:orders|sales|purchases)|money\s+(?:is\s+)?in\s+(?:my\s+|the\s+)?orders",
     "revenue"),
    (r"(?:by\s+)?(?:total\s+)?(?:number|count|no\.?)\s+of\s+(?:orders?|purchases|transactions)|order\s+(?:count|volume|numbers?)",
     "orders"),
    (r"(?:from|of|on|in|for|across|with|among|over)\s+(?:the\s+|my\s+|all\s+|those\s+)?(?:orders|purchases)", "orders:qualifier"),
    (r"(?:by\s+)?(?:orders?|purchases|transactions)(?:\s+(?:count|volume))?", "orders"),
    (r"(?:what|how\s+much)\s+(?:did|have|do)\s+(?:i|we)\s+(?:sell|sold)", "revenue"),
    (r"(?:by\s+)?(?:total\s+|gross\s+)?(?:revenue|sales|turnover|income|earnings|takings|money|gmv)|(?:by\s+)?(?:spending|spend|spent)|cash|(?:did|have|do|does)\s+(?:i|we|the\s+shop|the\s+store|my\s+shop|my\s+store)\s+(?:make|made|earn|earned|take\s+in|bring\s+in|generate|generated|gross)",
     "revenue"),
    (r"(?:by\s+)?(?:(?:total\s+)?(?:number|count)\s+of\s+)?(?:customers?|clients?|shoppers?|buyers?)(?:\s+(?:base|list|count))?|how\s+many\s+people",
     "customers"),
]  # fmt: skip

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
SHARE = re.compile(
    r"\b(?:what\s+|which\s+)?(?:share|percentage|percent|proportion|fraction|%)\s+of\s+(?:my\s+|the\s+|all\s+)?(?:total\s+)?"
    r"|(?<![\w%])%\s+of\s+(?:my\s+|the\s+|all\s+)?(?:total\s+)?"
    r"|\b(?:share|percentage|percent)(?=\s+(?:by|per)\s)"  # "revenue share by category"
    r"|\b(?:in|as(?:\s+a)?)\s+(?:%|percent(?:age)?s?)(?=\s*$)"  # "orders by status in %"
    r"|(?<=\w\s)share(?:\s+in\s+(?:percent|%))?(?=\s*$)"  # "from India the revenue share in percent"
)
SHAREABLE = frozenset(("orders", "revenue", "units_sold", "refunds", "revenue_refunded", "active_customers",
                       "new_customers", "customers"))  # fmt: skip
# A ratio of two metrics of the catalogue whose two parts have one reading each ("refunds per order" =
# refunded orders / orders). "orders per customer" is refused: customer accounts, or customers who bought?
RATIO = re.compile(
    r"\b(?:(?:the\s+)?(?:average|avg|mean)\s+(?:number\s+of\s+)?)?(?P<a2>refunds)\s+per\s+(?P<b2>order)\b"
)
RATIOS = {("refunds", "order"): ("refunds", "orders")}
AND_GROUP = re.compile(rf"\b(?:and|&)\s+(?:by\s+|per\s+)?(?:{DIM_RE})\b")
ADVERB_GRAIN = {"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter", "yearly": "year",
                "annual": "year", "annually": "year", "hourly": "hour"}  # fmt: skip
# "weekend vs weekday", "weekends or weekdays": one breakdown, read before comparison words.
WEEKEND_SPLIT = re.compile(
    r"\b(?:(?:on\s+)?weekends?\s+(?:vs\.?|versus|compared\s+(?:to|with)|against|or|and)\s+(?:on\s+)?(?:weekdays?|week\s*days?)"
    r"|(?:on\s+)?(?:weekdays?|week\s*days?)\s+(?:vs\.?|versus|compared\s+(?:to|with)|against|or|and)\s+(?:on\s+)?weekends?"
    r"|(?:by|per)\s+weekend(?:\s+(?:or|vs\.?)\s+weekday)?)\b"
)
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
MEDIAN = re.compile(
    r"\b(?:the\s+)?median\s+(?:(?:order|basket|purchase|transaction|cart)\s*(?:values?|sizes?|amounts?|totals?)?|aov|order\s+total|spend\s+per\s+order)\b"
)
PERCENTILE = re.compile(
    r"\b(?:the\s+)?(?:(?P<p>\d{1,2})(?:st|nd|rd|th)?[\s-]+percentile|p(?P<p2>\d{1,2}))\s+(?:of\s+)?(?:the\s+)?(?:my\s+)?"
    r"(?:order|basket|purchase|transaction)\s*(?:values?|sizes?|amounts?|totals?)?\b"
)
ROW_EXTREME = re.compile(
    r"\b(?:who|which\s+customer|what\s+customer)\s+(?:placed|made|had|has|did|put\s+in)\s+(?:my|the)\s+"
    r"(?P<x>biggest|largest|highest|most\s+expensive|smallest|lowest|cheapest)\s+(?:single\s+)?(?:order|purchase)(?:\s+ever)?"
    r"(?:\s*,?\s*(?:and|&)\s+when(?:\s+(?:was\s+it|did\s+they))?)?\b"
)
WHEN_EXTREME = re.compile(  # "when was my biggest order": its date, so the row behind it
    r"\bwhen\s+(?:was|did\s+(?:i|we)\s+(?:get|receive))\s+(?:my|the)\s+"
    r"(?P<x>biggest|largest|highest|most\s+expensive|smallest|lowest|cheapest)\s+(?:single\s+)?(?:order|purchase)(?!s)\b"
)
# "the biggest order, who made it and when", "largest order L30D: who, how much, what date": the
# parts of the row behind an extreme, asked for around it (the row holds customer, total and date).
ANY_EXTREME = re.compile(
    r"\b(?:(?:my|the)\s+)?(?:single\s+)?(?P<x>biggest|largest|highest|most\s+expensive|smallest|lowest|cheapest)"
    r"\s+(?:single\s+)?(?:order|purchase)(?![\w-])(?:\s+ever)?"
)
ROW_PARTS = re.compile(
    r"\b(?:who|whom|(?:which|what)\s+customer|customer(?:'s)?(?:\s+name)?|placed\s+by|made\s+it|placed\s+it"
    r"|when|(?:what|which)\s+(?:date|day)|(?:the\s+)?date|how\s+much|amount|total)\b"
)
GROUPING_WORD = re.compile(r"\b(?:by|per|each|every)\b")
# Questions this layer cannot answer in every part: refused before anything is read.
UNANSWERABLE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:biggest|largest|highest|smallest|lowest|most\s+expensive|cheapest)\s+(?:orders|purchases)\b"),
     "I can show the single largest or smallest order (who placed it and when), or rank customers or "
     "products by revenue; a list of the largest orders is not something I compute."),
    (re.compile(r"\bwhat\s+(?:did|does|do|has|have)\s+(?:\w+\s+){0,4}?(?:buy|bought|purchase|purchased|order|ordered)\b(?!\s+(?:the\s+)?most)"),
     "I can count what a customer ordered and how much they spent, but not list the products they bought."),
]  # fmt: skip
CUSTOMER_ORDER = re.compile(
    r"\b(?:(?:his|her|their)\s+)?(?P<x>first|earliest|last|latest|most\s+recent)\s+(?:order|purchase)(?!s)\b(?:\s+(?:date|ever))?"
)
TOP = re.compile(r"\b(?:the\s+)?(?:most|highest|best|largest|biggest|greatest|top|max(?:imum)?)\b")
BOTTOM = re.compile(r"\b(?:the\s+)?(?:least|lowest|worst|fewest|smallest|bottom|min(?:imum)?)\b")
COMPARE = re.compile(
    r"\b(?:vs\.?|versus|compared\s+(?:to|with)|compare[ds]?|comparison|against|relative\s+to|growth|grow(?:n)?|grew"
    r"|change[ds]?|increase[ds]?|decrease[ds]?|difference|up\s+or\s+down|trend(?:ing)?\s+versus)\b"
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
BREAK_DOWN = re.compile(
    r"\b(?:break(?:ing)?\s+(?:down|out|up)|split(?:\s+(?:up|out))?|(?:a\s+)?breakdown\s+of)\b"
)
TOP_N = re.compile(r"\b(?P<r>top|bottom)\s+(?P<n>\d{1,3})\b")
# Words after "<country> customers" that make the customers a population ("spanish customers revenue").
POPULATION_OF = (
    r"(?:aov|average|avg|mean|median|revenue|sales|spend|spending|orders|units|quantity|items|refunds?|"
    r"number\s+of\s+orders|order\s+count)\b"
)
_DIM_PLURALS = r"customers|clients|buyers|products|items|sellers|categories|countries"


def reorder(text: str) -> str:
    """The cut said last, moved to the front: "products by units, top 8" -> "top 8 products by
    units", "customers, top 10 by spend" -> "top 10 customers by spend"."""
    m = re.fullmatch(
        rf"(?P<pre>.*?)\b(?P<dim>{_DIM_PLURALS})\b(?P<mid>.*?)\s(?P<r>top|bottom)\s+(?P<n>\d{{1,3}})\b(?P<tail>.*)",
        text,
    )
    harmless = m is not None and all(w in FILLER or skippable(w) for w in m.group("pre").split())
    if m and harmless and not re.search(r"\b(?:top|bottom)\b", m.group("mid") + m.group("tail")):
        return f"{m.group('pre')} {m.group('r')} {m.group('n')} {m.group('dim')}{m.group('mid')}{m.group('tail')} "
    m = re.fullmatch(
        r"(?P<head>.*?\b(?P<r>top|bottom))(?P<mid>\s+(?!\d).*?)\s(?P=r)\s+(?P<n>\d{1,3})\s*", text
    )
    if m and not re.search(r"\d", m.group("mid")):  # "top sellers by units, top 5"
        return f"{m.group('head')} {m.group('n')}{m.group('mid')} "
    return text


FILLER = frozenset(
    """a an the of in on at for to from with and or into about any anything some something how many much
    what whats which who whom is are was were be been being am does do did done my our i we me us you
    your it its this that these those there here have has had having get got gets getting show tell give
    list display see view find report pull fetch provide let know please pls plz can could would should
    like want need so far ever overall total all currently current now right just only still yet already
    again altogether number count figure figures numbers stats statistics data info summary
    overview size shop store business online made make makes making earn earned bring brought generate
    generated come came take took taken placed place put receive received contain contained contains containing
    include included including sell sold selling sells buy bought purchase purchased since time times
    period grand combined sum happened happen through marked as during via when worth cost name every""".split()  # noqa: SIM905
)
# Filler only once the question is grouped: "revenue breakdown" alone names no breakdown.
GROUPED_FILLER = frozenset(("breakdown", "split", "distribution", "trend", "trends", "each"))
FILLER_PHRASES = re.compile(
    r"\b(?:all\s+time|of\s+all\s+time|so\s+far|in\s+total|to\s+date|right\s+now|at\s+the\s+moment"
    r"|up\s+to\s+now|until\s+now|bring\s+in|brought\s+in|come\s+in|came\s+in|take\s+in|took\s+in)\b"
)
SHORTHAND = {"hw": "how", "wat": "what", "wht": "what", "val": "value", "avg": "average", "amt": "amount",
             "u": "you", "ur": "your", "r": "are", "thx": "", "pls": "please", "plz": "please",
             "cust": "customers", "custs": "customers", "rev": "revenue", "qty": "quantity", "mo": "month",
             "yr": "year", "wk": "week", "prods": "products", "cats": "categories", "ppl": "people",
             "frm": "from", "thru": "through", "ords": "orders", "qtys": "quantity", "units/qty": "units"}  # fmt: skip
# Shorthand that is also short enough to be part of a shop's names: read only when no name of the
# shop holds the word ("cat" is a category unless the shop sells a "Cat Tree").
SHORTHAND_UNLESS_NAMED = {"w": "with", "n": "and", "hr": "hour", "hrs": "hours", "cat": "category",
                          "lst": "last", "pct": "percent", "cnt": "count", "avg.": "average"}  # fmt: skip
CONTENT_WORDS = sorted(
    set(
        [
            "orders",
            "order",
            "revenue",
            "sales",
            "customers",
            "customer",
            "clients",
            "products",
            "product",
            "items",
            "units",
            "categories",
            "category",
            "countries",
            "country",
            "status",
            "statuses",
            "month",
            "months",
            "week",
            "weeks",
            "day",
            "days",
            "quarter",
            "quarters",
            "year",
            "years",
            "today",
            "yesterday",
            "average",
            "value",
            "spending",
            "spend",
            "refunded",
            "refund",
            "refunds",
            "cancelled",
            "cancellation",
            "pending",
            "paid",
            "shipped",
            "delivered",
            "largest",
            "smallest",
            "biggest",
            "highest",
            "lowest",
            "repeat",
            "returning",
            "inactive",
            "distinct",
            "different",
            "unique",
            "signups",
            "monthly",
            "weekly",
            "daily",
            "quarterly",
            "yearly",
            "between",
            "compare",
            "versus",
            "growth",
            "last",
            "this",
            "previous",
            "number",
            "selling",
            "popular",
            "grossing",
            "spenders",
            "sold",
            "least",
            "most",
            "best",
            "worst",
            "fewest",
            "top",
            "gross",
            "ordered",
            "never",
            # issue 22: the words of the wider catalogue, so a typo of one is never read as another
            "weekday",
            "weekdays",
            "weekend",
            "weekends",
            "hour",
            "hours",
            "hourly",
            "median",
            "percentile",
            "refunds",
            "share",
            "percentage",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
            "black",
            "cyber",
            "christmas",
            "quarterly",
            "items",
            "together",
            "both",
        ]
        + list(MONTHS)  # the month names, as the period finder knows them
    )
)


def _pattern_words() -> set[str]:
    patterns = [p for p, _ in OUT_OF_SCOPE + SPECIAL_METRICS + COMPOUND_METRICS + SIMPLE_METRICS]
    patterns += [ACTION.pattern, RANKED_DIMENSION.pattern, GROUP_BY.pattern, COMPARE.pattern, AMOUNT.pattern,
                 TOP.pattern, BOTTOM.pattern, FILLER_PHRASES.pattern, STATUS, WEEKDAY_FILTER.pattern,
                 WEEKEND_SPLIT.pattern, CUSTOMER_THRESHOLD.pattern, ORDER_THRESHOLD.pattern, MEDIAN.pattern,
                 PERCENTILE.pattern, ROW_EXTREME.pattern, CUSTOMER_ORDER.pattern, FOLLOW_UP.pattern, WHEN_EXTREME.pattern,
                 FOLLOW_UP_WORDS.pattern, THE_ONE_BEFORE.pattern, BREAK_DOWN.pattern, SHARE.pattern,
                 RATIO.pattern]  # fmt: skip
    return {w for p in patterns for w in re.findall(r"[a-z]{3,}", p)}


PERIOD_WORDS = frozenset(w for p, _ in RULES for w in re.findall(r"[a-z]{3,}", p)) | {"years", "christmas"}
KNOWN_WORDS = frozenset(
    _pattern_words() | FILLER | set(CONTENT_WORDS) | set(SHORTHAND.values()) | PERIOD_WORDS
)


def correct(word: str, extra: set[str]) -> str | None:
    """The known content word ``word`` is a typo of, if one is close enough."""
    if len(word) < 4 or not word.isalpha():
        return None
    cutoff = 0.75 if len(word) <= 5 else 0.8
    match = difflib.get_close_matches(word, [*CONTENT_WORDS, *extra], n=2, cutoff=cutoff)
    if len(match) == 2 and not match[0].startswith(match[1]) and not match[1].startswith(match[0]):
        ratios = [difflib.SequenceMatcher(None, word, m).ratio() for m in match]
        if ratios[0] - ratios[1] < 0.05:  # two words about as close: never pick one
            return None
    return match[0] if match else None
