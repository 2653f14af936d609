"""A small money-amount parser: "£1,200", "700£", "56.79 pounds", "1.5k", "twenty pounds".

No package on this machine parses spelled-out amounts, and the need is small, so this is
a few regular expressions plus a number-word reader (units, tens, "hundred", "thousand",
"million", "a"/"an" for one, "and" ignored). It finds:

- a figure with a currency symbol or code before or after it (`£27`, `40€`, `USD 300`);
- a figure or number words followed by a currency word (`73 pounds`, `a thousand pounds`);
- a figure with a `k`/`m` suffix (`1.5k`), currency unknown;
- a bare figure after a money cue ("more than 400", "a 800 transfer"), currency unknown.

Bare figures elsewhere ("5 times", "at 10", "in 7 days") are left alone: a false amount is
worse than a missed one when the amount is meant to be checked by a person. The cue list
was written from the development folds (0-9) of NLU++ only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1_000, "grand": 1_000, "k": 1_000, "million": 1_000_000, "m": 1_000_000}
_SYMBOLS = {"£": "GBP", "€": "EUR", "$": "USD"}
_WORD_CURRENCIES = {
    "pound": "GBP", "pounds": "GBP", "quid": "GBP", "gbp": "GBP", "sterling": "GBP",
    "euro": "EUR", "euros": "EUR", "eur": "EUR",
    "dollar": "USD", "dollars": "USD", "usd": "USD", "bucks": "USD",
}

_NUMBER_WORD = "|".join(sorted([*_UNITS, *_TENS, "hundred", "thousand", "million", "grand"], key=len, reverse=True))
_WORDS = rf"(?:(?:a|an|{_NUMBER_WORD})(?:[\s-]+(?:and\s+)?(?:{_NUMBER_WORD}))*)"
_FIGURE = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE_SUFFIX = r"(?:\s*(?:k|m|grand)\b|\s+(?:thousand|million|hundred)\b)"
_CURRENCY_WORD = "|".join(sorted(_WORD_CURRENCIES, key=len, reverse=True))

_PATTERNS = [
    # £1,200 / $ 52.36 / €1.5k / GBP 300
    re.compile(rf"(?P<cur>[£€$]|\b(?:GBP|EUR|USD)\s?)\s?(?P<num>{_FIGURE})(?P<scale>{_SCALE_SUFFIX})?", re.I),
    # 700£ / 84$ / 300 GBP / 56.79 pounds / 1 thousand dollars / a thousand pounds / twenty quid
    re.compile(
        rf"(?<![\w.])(?P<num>{_FIGURE}|{_WORDS})(?P<scale>{_SCALE_SUFFIX})?\s?(?P<cur>[£€$]|(?:{_CURRENCY_WORD})\b)",
        re.I,
    ),
    # 1.5k / 20k, currency unknown
    re.compile(rf"(?<![\w.])(?P<num>{_FIGURE})(?P<scale>\s?(?:k|grand)\b)", re.I),
    # A bare figure after a money cue: "more than 400", "amount of 85.31", "a 800 transfer".
    re.compile(
        rf"\b(?:(?:more|less|higher|lower|greater) than|amount of|sum of|total of|spend|spent|paid|pay|withdraw"
        rf"|refund(?: me)?|send|transfer(?:red)?)\s+(?:about\s+|around\s+|roughly\s+|only\s+)?(?P<num>{_FIGURE})\b"
        r"(?![\d.,]|(?:th|st|nd|rd)\b|\s*(?:%|:|a\.m|p\.m|(?:percent|times|days?|weeks?|months?|years?|hours?"
        r"|minutes?|am|pm)\b))"
        r"|\ban?\s+(?P<num2>" + _FIGURE + r")\s+(?=(?:transfer|payment|refund|withdrawal|transaction|charge)\b)",
        re.I,
    ),
]


@dataclass(frozen=True)
class AmountMention:
    """One amount found in a text."""

    start: int
    end: int
    text: str
    amount: float
    currency: str | None
    """`GBP`, `EUR`, `USD`, or None when the text does not say."""


def words_to_number(text: str) -> float | None:
    """Read spelled-out numbers: "twenty", "a thousand", "two hundred and fifty", "1 thousand".

    Args:
        text: The number phrase.

    Returns:
        The value, or None when a word is not a number word.
    """
    total = current = 0.0
    seen = False
    for word in re.split(r"[\s-]+", text.strip().lower()):
        if not word or word == "and":
            continue
        if re.fullmatch(r"\d+(?:\.\d+)?", word.replace(",", "")):
            current += float(word.replace(",", ""))
        elif word in ("a", "an"):
            current += 1
        elif word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in _SCALES:
            total += (current or 1) * _SCALES[word]
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def _value(num: str, scale: str | None) -> float | None:
    base = words_to_number(num) if re.search(r"[a-z]", num, re.I) else float(num.replace(",", ""))
    if base is None:
        return None
    if scale and scale.strip():
        factor = words_to_number(scale.strip())
        base *= factor if factor is not None else 1
    return base


def find_amounts(text: str) -> list[AmountMention]:
    """Every money amount in `text`, in order; overlapping matches keep the earlier pattern's.

    Args:
        text: Any text.

    Returns:
        The amounts with offsets, value and currency (None when unstated).
    """
    found: list[AmountMention] = []
    for index, pattern in enumerate(_PATTERNS):
        for m in pattern.finditer(text):
            groups = m.groupdict()
            num = groups.get("num") or groups.get("num2")
            if not num or not num.strip():
                continue
            value = _value(num, groups.get("scale"))
            if value is None:
                continue
            cur_text = (groups.get("cur") or "").strip().lower()
            currency = _SYMBOLS.get(cur_text) or _WORD_CURRENCIES.get(cur_text)
            start, end = m.span()
            if index == len(_PATTERNS) - 1:  # the cue words are context, not part of the amount
                start, end = m.span("num2" if groups.get("num2") else "num")
            while end > start and text[end - 1] in " ":
                end -= 1
            if any(start < f.end and f.start < end for f in found):
                continue
            found.append(AmountMention(start, end, text[start:end], value, currency))
    return sorted(found, key=lambda a: a.start)
