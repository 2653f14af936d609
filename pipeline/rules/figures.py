"""Numbers said aloud, written as a note-taker writes them: "eighteen thousand four hundred" is "£18,400".

The summary's phrases are short notes, and a note gives a figure, not the words a caller said.
`pipeline.amounts` finds amounts that name their currency ("fifteen thousand pounds"); speech
often leaves it out ("move the twenty thousand across", "one point six, ideally"), so:

- a spelled number with a scale word ("twenty thousand", "one point two million") or a
  decimal ("two point seven five") is written in figures; it takes the interaction's
  currency only when it has a scale word and the interaction names exactly one currency;
- "four point one per cent" is "4.1%";
- a split said as two tens ("sixty-forty") is "60/40" when the two parts make a hundred.

Lone small numbers ("the one with more shares", "two things") stay words: they are rarely
amounts, and a wrong figure is worse than a spelled one.
"""

from __future__ import annotations

import re

from pipeline.amounts import find_amounts, words_to_number

_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
_UNIT_WORDS = ("zero nought one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
               "fifteen sixteen seventeen eighteen nineteen").split()
# Longest first, so "eighteen" is not read as "eight".
_UNITS = "|".join(sorted(_UNIT_WORDS, key=len, reverse=True))
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_SMALL = rf"(?:(?:{_TENS})(?:[\s-]+(?:{_UNITS}))?|{_UNITS})"
_HUNDREDS = rf"(?:(?:{_SMALL}|an?)\s+hundred(?:\s+(?:and\s+)?{_SMALL})?|{_SMALL})"
_NUMBER = rf"(?:(?:{_HUNDREDS}|a)(?:\s+(?:thousand|million)(?:\s+(?:and\s+)?{_HUNDREDS})?)?)"
_DIGITS = rf"(?:{_UNITS})(?:\s+(?:{_UNITS}))*"
_SPOKEN = re.compile(
    rf"\b(?P<num>{_NUMBER}|\d+)(?:\s+point\s+(?P<dec>{_DIGITS}))?(?:\s+(?P<scale>thousand|million))?"
    r"(?:\s+(?P<pct>per ?cent))?\b",
    re.IGNORECASE,
)
_SPLIT = re.compile(rf"\b(?P<a>{_TENS})-(?P<b>{_TENS})\b", re.IGNORECASE)
_WRITTEN = re.compile(r"[£€$]\s?\d[\d,.]*\s*(?:k|m|bn|million|thousand)?$", re.IGNORECASE)
_SCALE = re.compile(r"\b(?:thousand|million)\b", re.IGNORECASE)


def sole_currency(text: str) -> str | None:
    """The one currency an interaction's amounts name (`GBP`...), or None for none or several."""
    found = {a.currency for a in find_amounts(text) if a.currency}
    return found.pop() if len(found) == 1 else None


def written_figures(text: str, currency: str | None = None) -> str:
    """`text` with spoken amounts, rates and splits in figures (see the module docstring).

    Args:
        text: A phrase or clause.
        currency: The interaction's one currency, for amounts said without one.

    Returns:
        The text with figures.
    """
    text = _named_amounts(text)
    text = _SPLIT.sub(_split, text)
    return _SPOKEN.sub(lambda m: _spoken(m, currency), text)


def _named_amounts(text: str) -> str:
    out, last = [], 0
    for amount in find_amounts(text):
        # "a EUR account" names a currency, not one euro.
        if re.match(r"an?\s+(?:[A-Z]{3}|euros?|dollars?|pounds?)$", amount.text, re.IGNORECASE):
            continue
        # "$4.0M" stays as written; "fifteen thousand pounds" and "56.79 pounds" become "£15,000", "£56.79".
        if amount.currency in _SYMBOLS and re.search(r"[a-z]{2,}", amount.text, re.IGNORECASE) and not _WRITTEN.match(
                amount.text):
            out += [text[last : amount.start], _SYMBOLS[amount.currency] + _figure(amount.amount)]
            last = amount.end
    return "".join(out) + text[last:]


def _figure(value: float) -> str:
    return f"{value:,.2f}".removesuffix(".00")


def _split(m: re.Match[str]) -> str:
    a, b = words_to_number(m["a"]), words_to_number(m["b"])
    return f"{a:.0f}/{b:.0f}" if a is not None and b is not None and a + b == 100 else m[0]


def _spoken(m: re.Match[str], currency: str | None) -> str:
    whole = m["num"]
    scaled = bool(m["scale"] or _SCALE.search(whole))
    if not (scaled or m["dec"] or m["pct"]) or whole.lower() in ("a", "an"):
        return m[0]
    value = float(whole) if whole.isdigit() else words_to_number(re.sub(r"(?i)\bnought\b", "zero", whole))
    if value is None:
        return m[0]
    if m["dec"]:
        value = float(f"{value:.0f}." + "".join(f"{words_to_number(d):.0f}" for d in m["dec"].split()))
    if m["scale"]:
        value *= 1_000 if m["scale"].lower() == "thousand" else 1_000_000
    if m["pct"]:
        return f"{value:g}%"
    if m["scale"] and m["scale"].lower() == "million":
        figure = f"{value / 1_000_000:g}m"  # "one point two million" is noted "1.2m"
    else:
        figure = _figure(value) if m["scale"] or not m["dec"] else f"{value:g}"
    return _SYMBOLS[currency] + figure if scaled and currency in _SYMBOLS else figure
