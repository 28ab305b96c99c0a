"""The calendar words and arithmetic periods are read with: month names, numbers written as
words ("ninety days"), ordinals ("the first quarter"), today in UTC, and whole months added."""

from __future__ import annotations

from datetime import UTC, date, datetime

MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
MONTH_RE = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "sixty": 60, "ninety": 90,
}  # fmt: skip
NUM = r"(\d{1,4}|" + "|".join(sorted(WORD_NUMBERS, key=len, reverse=True)) + r")"
ORDINAL = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "last": 4,
}
MAX_DAYS = 366 * 50


def today_utc() -> date:
    return datetime.now(UTC).date()


def month_number(word: str) -> int:
    return {m[:3]: i + 1 for i, m in enumerate(MONTHS)}[word[:3]]


def to_number(word: str) -> int | None:
    return int(word) if word.isdigit() else WORD_NUMBERS.get(word)


def add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
