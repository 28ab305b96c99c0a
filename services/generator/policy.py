"""The canary policy: from ``/stats`` ``versions`` (since the canary started), promote the canary,
stop it, or wait for more traffic. ``ecominsight model canary --decide`` applies it (``--apply``
acts on the verdict); the thresholds are generator settings (``canary_*``).

The canary is compared with the version it was started against (``Canary.base``; the template
when nothing was promoted). It is promoted only when both have enough answered and rated
queries and it is no worse on each measure: its fallback rate at most the base's plus
``canary_max_fallback_increase``, its p95 latency at most ``canary_max_p95_ratio`` times the
base's, and its share of positive feedback at least the base's plus
``canary_min_positive_gain``. Any measure failing with enough data stops it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from services.generator.settings import Settings

Verdict = Literal["promote", "stop", "wait"]


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reasons: list[str] = field(default_factory=list)  # why it stops or waits; what it passed otherwise


def decide(settings: Settings, versions: dict[str, dict[str, Any]], canary: str, base: str) -> Decision:
    """The verdict on ``canary`` against ``base`` from ``versions`` (``/stats``' section)."""
    empty: dict[str, Any] = {"answered": 0, "feedback": {"positive": 0, "negative": 0}}
    new, old = versions.get(canary, empty), versions.get(base, empty)
    waiting = [
        f"{name} has {row['answered']} answered queries (need {settings.canary_min_answers})"
        for name, row in ((canary, new), (base, old))
        if row["answered"] < settings.canary_min_answers
    ] + [
        f"{name} has {rated} rated queries (need {settings.canary_min_ratings})"
        for name, row in ((canary, new), (base, old))
        if (rated := row["feedback"]["positive"] + row["feedback"]["negative"]) < settings.canary_min_ratings
    ]
    if waiting:
        return Decision("wait", waiting)
    checks = [
        (
            "fallback rate",
            new["fallback_rate"] or 0.0,
            (old["fallback_rate"] or 0.0) + settings.canary_max_fallback_increase,
            "at most",
        ),
        ("p95 latency (ms)", new["p95_ms"], old["p95_ms"] * settings.canary_max_p95_ratio, "at most"),
        (
            "positive feedback share",
            new["feedback"]["positive_share"],
            old["feedback"]["positive_share"] + settings.canary_min_positive_gain,
            "at least",
        ),
    ]
    failed: list[str] = []
    passed: list[str] = []
    for name, value, bound, how in checks:
        ok = value <= bound if how == "at most" else value >= bound
        (passed if ok else failed).append(f"{name} {value:.3g} (needs {how} {bound:.3g})")
    return Decision("stop", failed) if failed else Decision("promote", passed)
