"""The phrases of metrics: special ones whose words hold status words ("refund rate"), compound
ones read before dimensions ("average order value"), simple ones read after them ("revenue"),
medians and percentiles, ratios and shares, and the single order row behind an extreme ("who
placed my biggest order")."""

from __future__ import annotations

import re

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
CUSTOMER_ORDER = re.compile(
    r"\b(?:(?:his|her|their)\s+)?(?P<x>first|earliest|last|latest|most\s+recent)\s+(?:order|purchase)(?!s)\b(?:\s+(?:date|ever))?"
)
