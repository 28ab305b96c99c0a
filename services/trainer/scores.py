"""How good a model's answers are, measured on held-out examples.

Per answer (the model writes placeholders; ``check_generated`` validates and fills them):

* fact accuracy: the answer passed ``check_generated`` and every value the reference answer
  states appears in the filled answer;
* invented number: the answer uses a placeholder the result does not have, or writes a digit
  outside a placeholder (``check_generated`` would reject it for that);
* exact match: the answer passed the check and, filled, equals the reference answer;
* ROUGE-L: longest-common-subsequence F1 over lower-cased word tokens (our own, no package);
* repetition: some n-gram (n=3) of word and punctuation tokens occurs twice ("orders orders orders" from the seed's model);
* preference match: over the examples whose reference is an owner's correction, the share the
  answer matches word for word (exact match), and their mean ROUGE-L (``preference_rouge_l``).
  This is what the gate asks a new model to improve: the template can never match a correction;
* unchanged rate: over the other held-out examples (shops that corrected nothing), the share the
  answer matches word for word: one shop's corrections must not change another shop's answers.

``quality`` folds them into one number the gate compares:
``0.5 * fact_accuracy + 0.3 * rouge_l + 0.2 * exact_match - 0.1 * repetition_rate``.

The gain in preference match is a difference of two shares over the same held-out corrections;
``paired_bootstrap`` gives its confidence interval (resampling the corrections, each with both
models' answers), which the gate and the lineage carry.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from services.trainer.data import Example
from shared.errors import PlaceholderError
from shared.modeling import generate
from shared.phrasing import check_generated, template_text
from shared.placeholders import LOOKALIKE_RE, placeholders, without_placeholders
from shared.results import slots
from shared.rows import expand

_WORD = re.compile(r"\w+|[^\w\s]")
METRIC_KEYS = (
    "fact_accuracy",
    "invented_number_rate",
    "exact_match",
    "rouge_l",
    "repetition_rate",
    "mean_latency_ms",
    "quality",
    "preference_match",
    "preference_rouge_l",
    "n_corrected",
    "unchanged_rate",
)


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    if not a or not b:
        return 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, start=1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 (beta = 1) between two texts."""
    cand, ref = tokens(candidate), tokens(reference)
    lcs = lcs_length(cand, ref)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(cand), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


def has_repetition(text: str, n: int = 3) -> bool:
    words = tokens(text)
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    return len(grams) != len(set(grams))


def invents_numbers(text: str, example: Example) -> bool:
    known = slots(example.result)
    if any(p not in known for p in LOOKALIKE_RE.findall(text)):
        return True
    return bool(re.search(r"\d", without_placeholders(text)))


@dataclass(frozen=True)
class Scored:
    """One answer, judged."""

    output: str  # what the model wrote (placeholders)
    shown: str  # what a user would read: filled text, or the raw output if it was rejected
    valid: bool
    facts_ok: bool
    invented: bool
    exact: bool
    rouge: float
    repeated: bool
    corrected: bool = False  # the reference is an owner's correction


def score(output: str, example: Example) -> Scored:
    output = expand(output, example.result)  # V_ROWS: the rows, as the generator renders them
    values = slots(example.result)
    try:
        filled = check_generated(output, example.result)
        valid = True
    except PlaceholderError:
        filled = LOOKALIKE_RE.sub(lambda m: values.get(m.group(0), m.group(0)), output)
        valid = False
    stated = [values[p] for p in placeholders(expand(example.target, example.result)) if p in values]
    facts_ok = valid and all(v in filled for v in stated)
    return Scored(
        output=output,
        shown=filled,
        valid=valid,
        facts_ok=facts_ok,
        invented=invents_numbers(output, example),
        exact=valid and filled.strip() == example.reference.strip(),
        rouge=rouge_l(filled, example.reference),
        repeated=has_repetition(output),
        corrected=example.corrected,
    )


def quality(m: dict[str, float]) -> float:
    return 0.5 * m["fact_accuracy"] + 0.3 * m["rouge_l"] + 0.2 * m["exact_match"] - 0.1 * m["repetition_rate"]


