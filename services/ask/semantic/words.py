"""Which left-over words may be skipped, and what an unknown word was probably meant to be.

A word the parser did not use is *skipped* only when it cannot change the number: a function word
of English (spaCy's ``STOP_WORDS``, read as data without loading a pipeline) or a word of
politeness and chit-chat ("hi", "quick", "thanks"), and never one of the ``PROTECTED`` operator
words ("median", "not", "per", "first", "more", "than", a number, "it" ...), which must always be
understood or the question is refused. Skipped words are reported with the answer.

An unknown content word still refuses; ``did_you_mean`` offers the closest words of the
vocabulary and of the shop's own names (``rapidfuzz``).
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process


def _spacy_stop_words() -> frozenset[str]:
    """spaCy's English stop words, executed from its data file (importing ``spacy`` itself would
    load thinc and numpy for a word list)."""
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("spacy is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "lang" / "en" / "stop_words.py"
    namespace: dict[str, object] = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # noqa: S102  (spaCy's own data file)
    words = namespace["STOP_WORDS"]
    assert isinstance(words, set)
    return frozenset(str(w) for w in words)


STOP_WORDS = _spacy_stop_words()

# Politeness and chit-chat: words an owner types around a question that never change its number.
POLITE = frozenset(
    """hi hello hey heya hiya yo howdy greetings thanks thank thx ty cheers please pls plz kindly
    quick quickly question hmm hm um uh er ok okay oh btw lol sorry pardon dear mate buddy friend
    assistant bot curious wondering wonder wondered check checking look looking doing
    tell remind fetch pull grab gimme lemme wanna gonna need want like love know let
    help appreciate appreciated great awesome cool nice hey there folks team guys real comes come came
    brings bring brought generates generate generated""".split()  # noqa: SIM905
)
# Phrases of chit-chat that hold a word which elsewhere means something ("quick one", "good morning").
POLITE_PHRASES = re.compile(
    r"\b(?:(?:a\s+)?quick\s+one|one\s+more\s+(?:thing|question)|another\s+one|good\s+(?:morning|afternoon|evening|day)"
    r"|real\s+quick|if\s+you\s+(?:can|could|would|don't\s+mind|do\s+not\s+mind)|when\s+you\s+(?:get|have)\s+a\s+(?:chance|sec|second|minute)"
    r"|(?:pull|bring|look|dig|call)\s+up|at\s+a\s+glance|in\s+a\s+nutshell|for\s+me|thank\s+you|no\s+worries|how\s+(?:are|is)\s+(?:it|things)\s+going)\b"
)
# Operator words: each can change what is computed, so one that no rule used refuses the question.
PROTECTED = frozenset(
    """median percentile percentiles percent percentage share proportion per each every first last
    most least more less fewer few than at least not no nor never none nobody noone nothing nowhere
    neither without except excluding exclude besides but other others else another otherwise instead
    unless only alone before after afterwards beforehand between since until till through
    thru throughout during within beyond toward towards upon above below over under up down top bottom
    ratio rate growth average mean avg typical both either all whole full empty once twice again
    same former formerly latter latterly next previous prior then it its itself they them those these
    that this such where when while whether if whose which who whom why enough several many much
    one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty
    sixty hundred thousand million third part amount around almost nearly about approximately
    due because vs versus against among amongst across along behind beside front side
    keep move name call used using made make show may will shall going their theirs his her hers whose
    too also plus well additionally including n't n‘t n’t off out often always sometimes mostly together back
    by real further rather""".split()  # noqa: SIM905
)
SKIPPABLE = (STOP_WORDS | POLITE) - PROTECTED


def skippable(word: str) -> bool:
    """A word that may be left unread: harmless filler, never an operator, a number or a name."""
    w = word.strip(".,'-")
    return bool(w) and w in SKIPPABLE and not any(ch.isdigit() for ch in w)


@lru_cache(maxsize=4096)
def _best(word: str, candidates: tuple[str, ...]) -> tuple[str, ...]:
    found = process.extract(word, candidates, scorer=fuzz.ratio, limit=3, score_cutoff=70)
    return tuple(c for c, _, _ in found)


def did_you_mean(words: Iterable[str], candidates: Iterable[str]) -> list[str]:
    """The closest known words for each unknown word (at most three each, best first)."""
    pool = tuple(sorted({c for c in candidates if len(c) >= 3}))
    out: list[str] = []
    for word in words:
        w = word.strip(".,'-")
        if len(w) < 3 or not w.isalpha():
            continue
        for c in _best(w, pool):
            if c != w and c not in out:
                out.append(c)
    return out
