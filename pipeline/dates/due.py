"""The labelling guide's deadline phrases, one table row per line of the guide.

Each row is a pattern and a resolver from the match and the `Context` to a date (or None
for vague timing: "soon", "mid-February", "once X arrives"). Rows are read against the
guide's due-date table in `../shared/eval-data/fs-interactions/README.md`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from pipeline.dates import arith
from pipeline.dates.context import Context, Row
from pipeline.dates.words import (
    COUNT_RE,
    DAY_RE,
    MONTH_RE,
    ORDINAL_RE,
    WEEKDAY_RE,
    day_number,
    month_number,
    number,
    weekday_number,
)


def _explicit_day_month(m: re.Match[str], ctx: Context) -> date | None:
    month, day = month_number(m.group("month")), day_number(m.group("day"))
    if m.group("year"):
        return arith.safe_date(int(m.group("year")), month, day)
    if ctx.convention == "calendar":
        return _calendar_day_month(m, ctx.reference, month, day)
    forward = arith.on_or_after(ctx.reference, month, day)
    if not ctx.past_tense(m):
        return forward
    # "I set up the standing order on 16 November", said on 3 December: the nearer reading.
    back = arith.on_or_before(ctx.reference, month, day)
    if back is None or forward is None:
        return back or forward
    return back if (ctx.reference - back) < (forward - ctx.reference) else forward


def _calendar_day_month(m: re.Match[str], reference: date, month: int, day: int) -> date | None:
    """The calendar reading: a named weekday fixes the year; a month still running counts as this one."""
    weekday = m.groupdict().get("wd")
    if weekday:
        return arith.with_weekday(reference, month, day, weekday_number(weekday))
    if month == reference.month:
        return arith.safe_date(reference.year, month, day)
    return arith.on_or_after(reference, month, day)


def _numeric_date(m: re.Match[str], ctx: Context) -> date | None:
    import dateparser  # Imported lazily: it is slow to load and rarely needed.

    parsed = dateparser.parse(
        m.group(0), languages=["en"],
        settings={"DATE_ORDER": "DMY", "RELATIVE_BASE": ctx.base_datetime, "PREFER_DATES_FROM": "future"},
    )  # fmt: skip
    return parsed.date() if parsed else None


def _day_slash_month(m: re.Match[str], ctx: Context) -> date | None:
    day = m.group("day") or m.group("day2")
    month = int(m.group("month") or m.group("month2"))
    if not 1 <= month <= 12:
        return None
    return arith.on_or_after(ctx.reference, month, int(day))


def _weekday(m: re.Match[str], ctx: Context) -> date | None:
    return arith.next_weekday(ctx.reference, weekday_number(m.group("weekday")))


def _month_end(m: re.Match[str], ctx: Context) -> date | None:
    ref = ctx.reference
    month = ref.replace(day=1)
    if m.group("which") and m.group("which").lower() == "next":
        month = arith.add_months(ref, 1)
    elif m.group("month"):
        number_ = month_number(m.group("month"))
        month = date(ref.year if number_ >= ref.month else ref.year + 1, number_, 1)
    return arith.month_end(month)


_QUARTER_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}


def _quarter_end(m: re.Match[str], ctx: Context) -> date:
    """The last day of a calendar quarter: a named one (Q1-Q4) is the next to end, else this one or the next."""
    ref = ctx.reference
    current = (ref.month - 1) // 3 + 1
    named = m.group("q") or m.group("q2") or m.group("ord")
    if named:
        quarter = int(named) if named.isdigit() else _QUARTER_ORDINALS[named.lower()]
        year = ref.year if quarter >= current else ref.year + 1
    else:
        step = 1 if (m.group("which") or "").lower() == "next" else 0
        quarter, year = (current + step - 1) % 4 + 1, ref.year + (current + step - 1) // 4
    return arith.month_end(date(year, quarter * 3, 1))


def _in_days(m: re.Match[str], ctx: Context) -> date:
    weeks = m.group("unit").lower().startswith("w")
    return ctx.reference + timedelta(days=number(m.group("n")) * (7 if weeks else 1))


def _same_day(m: re.Match[str], ctx: Context) -> date:
    return ctx.reference


def _tomorrow(m: re.Match[str], ctx: Context) -> date:
    return ctx.reference + timedelta(days=1)


# Vague timing: recognised so the engine knows a timeframe was stated, but no date.
VAGUE = re.compile(
    rf"\b(?:mid|early|late)[- ](?:{MONTH_RE})\b|\bsoon\b|\bshortly\b|\basap\b|\bas soon as possible\b"
    r"|\bin due course\b|\bin the new year\b|\bTBC\b"
    r"|\bonce\s+[\w£$'’ -]{2,40}|\bafter (?:the )?(?:committee|meeting|call)\b"
    r"|\bas soon as (?!(?:we(?:'|’)re|I(?:'|’)m|I am|we are) off)[\w'’ ]{2,30}"
    r"|\bwhen (?:they|you|we|it|the)\b[\w'’ ]{2,30}",
    re.IGNORECASE,
)

ROWS: list[Row] = [
    # Explicit calendar dates: "Friday 18 July", "Fri 29 May 2026", "the fifth of April".
    (
        re.compile(
            rf"\b(?:(?P<wd>{WEEKDAY_RE}),?\s+(?:the\s+)?)?(?P<day>{DAY_RE})(?:\s+of)?\s+(?P<month>{MONTH_RE})\b\.?"
            r"(?:,?\s+(?P<year>20\d\d))?",
            re.IGNORECASE,
        ),
        _explicit_day_month,
    ),
    (
        re.compile(
            rf"\b(?:(?P<wd>{WEEKDAY_RE}),?\s+)?(?P<month>{MONTH_RE})\.?\s+(?:the\s+)?(?P<day>{DAY_RE})\b"
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
            rf"(?:{WEEKDAY_RE}\.?\s+)?(?P<day>\d{{1,2}})/(?P<month>\d{{1,2}})\b(?!/)"
            rf"|\b{WEEKDAY_RE}\.?\s+(?P<day2>\d{{1,2}})/(?P<month2>\d{{1,2}})\b(?!/)",
            re.IGNORECASE,
        ),
        _day_slash_month,
    ),
    # "Wednesday the twelfth": the ordinal names the date; the weekday only confirms it.
    (
        re.compile(rf"\b{WEEKDAY_RE},?\s+the\s+(?P<day>\d{{1,2}}(?:st|nd|rd|th)|{ORDINAL_RE})\b", re.IGNORECASE),
        lambda m, ctx: arith.day_of_month(ctx.reference, day_number(m.group("day"))),
    ),
    # "by close of play Thursday", "first thing Monday", "end of day tomorrow": the day named.
    (
        re.compile(
            rf"\b(?:(?:the\s+)?close of (?:play|business)|(?:the\s+)?end of (?:the\s+)?day|COB|EOD|first thing"
            rf"|last thing)\s+(?:on\s+)?(?P<weekday>{WEEKDAY_RE}|tomorrow)\b",
            re.IGNORECASE,
        ),
        lambda m, ctx: _tomorrow(m, ctx) if m.group("weekday").lower() == "tomorrow" else _weekday(m, ctx),
    ),
    (
        re.compile(
            rf"\bthe\s+(?P<day>\d{{1,2}}(?:st|nd|rd|th)|{ORDINAL_RE})\b"
            r"(?=\s*(?:[.,;:!?)]|$|\s+(?:at|and|or|if|so|then|latest|please|would|will|is|works|suits|should"
            r"|instead|fine|okay|ok)\b|['’]s\b))",
            re.IGNORECASE,
        ),
        lambda m, ctx: arith.day_of_month(ctx.reference, day_number(m.group("day"))),
    ),
    (re.compile(r"\bchristmas(?: day)?\b", re.IGNORECASE), lambda m, ctx: arith.on_or_after(ctx.reference, 12, 25)),
    (
        # "In the new year" is a season, not a deadline (it stays vague below).
        re.compile(r"(?<!in the )(?<!into the )\bnew year(?:'s)?(?: day)?\b", re.IGNORECASE),
        lambda m, ctx: arith.on_or_after(ctx.reference, 1, 1),
    ),
    # Same-day phrases.
    (
        re.compile(
            r"\b(?:today|tonight|this (?:morning|afternoon|evening)|later today|(?:the )?end of (?:the )?day"
            r"|close of (?:business|play)|EOD|COB"
            r"|as soon as (?:we(?:'|’)re|I(?:'|’)m|I am|we are) off the (?:phone|call)"
            r"|\bafter this(?: call)?(?=\s*[.,;!?]|$)"
            r"|right now|straight away|right away|(?<=\bby )lunchtime)\b",
            re.IGNORECASE,
        ),
        _same_day,
    ),
    # "Now" dates the work only as a time to act: "for now", "until now", "just now" and "by now" say
    # how things stand ("leave the direct debit as it is for now"), not when anything is due.
    (
        re.compile(
            r"(?<![\w'’])(?<!for )(?<!until )(?<!till )(?<!by )(?<!just )(?<!to )(?<!of )(?<!from )now\b"
            r"(?!\s+(?:that|on|and then)\b)",
            re.IGNORECASE,
        ),
        _same_day,
    ),
    (re.compile(r"\btomorrow\b|\bfirst thing in the morning\b", re.IGNORECASE), _tomorrow),
    (
        re.compile(r"\b(?:(?:by|at)\s+)?(?:the\s+)?end of (?:(?:the|this) )?(?:week|wk)\b"
                   r"|\b(?:later )?this (?:week|wk)\b"
                   r"|\blater in the week\b|\bEOW\b", re.IGNORECASE),
        lambda m, ctx: arith.friday_of_week(ctx.reference),
    ),
    (
        re.compile(r"\b(?:(?:the\s+)?end of\s+)?next (?:week|wk)\b", re.IGNORECASE),
        lambda m, ctx: arith.friday_of_week(ctx.reference) + timedelta(days=7),
    ),
    (
        re.compile(
            rf"\b(?:the\s+)?end(?: of)? (?:(?P<which>the|this|next) month|month|(?P<month>{MONTH_RE}))\b"
            r"|\bmonth[- ]end\b|\bEOM\b",
            re.IGNORECASE,
        ),
        _month_end,
    ),
    # Quarter and year ends: "by end of Q1", "end of the third quarter", "the end of next quarter",
    # "end of the year"; the UK tax year ends on 5 April.
    (
        re.compile(
            r"\b(?:the\s+)?end of (?:the\s+)?(?:Q(?P<q>[1-4])|(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)"
            r" quarter|(?:(?P<which>this|next)\s+)?quarter)\b|\bQ(?P<q2>[1-4])[- ]end\b",
            re.IGNORECASE,
        ),
        _quarter_end,
    ),
    (
        re.compile(r"\b(?:the\s+)?end of (?:the |this )tax year\b", re.IGNORECASE),
        lambda m, ctx: arith.on_or_after(ctx.reference, 4, 5),
    ),
    (
        re.compile(r"\b(?:the\s+)?end of (?:the |this )year\b|(?<=\bby )year[- ]end\b", re.IGNORECASE),
        lambda m, ctx: date(ctx.reference.year, 12, 31),
    ),
    (
        re.compile(
            rf"\b(?:within|in)\s+(?:the\s+next\s+)?(?P<n>{COUNT_RE})\s+(?:working|business|wkg|wking|bus\.?)\s+days?\b",
            re.IGNORECASE,
        ),
        lambda m, ctx: arith.add_business_days(ctx.reference, number(m.group("n"))),
    ),
    (
        re.compile(rf"\b(?:within|in)\s+(?:the\s+next\s+)?(?P<n>{COUNT_RE}|a couple of)\s+"
                   r"(?P<unit>days?|weeks?|wks?)\b", re.IGNORECASE),
        _in_days,
    ),
    # "within 24 hours", "in 48 hours": whole days from the interaction date.
    (
        re.compile(r"\b(?:within|in)\s+(?:the\s+next\s+)?(?P<n>24|48|72)\s+hours\b", re.IGNORECASE),
        lambda m, ctx: ctx.reference + timedelta(days=int(m.group("n")) // 24),
    ),
    (
        re.compile(r"\b(?:(?:within|in|over)\s+(?:the\s+next\s+)?)?(?:a\s+)?fortnight\b(?!\s+ago)", re.IGNORECASE),
        lambda m, ctx: ctx.reference + timedelta(days=14),
    ),
    (re.compile(r"\b(?:a week today|today week)\b", re.IGNORECASE), lambda m, ctx: ctx.reference + timedelta(days=7)),
    # A bare weekday last: explicit dates that start with a weekday were matched above.
    (re.compile(rf"\b(?P<weekday>{WEEKDAY_RE})\b(?!-)", re.IGNORECASE), _weekday),
]
