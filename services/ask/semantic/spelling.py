"""Spelling put right before the question is read: shorthand ("rev", "cust"), typos of content
words and of the shop's own names ("Portable Chargr"), and country codes typed in lower case
("orders in fr"). Every correction is reported with the answer."""

from __future__ import annotations

import re

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from services.ask.semantic import words
from services.ask.semantic.entities import COUNTRIES, ShopEntities
from services.ask.semantic.reading import Reading, Refuse
from services.ask.semantic.vocabulary import (
    CONTENT_WORDS,
    KNOWN_WORDS,
    SHORTHAND,
    SHORTHAND_UNLESS_NAMED,
    correct,
)

# Lower-case codes that are not English words ("de", "fr"); "us" and "ca" are handled apart.
LOWER_CODES = sorted(c.lower() for c in COUNTRIES if c not in ("IN", "IT", "AT", "NO", "BE"))
LOWER_CODE = re.compile(
    r"(?P<verb>\b(?:bought|buy|buys|ordered|purchased|shopped|spent|spend)\s+)?"
    rf"(?P<pre>\b(?P<p>from|in|to|for|among)\s+(?:the\s+)?)(?P<c>{'|'.join(LOWER_CODES)})(?![\w'-])"
)
COUNTRY_WORDS = frozenset(n for names in COUNTRIES.values() for n in names if n.isalpha() and len(n) > 4)


def vocabulary_of(shop: ShopEntities) -> set[str]:
    return set(CONTENT_WORDS) | shop.words | {n for ns in COUNTRIES.values() for n in ns if " " not in n}


def correct_spelling(r: Reading, shop: ShopEntities) -> None:
    known = shop.known_words
    countries = COUNTRY_WORDS
    _fix_names(r, shop)
    out: list[str] = []
    for word in r.text.split(" "):
        fixed = SHORTHAND.get(word)
        if fixed is None and word not in known:
            fixed = SHORTHAND_UNLESS_NAMED.get(word)
        if (
            fixed is None
            and word
            and word not in known
            and word not in KNOWN_WORDS
            and not words.skippable(word)
        ):
            fixed = correct(word, set(shop.categories) | countries)
            if fixed:
                r.corrections[word] = fixed
        out.append(word if fixed is None else fixed)
    r.text = " ".join(out)


def read_lower_codes(r: Reading, shop: ShopEntities) -> None:
    """Country codes typed in lower case after a preposition ("rev ytd from de", "orders in fr"):
    read where the code is no English word and no word of the shop's names. "in us" is the United
    States; "from us", "for us" and "ca" (Canada or California?) are refused, never skipped."""

    def code(m: re.Match[str]) -> str:
        c = m.group("c")
        if c in shop.known_words:
            return m.group(0)
        if c == "ca" or (c == "us" and m.group("p") != "in" and not m.group("verb")):
            raise Refuse(
                "unclear",
                f"I could not tell what {(m.group('pre') + c).strip()!r} means"
                + (" (Canada or California?)" if c == "ca" else " (the United States, or your shop?)")
                + f"; write the country's name or its code in capitals ({c.upper()}).",
            )
        if c == "us" and m.group("verb"):
            return m.group(0)  # "bought from us": the shop
        return f"{m.group('verb') or ''}{m.group('pre')}{COUNTRIES[c.upper()][0]}"

    r.text = LOWER_CODE.sub(code, r.text)


def _unknown(word: str, shop: ShopEntities) -> bool:
    return (
        len(word) >= 3
        and word.isalpha()
        and word not in shop.known_words
        and word not in KNOWN_WORDS
        and word not in SHORTHAND
        and not words.skippable(word)
    )


def _fix_names(r: Reading, shop: ShopEntities) -> None:
    """A typo inside a customer's or product's name ("Portable Chargr", "Fraces Shaw"): read as
    that name when exactly one name of the shop is that close (one edit, two in a long name; no
    other name within one more edit) and every other word of it is typed as in the name. Only
    words outside every vocabulary are touched, so the work is done only for such questions."""
    tokens = r.text.split(" ")
    unknown = [i for i, w in enumerate(tokens) if _unknown(w, shop)]
    if not unknown:
        return
    fixes: dict[tuple[int, int], str] = {}
    for i in unknown:
        found: set[tuple[int, int, str]] = set()
        for n, names in shop.names_by_length.items():
            for start in range(max(0, i - n + 1), i + 1):
                window = tokens[start : start + n]
                if len(window) < n or not all(window):
                    continue
                phrase = " ".join(window)
                hits = process.extract(phrase, names, scorer=Levenshtein.distance, limit=2)
                if not hits:
                    continue
                name, d = hits[0][0], hits[0][1]
                if d == 0 or d > (1 if len(phrase) < 8 else 2):
                    continue
                if len(hits) > 1 and hits[1][1] <= d + 1:
                    continue  # two names about as close: never pick one
                if all(w == nw or _unknown(w, shop) for w, nw in zip(window, name.split(" "), strict=True)):
                    found.add((start, start + n, name))
        if len({name for _, _, name in found}) == 1:
            start, end, name = max(found, key=lambda f: f[1] - f[0])
            fixes[(start, end)] = name
    for (start, end), name in sorted(fixes.items(), reverse=True):
        r.corrections[" ".join(tokens[start:end])] = name
        tokens[start:end] = [name]
    r.text = " ".join(tokens)
