"""The words of dates: weekday, month, number and ordinal tables and the regex fragments built on them.

Shared by the deadline table (`pipeline.dates.due`) and the past and period table
(`pipeline.dates.periods`), so both read "Tues", "twenty-first" and "Sept" the same way.
"""

from __future__ import annotations

import re

WEEKDAYS = {
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3, "thurs": 3,
    "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
SMALL_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "a": 1, "an": 1,
}  # fmt: skip
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
for _unit, _value in list(ORDINALS.items())[:9]:
    ORDINALS[f"twenty-{_unit}"] = 20 + _value
    ORDINALS[f"twenty {_unit}"] = 20 + _value
ORDINALS["thirty-first"] = ORDINALS["thirty first"] = 31

WEEKDAY_RE = (
    r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday|s)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)"
)
MONTH_RE = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
ORDINAL_RE = "|".join(sorted((re.escape(k) for k in ORDINALS), key=len, reverse=True))
DAY_RE = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{ORDINAL_RE})"
NUMBER_RE = "|".join(sorted(SMALL_NUMBERS, key=len, reverse=True))
COUNT_RE = rf"(?:\d{{1,3}}|{NUMBER_RE})"


def number(word: str) -> int:
    """The value of a count written in digits or words ("3", "three", "a")."""
    word = word.lower()
    if word == "a couple of":
        return 2
    return int(word) if word.isdigit() else SMALL_NUMBERS[word]


def day_number(word: str) -> int:
    """The day of the month of "12", "12th" or "twelfth"."""
    word = word.lower().strip()
    digits = re.match(r"\d+", word)
    return int(digits.group()) if digits else ORDINALS[word.replace("  ", " ")]


def month_number(word: str) -> int:
    """The month number of a month name or abbreviation ("Sept" -> 9)."""
    return MONTHS[word.lower()[:4] if word.lower().startswith("sept") else word.lower()[:3]]


def weekday_number(word: str) -> int:
    """The weekday number (0 = Monday) of a weekday name or abbreviation."""
    key = word.lower()
    return WEEKDAYS[key[:4] if key[:4] in WEEKDAYS else key[:3]]
