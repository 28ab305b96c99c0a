"""What a tool returns, and the named slots its values fill in an answer.

A ``ToolResult`` holds scalar ``values`` and an optional list of ``rows``. Each value becomes a
slot named ``V_<KEY>`` and each row cell ``V_<COLUMN>_<i>`` (1-based; the names are
``shared.placeholders``), formatted for display:
money with the shop's currency, two decimals and thousands separators; integers with
separators; strings as they are. Answers are written with these placeholders and filled from
the slots, so the text can only ever state the tool's numbers.

Identifiers (order ids) are strings, so they are shown as they are, never as ``1,234``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.placeholders import slot_name

Scalar = str | int | float | None

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "AUD": "A$", "CAD": "C$"}


class ToolResult(BaseModel):
    """The data an answer is built from (returned to API users as ``data``)."""

    model_config = ConfigDict(frozen=True)

    tool: str
    params: dict[str, Any] = Field(default_factory=dict)
    values: dict[str, Scalar] = Field(default_factory=dict)
    rows: list[dict[str, Scalar]] = Field(default_factory=list)
    money: list[str] = Field(default_factory=list, description="value keys / row columns that are money")
    currency: str = "USD"


def format_money(amount: float | int | Decimal, currency: str = "USD") -> str:
    """``1234.5, "USD"`` -> ``$1,234.50``; currencies without a symbol: ``1,234.50 CHF``."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    text = f"{abs(value):,.2f}"
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency.upper()}"


def format_value(value: Scalar, is_money: bool, currency: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if is_money and isinstance(value, int | float):
        return format_money(value, currency)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def slots(result: ToolResult) -> dict[str, str]:
    """Placeholder name -> display text, for every non-empty value and row cell."""
    out: dict[str, str] = {}
    money = set(result.money)
    for key, value in result.values.items():
        text = format_value(value, key in money, result.currency)
        if text is not None:
            out[slot_name(key)] = text
    for i, row in enumerate(result.rows, start=1):
        for key, value in row.items():
            text = format_value(value, key in money, result.currency)
            if text is not None:
                out[slot_name(key, i)] = text
    return out
