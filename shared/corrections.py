"""Owners' corrections: the answer as a shop owner wants it worded, checked against the result
of the query it corrects.

A correction becomes a training target only when every number it states is one of that query's
own values (it is delexicalised with ``shared.phrasing.delexicalise``) and it states every fact
the answer must state (``required_placeholders``), so a model trained on it still passes the
generator's check. Anything else is rejected with the reason; the logger counts rejections in
``/stats`` and the export leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.phrasing import delexicalise, required_placeholders
from shared.placeholders import placeholders
from shared.results import ToolResult
from shared.rows import collapse

MAX_CHARS = 2000


@dataclass(frozen=True)
class CheckedCorrection:
    target: str | None  # the correction with placeholders (rows as V_ROWS), or None if rejected
    reason: str | None = None  # why it was rejected

    @property
    def ok(self) -> bool:
        return self.target is not None


def check_correction(correction: str, result: ToolResult) -> CheckedCorrection:
    text = correction.strip()
    if not text:
        return CheckedCorrection(None, "empty correction")
    if len(text) > MAX_CHARS:
        return CheckedCorrection(None, f"correction longer than {MAX_CHARS} characters")
    target = delexicalise(text, result)
    if target is None:
        return CheckedCorrection(None, "states a number the result does not hold")
    missing = required_placeholders(result) - set(placeholders(target))
    if missing:
        return CheckedCorrection(None, "leaves out a fact the answer must state")
    return CheckedCorrection(collapse(target, result))
