"""The placeholder grammar: how an answer names a fact instead of stating it.

A value ``key`` of a tool's result is named ``V_<KEY>``, a cell of row ``i`` (from 1)
``V_<COLUMN>_<i>``: ``V_`` and the key in capitals, each run of other characters one ``_``
(``slot_name("order id", 2)`` is ``V_ORDER_ID_2``). Answers are written with these names and
filled from the result, so a text can only ever state the result's numbers.

Three patterns, for three jobs:

* ``PLACEHOLDER_RE`` (``placeholders``): a well-formed name, as ``slot_name`` makes them: ``V_``,
  a capital, then capitals, digits and ``_``, never ending in ``_`` (``V_N``, ``V_NAME_12``).
  These are the names a text uses and an answer must state.
* ``LOOKALIKE_RE``: anything shaped like a placeholder, well formed or not (``V_`` then capitals,
  digits and ``_``: also ``V_1`` or ``V_NAME_``). Removed before a text is searched for digits,
  so the digits inside a name never count as a stated number, and the pattern ``fill`` replaces.
* ``TOKEN_PATTERN``: a placeholder as one token for a tokenizer that has already split words
  apart (no word boundaries): ``V_``, capitals, digits and ``_``, ending in a capital or digit.
"""

from __future__ import annotations

import re

PREFIX = "V_"
PLACEHOLDER_RE = re.compile(r"\bV_[A-Z][A-Z0-9_]*[A-Z0-9]\b|\bV_[A-Z]\b")
LOOKALIKE_RE = re.compile(r"\bV_[A-Z0-9_]+\b")
TOKEN_PATTERN = r"V_[A-Z0-9_]*[A-Z0-9]"


def key_name(key: str) -> str:
    """A result key as it appears in a placeholder: ``"order id"`` -> ``ORDER_ID``."""
    return re.sub(r"[^A-Za-z0-9]+", "_", key).upper().strip("_")


def slot_name(key: str, index: int | None = None) -> str:
    """The placeholder of value ``key`` (``V_COUNT``), or of its cell in row ``index`` (``V_NAME_2``)."""
    name = PREFIX + key_name(key)
    return f"{name}_{index}" if index is not None else name


def placeholders(text: str) -> list[str]:
    """The well-formed placeholders in ``text``, in order, repeats included."""
    return PLACEHOLDER_RE.findall(text)


def without_placeholders(text: str) -> str:
    """``text`` with everything shaped like a placeholder removed (to look for stated numbers)."""
    return LOOKALIKE_RE.sub("", text)
