"""Simulated shop owners who correct answers into their own wording, and ask in words of their
own that a simulated reviewer rephrases (the demo and the tests).

Each house style rewrites the template phrasing, placeholders kept, so a correction states
exactly the result's facts: ``correct(style, result)`` is what such an owner would type into
``POST /api/mcp/feedback`` as ``correction``. The values themselves (metric names, periods,
scope) come from the data and stay as the warehouse words them, and so does a list with its
remainder (", and 3 more"): the rows render from the data, never from a model (``shared.rows``).

* ``german`` (shop 11 in the demo): the sentence around the facts in German;
* ``terse`` (shop 12): no "You have", no "Computed as", the scope in brackets.
"""

from __future__ import annotations

from collections.abc import Callable

from shared.phrasing import fill, template_text
from shared.results import ToolResult, slots

_GERMAN = (
    (". Computed as ", ". Berechnet als "),
    (" by V_GROUP", " nach V_GROUP"),
    ("nothing to show", "keine Daten"),
    ("nothing to rank", "nichts zu vergleichen"),
    (", against ", ", gegenüber "),
    (" in V_PREVIOUS_PERIOD", " im Zeitraum V_PREVIOUS_PERIOD"),
    ("You have ", "Sie haben "),
    (" orders", " Bestellungen"),
    (" customers", " Kunden"),
    ("Your total revenue", "Ihr Gesamtumsatz"),
    ("Your average order value", "Ihr durchschnittlicher Bestellwert"),
    ("Your top", "Ihre Top"),
    (" by spending", " nach Ausgaben"),
    (" with status ", " mit Status "),
    (" is ", " beträgt "),
    (" from ", " aus "),
    (" across ", " über "),
    (" are: ", " sind: "),
)
_TERSE = (
    ("You have ", ""),
    ("Your ", ""),
    (" are: ", ": "),
    (" is ", ": "),
)


def _rewrite(pairs: tuple[tuple[str, str], ...], prefix: str = "") -> Callable[[str], str]:
    def style(text: str) -> str:
        for old, new in pairs:
            text = text.replace(old, new)
        return prefix + text

    return style


def _terse(text: str) -> str:
    text = _rewrite(_TERSE)(text)
    if ". Computed as " in text and text.endswith("."):
        text = text.replace(". Computed as ", " [", 1)[:-1] + "]"
    return text


STYLES: dict[str, Callable[[str], str]] = {"german": _rewrite(_GERMAN, prefix="Ergebnis: "), "terse": _terse}


def styled_text(style: str, result: ToolResult) -> str:
    """The answer in ``style``, with placeholders."""
    return STYLES[style](template_text(result))


def correct(style: str, result: ToolResult) -> str:
    """The correction an owner with this house style gives, numbers filled."""
    return fill(styled_text(style, result), slots(result))


# How the simulated owners also ask: in words the vocabulary does not know (shop 11 mixes in
# German, shop 12 says "punters"). The ask service refuses these until a reviewer labels some.
JARGON: dict[str, tuple[str, ...]] = {
    "11": ("Umsatz {period}", "Bestellungen {period}"),
    "12": ("new punters {period}", "top {n} punters by spending"),
}
# The simulated reviewer's rephrasing of such a question (``ecominsight review label --as``).
REVIEWER_WORDS = {"umsatz": "revenue", "bestellungen": "orders", "punters": "customers"}


def rephrase(question: str) -> str | None:
    """The question in the vocabulary's words, or None when it holds no word the reviewer knows."""
    words = question.split()
    plain = [REVIEWER_WORDS.get(w.lower().strip("?"), w) for w in words]
    return " ".join(plain) if plain != words else None
