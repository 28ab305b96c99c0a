"""The gate: promote only if better (relative), or good enough when only the template serves."""

from __future__ import annotations

from collections.abc import Callable

from services.trainer.gate import decide
from services.trainer.metrics import quality
from services.trainer.settings import Settings


def metrics(
    fact: float, invented: float, exact: float, rouge: float, repetition: float = 0.0
) -> dict[str, float]:
    m = {
        "fact_accuracy": fact,
        "invented_number_rate": invented,
        "exact_match": exact,
        "rouge_l": rouge,
        "repetition_rate": repetition,
        "mean_latency_ms": 10.0,
    }
    m["quality"] = quality(m)
    return m


SERVING = metrics(fact=0.90, invented=0.04, exact=0.60, rouge=0.85)


def test_a_clearly_better_candidate_is_promoted(make_settings: Callable[..., Settings]) -> None:
    d = decide(metrics(0.97, 0.01, 0.80, 0.93), SERVING, make_settings())
    assert d.promote and d.mode == "relative" and d.reasons == []


def test_a_worse_candidate_is_rejected_with_every_reason(make_settings: Callable[..., Settings]) -> None:
    d = decide(metrics(0.85, 0.08, 0.50, 0.80), SERVING, make_settings())
    assert not d.promote
    assert len(d.reasons) == 3
    assert any("fact accuracy" in r for r in d.reasons)
    assert any("invented-number rate" in r for r in d.reasons)
    assert any("quality" in r for r in d.reasons)


def test_better_prose_does_not_buy_worse_facts(make_settings: Callable[..., Settings]) -> None:
    d = decide(metrics(0.88, 0.04, 1.0, 1.0), SERVING, make_settings())
    assert not d.promote and d.reasons == [d.reasons[0]] and "fact accuracy" in d.reasons[0]


def test_a_gain_inside_the_margin_is_not_enough(make_settings: Callable[..., Settings]) -> None:
    slightly = metrics(0.90, 0.04, 0.61, 0.85)
    assert slightly["quality"] > SERVING["quality"]
    assert not decide(slightly, SERVING, make_settings(gate_margin=0.05)).promote
    assert decide(slightly, SERVING, make_settings(gate_margin=0.0)).promote
    assert not decide(SERVING, SERVING, make_settings(gate_margin=0.0)).promote  # a tie is not better


def test_the_first_model_must_pass_absolute_thresholds(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(min_fact_accuracy=0.95, max_invented_rate=0.02, min_rouge_l=0.8)
    good = decide(metrics(0.97, 0.0, 0.9, 0.95), None, settings)
    assert good.promote and good.mode == "absolute"
    bad = decide(metrics(0.90, 0.05, 0.9, 0.70), None, settings)
    assert not bad.promote and bad.mode == "absolute" and len(bad.reasons) == 3
