"""Learning a lexicon from labels, and the gate that decides whether it serves.

``learn_one`` finds, for one labelled question, which words the vocabulary does not know and
what they must be read as for the parser to compute exactly the labelled query: it tries the
words of the label itself (its metric, dimension, filter values, ranking) in place of each run of
unknown words and keeps the first assignment whose reading equals the label. ``combine`` merges
what every label taught; a phrase two labels read differently is dropped (ambiguous).

``propose`` is the gate, measured on held-out labels. Labels the serving lexicon has never seen
are held out from it; the candidate is scored on them leave-one-out (each label is read by the
candidate learned from all the *other* labels), so a phrase only counts once it has been taught
by some other question. The candidate serves only if that accuracy is higher than the serving
lexicon's on the same labels (a tie is not a gain) and no label the serving lexicon read right
is read wrong by the candidate.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date

from services.ask.learning.labels import Label, reading_key
from services.ask.learning.revocations import Revocation, still_taught
from services.ask.semantic import SemanticLayer
from services.ask.semantic import vocabulary as v
from services.ask.semantic.catalog import METRICS
from services.ask.semantic.entities import COUNTRIES
from services.ask.semantic.lexicon import BASE, Learned, Lexicon
from services.ask.semantic.reading import normalise
from shared.interpretation import Interpretation

MAX_RUN_WORDS = 3  # a longer run of unknown words is a sentence, not a phrase
MAX_RUNS = 2
PLURAL = {"category": "categories", "country": "countries", "status": "statuses"}


@dataclass
class Taught:
    """What one label teaches: phrases, a refusal, or why nothing can be learned from it.

    ``phrases`` may hold one phrase several times: each reading of it that gives the labelled
    query ("punters" as "customers" and as "customer" both read "top 5 punters by spending")."""

    label: Label
    phrases: list[Learned] = field(default_factory=list)
    refusal: Learned | None = None
    problem: str | None = None


def unknown_runs(layer: SemanticLayer, question: str, shop_id: str, today: date) -> list[str]:
    """Runs of consecutive words the parser could not use and that neither the vocabulary nor
    the shop's data knows: the only words a lexicon may teach."""
    shop = layer.parser.entities.for_shop(shop_id)
    known = set(v.KNOWN_WORDS) | shop.words
    known |= {w for names in COUNTRIES.values() for n in names for w in n.split()}
    unused = set(layer.understand(question, shop_id, today, Lexicon()).unused)
    runs: list[str] = []
    current: list[str] = []
    for word in [*normalise(question).split(), ""]:
        if (
            word in unused
            and word not in known
            and not re.fullmatch(r"[\d$€£%.,'-]+", word)
            and not _scoped(word)
        ):
            current.append(word)
            continue
        if current:
            runs.append(" ".join(current))
        current = []
    return runs


def _scoped(word: str) -> bool:
    """Is the word an out-of-scope topic or an action? Those keep their refusal: no label teaches
    that "profit" means revenue."""
    text = f" {word} "
    return bool(v.ACTION.search(text)) or any(re.search(pattern, text) for pattern, _ in v.OUT_OF_SCOPE)


def candidates(q: Interpretation) -> list[str]:
    """Words the parser reads as parts of ``q``: what an unknown phrase may stand for."""
    metric = METRICS[q.metric]
    words = [metric.label.lower(), q.metric.replace("_", " ")]
    words += [w for w in (*metric.label.lower().split(), *q.metric.split("_")) if len(w) > 2]
    if q.group_by:
        words += [PLURAL.get(q.group_by, q.group_by + "s"), q.group_by]
    for f in q.filters:
        words += [str(x).lower() for x in (*f.labels, *f.values)]
    if q.rank:
        words.append(q.rank)
    return list(dict.fromkeys(w for w in words if w))


def reads_as(layer: SemanticLayer, label: Label, lexicon: Lexicon) -> bool:
    """Does the parser, with ``lexicon``, read the labelled question as the label says?"""
    u = layer.understand(label.question, label.shop_id, label.asked_on, lexicon.for_shop(label.shop_id))
    if label.out_of_scope:
        return u.interpretation is None
    assert label.interpretation is not None
    return u.interpretation is not None and reading_key(u.interpretation) == reading_key(label.interpretation)


def learn_one(layer: SemanticLayer, label: Label) -> Taught:
    if label.out_of_scope:
        reason = label.reason or "marked out of scope by a reviewer"
        return Taught(
            label,
            refusal=Learned(
                phrase=normalise(label.question),
                means=reason,
                support=[label.query_id],
                shop_id=label.shop_id,
            ),
        )
    assert label.interpretation is not None
    if reads_as(layer, label, Lexicon()):
        return Taught(label)  # the vocabulary already reads it so
    runs = unknown_runs(layer, label.question, label.shop_id, label.asked_on)
    if not runs:
        return Taught(
            label, problem="every word is known, so no new word can be learned (the vocabulary needs a fix)"
        )
    if len(runs) > MAX_RUNS or any(len(run.split()) > MAX_RUN_WORDS for run in runs):
        return Taught(label, problem=f"too many unknown words ({', '.join(repr(r) for r in runs)})")
    working: list[Learned] = []
    for meanings in itertools.product(candidates(label.interpretation), repeat=len(runs)):
        trial = [
            Learned(phrase=p, means=m, support=[label.query_id], shop_id=label.shop_id)
            for p, m in zip(runs, meanings, strict=True)
        ]
        if reads_as(layer, label, Lexicon(phrases=trial)):
            if len(runs) > 1:
                return Taught(label, phrases=trial)  # two phrases at once: the first reading that works
            working += trial
    if working:
        return Taught(label, phrases=working)
    return Taught(label, problem=f"no reading of {', '.join(repr(r) for r in runs)} gives the labelled query")


