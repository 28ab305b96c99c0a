"""Periods as docs/questions.md defines them, found with the words they use."""

from __future__ import annotations

from datetime import date

import pytest

from services.ask.semantic.periods import find_periods

TODAY = date(2026, 12, 3)  # a Thursday


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("revenue last 7 days", date(2026, 11, 27), date(2026, 12, 4)),  # today included
        ("orders this week", date(2026, 11, 30), date(2026, 12, 4)),  # weeks start on Monday
        ("orders last week", date(2026, 11, 23), date(2026, 11, 30)),
        ("revenue last month", date(2026, 11, 1), date(2026, 12, 1)),
        ("orders in september", date(2026, 9, 1), date(2026, 10, 1)),  # the most recent September
        ("orders in december", date(2026, 12, 1), date(2026, 12, 4)),  # cut at the end of today
        ("orders in q4", date(2026, 10, 1), date(2026, 12, 4)),
        ("orders in q1 2025", date(2025, 1, 1), date(2025, 4, 1)),
        ("the first half of the year", date(2026, 1, 1), date(2026, 7, 1)),
        ("last 3 months", date(2026, 10, 1), date(2026, 12, 4)),
        ("between march 1 and march 15, 2026", date(2026, 3, 1), date(2026, 3, 16)),
        ("from 2026-06-01 to 2026-06-30", date(2026, 6, 1), date(2026, 7, 1)),
        ("since october", date(2026, 10, 1), date(2026, 12, 4)),
        ("orders on 3 december 2026", date(2026, 12, 3), date(2026, 12, 4)),
        ("sales 2025", date(2025, 1, 1), date(2026, 1, 1)),
        ("since the start of the year", date(2026, 1, 1), date(2026, 12, 4)),
    ],
)
def test_a_period_covers_the_days_the_readme_says(text: str, start: date, end: date) -> None:
    (found,) = find_periods(text, TODAY)
    assert found.window is not None
    assert (found.window.start, found.window.end) == (start, end)
    assert found.text in text


def test_the_future_is_found_as_such() -> None:
    (found,) = find_periods("what will revenue be next month", TODAY)
    assert found.window is None


@pytest.mark.parametrize("text", ["orders over $2000", "how may orders", "2000 orders", "top 2026 customers"])
def test_amounts_counts_and_the_verb_may_are_not_periods(text: str) -> None:
    assert find_periods(text, TODAY) == []


def test_two_periods_are_both_found_in_order() -> None:
    found = find_periods("revenue september vs october", TODAY)
    assert [f.window.label for f in found if f.window] == ["September 2026", "October 2026"]


def test_an_answer_states_the_dates() -> None:
    (found,) = find_periods("revenue last month", TODAY)
    assert found.window is not None
    assert found.window.describe() == "last month (1 November 2026 to 30 November 2026)"
