"""The gate: promote only a measured gain in preference match, with facts right and no other
shop's answers changed; a tie is not promoted."""

from __future__ import annotations

from collections.abc import Callable

from services.trainer.gate import decide
from services.trainer.settings import Settings


def metrics(fact: float, invented: float, preference: float, unchanged: float = 1.0, n_corrected: int = 9) -> dict[str, float]:
    return {
        "fact_accuracy": fact,
        "invented_number_rate": invented,
        "preference_match": preference,
        "unchanged_rate": unchanged,
        "n_corrected": float(n_corrected),
    }


TEMPLATE = metrics(fact=1.0, invented=0.0, preference=0.0)


def test_a_gain_with_right_facts_is_promoted(make_settings: Callable[..., Settings]) -> None:
    d = decide(metrics(1.0, 0.0, 0.78), TEMPLATE, make_settings())
    assert d.promote and d.mode == "preference" and d.reasons == [] and d.gain == 0.78


def test_a_tie_is_not_promoted(make_settings: Callable[..., Settings]) -> None:
    serving = metrics(1.0, 0.0, 0.6)
    d = decide(metrics(1.0, 0.0, 0.6), serving, make_settings())
    assert not d.promote and d.gain == 0.0 and "does not beat" in d.reasons[0]
    assert not decide(metrics(1.0, 0.0, 0.65), serving, make_settings(gate_margin=0.1)).promote


def test_better_phrasing_does_not_buy_wrong_facts_or_invented_numbers(make_settings: Callable[..., Settings]) -> None:
    d = decide(metrics(0.99, 0.01, 1.0), TEMPLATE, make_settings())
    assert not d.promote and len(d.reasons) == 2
    assert "fact accuracy 0.990 below the minimum 0.995" in d.reasons[0] and "invented-number" in d.reasons[1]


def test_changing_another_shops_answers_is_not_promoted(make_settings: Callable[..., Settings]) -> None:
    d = decide(metrics(1.0, 0.0, 1.0, unchanged=0.8), TEMPLATE, make_settings())
    assert not d.promote and "changes other shops' answers" in d.reasons[0]


def test_without_held_out_corrections_nothing_is_promoted(make_settings: Callable[..., Settings]) -> None:
    d = decide(metrics(1.0, 0.0, 0.0, n_corrected=0), TEMPLATE, make_settings())
    assert not d.promote and "no held-out corrections" in d.reasons[0]
