"""The semantic layer: metrics and dimensions declared once (``catalog``), questions read into a
structured query without guessing (``parser``), one compiler to parameterized SQL (``compiler``),
and results that state what was computed (``answer``).

Where things are, in the order a question goes through them:

* ``lexicon`` (what reviewers' labels taught), ``spelling`` (shorthand and typos) and
  ``out_of_scope`` (topics the data does not hold, actions) act before the reading;
* ``reader`` reads in a fixed order, with ``read_measures``, ``read_filters``, ``read_groups``
  and ``read_follow_ups``; the phrases they match are in ``metric_phrases``,
  ``dimension_phrases``, ``filter_phrases`` and ``follow_up_phrases``, the periods in ``periods``
  (``period_rules``, ``calendar_words``), filler and known words in ``vocabulary`` and ``words``;
  ``reading`` holds what has been read so far and ``entities`` the shop's own names;
* ``assemble`` makes the query (``query_checks`` refuse what has two readings, ``comparison``
  picks the periods compared);
* ``answer`` runs it (``compiler``, ``answer_groups``) and states it (``answer_text``).
"""

from __future__ import annotations

from datetime import date

from services.ask.conversations import Conversations
from services.ask.semantic.answer import run
from services.ask.semantic.calendar_words import today_utc
from services.ask.semantic.entities import EntityIndex
from services.ask.semantic.lexicon import Lexicon
from services.ask.semantic.parser import Parser, Understanding
from services.ask.warehouse import Warehouse
from shared.interpretation import Interpretation
from shared.results import ToolResult

__all__ = ["SemanticLayer", "Understanding", "intent_of", "refusal_text"]


class SemanticLayer:
    def __init__(self, warehouse: Warehouse, lexicon: Lexicon | None = None):
        self.warehouse = warehouse
        self.parser = Parser(EntityIndex(warehouse))
        self.lexicon = lexicon or Lexicon()  # swapped whole when reviewers' labels teach a better one
        self.conversations = Conversations()  # the last reading of each conversation, for follow-ups

    def understand(
        self,
        question: str,
        shop_id: str,
        today: date | None = None,
        lexicon: Lexicon | None = None,
        previous: Interpretation | None = None,
    ) -> Understanding:
        """``previous``: the last reading of the conversation this question continues, if any."""
        return self.parser.parse(question, shop_id, today or today_utc(), lexicon or self.lexicon, previous)

    def compute(self, q: Interpretation, shop_id: str, currency: str) -> ToolResult:
        return run(self.warehouse, q, shop_id, currency)

    def compute_all(self, q: Interpretation, shop_id: str, currency: str) -> list[ToolResult]:
        """One result per measure the question names ("orders and revenue"), in its order."""
        return [
            run(self.warehouse, q.model_copy(update={"metric": m, "measures": []}), shop_id, currency)
            for m in [q.metric, *q.measures]
        ]


def intent_of(q: Interpretation) -> str:
    """The logged intent: the name of the question family (the eleven earlier ones keep theirs)."""
    if q.compare_to is not None:
        return f"{q.metric}_comparison"
    if q.rank and q.group_by in ("month", "day", "week", "quarter", "year") and q.limit == 1:
        return "best_period"
    if q.rank and q.group_by == "customer":
        return "top_customers"
    if q.rank and q.group_by == "product":
        return "top_products"
    if q.group_by is None:
        if q.metric == "orders":
            return "orders_by_amount" if any(f.field == "amount" for f in q.filters) else "order_count"
        return {"customers": "customer_count"}.get(q.metric, q.metric)
    if q.metric == "revenue" and q.group_by == "month" and not q.rank:
        return "revenue_by_month"
    if q.metric == "orders" and q.group_by == "status":
        return "order_status"
    return f"{q.metric}_by_{q.group_by}"


def refusal_text(u: Understanding) -> str:
    understood = "; ".join(u.understood) if u.understood else "nothing I can compute yet"
    asks = " / ".join(f'"{s}"' for s in u.suggestions[:3])
    skipped = f" Skipped: {', '.join(u.skipped)}." if u.skipped else ""
    return f"{u.message} What I understood: {understood}.{skipped} You could ask, for example: {asks}."
