"""What the parser refuses before it reads a question: topics the shop's data does not hold
(profit, stock, traffic...), actions ("cancel order 12"), and questions it cannot answer in every
part ("my 10 largest orders"). ``check_scope`` refuses the first two."""

from __future__ import annotations

import re

from services.ask.semantic.reading import Reading, Refuse

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
# Questions this layer cannot answer in every part: refused before anything is read.
UNANSWERABLE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:biggest|largest|highest|smallest|lowest|most\s+expensive|cheapest)\s+(?:orders|purchases)\b"),
     "I can show the single largest or smallest order (who placed it and when), or rank customers or "
     "products by revenue; a list of the largest orders is not something I compute."),
    (re.compile(r"\bwhat\s+(?:did|does|do|has|have)\s+(?:\w+\s+){0,4}?(?:buy|bought|purchase|purchased|order|ordered)\b(?!\s+(?:the\s+)?most)"),
     "I can count what a customer ordered and how much they spent, but not list the products they bought."),
]  # fmt: skip


def check_scope(r: Reading) -> None:
    if ACTION.search(r.text):
        raise Refuse(
            "out_of_scope", "I only read your shop's data; I can't change orders, customers or prices."
        )
    for pattern, topic in OUT_OF_SCOPE:
        if re.search(pattern, r.text):
            raise Refuse("out_of_scope", f"Your shop's data does not hold {topic}, so I can't answer that.")