def aggregate(scored: list[Scored], latency_ms: float) -> dict[str, float]:
    n = len(scored) or 1
    m = {
        "n": float(len(scored)),
        "fact_accuracy": sum(s.facts_ok for s in scored) / n,
        "invented_number_rate": sum(s.invented for s in scored) / n,
        "exact_match": sum(s.exact for s in scored) / n,
        "rouge_l": sum(s.rouge for s in scored) / n,
        "repetition_rate": sum(s.repeated for s in scored) / n,
        "mean_latency_ms": latency_ms,
    }
    m["quality"] = quality(m)
    preferred = [s for s in scored if s.corrected]
    m["n_corrected"] = float(len(preferred))
    m["preference_match"] = sum(s.exact for s in preferred) / len(preferred) if preferred else 0.0
    m["preference_rouge_l"] = sum(s.rouge for s in preferred) / len(preferred) if preferred else 0.0
    others = [s for s in scored if not s.corrected]
    m["unchanged_rate"] = sum(s.exact for s in others) / len(others) if others else 1.0
    return {k: round(v, 4) for k, v in m.items()}


@dataclass
class Evaluation:
    metrics: dict[str, float]
    scored: list[Scored]


def evaluate_outputs(
    examples: list[Example], answer: Callable[[list[Example]], list[str]], batch_size: int
) -> Evaluation:
    """Score ``answer`` (a batch of examples -> placeholder texts) on ``examples``."""
    scored: list[Scored] = []
    elapsed = 0.0
    for start in range(0, len(examples), batch_size):
        batch = examples[start : start + batch_size]
        t0 = time.perf_counter()
        outputs = answer(batch)
        elapsed += time.perf_counter() - t0
        scored.extend(score(o, e) for o, e in zip(outputs, batch, strict=True))
    latency_ms = 1000 * elapsed / max(1, len(examples))
    return Evaluation(aggregate(scored, latency_ms), scored)


def evaluate_model(
    model: Any,
    tokenizer: Any,
    examples: list[Example],
    batch_size: int = 8,
    max_input_length: int = 512,
    max_new_tokens: int = 192,
) -> Evaluation:
    """Greedy-decode every example (batched; latency is per example, averaged over the batch)."""
    model.eval()

    def answer(batch: list[Example]) -> list[str]:
        return generate(model, tokenizer, [e.prompt for e in batch], max_input_length, max_new_tokens)

    return evaluate_outputs(examples, answer, batch_size)


def evaluate_template(examples: list[Example]) -> Evaluation:
    """The template phrasing as a 'model': what serves when no model is promoted."""
    return evaluate_outputs(examples, lambda batch: [template_text(e.result) for e in batch], batch_size=64)


@dataclass(frozen=True)
class Interval:
    """A percentile-bootstrap confidence interval on a mean difference."""

    low: float
    high: float
    level: float  # 0.95: a 95% interval
    n: int  # paired observations resampled
    resamples: int


def paired_bootstrap(
    candidate: Sequence[float],
    baseline: Sequence[float],
    resamples: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> Interval:
    """The interval on ``mean(candidate) - mean(baseline)`` over paired observations (the same
    example scored for both): resample the examples with replacement ``resamples`` times and take
    the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of the resampled differences. No
    observation: ``[0, 0]`` with ``n`` 0 (nothing is known)."""
    if len(candidate) != len(baseline):
        raise ValueError(f"paired samples differ in length: {len(candidate)} and {len(baseline)}")
    n = len(candidate)
    if n == 0:
        return Interval(0.0, 0.0, level, 0, resamples)
    diffs = np.asarray(candidate, dtype=float) - np.asarray(baseline, dtype=float)
    rng = np.random.default_rng(seed)
    means = diffs[rng.integers(0, n, size=(resamples, n))].mean(axis=1)
    low, high = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return Interval(round(float(low), 4), round(float(high), 4), level, n, resamples)


def preference_interval(
    candidate: Evaluation, baseline: Evaluation, resamples: int = 2000, level: float = 0.95, seed: int = 0
) -> Interval:
    """The interval on the gain in preference match: both evaluations scored the same examples
    in the same order; only those whose reference is an owner's correction count."""
    pairs = [
        (c.exact, b.exact) for c, b in zip(candidate.scored, baseline.scored, strict=True) if c.corrected
    ]
    return paired_bootstrap(
        [float(c) for c, _ in pairs], [float(b) for _, b in pairs], resamples, level, seed
    )
