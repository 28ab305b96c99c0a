"""A result being built (``Draft``): what every builder of ``answer`` and ``answer_groups`` needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.ask.semantic.compiler import compile_query
from services.ask.warehouse import Warehouse
from shared.interpretation import Interpretation, Window


@dataclass
class Draft:
    """The query, the warehouse and shop it runs on, the currency, and the slots (``values``) and
    ``params`` the result states so far."""

    wh: Warehouse
    q: Interpretation
    shop_id: str
    currency: str
    values: dict[str, Any]
    params: dict[str, Any]

    def rows(self, q: Interpretation, window: Window | None, items: bool = False) -> list[tuple[Any, ...]]:
        """The rows of ``q`` (this query or a variant of it) for the shop over ``window``."""
        sql, args = compile_query(q, self.shop_id, window, items=items)
        return self.wh.query(sql, args)
