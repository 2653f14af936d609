"""Due-date phrases: find them in text and resolve them against the interaction's date.

The rules follow the labelling guide of the fs-interactions evaluation set exactly, because
that guide is what reviewers and scorers agree on:

- today / this morning / end of day / now / as soon as we're off the phone -> the interaction date;
- tomorrow -> the next calendar day;
- (by/on/this/next) <weekday> -> the first such weekday *after* the interaction date;
- end of the week / this week -> Friday of the current week;
- next week / end of next week -> Friday of the following week;
- end of the month -> the month's last day;
- within N working/business days -> N business days later (Mon-Fri, holidays ignored);
- within N days / in two weeks / a fortnight -> that many calendar days later;
- 14 Nov / the 12th / Fri 29 May -> that date; "before X" -> the day before X;
- mid-February, soon, asap, once X arrives, after the committee -> no date (kind `none`).

Every pattern lives in one table (`_PATTERNS`) so the mapping can be read against the
guide line by line. Explicit calendar dates are parsed by our own month table first; numeric
dates such as 14/11/2025 go to `dateparser` (day first), which handles their many spellings.
Dates written without a year take the first occurrence on or after the reference date.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from pipeline.schemas import Due

_WEEKDAYS = {
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3, "thurs": 3,
    "fri": 4, "sat": 5, "sun": 6,
}
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_SMALL_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "a": 1, "an": 1,
}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}
for _unit, _value in list(_ORDINALS.items())[:9]:
    _ORDINALS[f"twenty-{_unit}"] = 20 + _value
    _ORDINALS[f"twenty {_unit}"] = 20 + _value
_ORDINALS["thirty-first"] = _ORDINALS["thirty first"] = 31

_WEEKDAY_RE = (
    r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday|s)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)"
)
_MONTH_RE = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORDINAL_RE = "|".join(sorted((re.escape(k) for k in _ORDINALS), key=len, reverse=True))
_DAY_RE = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORDINAL_RE})"
_NUMBER_RE = "|".join(sorted(_SMALL_NUMBERS, key=len, reverse=True))
_COUNT_RE = rf"(?:\d{{1,3}}|{_NUMBER_RE})"

# Words that make a date a deadline for the clause it sits in. A deadline-marked date wins
# over an incidental one ("by 14 Nov for the 20 Nov sitting" -> 14 Nov).
_DEADLINE_PREFIX = re.compile(
    r"(?:\bby|\bon|\bbefore|\bno later than|\buntil|\btill|\bwithin|\bthis|\bnext)\s+(?:the\s+)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateMention:
    """One date phrase found in a text, with its resolution."""

    start: int
    end: int
    phrase: str
    due: Due
    deadline_marked: bool


def add_business_days(start: date, days: int) -> date:
    """Return the date `days` business days (Monday to Friday) after `start`; `start` itself for 0 or fewer."""
    if days <= 0:
        return start
    # Rolling a weekend start back to its Friday makes "1 business day after Saturday" Monday.
    offset = np.busday_offset(np.datetime64(start, "D"), days, roll="backward")
    return offset.astype(date)  # type: ignore[no-any-return]


def next_weekday(reference: date, weekday: int) -> date:
    """Return the first `weekday` (0 = Monday) strictly after `reference`."""
    ahead = (weekday - reference.weekday()) % 7
    return reference + timedelta(days=ahead or 7)


def _friday_of_week(day: date) -> date:
    return day + timedelta(days=4 - day.weekday())


def _number(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else _SMALL_NUMBERS[word]


def _day_number(word: str) -> int:
    word = word.lower().strip()
    digits = re.match(r"\d+", word)
    return int(digits.group()) if digits else _ORDINALS[word.replace("  ", " ")]


def _month_number(word: str) -> int:
    return _MONTHS[word.lower()[:4] if word.lower().startswith("sept") else word.lower()[:3]]


def _on_or_after(reference: date, month: int, day: int, year: int | None = None) -> date | None:
    """The date with that month and day, in `year` or else the first one on/after `reference`."""
    try:
        if year is not None:
            return date(year, month, day)
        candidate = date(reference.year, month, day)
        return candidate if candidate >= reference else date(reference.year + 1, month, day)
    except ValueError:
        return None


def _day_of_month(reference: date, day: int) -> date | None:
    """'the 12th': this month if still ahead (or today), else next month."""
    month, year = reference.month, reference.year
    if day < reference.day:
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    try:
        return date(year, month, day)
    except ValueError:
        return None


Resolver = Callable[[re.Match[str], date], "date | None"]


def _explicit_day_month(m: re.Match[str], ref: date) -> date | None:
    year = int(m.group("year")) if m.group("year") else None
    return _on_or_after(ref, _month_number(m.group("month")), _day_number(m.group("day")), year)


def _numeric_date(m: re.Match[str], ref: date) -> date | None:
    import dateparser  # Imported lazily: it is slow to load and rarely needed.

    parsed = dateparser.parse(
        m.group(0),
        settings={"DATE_ORDER": "DMY", "RELATIVE_BASE": _as_datetime(ref), "PREFER_DATES_FROM": "future"},
    )
    return parsed.date() if parsed else None


def _as_datetime(day: date):  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime(day.year, day.month, day.day)


def _day_slash_month(m: re.Match[str], ref: date) -> date | None:
    day = m.group("day") or m.group("day2")
    month = int(m.group("month") or m.group("month2"))
    if not 1 <= month <= 12:
        return None
    return _on_or_after(ref, month, int(day))


def _weekday(m: re.Match[str], ref: date) -> date | None:
    key = m.group("weekday").lower()
    key = key[:4] if key[:4] in _WEEKDAYS else key[:3]
    return next_weekday(ref, _WEEKDAYS[key])


def _month_end(m: re.Match[str], ref: date) -> date | None:
    month, year = ref.month, ref.year
    if m.group("which") and m.group("which").lower() == "next":
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    elif m.group("month"):
        month = _month_number(m.group("month"))
        year = year if month >= ref.month else year + 1
    return date(year, month, calendar.monthrange(year, month)[1])


# (pattern, resolver, kind). `before` patterns are handled by wrapping: see _BEFORE.
_PATTERNS: list[tuple[re.Pattern[str], Resolver | None]] = [
    # Explicit calendar dates: "Friday 18 July", "Fri 29 May 2026", "the fifth of April".
    (
        re.compile(
            rf"\b(?:{_WEEKDAY_RE},?\s+(?:the\s+)?)?(?P<day>{_DAY_RE})(?:\s+of)?\s+(?P<month>{_MONTH_RE})\b\.?"
            r"(?:,?\s+(?P<year>20\d\d))?",
            re.IGNORECASE,
        ),
        _explicit_day_month,
    ),
    (
        re.compile(
            rf"\b(?:{_WEEKDAY_RE},?\s+)?(?P<month>{_MONTH_RE})\.?\s+(?:the\s+)?(?P<day>{_DAY_RE})\b"
            r"(?:,?\s+(?P<year>20\d\d))?",
            re.IGNORECASE,
        ),
        _explicit_day_month,
    ),
    (re.compile(r"\b\d{1,2}/\d{1,2}/(?:20)?\d\d\b"), _numeric_date),
    # Day/month without a year, as notes write them ("by Fri 13/6", "aim 20/2", "by 12/12"). Only
    # after a deadline word, a weekday or a dash, so ratios like "60/40" or "4/7" stay numbers.
    (
        re.compile(
            rf"(?:(?<=\bby )|(?<=\bon )|(?<=\bbefore )|(?<=\buntil )|(?<=\btill )|(?<=\baim )|(?<=\bdue )"
            rf"|(?<=\bfor )|(?<=\bto )|(?<=– )|(?<=- )|(?<=: )|(?<=\bw/c ))"
            rf"(?:{_WEEKDAY_RE}\.?\s+)?(?P<day>\d{{1,2}})/(?P<month>\d{{1,2}})\b(?!/)"
            rf"|\b{_WEEKDAY_RE}\.?\s+(?P<day2>\d{{1,2}})/(?P<month2>\d{{1,2}})\b(?!/)",
            re.IGNORECASE,
        ),
        _day_slash_month,
    ),
    # "Wednesday the twelfth": the ordinal names the date; the weekday only confirms it.
    (
        re.compile(rf"\b{_WEEKDAY_RE},?\s+the\s+(?P<day>\d{{1,2}}(?:st|nd|rd|th)|{_ORDINAL_RE})\b", re.IGNORECASE),
        lambda m, ref: _day_of_month(ref, _day_number(m.group("day"))),
    ),
    # "by close of play Thursday", "first thing Monday", "end of day tomorrow": the day named.
    (
        re.compile(
            rf"\b(?:(?:the\s+)?close of (?:play|business)|(?:the\s+)?end of (?:the\s+)?day|COB|EOD|first thing"
            rf"|last thing)\s+(?:on\s+)?(?P<weekday>{_WEEKDAY_RE}|tomorrow)\b",
            re.IGNORECASE,
        ),
        lambda m, ref: ref + timedelta(days=1) if m.group("weekday").lower() == "tomorrow" else _weekday(m, ref),
    ),
    (
        re.compile(
            rf"\bthe\s+(?P<day>\d{{1,2}}(?:st|nd|rd|th)|{_ORDINAL_RE})\b"
            r"(?=\s*(?:[.,;:!?)]|$|\s+(?:at|and|or|if|so|then|latest|please|would|will)\b))",
            re.IGNORECASE,
        ),
        lambda m, ref: _day_of_month(ref, _day_number(m.group("day"))),
    ),
    (re.compile(r"\bchristmas(?: day)?\b", re.IGNORECASE), lambda m, ref: _on_or_after(ref, 12, 25)),
    (re.compile(r"\bnew year(?:'s)?(?: day)?\b", re.IGNORECASE), lambda m, ref: _on_or_after(ref, 1, 1)),
    # Same-day phrases.
    (
        re.compile(
            r"\b(?:today|tonight|this (?:morning|afternoon|evening)|later today|(?:the )?end of (?:the )?day"
            r"|close of (?:business|play)|EOD|COB"
            r"|as soon as (?:we(?:'|’)re|I(?:'|’)m|I am|we are) off the (?:phone|call)"
            r"|right now|straight away|right away)\b",
            re.IGNORECASE,
        ),
        lambda m, ref: ref,
    ),
    (re.compile(r"(?<![\w'’])now\b(?!\s+(?:that|on)\b)", re.IGNORECASE), lambda m, ref: ref),
    (re.compile(r"\btomorrow\b", re.IGNORECASE), lambda m, ref: ref + timedelta(days=1)),
    (
        re.compile(r"\b(?:(?:by|at)\s+)?(?:the\s+)?end of (?:the|this) week\b|\bthis week\b", re.IGNORECASE),
        lambda m, ref: _friday_of_week(ref),
    ),
    (
        re.compile(r"\b(?:(?:the\s+)?end of\s+)?next week\b", re.IGNORECASE),
        lambda m, ref: _friday_of_week(ref) + timedelta(days=7),
    ),
    (
        re.compile(
            rf"\b(?:the\s+)?end of (?:(?P<which>the|this|next) month|(?P<month>{_MONTH_RE}))\b|\bmonth[- ]end\b",
            re.IGNORECASE,
        ),
        _month_end,
    ),
    (
        re.compile(rf"\b(?:within|in)\s+(?:the\s+next\s+)?(?P<n>{_COUNT_RE})\s+(?:working|business)\s+days?\b",
                   re.IGNORECASE),
        lambda m, ref: add_business_days(ref, _number(m.group("n"))),
    ),
    (
        re.compile(rf"\b(?:within|in)\s+(?:the\s+next\s+)?(?P<n>{_COUNT_RE})\s+(?P<unit>days?|weeks?)\b",
                   re.IGNORECASE),
        lambda m, ref: ref + timedelta(
            days=_number(m.group("n")) * (7 if m.group("unit").lower().startswith("week") else 1)
        ),
    ),
    (re.compile(r"\b(?:(?:within|in)\s+)?a fortnight\b", re.IGNORECASE), lambda m, ref: ref + timedelta(days=14)),
    # A bare weekday last: explicit dates that start with a weekday were matched above.
    (re.compile(rf"\b(?P<weekday>{_WEEKDAY_RE})\b(?!-)", re.IGNORECASE), _weekday),
    # Vague timing: recognised so the engine knows a timeframe was stated, but no date.
    (
        re.compile(
            rf"\b(?:mid|early|late)[- ](?:{_MONTH_RE})\b|\bsoon\b|\bshortly\b|\basap\b|\bas soon as possible\b"
            r"|\bin due course\b|\bTBC\b|\bonce\s+[\w£$'’ -]{2,40}|\bafter (?:the )?(?:committee|meeting|call)\b"
            r"|\bas soon as (?!(?:we(?:'|’)re|I(?:'|’)m|I am|we are) off)[\w'’ ]{2,30}"
            r"|\bwhen (?:they|you|we|it|the)\b[\w'’ ]{2,30}",
            re.IGNORECASE,
        ),
        None,
    ),
]

_BEFORE = re.compile(r"\bbefore\s+(?:the\s+)?$", re.IGNORECASE)
# "before five today" is about a time of day, not a date.
_TIME_OF_DAY = re.compile(
    rf"^(?:{_COUNT_RE}|\d{{1,2}}(?:[:.]\d\d)?)\s*(?:am|pm|o'clock)?\b", re.IGNORECASE
)
# "sat", "sun", "wed" in lower case are words, not weekdays; abbreviations count only capitalised.
_LOWERCASE_ABBREVIATION = re.compile(r"^(?:mon|tues?|weds?|thur?s?|fri|sat|sun)$")


def _spans_overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def find_dates(text: str, reference: date) -> list[DateMention]:
    """Find every due-date phrase in `text`, resolved against `reference`, in text order.

    Overlapping matches keep the longest ("Friday 18 July" beats "Friday").

    Args:
        text: Any text: a sentence, a clause or a whole turn.
        reference: The local date of the interaction.

    Returns:
        The mentions, each with its phrase, offsets, resolved `Due` and whether a deadline
        word ("by", "before", "on", "within"...) introduces it.
    """
    found: list[DateMention] = []
    for pattern, resolver in _PATTERNS:
        for m in pattern.finditer(text):
            phrase = m.group(0).rstrip(" .,")
            if not phrase or _LOWERCASE_ABBREVIATION.match(phrase):
                continue
            span = (m.start(), m.start() + len(phrase))
            if any(_spans_overlap(span, (f.start, f.end)) for f in found):
                continue
            before = text[: m.start()]
            if resolver is None:
                due = Due.none(phrase)
            else:
                day = resolver(m, reference)
                if day is None:
                    continue
                if _BEFORE.search(before):
                    day -= timedelta(days=1)
                    phrase = before[_BEFORE.search(before).start():] + phrase  # type: ignore[union-attr]
                    span = (span[1] - len(phrase), span[1])
                due = Due(kind="date", date=day, phrase=phrase)
            found.append(
                DateMention(
                    start=span[0],
                    end=span[1],
                    phrase=phrase,
                    due=due,
                    deadline_marked=bool(_DEADLINE_PREFIX.search(before))
                    or phrase.lower().startswith(("before", "within", "in ", "by ")),
                )
            )
    found.sort(key=lambda d: d.start)
    return found


_BARE_DAY = re.compile(rf"^(?:before\s+)?the\s+(?P<day>\d{{1,2}}(?:st|nd|rd|th)|{_ORDINAL_RE})$", re.IGNORECASE)


def anchor_bare_days(mentions: list[DateMention], earlier_text: str, reference: date) -> list[DateMention]:
    """Resolve "the 21st" to the month of an earlier full date with that day, if the text gave one.

    "The forms must be back before the twenty-first of March ... I'll get them back before the
    twenty-first" means 20 March, not the next 21st of any month: a careful reader carries the
    month over from the date already named. Without such an earlier date the mention is unchanged.
    """
    out = []
    for mention in mentions:
        m = _BARE_DAY.match(mention.phrase)
        if m and mention.due.date is not None:
            day = _day_number(m.group("day"))
            earlier = [(e, d) for e in find_dates(earlier_text, reference)
                       if (d := e.due.date) is not None and _has_month(e.phrase) and _day_named(e.phrase) == day]
            if earlier:
                last, named = earlier[-1]
                # Each "before" moves the date back a day: undo the earlier one, apply this one.
                now_before = mention.phrase.lower().startswith("before")
                then_before = last.phrase.lower().startswith("before")
                named = named + timedelta(days=int(then_before) - int(now_before))
                mention = DateMention(mention.start, mention.end, mention.phrase,
                                      Due(kind="date", date=named, phrase=mention.phrase), mention.deadline_marked)
        out.append(mention)
    return out


def _has_month(phrase: str) -> bool:
    return bool(re.search(rf"\b{_MONTH_RE}\b", phrase, re.IGNORECASE))


def _day_named(phrase: str) -> int | None:
    m = re.search(rf"\b(?P<day>{_DAY_RE})\b", phrase, re.IGNORECASE)
    try:
        return _day_number(m.group("day")) if m else None
    except KeyError:
        return None


def best_mention(mentions: list[DateMention]) -> DateMention | None:
    """Choose the mention that states the deadline: dated over vague, deadline-marked first, then earliest."""
    if not mentions:
        return None
    dated = [d for d in mentions if d.due.kind != "none"] or mentions
    marked = [d for d in dated if d.deadline_marked]
    return (marked or dated)[0]


def resolve_due(phrase_context: str, reference: date) -> Due | None:
    """Resolve the due date stated in a phrase or clause.

    Args:
        phrase_context: The words stating the timing, e.g. "by Friday", or the whole clause
            ("I'll send it over by the end of next week").
        reference: The local date of the interaction, against which relative phrases resolve.

    Returns:
        A `Due` of kind `date` (or `range`) for a resolvable phrase, a `Due` of kind `none`
        carrying the phrase for vague timing ("soon", "mid-February", "once X arrives"), or
        None when the text states no timing at all.
    """
    best = best_mention(find_dates(phrase_context, reference))
    return best.due if best else None
