"""List rows render deterministically; a model writes only the sentence around them.

A result's rows (top customers, orders, months...) make answers long: a model writing them
token by token spends most of its time on text the template already has. So a model is
trained to write one placeholder, ``V_ROWS``, where the list goes
(``Your top V_N customers by spending are: V_ROWS.``), and ``expand`` puts the template's own
list back in its place (``V_NAME_1 (V_SPENDING_1), V_NAME_2 (V_SPENDING_2)``) before the answer
is checked and filled like any other.

The list's extent in a text with placeholders runs from its first row placeholder
(``V_<COLUMN>_<i>``) to its last, plus any closing brackets that row opened, plus the remainder
when the list is cut short (``, and V_MORE``, in whatever one or two words an owner joins it
with). ``collapse`` turns that span into ``V_ROWS`` (training targets); ``expand`` turns
``V_ROWS`` into the template's span for the result at hand. So a model never decides whether a
list was cut: a result with 13 months (any December) lists 12 and says "1 more" because the
data says so, not because a model remembered to.
"""

from __future__ import annotations

import re

from shared.phrasing import template_text
from shared.placeholders import key_name
from shared.results import ToolResult

ROWS = "V_ROWS"
# "…, and V_MORE" right after a list (or "…, und V_MORE": one or two joining words of any language).
_REMAINDER = r",? ?(?:[^\W\d_]+ ){0,2}V_MORE\b"
_REMAINDER_RE = re.compile(_REMAINDER)
# V_ROWS, with a remainder a model wrote after it itself (the list already holds one).
_ROWS_RE = re.compile(rf"\bV_ROWS\b(?:{_REMAINDER})?")


def _row_placeholders(result: ToolResult) -> re.Pattern[str] | None:
    columns = sorted({key for row in result.rows for key in row}, key=len, reverse=True)
    if not columns:
        return None
    names = "|".join(re.escape(key_name(c)) for c in columns)
    return re.compile(rf"\bV_(?:{names})_\d+\b")


def rows_span(text: str, result: ToolResult) -> tuple[int, int] | None:
    """Where ``text`` (with placeholders) lists ``result``'s rows, or None if it lists none."""
    pattern = _row_placeholders(result)
    found = list(pattern.finditer(text)) if pattern is not None else []
    if not found:
        return None
    start, end = found[0].start(), found[-1].end()
    depth = text.count("(", start, end) - text.count(")", start, end)
    while depth > 0 and end < len(text) and text[end] == ")":
        end, depth = end + 1, depth - 1
    remainder = _REMAINDER_RE.match(text, end)
    return start, remainder.end() if remainder else end


def collapse(text: str, result: ToolResult) -> str:
    """``text`` with its list of rows replaced by ``V_ROWS`` (unchanged if it lists none)."""
    span = rows_span(text, result)
    return text if span is None else text[: span[0]] + ROWS + text[span[1] :]


def expand(text: str, result: ToolResult) -> str:
    """``text`` with ``V_ROWS`` replaced by the template's list of ``result``'s rows. Left as it
    is when the result has no rows to list (the placeholder check then rejects ``V_ROWS``)."""
    if not _ROWS_RE.search(text):
        return text
    template = template_text(result)
    span = rows_span(template, result)
    if span is None:
        return text
    listed = template[span[0] : span[1]]
    return _ROWS_RE.sub(lambda _: listed, text)
