"""Promote only a measured gain over the serving model (the template when nothing is promoted),
both measured on the same held-out examples of the same export (its test split: the trainer
picked its checkpoint on a separate validation split, which the gate never scores):

* facts: the candidate's fact accuracy must reach ``min_fact_accuracy`` (0.995) and its
  invented-number rate must not exceed ``max_invented_rate`` (0: none at all);
* the gain: its preference match with the owners' corrected references (held-out examples whose
  target is a correction) must beat the serving model's by more than ``gate_margin``, and so
  must the lower bound of the gain's bootstrap confidence interval (``confidence_level``, the
  corrections resampled: ``metrics.paired_bootstrap``), so a gain that a few lucky answers
  explain is refused. A tie is not promoted, and an export without held-out corrections cannot
  show a gain, so it promotes nothing: the template already states every fact, a model must
  earn its place by phrasing answers the way owners asked for;
* no other shop changes: on the held-out examples of shops without corrections its answers must
  match their references word for word at least as often as the serving model's
  (``unchanged_rate``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from services.trainer.scores import Interval
from services.trainer.settings import Settings

# Rounding noise: metrics are stored to 4 decimals.
_EPS = 1e-9


@dataclass(frozen=True)
class Decision:
    promote: bool
    mode: Literal["preference"] = "preference"
    reasons: list[str] = field(default_factory=list)  # why it was rejected (empty when promoted)
    gain: float = 0.0  # candidate's preference match minus the serving model's
    interval: Interval | None = None  # the gain's confidence interval


def decide(
    candidate: dict[str, float], baseline: dict[str, float], settings: Settings, interval: Interval | None
) -> Decision:
    """``baseline``: the serving model's (or the template's) metrics on the same examples;
    ``interval``: the gain's confidence interval on them (None: not measured, never promoted)."""
    reasons: list[str] = []
    if candidate["fact_accuracy"] + _EPS < settings.min_fact_accuracy:
        reasons.append(
            f"fact accuracy {candidate['fact_accuracy']:.3f} below the minimum {settings.min_fact_accuracy:.3f}"
        )
    if candidate["invented_number_rate"] > settings.max_invented_rate + _EPS:
        reasons.append(
            f"invented-number rate {candidate['invented_number_rate']:.3f} above the maximum "
            f"{settings.max_invented_rate:.3f}"
        )
    if candidate.get("unchanged_rate", 1.0) + settings.max_other_shops_drop + _EPS < baseline.get(
        "unchanged_rate", 1.0
    ):
        reasons.append(
            f"changes other shops' answers: unchanged rate {candidate.get('unchanged_rate', 1.0):.3f} below the "
            f"serving model's {baseline.get('unchanged_rate', 1.0):.3f}"
        )
    gain = round(candidate.get("preference_match", 0.0) - baseline.get("preference_match", 0.0), 4)
    if not candidate.get("n_corrected"):
        reasons.append("no held-out corrections in this export: no gain can be measured")
    elif gain <= settings.gate_margin + _EPS:
        reasons.append(
            f"preference match {candidate.get('preference_match', 0.0):.3f} does not beat the serving model's "
            f"{baseline.get('preference_match', 0.0):.3f} (gain {gain:+.3f}, needed more than {settings.gate_margin:+.3f})"
        )
    elif interval is None:
        reasons.append("the gain's confidence interval was not measured")
    elif interval.low <= settings.gate_margin + _EPS:
        reasons.append(
            f"the gain {gain:+.3f} is not sure enough: its {interval.level:.0%} interval "
            f"[{interval.low:+.3f}, {interval.high:+.3f}] on {interval.n} held-out corrections reaches "
            f"{settings.gate_margin:+.3f} (more held-out corrections narrow it)"
        )
    return Decision(not reasons, "preference", reasons, gain, interval)
