"""The one prompt function: what the generator is given at inference, and what the export
writes as a training ``input``. Training input == inference input, by construction.

Unlike the original guide's ``"Answer this e-commerce analytics question: <question>"``, the
prompt carries the tool and the result's slots, so a model has the data the answer is built
from instead of having to guess numbers.
"""

from __future__ import annotations

from shared.results import ToolResult, slots

PREFIX = "Answer this e-commerce analytics question:"


def shop_word(shop_id: str) -> str:
    """The shop as one letters-only word (``"11"`` -> ``"shopbb"``): a word-level tokenizer splits
    digits, so shops 11 and 12 would differ by a single shared digit token; as one word each shop
    gets a token of its own, which a small model conditions on far more readily."""
    return "shop" + "".join(chr(ord("a") + int(c)) if c.isdigit() else c.lower() for c in shop_id if c.isalnum())


def build_prompt(question: str, result: ToolResult, shop_id: str | None = None) -> str:
    """The prompt; with ``shop_id`` it carries the shop, so a model trained on one shop's
    corrections (German for one, a terse house style for another) phrases that shop's answers
    that way and no other's."""
    facts = "; ".join(f"{name} = {text}" for name, text in slots(result).items())
    shop = f" | shop: {shop_id.strip()} | shop key: {shop_word(shop_id.strip())}" if shop_id and shop_id.strip() else ""
    return f"{PREFIX} {question.strip()}{shop} | tool: {result.tool} | facts: {facts or 'none'}"
