"""The gate: promote only a measured gain in preference match whose confidence interval lies above
zero, with facts right and no other shop's answers changed; a tie is not promoted. And the
interval itself: a paired bootstrap over the held-out corrections."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from services.trainer.gate import decide
from services.trainer.scores import Interval, paired_bootstrap
from services.trainer.settings import Settings


def metrics(
    fact: float, invented: float, preference: float, unchanged: float = 1.0, n_corrected: int = 9
) -> dict[str, float]:
    return {
        "fact_accuracy": fact,
        "invented_number_rate": invented,
        "preference_match": preference,
        "unchanged_rate": unchanged,
        "n_corrected": float(n_corrected),
    }


TEMPLATE = metrics(fact=1.0, invented=0.0, preference=0.0)
SURE = Interval(0.6, 0.9, 0.95, 60, 2000)  # a gain whose 95% interval lies above zero


def test_a_gain_with_right_facts_is_promoted(make_settings: Callable[..., Settings]) -> None:
    d = decide(metrics(1.0, 0.0, 0.78), TEMPLATE, make_settings(), SURE)
    assert d.promote and d.mode == "preference" and d.reasons == [] and d.gain == 0.78


def test_a_tie_is_not_promoted(make_settings: Callable[..., Settings]) -> None:
    serving = metrics(1.0, 0.0, 0.6)
    d = decide(metrics(1.0, 0.0, 0.6), serving, make_settings(), SURE)
    assert not d.promote and d.gain == 0.0 and "does not beat" in d.reasons[0]
    assert not decide(metrics(1.0, 0.0, 0.65), serving, make_settings(gate_margin=0.1), SURE).promote


def test_better_phrasing_does_not_buy_wrong_facts_or_invented_numbers(
    make_settings: Callable[..., Settings],
) -> None:
    d = decide(metrics(0.99, 0.01, 1.0), TEMPLATE, make_settings(), SURE)
    assert not d.promote and len(d.reasons) == 2
    assert "fact accuracy 0.990 below the minimum 0.995" in d.reasons[0] and "invented-number" in d.reasons[1]


def test_changing_another_shops_answers_is_not_promoted(make_settings: Callable[..., Settings]) -> None:
    d = decide(metrics(1.0, 0.0, 1.0, unchanged=0.8), TEMPLATE, make_settings(), SURE)
    assert not d.promote and "changes other shops' answers" in d.reasons[0]


def test_without_held_out_corrections_nothing_is_promoted(make_settings: Callable[..., Settings]) -> None:
    d = decide(metrics(1.0, 0.0, 0.0, n_corrected=0), TEMPLATE, make_settings(), SURE)
    assert not d.promote and "no held-out corrections" in d.reasons[0]


def test_a_gain_whose_interval_reaches_zero_is_not_promoted(make_settings: Callable[..., Settings]) -> None:
    # 2 of 3 held-out corrections matched: a gain of 0.667 that chance could explain
    interval = paired_bootstrap([1.0, 1.0, 0.0], [0.0, 0.0, 0.0])
    d = decide(metrics(1.0, 0.0, 0.667, n_corrected=3), TEMPLATE, make_settings(), interval)
    assert interval.low == 0.0 and not d.promote and d.gain == 0.667
    assert "not sure enough" in d.reasons[0] and "on 3 held-out corrections" in d.reasons[0]
    # the same share on 60 held-out corrections is sure: promoted, the interval kept
    wide = paired_bootstrap([1.0, 1.0, 0.0] * 20, [0.0] * 60)
    d = decide(metrics(1.0, 0.0, 0.667, n_corrected=60), TEMPLATE, make_settings(), wide)
    assert d.promote and d.interval == wide and 0.0 < wide.low < 0.667 < wide.high < 1.0
    # an interval above zero that does not clear the margin is refused too
    assert not decide(
        metrics(1.0, 0.0, 0.667, n_corrected=60), TEMPLATE, make_settings(gate_margin=0.6), wide
    ).promote


def test_a_gain_without_an_interval_is_not_promoted(make_settings: Callable[..., Settings]) -> None:
    d = decide(metrics(1.0, 0.0, 0.78), TEMPLATE, make_settings(), None)
    assert not d.promote and "interval was not measured" in d.reasons[0]


def test_the_interval_brackets_the_gain_and_narrows_with_more_corrections() -> None:
    every = paired_bootstrap([1.0] * 50, [0.0] * 50)
    assert (every.low, every.high, every.n) == (1.0, 1.0, 50)  # every answer better: no doubt
    assert paired_bootstrap([0.0] * 50, [0.0] * 50).high == 0.0  # a tie: nothing gained
    small = paired_bootstrap([1.0, 0.0] * 10, [0.0, 0.0] * 10, seed=1)
    large = paired_bootstrap([1.0, 0.0] * 100, [0.0, 0.0] * 100, seed=1)
    assert small.low < large.low < 0.5 < large.high < small.high
    assert paired_bootstrap([1.0, 0.0] * 10, [0.0, 0.0] * 10, seed=1) == small  # reproducible
    # paired: the baseline matched the same corrections the candidate missed, so it is a loss
    mixed = paired_bootstrap([1.0, 0.0, 1.0, 0.0] * 15, [0.0, 1.0, 1.0, 1.0] * 15)
    assert mixed.high < 0.0 and mixed.level == 0.95
    assert paired_bootstrap([], []) == Interval(0.0, 0.0, 0.95, 0, 2000)
    with pytest.raises(ValueError, match="differ in length"):
        paired_bootstrap([1.0], [])
