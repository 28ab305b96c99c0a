"""Promote only if better.

* A model is serving: the candidate must not be worse on fact accuracy nor on the invented-number
  rate, and its quality score must beat the serving model's by ``gate_margin``.
* Only the template is serving (nothing promoted yet): the template states every fact by
  construction, so comparing against it says little; the first model must instead reach the
  absolute thresholds ``min_fact_accuracy``, ``max_invented_rate`` and ``min_rouge_l``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from services.trainer.settings import Settings

# Rounding noise: metrics are stored to 4 decimals.
_EPS = 1e-9


@dataclass(frozen=True)
class Decision:
    promote: bool
    mode: Literal["absolute", "relative"]
    reasons: list[str] = field(default_factory=list)  # why it was rejected (empty when promoted)


def decide(candidate: dict[str, float], baseline: dict[str, float] | None, settings: Settings) -> Decision:
    """``baseline`` is the serving model's metrics on the same examples, or None for the template."""
    reasons: list[str] = []
    if baseline is None:
        if candidate["fact_accuracy"] + _EPS < settings.min_fact_accuracy:
            reasons.append(
                f"fact accuracy {candidate['fact_accuracy']:.3f} below the minimum {settings.min_fact_accuracy:.3f}"
            )
        if candidate["invented_number_rate"] > settings.max_invented_rate + _EPS:
            reasons.append(
                f"invented-number rate {candidate['invented_number_rate']:.3f} above the maximum "
                f"{settings.max_invented_rate:.3f}"
            )
        if candidate["rouge_l"] + _EPS < settings.min_rouge_l:
            reasons.append(f"ROUGE-L {candidate['rouge_l']:.3f} below the minimum {settings.min_rouge_l:.3f}")
        return Decision(not reasons, "absolute", reasons)

    if candidate["fact_accuracy"] + _EPS < baseline["fact_accuracy"]:
        reasons.append(
            f"fact accuracy {candidate['fact_accuracy']:.3f} worse than the serving model's "
            f"{baseline['fact_accuracy']:.3f}"
        )
    if candidate["invented_number_rate"] > baseline["invented_number_rate"] + _EPS:
        reasons.append(
            f"invented-number rate {candidate['invented_number_rate']:.3f} worse than the serving model's "
            f"{baseline['invented_number_rate']:.3f}"
        )
    needed = baseline["quality"] + settings.gate_margin
    if candidate["quality"] + _EPS < needed or candidate["quality"] <= baseline["quality"] + _EPS:
        reasons.append(
            f"quality {candidate['quality']:.3f} does not beat the serving model's {baseline['quality']:.3f} "
            f"by the margin {settings.gate_margin:.3f}"
        )
    return Decision(not reasons, "relative", reasons)