def combine(
    taught: list[Taught], version: str = BASE, promoted: list[Learned] | None = None
) -> tuple[Lexicon, list[str]]:
    """One lexicon from every label's lesson, and the phrases dropped because labels disagree:
    a phrase is read, for the shop whose labels teach it, as a meaning every such label allows.
    Labels of one shop never teach another; ``promoted`` phrases (a reviewer's) serve every shop."""
    by_phrase: dict[tuple[str, str], dict[str, list[str]]] = {}  # (shop, phrase) -> label -> meanings
    for t in taught:
        for entry in t.phrases:
            by_phrase.setdefault((t.label.shop_id, entry.phrase), {}).setdefault(t.label.query_id, []).append(
                entry.means
            )
    phrases, conflicts = [], []
    for (shop, phrase), allowed in sorted(by_phrase.items()):
        first, *others = allowed.values()
        agreed = [m for m in first if all(m in o for o in others)]
        if not agreed:
            seen = sorted({m for ms in allowed.values() for m in ms})
            conflicts.append(f"{phrase!r} is read as {' and as '.join(repr(m) for m in seen)} (shop {shop})")
            continue
        phrases.append(Learned(phrase=phrase, means=agreed[0], support=sorted(allowed), shop_id=shop))
    phrases += promoted or []
    refusals = [t.refusal for t in taught if t.refusal is not None]
    trained_on = sorted(t.label.query_id for t in taught)
    return Lexicon(version=version, phrases=phrases, refusals=refusals, trained_on=trained_on), conflicts


@dataclass
class Proposal:
    candidate: Lexicon
    serving: Lexicon
    held_out: int  # labels the serving lexicon never saw
    before: float  # the serving lexicon's accuracy on them
    after: float  # the candidate's, each label read by the candidate learned without it
    regressions: list[str]  # questions the serving lexicon read right and the candidate reads wrong
    adopted: bool
    reasons: list[str]
    problems: dict[str, str]  # query id -> why nothing could be learned from it
    conflicts: list[str]

    def summary(self) -> dict[str, object]:
        return {
            "candidate": self.candidate.version,
            "serving": self.serving.version,
            "adopted": self.adopted,
            "held_out_labels": self.held_out,
            "understanding_accuracy_before": round(self.before, 4),
            "understanding_accuracy_after": round(self.after, 4),
            "gain": round(self.after - self.before, 4),
            "regressions": self.regressions,
            "reasons": self.reasons,
            "learned": [e.model_dump() for e in self.candidate.phrases],
            "ruled_out_of_scope": len(self.candidate.refusals),
            "not_learnable": self.problems,
            "conflicts": self.conflicts,
            "labels": len(self.candidate.trained_on),
        }


def respect_revocations(taught: list[Taught], revoked: list[Revocation]) -> None:
    """Drop from each lesson the words a reviewer revoked for its shop after the label was given
    (``revocations.py``); a label left with nothing to teach says why."""
    for t in taught:
        kept = still_taught(revoked, t.label, t.phrases)
        if t.phrases and not kept:
            words = ", ".join(sorted({repr(e.phrase) for e in t.phrases}))
            t.problem = f"{words} revoked for shop {t.label.shop_id} by a reviewer"
        t.phrases = kept


def propose(
    layer: SemanticLayer,
    labels: list[Label],
    serving: Lexicon,
    version: str,
    revoked: list[Revocation] | None = None,
) -> Proposal:
    """Learn a candidate from every label (less the revoked words) and decide whether it serves."""
    taught = [learn_one(layer, label) for label in labels]
    respect_revocations(taught, revoked or [])
    candidate, conflicts = combine(taught, version, serving.promoted())
    seen = set(serving.trained_on)
    new = [label for label in labels if label.query_id not in seen]
    old = [label for label in labels if label.query_id in seen]
    before = sum(reads_as(layer, label, serving) for label in new) / len(new) if new else 0.0
    after = (
        sum(reads_as(layer, label, candidate.without(label.query_id)) for label in new) / len(new)
        if new
        else 0.0
    )
    regressions = [
        label.question
        for label in old
        if reads_as(layer, label, serving) and not reads_as(layer, label, candidate)
    ]
    reasons = []
    if not new:
        reasons.append("no new labels since the serving lexicon was learned")
    elif after <= before:
        reasons.append(
            f"no gain on {len(new)} held-out labels: {after:.3f} after vs {before:.3f} before (a tie is not a gain)"
        )
    if regressions:
        reasons.append(f"{len(regressions)} labelled questions read right today would be read wrong")
    problems = {t.label.query_id: t.problem for t in taught if t.problem}
    return Proposal(
        candidate, serving, len(new), before, after, regressions, not reasons, reasons, problems, conflicts
    )
